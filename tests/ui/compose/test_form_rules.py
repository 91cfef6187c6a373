"""The form's decisions without widgets: fields per model, the price text, typed-value checks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gui.runware.catalog import Catalog, Limits
from gui.ui.compose.form_rules import (
    ModelFields,
    format_money,
    http_url_problem,
    price_label,
    seed_problem,
    ttl_problem,
)
from tests.ui.compose.conftest import model_named


def test_fields_follow_each_catalogue_entry(catalog: Catalog) -> None:
    for model in catalog:
        fields = ModelFields.of(model)
        frames = model.frame_images.frames if model.frame_images else ()
        assert fields.frames == tuple(f for f in ("first", "last") if f in frames)
        assert (fields.seed is not None) == model.accepts_seed
        assert fields.remix == model.accepts_video_id
        assert {s.name for s in fields.settings} | {s.name for s in fields.fixed_settings} == {
            s.name for s in model.provider_settings
        }
        assert all(s.fixed for s in fields.fixed_settings)
        assert not any(s.fixed for s in fields.settings)


def test_sora_and_veo_differ_where_the_data_says(catalog: Catalog) -> None:
    sora, veo = (
        ModelFields.of(model_named(catalog, "Sora 2")),
        ModelFields.of(model_named(catalog, "Veo 3.1 Fast")),
    )
    assert sora.frames == ("first",) and veo.frames == ("first", "last")
    assert sora.seed is None and veo.seed is not None
    assert sora.remix and not veo.remix
    assert [s.label for s in veo.settings] == ["Generate audio"]
    assert [s.label for s in veo.fixed_settings] == ["Enhance prompt"]
    assert sora.settings == () and sora.fixed_settings == ()


@pytest.mark.parametrize(
    ("name", "size", "seconds", "count", "text"),
    [
        ("Sora 2", (1280, 720), 8, 1, "Generate · $0.80"),
        ("Sora 2 Pro", (1920, 1080), 8, 1, "Generate · $4.00"),
        ("Sora 2 Pro", (720, 1280), 4, 2, "Generate · $2.40"),
        ("Sora 2", (720, 1280), 20, 4, "Generate · $8.00"),
    ],
)
def test_price_label_known_values(catalog, name, size, seconds, count, text) -> None:  # type: ignore[no-untyped-def]
    model = model_named(catalog, name)
    label = price_label(
        model, width=size[0], height=size[1], duration=seconds, number_results=count
    )
    assert label.text == text and label.known


def test_price_label_unknown_for_veo(catalog: Catalog) -> None:
    label = price_label(
        model_named(catalog, "Veo 3.1"), width=1280, height=720, duration=8, number_results=1
    )
    assert label.text == "Generate · price unknown"
    assert not label.known
    assert "real cost is shown after the job" in label.tooltip


def test_remix_price_says_from_when_the_source_size_decides(catalog: Catalog) -> None:
    pro = model_named(catalog, "Sora 2 Pro")
    assert price_label(
        pro, width=1920, height=1080, duration=8, number_results=1, remix=True
    ).text == ("Generate · from $2.40")
    sora = model_named(catalog, "Sora 2")  # one rate: the price is exact
    assert (
        price_label(sora, width=None, height=None, duration=4, number_results=1, remix=True).text
        == "Generate · $0.40"
    )


def test_money_formats() -> None:
    assert format_money(Decimal("0.8"), "USD") == "$0.80"
    assert format_money(Decimal("12"), "CHF") == "12.00 CHF"


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("", True),
        ("https://hooks.example.com/sora", True),
        ("http://127.0.0.1:8080/x", True),
        ("ftp://example.com", False),
        ("example.com/hook", False),
        ("https://", False),
        ("https://exa mple.com", False),
        ("https://example.com:99999/", False),
    ],
)
def test_url_check(text: str, ok: bool) -> None:
    assert (http_url_problem(text) is None) == ok


def test_ttl_and_seed_checks() -> None:
    assert ttl_problem("") is None and ttl_problem("60") is None
    assert "at least 60" in (ttl_problem("59") or "")
    assert "whole number" in (ttl_problem("1.5") or "")
    limits = Limits(min=0, max=4294967295)
    assert seed_problem("4294967295", limits) is None
    assert "0 to 4294967295" in (seed_problem("4294967296", limits) or "")
    assert "Random" in (seed_problem("", limits) or "")
