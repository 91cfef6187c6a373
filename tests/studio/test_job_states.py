"""Every legal and every illegal state transition of Job and Result.

The expected tables are written out here from docs/architecture.md ("Job states"), not imported from gui.studio.jobs, so a
change to the code's tables that the design does not allow fails this test.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gui.studio.jobs import IllegalTransition, Job, JobState, Result, ResultState, prompt_excerpt

from .conftest import sora_spec

J = JobState
JOB_MOVES: dict[JobState, set[JobState]] = {
    J.QUEUED: {J.UPLOADING, J.SUBMITTED, J.FAILED, J.CANCELLED},
    J.UPLOADING: {J.QUEUED, J.SUBMITTED, J.FAILED, J.CANCELLED},
    J.SUBMITTED: {J.PROCESSING, J.DOWNLOADING, J.FAILED, J.CANCELLED, J.EXPIRED},
    J.PROCESSING: {J.DOWNLOADING, J.FAILED, J.CANCELLED, J.EXPIRED},
    J.DOWNLOADING: {J.PROCESSING, J.READY, J.FAILED, J.CANCELLED, J.EXPIRED},
    J.READY: set(),
    J.FAILED: set(),
    J.CANCELLED: set(),
    J.EXPIRED: set(),
}

JOB_ACTIONS: dict[JobState, Callable[[Job], None]] = {
    J.QUEUED: lambda j: j.mark_requeued(),
    J.UPLOADING: lambda j: j.mark_uploading(),
    J.SUBMITTED: lambda j: j.mark_submitted(),
    J.PROCESSING: lambda j: j.mark_processing(),
    J.DOWNLOADING: lambda j: j.mark_downloading(),
    J.READY: lambda j: j.mark_ready(),
    J.FAILED: lambda j: j.fail("timeoutProvider", "The provider timed out.", retryable=True),
    J.CANCELLED: lambda j: j.cancel(),
    J.EXPIRED: lambda j: j.expire("The link expired."),
}


def _job_in(state: JobState) -> Job:
    job = Job(spec=sora_spec())
    job.ensure_results()
    for result in job.results:  # so that "ready" is refused only for the state, not the results
        result.state = ResultState.READY
    job.state = state
    return job


@pytest.mark.parametrize("old", list(JobState), ids=str)
@pytest.mark.parametrize("new", list(JobState), ids=str)
def test_every_job_transition(old: JobState, new: JobState) -> None:
    job = _job_in(old)
    if new in JOB_MOVES[old]:
        JOB_ACTIONS[new](job)
        assert job.state is new
        assert job.can_move_to is not None
        assert (job.finished_at is not None) == new.is_final
    else:
        with pytest.raises(IllegalTransition):
            JOB_ACTIONS[new](job)
        assert job.state is old


def test_job_ready_needs_every_result_ready() -> None:
    job = Job(spec=sora_spec(number_results=2))
    job.ensure_results()
    job.state = JobState.DOWNLOADING
    job.results[0].state = ResultState.READY
    with pytest.raises(IllegalTransition):
        job.mark_ready()
    job.results[1].state = ResultState.READY
    job.results[0].cost, job.results[1].cost = 0.4, 0.4
    job.mark_ready()
    assert job.state is JobState.READY and job.actual_cost == pytest.approx(0.8)


def test_submitting_makes_a_job_possibly_billed_and_cancel_says_so() -> None:
    unsent = Job(spec=sora_spec())
    unsent.cancel()
    assert not unsent.possibly_billed and "nothing was billed" in (unsent.error_message or "")
    sent = Job(spec=sora_spec())
    sent.mark_submitted()
    sent.cancel()
    assert sent.possibly_billed and "may still be billed" in (sent.error_message or "")


R = ResultState
RESULT_MOVES: dict[ResultState, set[ResultState]] = {
    R.PENDING: {R.AVAILABLE, R.FAILED},
    R.AVAILABLE: {R.DOWNLOADING, R.EXPIRED, R.FAILED},
    R.DOWNLOADING: {R.AVAILABLE, R.READY, R.EXPIRED, R.FAILED},
    R.READY: set(),
    R.FAILED: set(),
    R.EXPIRED: set(),
}


def _available(r: Result) -> None:
    r.mark_available(video_uuid="v1", video_url="http://x/v1.mp4", video_id="vid", seed=1, cost=0.4)


RESULT_ACTIONS: dict[str, tuple[ResultState, Callable[[Result], None], set[ResultState]]] = {
    # name: (target, action, the states it may start from)
    "mark_available": (R.AVAILABLE, _available, {R.PENDING}),
    "mark_download_interrupted": (
        R.AVAILABLE,
        lambda r: r.mark_download_interrupted(),
        {R.DOWNLOADING},
    ),
    "mark_downloading": (R.DOWNLOADING, lambda r: r.mark_downloading(), {R.AVAILABLE}),
    "mark_ready": (R.READY, lambda r: r.mark_ready("/lib/v1.mp4"), {R.DOWNLOADING}),
    "mark_failed": (
        R.FAILED,
        lambda r: r.mark_failed("no"),
        {R.PENDING, R.AVAILABLE, R.DOWNLOADING},
    ),
    "mark_expired": (R.EXPIRED, lambda r: r.mark_expired("gone"), {R.AVAILABLE, R.DOWNLOADING}),
}


def test_result_action_table_matches_the_move_table() -> None:
    for old, targets in RESULT_MOVES.items():
        reachable = {t for t, _, starts in RESULT_ACTIONS.values() if old in starts}
        assert reachable == targets, old


@pytest.mark.parametrize("old", list(ResultState), ids=str)
@pytest.mark.parametrize("action", list(RESULT_ACTIONS))
def test_every_result_transition(old: ResultState, action: str) -> None:
    target, call, starts = RESULT_ACTIONS[action]
    result = Result(index=0, state=old)
    if old in starts:
        call(result)
        assert result.state is target
    else:
        with pytest.raises(IllegalTransition):
            call(result)
        assert result.state is old


def test_a_prompt_excerpt_is_one_line_and_says_where_it_was_cut() -> None:
    # the one excerpt the jobs panel, notifier, lineage, spending and history lists all use
    assert prompt_excerpt("  a boat\n leaves   the harbour ") == "a boat leaves the harbour"
    assert prompt_excerpt("x" * 40) == "x" * 40
    assert prompt_excerpt("x" * 41) == "x" * 39 + "…"
    assert prompt_excerpt("a boat leaves the harbour", 8) == "a boat…"
