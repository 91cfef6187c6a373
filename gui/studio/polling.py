"""Polling: when to ask Runware next, and what one answer means for one job.

``PollSchedule`` paces the single poll loop: the first poll comes ``first_delay`` after a submit,
the interval then grows ×``backoff`` up to ``max_interval`` while nothing changes, and falls back
to ``first_delay`` when something does; failed polls back off separately from ``error_delay`` to
``error_max``.

``apply_poll`` folds one job's ``getResponse`` answer into the job. Answers are cumulative (a
finished generation is sent again on every poll), so each success item is matched to a result
slot by ``resultIndex``, then ``videoUUID``, then order, and only news changes anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gui.runware.client import TaskPoll
from gui.runware.errors import NotFoundError, RunwareError
from gui.runware.models import VideoResult
from gui.studio.errors import UnsafeMediaName
from gui.studio.jobs import Job, JobState, Result, ResultState
from gui.studio.library import Library
from gui.studio.settings import PollTimings

__all__ = ["PollOutcome", "PollSchedule", "apply_poll", "finish_if_done"]


class PollSchedule:
    """The poll loop's intervals (see the module docstring)."""

    def __init__(self, timings: PollTimings) -> None:
        self.timings = timings
        self.interval = timings.first_delay
        self.error_interval = timings.error_delay

    def reset(self) -> float:
        """Something new is in flight: poll soon again."""
        self.interval = self.timings.first_delay
        return self.interval

    def after_poll(self, changed: bool) -> float:
        self.error_interval = self.timings.error_delay
        if changed:
            return self.reset()
        self.interval = min(self.interval * self.timings.backoff, self.timings.max_interval)
        return self.interval

    def after_error(self) -> float:
        delay = self.error_interval
        self.error_interval = min(self.error_interval * 2, self.timings.error_max)
        return delay


@dataclass
class PollOutcome:
    """What one poll did to one job, and what the engine should do next."""

    changed: bool = False
    new_available: list[Result] = field(default_factory=list)
    resubmit: bool = False  # the server never saw this task: send it again, same taskUUID
    confirmed: bool = False  # the server knows a task whose acknowledgement was never seen


def apply_poll(job: Job, poll: TaskPoll, *, unconfirmed: bool = False) -> PollOutcome:
    """Fold one ``getResponse`` answer into ``job`` (in memory; the caller commits)."""
    out = PollOutcome()
    if not poll.known:
        if unconfirmed:
            out.resubmit = True
        elif not job.state.is_final:
            _fail_pending(job, out, _lost_task_error(poll))
        return out
    if unconfirmed:
        job.mark_submitted()
        out.confirmed = out.changed = True
    if job.state.is_final:
        return out
    job.ensure_results()
    successes = [r for r in poll.results if r.is_success]
    processing = [r for r in poll.results if r.is_pending]
    for item in successes:
        _take_success(job, item, out)
    if poll.errors:
        _take_failures(job, poll.errors, out, more_coming=bool(processing))
    if job.state is JobState.SUBMITTED and (processing or successes or poll.errors):
        job.mark_processing()
        out.changed = True
    if job.state is JobState.PROCESSING and any(
        r.state is not ResultState.PENDING for r in job.results
    ):
        job.mark_downloading()
        out.changed = True
    if out.changed:
        update_actual_cost(job)
        finish_if_done(job)
    return out


def _slot_for(job: Job, item: VideoResult) -> Result | None:
    uuid = item.uuid
    if uuid is not None:
        for result in job.results:
            if result.video_uuid == uuid:
                return result
    index = item.result_index
    if index is not None and 0 <= index < len(job.results):
        slot = job.results[index]
        return slot if slot.state is ResultState.PENDING else None
    return next((r for r in job.results if r.state is ResultState.PENDING), None)


def _take_success(job: Job, item: VideoResult, out: PollOutcome) -> None:
    slot = _slot_for(job, item)
    if slot is None or slot.state is not ResultState.PENDING:
        return  # already known (answers are cumulative), or more items than slots
    out.changed = True
    try:
        video_uuid = Library.check_video_uuid(item.uuid)
    except UnsafeMediaName as exc:
        slot.mark_failed(str(exc))
        job.error_code, job.error_message = "unsafeVideoName", str(exc)
        return
    if not item.url:
        slot.mark_failed("Runware reported this video as finished but sent no link to it.")
        return
    slot.mark_available(
        video_uuid=video_uuid,
        video_url=item.url,
        video_id=item.video_id,
        seed=item.seed,
        cost=item.cost,
    )
    out.new_available.append(slot)


def _take_failures(
    job: Job, errors: list[RunwareError], out: PollOutcome, *, more_coming: bool
) -> None:
    """Each error item is one failed generation; with nothing still processing, no further
    result will come, so every slot still pending has failed."""
    first = errors[0]
    job.error_code, job.error_message = first.code, first.message or first.code
    job.error_retryable = first.retryable
    failed = sum(1 for r in job.results if r.state is ResultState.FAILED)
    for result in job.results:
        if result.state is not ResultState.PENDING:
            continue
        if more_coming and failed >= len(errors):
            break
        result.mark_failed(job.error_message)
        failed += 1
        out.changed = True


def _lost_task_error(poll: TaskPoll) -> RunwareError:
    lost = next((e for e in poll.errors if isinstance(e, NotFoundError)), None)
    error = NotFoundError(
        "Runware no longer knows this task"
        + (f" ({lost.message})" if lost and lost.message else "")
        + ". Results that were not yet saved cannot be fetched; try again.",
        code=lost.code if lost else "taskNotFound",
    )
    error.retryable = True
    return error


def _fail_pending(job: Job, out: PollOutcome, error: RunwareError) -> None:
    job.error_code, job.error_message, job.error_retryable = error.code, error.message, True
    for result in job.results:
        if result.state is ResultState.PENDING:
            result.mark_failed(error.message)
            out.changed = True
    if out.changed:
        finish_if_done(job)


def update_actual_cost(job: Job) -> None:
    costs = [r.cost for r in job.results if r.cost is not None]
    if costs:
        job.actual_cost = round(sum(costs), 6)


def finish_if_done(job: Job) -> bool:
    """Move the job to its final state once no result can change any more."""
    if job.state.is_final or not job.results:
        return False
    open_states = {ResultState.PENDING, ResultState.AVAILABLE, ResultState.DOWNLOADING}
    if any(r.state in open_states for r in job.results):
        return False
    if all(r.state is ResultState.READY for r in job.results):
        if job.state is not JobState.DOWNLOADING:
            job.mark_downloading()
        job.mark_ready()
        return True
    failed = [r for r in job.results if r.state is ResultState.FAILED]
    if failed:
        code = job.error_code or "failed"
        message = job.error_message or failed[0].error or "The generation failed."
        saved = len(job.ready_results)
        if saved:
            message += f" ({saved} of {len(job.results)} videos were saved.)"
        job.fail(code, message, retryable=job.error_retryable)
        return True
    expired = next(r for r in job.results if r.state is ResultState.EXPIRED)
    job.expire(expired.error or "A video's link expired before it could be saved.")
    return True
