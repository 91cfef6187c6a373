"""``sora-studio models`` lists every model by provider with status, price and limits, and
``--model`` takes an AIR, a name, or a part of a name only one model has."""

from __future__ import annotations

import pytest

from gui.cli import run
from gui.runware.catalog import default_catalog

CATALOG = default_catalog()


def test_models_lists_every_model_with_status_price_and_limits(capsys) -> None:  # type: ignore[no-untyped-def]
    assert run(["models"]) == 0
    out = capsys.readouterr().out
    for model in CATALOG:
        line = next(line for line in out.splitlines() if model.air in line)
        assert model.name in line
        assert ("live" if model.is_live() else "deactivated") in line
    for provider in {m.provider for m in CATALOG}:
        assert f"\n{provider}\n" in f"\n{out}"
    assert out.count("price not published") == sum(not m.price_known for m in CATALOG)


@pytest.mark.parametrize(
    ("wanted", "name"),
    [
        ("google:3@3", "Veo 3.1 Fast"),
        ("Veo 3.1 Fast", "Veo 3.1 Fast"),
        ("veo fast", "Veo 3.1 Fast"),
        ("VEO-3.1-FAST", "Veo 3.1 Fast"),
        ("kling 3.0 pro", "Kling VIDEO 3.0 Pro"),
        ("hailuo", "MiniMax Hailuo 2.3"),
        ("Sora 2", "Sora 2"),  # a whole name wins over names it is part of
    ],
)
def test_a_model_is_found_by_air_name_or_unique_part(wanted: str, name: str) -> None:
    assert CATALOG.find(wanted).name == name


@pytest.mark.parametrize(
    ("wanted", "says"),
    [("kling", "could be"), ("nothing-like-it", "No model matches"), ("  ", "No model")],
)
def test_an_unclear_or_unknown_model_is_a_usage_error(
    wanted: str, says: str, capsys, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(LookupError, match=says):
        CATALOG.find(wanted)
    argv = ["generate", "a quiet street", "--sandbox", "--data-dir", str(tmp_path)]
    status = run([*argv, "--model", wanted])
    assert status == 2
    assert says in capsys.readouterr().err
