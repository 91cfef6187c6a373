"""Every catalogue model's limits over real HTTP: the sandbox serves the whole lineup with each
model's own rules, so a request just outside a limit is refused in Runware's shape and one at
the limit is acknowledged (tasks are only acknowledged here: the idle sandbox renders nothing)."""

from __future__ import annotations

from typing import Any

import pytest

from gui.runware.catalog import ModelSpec, default_catalog
from gui.runware.model_rules import SIZE
from gui.sandbox.process import SandboxProcess
from tests.sandbox.support import data_uri, image_bytes, new_uuid, post

MODELS = list(default_catalog())
FRAME = data_uri(image_bytes(1280, 720))


def task(model: ModelSpec, **overrides: Any) -> dict[str, Any]:
    """A request the model's page allows: its first size (or, where frames exclude a size, a
    frame image alone), its default length."""
    size = model.default_size
    body: dict[str, Any] = {
        "taskType": "videoInference",
        "taskUUID": new_uuid(),
        "model": model.air,
        "positivePrompt": "A lighthouse at dusk, waves rolling in",
        "width": size.width,
        "height": size.height,
        "duration": model.nearest_duration(model.default_duration),
    }
    if model.needs_frame:
        body["inputs"] = {"frameImages": [FRAME]}
        if SIZE in model.excluded({"inputs.frameImages"}):
            del body["width"], body["height"]
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def refused(sb: SandboxProcess, body: dict[str, Any]) -> set[str]:
    answer = post(sb, [body])
    if answer.status_code == 200:
        return set()
    errors = answer.json()["errors"]
    assert all(e["taskUUID"] == body["taskUUID"] for e in errors)
    return {e["code"] for e in errors}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.air)
def test_each_model_is_served_with_its_own_limits(idle: SandboxProcess, model: ModelSpec) -> None:
    assert refused(idle, task(model)) == set()
    longest = max(model.offered_durations())
    assert refused(idle, task(model, duration=longest)) == set()
    assert "unsupportedDuration" in refused(idle, task(model, duration=max(model.durations) + 1))
    widest = max(model.sizes, key=lambda s: s.width * s.height)
    if not model.needs_frame or SIZE not in model.excluded({"inputs.frameImages"}):
        big = task(model, width=widest.width, height=widest.height)
        big["duration"] = model.nearest_duration(model.default_duration)
        codes = refused(idle, big)
        assert codes == set() or codes == {"unsupportedDuration"}  # a size may limit lengths
        assert "unsupportedDimensions" in refused(idle, task(model, width=1000, height=1000))
    too_long = "x" * (model.prompt.max + 1)
    assert "invalidPositivePrompt" in refused(idle, task(model, positivePrompt=too_long))
    too_many = model.number_results.max + 1
    assert refused(idle, task(model, numberResults=too_many))
    assert refused(idle, task(model, seed=7)) == (
        set() if model.accepts_seed else {"unknownParameter"}
    )
