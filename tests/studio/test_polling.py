"""Poll pacing and how cumulative getResponse answers are folded into a job."""

from __future__ import annotations

from typing import Any

import pytest

from gui.runware.client import TaskPoll
from gui.runware.errors import NotFoundError, ProviderError
from gui.runware.models import VideoResult
from gui.studio.jobs import Job, JobState, ResultState
from gui.studio.polling import PollSchedule, apply_poll
from gui.studio.settings import PollTimings

from .conftest import sora_spec


def test_the_schedule_backs_off_resets_and_waits_longer_on_errors() -> None:
    schedule = PollSchedule(
        PollTimings(first_delay=2, backoff=1.5, max_interval=10, error_delay=5, error_max=60)
    )
    assert schedule.reset() == 2
    assert [schedule.after_poll(False) for _ in range(6)] == [3, 4.5, 6.75, 10, 10, 10]
    assert schedule.after_poll(True) == 2  # something changed
    assert schedule.after_poll(False) == 3
    assert [schedule.after_error() for _ in range(6)] == [5, 10, 20, 40, 60, 60]
    assert schedule.after_poll(False) == 4.5 and schedule.after_error() == 5  # errors reset too


def _item(status: str, uuid: str | None = None, **extra: Any) -> VideoResult:
    fields: dict[str, Any] = {"taskType": "videoInference", "taskUUID": "t", "status": status}
    if uuid:
        fields |= {"videoUUID": uuid, "videoURL": f"http://h/{uuid}.mp4", "cost": 0.4}
        fields["outputs"] = {"videoId": f"video_{uuid}"}
    return VideoResult.model_validate(fields | extra)


def _submitted(n: int = 1) -> Job:
    job = Job(spec=sora_spec(number_results=n))
    job.ensure_results()
    job.mark_submitted()
    return job


def test_cumulative_answers_change_a_job_only_once() -> None:
    job = _submitted(2)
    first = apply_poll(job, TaskPoll("t", results=[_item("processing"), _item("processing")]))
    assert first.changed and job.state is JobState.PROCESSING and not first.new_available
    assert not apply_poll(job, TaskPoll("t", results=[_item("processing")] * 2)).changed

    one = TaskPoll("t", results=[_item("success", "v1"), _item("processing")])
    out = apply_poll(job, one)
    assert [r.video_uuid for r in out.new_available] == ["v1"]
    assert job.state is JobState.DOWNLOADING and job.results[0].video_id == "video_v1"
    assert not apply_poll(job, one).changed  # the same answer again: nothing new

    both = TaskPoll("t", results=[_item("success", "v1"), _item("success", "v2")])
    out = apply_poll(job, both)
    assert [r.video_uuid for r in out.new_available] == ["v2"] and job.results[1].index == 1
    assert job.actual_cost == pytest.approx(0.8)


def test_result_index_places_a_result_and_order_changes_nothing() -> None:
    job = _submitted(3)
    apply_poll(job, TaskPoll("t", results=[_item("success", "c", resultIndex=2)]))
    assert [r.video_uuid for r in job.results] == [None, None, "c"]
    apply_poll(
        job, TaskPoll("t", results=[_item("success", "a"), _item("success", "c", resultIndex=2)])
    )
    reordered = [_item("success", "c", resultIndex=2), _item("success", "b"), _item("success", "a")]
    apply_poll(job, TaskPoll("t", results=reordered))
    assert [r.video_uuid for r in job.results] == ["a", "b", "c"]


def test_a_failed_generation_fails_only_as_many_results_as_errors_while_others_run() -> None:
    job = _submitted(2)
    error = ProviderError("The provider timed out.", code="timeoutProvider", task_uuid="t")
    apply_poll(job, TaskPoll("t", results=[_item("processing")], errors=[error]))
    assert [r.state for r in job.results] == [ResultState.FAILED, ResultState.PENDING]
    assert job.state is JobState.DOWNLOADING  # still waiting for the other one
    apply_poll(job, TaskPoll("t", results=[_item("success", "v2")], errors=[error]))
    assert job.results[1].state is ResultState.AVAILABLE and job.state is JobState.DOWNLOADING


def test_a_task_level_error_with_nothing_running_fails_the_job() -> None:
    job = _submitted(2)
    error = ProviderError("The provider timed out.", code="timeoutProvider", task_uuid="t")
    apply_poll(job, TaskPoll("t", errors=[error]))
    assert job.state is JobState.FAILED and job.error_code == "timeoutProvider"
    assert job.error_retryable and all(r.state is ResultState.FAILED for r in job.results)


def test_an_unknown_task_is_resent_only_when_its_submit_was_never_answered() -> None:
    lost = NotFoundError("Task not found", code="taskNotFound", task_uuid="t")
    queued = Job(spec=sora_spec())
    queued.ensure_results()
    assert apply_poll(queued, TaskPoll("t", errors=[lost]), unconfirmed=True).resubmit
    assert queued.state is JobState.QUEUED

    acknowledged = _submitted()
    out = apply_poll(acknowledged, TaskPoll("t", errors=[lost]))
    assert not out.resubmit and acknowledged.state is JobState.FAILED
    assert "no longer knows" in (acknowledged.error_message or "")


def test_an_unconfirmed_task_the_server_knows_becomes_submitted() -> None:
    job = Job(spec=sora_spec())
    job.ensure_results()
    out = apply_poll(job, TaskPoll("t", results=[_item("processing")]), unconfirmed=True)
    assert out.confirmed and job.possibly_billed and job.state is JobState.PROCESSING


def test_a_success_without_a_safe_name_or_link_fails_that_result() -> None:
    job = _submitted(2)
    items = [_item("success", "../x"), _item("success", None, videoUUID="ok")]
    apply_poll(job, TaskPoll("t", results=items))
    assert [r.state for r in job.results] == [ResultState.FAILED, ResultState.FAILED]
    assert "not a plain name" in (job.results[0].error or "")
    assert "no link" in (job.results[1].error or "") and job.state is JobState.FAILED
