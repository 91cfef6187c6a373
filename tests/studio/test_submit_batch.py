"""Submits that come together share a request; each job still gets its own outcome."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from gui.runware.catalog import default_catalog
from gui.runware.client import RunwareClient
from gui.runware.errors import ValidationError
from gui.runware.models import VideoInferenceTask, new_task_uuid
from gui.studio.jobs import JobState
from gui.studio.submit_batch import SubmitBatcher

from .conftest import EngineFactory, requests_of_type, sora_spec, submissions_in_log


def _task(prompt: str) -> VideoInferenceTask:
    return sora_spec(prompt).to_task(new_task_uuid(), {}, default_catalog())


@pytest.mark.asyncio
async def test_forty_five_submits_at_once_leave_in_three_requests(sandbox: Any) -> None:
    async with RunwareClient(sandbox.api_key, sandbox.url) as client:
        batcher = SubmitBatcher(client, tasks_per_request=20, requests_at_once=8)
        tasks = [_task(f"Take {i}: a kite over the dunes") for i in range(45)]
        await asyncio.gather(*(batcher.submit(t) for t in tasks))
    sizes = sorted(len(e["request"]) for e in requests_of_type(sandbox, "videoInference"))
    assert sizes == [5, 20, 20] and batcher.requests == 3
    assert set(submissions_in_log(sandbox)) == {t.task_uuid for t in tasks}


@pytest.mark.asyncio
async def test_a_lone_submit_leaves_at_once_and_a_bad_task_fails_only_its_caller(
    sandbox: Any,
) -> None:
    async with RunwareClient(sandbox.api_key, sandbox.url) as client:
        batcher = SubmitBatcher(client)
        await batcher.submit(_task("A lone lighthouse"))
        assert batcher.requests == 1
        good = _task("A harbour at dawn")
        # past the spec's own check: what is tested is the server's answer for one task
        bad = _task("Rejected by the server").model_copy(update={"duration": 5})
        results = await asyncio.gather(
            batcher.submit(good), batcher.submit(bad), return_exceptions=True
        )
    assert results[0] is None
    assert isinstance(results[1], ValidationError) and results[1].task_uuid == bad.task_uuid
    assert batcher.requests == 2


@pytest.mark.asyncio
async def test_thirty_jobs_submitted_together_share_requests(
    sandbox: Any, studio_factory: EngineFactory
) -> None:
    studio = await studio_factory(sandbox)
    jobs = await asyncio.gather(
        *(studio.engine.submit(sora_spec(f"Shot {i} of the storm")) for i in range(30))
    )
    assert all(j.state is not JobState.QUEUED for j in jobs)
    kept = {j.id: j.state for j in studio.journal.load_jobs()}
    assert all(kept[j.id] is not JobState.QUEUED for j in jobs)
    requests = requests_of_type(sandbox, "videoInference")
    assert len(requests) < 30, "each job went in a request of its own"
    assert max(len(e["request"]) for e in requests) <= 20
    assert sorted(submissions_in_log(sandbox).values()) == [1] * 30  # each sent once
