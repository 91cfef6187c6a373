"""The one loop that asks Runware about every task in flight, all of them in one request.

It sleeps until the next poll is due (see :class:`~gui.studio.polling.PollSchedule`), or until
``kick()`` says a task was just sent. Jobs whose submit got no answer (*unconfirmed*) are asked
about like the others; only a task Runware says it never received is handed back to be sent
again, with the same taskUUID.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable

from gui.runware.client import RunwareClient, TaskPoll
from gui.runware.errors import AuthError, RunwareError
from gui.studio.downloads import Downloader
from gui.studio.job_book import JobBook
from gui.studio.jobs import Job, JobState, ResultState
from gui.studio.polling import PollSchedule, apply_poll
from gui.studio.sending import StageGate
from gui.studio.settings import PollTimings

__all__ = ["PollLoop"]

log = logging.getLogger(__name__)


class PollLoop:
    """Polls in rounds; ``rounds`` counts them (one HTTP request each while batching).

    ``passes`` counts every turn of the loop that ended (a round, a failed request, or finding
    nothing to ask about); :meth:`next_pass` and :meth:`until_idle` let a caller (a test) wait
    for "the moment has passed" instead of sleeping.
    """

    def __init__(
        self,
        client: RunwareClient,
        book: JobBook,
        downloader: Downloader,
        timings: PollTimings,
        *,
        is_sending: Callable[[str], bool],
        resend: Callable[[Job], None],
        on_change: Callable[[], None],
        gate: StageGate | None = None,
    ) -> None:
        self.client = client
        self.book = book
        self.downloader = downloader
        self.schedule = PollSchedule(timings)
        self.unconfirmed: set[str] = set()  # sent, no answer seen: ask before sending again
        self.foreign: set[str] = set()  # jobs another process (the CLI) runs: not ours to poll
        self.rounds = 0
        self._is_sending = is_sending
        self._resend = resend
        self._on_change = on_change
        self._gate = gate
        self._wake = asyncio.Event()
        self._due = math.inf
        self._task: asyncio.Task[None] | None = None
        self._connected = True
        self.passes = 0
        self._pass_done = asyncio.Event()
        self._idle = asyncio.Event()  # parked with nothing to ask about, until the next kick

    def start(self, first_in: float) -> None:
        self._due = asyncio.get_running_loop().time() + first_in
        self._task = asyncio.create_task(self._run(), name="poll loop")

    async def stop(self) -> None:
        if self._task is not None:
            task, self._task = self._task, None
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    def kick(self) -> None:
        """A task is newly in flight: poll ``first_delay`` from now (sooner if already due)."""
        delay = self.schedule.reset()
        self._due = min(self._due, asyncio.get_running_loop().time() + delay)
        self._idle.clear()
        self._wake.set()

    @property
    def idle(self) -> bool:
        """Parked with nothing to ask about: no request out, none due until the next kick."""
        return self._idle.is_set()

    async def until_idle(self) -> None:
        """Return once the loop is parked with nothing to ask about (see :attr:`idle`)."""
        await self._idle.wait()

    async def next_pass(self) -> int:
        """Return once the loop's current (or next) turn has ended; the new ``passes``."""
        target = self.passes + 1
        while self.passes < target:
            await self._pass_done.wait()
        return self.passes

    def _end_pass(self) -> None:
        self.passes += 1
        done, self._pass_done = self._pass_done, asyncio.Event()
        done.set()

    def jobs_to_ask_about(self) -> list[Job]:
        out = []
        for job in self.book:
            if job.state.is_final or self._is_sending(job.id) or job.id in self.foreign:
                continue
            if (
                job.id in self.unconfirmed
                or job.state in (JobState.SUBMITTED, JobState.PROCESSING)
                or (
                    job.state is JobState.DOWNLOADING
                    and any(r.state is ResultState.PENDING for r in job.results)
                )
            ):
                out.append(job)
        return out

    async def _sleep_until_due(self) -> None:
        loop = asyncio.get_running_loop()
        while (remaining := self._due - loop.time()) > 0:
            self._wake.clear()
            # asyncio.timeout, not wait_for: on Python 3.11, wait_for drops a cancel that comes
            # in the turn the wake-up does (a stop beside a kick), and the loop ran on for ever
            try:
                async with asyncio.timeout(None if math.isinf(remaining) else remaining):
                    await self._wake.wait()
            except TimeoutError:
                pass

    async def _run(self) -> None:
        while True:
            await self._sleep_until_due()
            jobs = self.jobs_to_ask_about()
            if not jobs:
                self._due = math.inf  # until the next kick
                self._idle.set()
                self._end_pass()
                continue
            self._idle.clear()
            try:
                await self._round(jobs)
            finally:
                self._end_pass()

    async def _round(self, jobs: list[Job]) -> None:
        """One request about ``jobs`` and what its answers change; sets when the next is due."""
        loop = asyncio.get_running_loop()
        try:
            polls = await self.client.poll([j.task_uuid for j in jobs])
        except RunwareError as exc:
            delay = self.schedule.after_error()
            self._due = loop.time() + delay
            self._set_connected(False, _poll_failure(exc), delay)
            return
        self.rounds += 1
        self._set_connected(True, "Connected to Runware again.", None)
        changed = False
        answered = [(job, polls[job.task_uuid]) for job in jobs if job.task_uuid in polls]
        try:  # every answer is kept before it is acted on: queued ahead of the round's changes
            kept = self.book.journal.record_answers_soon(
                (job.task_uuid, poll.raw_items)
                for job, poll in answered
                if poll.raw_items and not self._skip(job)
            )
            kept.add_done_callback(_log_failure)
        except Exception:
            log.exception("could not keep a poll round's answers; they are asked for again")
            answered = []
        for job, poll in answered:
            took = False
            try:
                took = await self._take(job, poll)
            except Exception:  # one odd answer must not stop the polling of all the others
                log.exception("could not take the answer for job %s", job.id)
            if took:  # a change was queued for the journal's thread
                changed = True
        if changed:
            self._on_change()  # once a round: it reads every job's cost from the journal
        self._due = loop.time() + self.schedule.after_poll(changed)

    def _skip(self, job: Job) -> bool:
        """Cancelled, or being sent again, while the poll was out."""
        return job.state.is_final or self._is_sending(job.id)

    async def _take(self, job: Job, poll: TaskPoll) -> bool:
        if self._skip(job):
            return False
        was_processing = job.state is JobState.PROCESSING
        outcome = apply_poll(job, poll, unconfirmed=job.id in self.unconfirmed)
        if outcome.resubmit:
            self.unconfirmed.discard(job.id)
            self._resend(job)  # Runware never received it: the same taskUUID again
            return True
        if outcome.confirmed:
            self.unconfirmed.discard(job.id)
        written = self.book.commit(job) if outcome.changed else None
        for result in outcome.new_available:
            self.downloader.start(job, result)
        if self._gate and job.state is JobState.PROCESSING and not was_processing:
            if written is not None:
                await written  # held where the journal says "processing"
            await self._gate("processing", job)
        return outcome.changed

    def _set_connected(self, ok: bool, message: str, retry_in: float | None) -> None:
        if ok and self._connected:
            return
        self._connected = ok
        self.book.announce(self.book.events.connection_changed, ok, message, retry_in)


def _poll_failure(exc: RunwareError) -> str:
    if isinstance(exc, AuthError):
        return f"Runware refused the API key: {exc.message}"
    return f"Cannot reach Runware: {exc.message}"


def _log_failure(kept: asyncio.Future[int]) -> None:
    if not kept.cancelled() and (exc := kept.exception()) is not None:
        log.error("could not keep a poll round's answers; they are asked for again", exc_info=exc)
