"""A model Runware no longer offers: the job says so in plain words, names the closest live
model, and one call makes the same job on it; nothing is sent for the refused one twice."""

from __future__ import annotations

from typing import Any

import pytest

from gui.runware.catalog import default_catalog
from gui.runware.errors import ModelUnavailableError, ValidationError, error_from_object
from gui.runware.models import ErrorObject
from gui.studio.adapt import adapt_spec, closest_live
from gui.studio.jobs import JobSpec, JobState
from tests.studio.conftest import EngineFactory, requests_of_type, wait_final

CATALOG = default_catalog()
ENDED = [m for m in CATALOG if not m.is_live()]


@pytest.mark.parametrize(
    ("code", "message", "parameter", "gone"),
    [
        ("invalidModel", "The model openai:3@1 has been deactivated.", "model", True),
        ("modelDeprecated", "", None, True),
        ("modelNotAvailable", "Model not available", None, True),
        ("error", "This model is no longer available.", None, True),
        ("invalidParameter", "Invalid value for width: this model makes 1280x720.", "width", False),
        ("timeoutProvider", "The provider is unavailable for this model, try later.", None, False),
        ("unsupportedDuration", "This duration is not supported by the model.", "duration", False),
    ],
)
def test_model_gone_is_read_by_meaning(
    code: str, message: str, parameter: str | None, gone: bool
) -> None:
    error = error_from_object(ErrorObject(code=code, message=message, parameter=parameter), 400)
    assert isinstance(error, ModelUnavailableError) is gone


def test_closest_live_keeps_the_settings() -> None:
    assert ENDED, "the catalogue has deactivated models"
    for model in ENDED:
        spec = JobSpec(
            model=model.air,
            prompt="a paper boat",
            width=model.default_size.width,
            height=model.default_size.height,
            duration=model.default_duration,
        )
        other = closest_live(CATALOG, spec)
        assert other is not None and other.is_live()
        adapted = adapt_spec(spec, other)
        assert adapted.spec.model == other.air
        assert adapted.spec.problems(CATALOG) == []
        assert adapted.spec.prompt == spec.prompt


@pytest.mark.asyncio
async def test_a_refused_model_offers_the_closest_live_one_in_one_call(
    sandbox: Any, studio_factory: EngineFactory
) -> None:
    sandbox.set_faults({"faults": [], "protocol": {"refuse_deactivated": True}})
    ended = ENDED[0]
    studio = await studio_factory(sandbox)
    spec = JobSpec(
        model=ended.air,
        prompt="a paper boat drifting down a rainy street",
        width=ended.default_size.width,
        height=ended.default_size.height,
        duration=ended.default_duration,
    )
    job = await studio.engine.submit(spec)
    assert job.state is JobState.FAILED and job.error_code == "modelUnavailable"
    other = studio.engine.alternative(job.id)
    assert other is not None and other.is_live()
    assert ended.name in (job.error_message or "") and other.name in (job.error_message or "")
    assert "deactivated" in (job.error_message or "")
    retried = await wait_final(studio.engine, await studio.engine.retry_with(job.id, other.air))
    assert retried.state is JobState.READY and retried.spec.model == other.air
    assert retried.lineage.parent_job_id == job.id
    sent = [e["task_uuids"] for e in requests_of_type(sandbox, "videoInference")]
    assert sent == [[job.task_uuid], [retried.task_uuid]]  # the refused one once, no resend


def test_a_validation_error_is_not_a_gone_model() -> None:
    error = error_from_object(ErrorObject(code="invalidPositivePrompt", message="x"), 400)
    assert type(error) is ValidationError
