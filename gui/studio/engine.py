"""The engine: submits jobs, polls every task in flight in one request, downloads, recovers.

Everything runs on one asyncio loop. Every change is committed to the journal before it is
announced through :class:`EngineEvents`; see :mod:`gui.studio.sending`,
:mod:`gui.studio.polling`, :mod:`gui.studio.downloads` and :mod:`gui.studio.recovery` for the
stages, and DESIGN.md for how a job travels.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from gui.runware.catalog import Catalog
from gui.runware.client import RunwareClient, TaskPoll
from gui.runware.errors import AuthError, RunwareError
from gui.studio.downloads import Downloader
from gui.studio.errors import BudgetExceeded, NothingToRemix, SpecRejected
from gui.studio.events import EngineEvents
from gui.studio.job_book import JobBook
from gui.studio.jobs import FrameInput, Job, JobSpec, JobState, Lineage, Result, ResultState
from gui.studio.journal import Journal
from gui.studio.library import Library
from gui.studio.polling import PollSchedule, apply_poll, finish_if_done
from gui.studio.recovery import plan_recovery
from gui.studio.sending import Sender, StageGate
from gui.studio.settings import Settings
from gui.studio.spending import BudgetLevel, budget_state

__all__ = ["ContinueFrom", "Engine"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ContinueFrom:
    """A result's last frame, saved in the library, ready to start a new job from."""

    path: Path
    frame: FrameInput
    lineage: Lineage


class Engine:
    """The studio's domain service. Create it, ``await start()``, use it, ``await stop()``."""

    def __init__(
        self,
        client: RunwareClient,
        journal: Journal,
        library: Library,
        catalog: Catalog,
        settings: Settings,
        events: EngineEvents | None = None,
        *,
        stage_gate: StageGate | None = None,
    ) -> None:
        self.client = client
        self.journal = journal
        self.library = library
        self.catalog = catalog
        self.settings = settings
        self.events = events or EngineEvents()
        self.book = JobBook(journal, self.events)
        self.timings = settings.poll
        self._schedule = PollSchedule(self.timings)
        self.sender = Sender(
            client, self.book, library, catalog, on_sent=self._on_sent, gate=stage_gate
        )
        self.downloader = Downloader(
            client,
            self.book,
            library,
            limit=settings.concurrent_downloads,
            retry_delay=self.timings.download_retry,
            gate=stage_gate,
        )
        self._gate = stage_gate
        self._sending: dict[str, asyncio.Task[None]] = {}
        self._unconfirmed: set[str] = set()  # sent, no answer seen: ask before sending again
        self._wake = asyncio.Event()
        self._due = math.inf
        self._poller: asyncio.Task[None] | None = None
        self._connected = True
        self.poll_rounds = 0  # poll requests made (one per round while batching)

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        """Load the journal, recover unfinished jobs, and start the poll loop."""
        self.book.load()
        plan = plan_recovery(self.book, self.journal.submissions())
        self.library.clean_partials(plan.keep_parts)
        for job in self.book:
            if not job.state.is_final and job.state.is_in_flight and finish_if_done(job):
                self.book.commit(job)
        self._unconfirmed = {job.id for job in plan.unconfirmed}
        for job in plan.resend:
            if job.state is JobState.UPLOADING:
                job.mark_requeued()
                self.book.commit(job)
            self._start_sending(job)
        for job, result in plan.downloads:
            self.downloader.start(job, result)
        self._due = asyncio.get_running_loop().time() + self.timings.recovery_poll
        self._poller = asyncio.create_task(self._poll_loop(), name="poll loop")
        self._announce_spend()

    async def stop(self) -> None:
        """Stop polling, sending and downloading; everything resumes at the next start."""
        tasks = list(self._sending.values())
        if self._poller is not None:
            tasks.append(self._poller)
            self._poller = None
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.downloader.close()

    # ------------------------------------------------------------------ reading
    def jobs(self) -> list[Job]:
        """Every job, oldest first (the engine's own objects: read, do not change)."""
        return list(self.book)

    def get(self, job_id: str) -> Job:
        return self.book.get(job_id)

    def search(self, query: str, limit: int = 50) -> list[Job]:
        return [self.book.get(i) for i in self.journal.search(query, limit) if i in self.book]

    async def wait(self, job_id: str) -> Job:
        """The job, once it is final (ready, failed, cancelled or expired)."""
        return await self.book.wait_final(job_id)

    # ------------------------------------------------------------------ submitting
    async def submit(self, spec: JobSpec, lineage: Lineage | None = None) -> Job:
        """Check, journal and send a job; returns once it is submitted, failed or unconfirmed.

        Raises :class:`SpecRejected` or :class:`BudgetExceeded` with nothing sent.
        """
        problems = spec.problems(self.catalog)
        if problems:
            raise SpecRejected(problems)
        estimate = spec.estimate(self.catalog)
        self._check_budget(None if estimate is None else float(estimate))
        job = Job(
            spec=spec,
            lineage=lineage or Lineage(),
            estimated_cost=None if estimate is None else float(estimate),
        )
        job.ensure_results()
        self.book.add(job)  # committed before any byte of it is sent
        self._announce_spend()
        task = self._start_sending(job)
        await asyncio.shield(task)
        return job

    def _start_sending(self, job: Job, *, resubmit: bool = False) -> asyncio.Task[None]:
        task = asyncio.create_task(self.sender.send(job, resubmit=resubmit), name=f"send {job.id}")
        self._sending[job.id] = task

        def done(t: asyncio.Task[None]) -> None:
            if self._sending.get(job.id) is t:
                del self._sending[job.id]
            if t.cancelled():
                return
            if (exc := t.exception()) is not None:
                log.error("sending job %s failed", job.id, exc_info=exc)
            if job.state in (JobState.QUEUED, JobState.UPLOADING):
                self._unconfirmed.add(job.id)  # perhaps sent, no answer: ask before resending
                self._kick()

        task.add_done_callback(done)
        return task

    def _on_sent(self, job: Job) -> None:
        self._unconfirmed.discard(job.id)
        self._announce_spend()
        self._kick()

    def _check_budget(self, estimate: float | None) -> None:
        budget = self.settings.daily_budget
        if budget is None:
            return
        waiting = sum(
            j.estimated_cost or 0.0
            for j in self.book
            if j.state in (JobState.QUEUED, JobState.UPLOADING) and not j.possibly_billed
        )
        spent = self.journal.spend().today + waiting
        verdict = budget_state(spent, budget, next_cost=estimate or 0.0)
        if verdict.level is BudgetLevel.REFUSE:
            raise BudgetExceeded(verdict)
        if verdict.level is BudgetLevel.WARN:
            self.book.announce(self.events.notice, verdict.message)
        if estimate is None:
            self.book.announce(
                self.events.notice,
                "This model's price is not published, so the job cannot be checked against "
                "the daily budget; its real cost is shown when it finishes.",
            )

    def _announce_spend(self) -> None:
        today = self.journal.spend().today
        self.book.announce(self.events.spend_changed, today, self.settings.daily_budget)

    # ------------------------------------------------------------------ polling
    def _kick(self) -> None:
        """A task is newly in flight: poll ``first_delay`` from now (sooner if already due)."""
        delay = self._schedule.reset()
        self._due = min(self._due, asyncio.get_running_loop().time() + delay)
        self._wake.set()

    def _poll_set(self) -> list[Job]:
        out = []
        for job in self.book:
            if job.id in self._sending or job.state.is_final:
                continue
            if (
                job.id in self._unconfirmed
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
            try:
                timeout = None if math.isinf(remaining) else remaining
                await asyncio.wait_for(self._wake.wait(), timeout)
            except TimeoutError:
                pass

    async def _poll_loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._sleep_until_due()
            jobs = self._poll_set()
            if not jobs:
                self._due = math.inf
                continue
            try:
                polls = await self.client.poll([j.task_uuid for j in jobs])
            except RunwareError as exc:
                delay = self._schedule.after_error()
                self._due = loop.time() + delay
                self._set_connected(False, _poll_failure(exc), delay)
                continue
            self.poll_rounds += 1
            self._set_connected(True, "Connected to Runware.", None)
            changed = False
            for job in jobs:
                poll = polls.get(job.task_uuid)
                if poll is not None:
                    changed |= await self._take_poll(job, poll)
            self._due = loop.time() + self._schedule.after_poll(changed)

    async def _take_poll(self, job: Job, poll: TaskPoll) -> bool:
        if job.state.is_final or job.id in self._sending:
            return False
        if poll.raw_items:
            self.journal.record_items(job.task_uuid, poll.raw_items)
        was_processing = job.state is JobState.PROCESSING
        outcome = apply_poll(job, poll, unconfirmed=job.id in self._unconfirmed)
        if outcome.resubmit:
            self._unconfirmed.discard(job.id)
            self._start_sending(job, resubmit=True)  # never received: same taskUUID again
            return True
        if outcome.confirmed:
            self._unconfirmed.discard(job.id)
        if outcome.changed:
            self.book.commit(job)
            self._announce_spend()
        for result in outcome.new_available:
            self.downloader.start(job, result)
        if self._gate and job.state is JobState.PROCESSING and not was_processing:
            await self._gate("processing", job)
        return outcome.changed

    def _set_connected(self, ok: bool, message: str, retry_in: float | None) -> None:
        if ok == self._connected and ok:
            return
        self._connected = ok
        self.book.announce(self.events.connection_changed, ok, message, retry_in)

    # ------------------------------------------------------------------ actions on jobs
    async def cancel(self, job_id: str) -> Job:
        """Stop waiting for a job. Runware has no cancel: a sent job may still be billed."""
        job = self.book.get(job_id)
        if job.state.is_final:
            return job
        sending = self._sending.pop(job_id, None)
        if sending is not None:
            sending.cancel()
            await asyncio.gather(sending, return_exceptions=True)
        if self.journal.submissions(job.task_uuid):
            job.possibly_billed = True  # the request may have arrived
        self._unconfirmed.discard(job_id)
        await self.downloader.cancel_job(job_id)
        if not job.state.is_final:
            job.cancel()
            self.book.commit(job)
        return job

    async def retry(self, job_id: str) -> Job:
        """The same spec again as a new job with a new taskUUID (lineage kind ``retry``)."""
        old = self.book.get(job_id)
        return await self.submit(old.spec, Lineage(parent_job_id=old.id, kind="retry"))

    async def remix(
        self,
        job_id: str,
        result_index: int,
        prompt: str,
        kind: Literal["remix", "extend"] = "remix",
    ) -> Job:
        """A new job built on a result's ``videoId``: same model, new prompt, source size."""
        parent = self.book.get(job_id)
        result = self._result(parent, result_index)
        if not result.video_id:
            raise NothingToRemix(
                "This video has no Runware videoId yet, so it cannot be remixed or extended."
            )
        spec = parent.spec.model_copy(
            update={
                "prompt": prompt,
                "video_id": result.video_id,
                "width": None,
                "height": None,
                "frames": (),
                "number_results": 1,
                "seed": None,
            }
        )
        lineage = Lineage(parent_job_id=parent.id, kind=kind, source_video_id=result.video_id)
        return await self.submit(spec, lineage)

    async def continue_from_last_frame(self, job_id: str, index: int) -> ContinueFrom:
        """Save a result's last frame in the library, to start a new job from it."""
        job = self.book.get(job_id)
        result = self._result(job, index)
        if result.state is not ResultState.READY or not result.local_path:
            raise NothingToRemix("This video is not saved yet, so it has no last frame to use.")
        still = await self.library.last_frame(Path(result.local_path))
        frame = FrameInput(frame="first", path=str(still.path), sha256=still.sha256)
        lineage = Lineage(
            parent_job_id=job.id,
            kind="lastFrame",
            source_video_id=result.video_id,
            source_image_hash=still.sha256,
        )
        return ContinueFrom(path=still.path, frame=frame, lineage=lineage)

    async def delete(self, job_id: str) -> None:
        """Forget a job and delete its files (a running job is cancelled first)."""
        job = self.book.get(job_id)
        await self.cancel(job_id)
        for result in job.results:
            if result.video_uuid:
                self.library.remove_media(result.video_uuid)
        self.book.remove(job_id)
        self._announce_spend()

    def set_favourite(self, job_id: str, favourite: bool = True) -> None:
        job = self.book.get(job_id)
        job.favourite = favourite
        self.book.commit(job)

    def clear_history(self) -> list[str]:
        """Delete finished jobs that are not favourites, with their files; returns their ids."""
        doomed = {j.id: j for j in self.book if j.state.is_final and not j.favourite}
        removed = self.journal.clear_history()
        for job_id in removed:
            for result in doomed[job_id].results if job_id in doomed else ():
                if result.video_uuid:
                    self.library.remove_media(result.video_uuid)
        self.book.forget(removed)
        return removed

    async def refresh_balance(self) -> tuple[float, str]:
        details = await self.client.account()
        amount, currency = details.balance.amount, details.balance.currency
        self.book.announce(self.events.balance_changed, amount, currency)
        return amount, currency

    @staticmethod
    def _result(job: Job, index: int) -> Result:
        if not 0 <= index < len(job.results):
            raise NothingToRemix(f"The job has no video number {index + 1}.")
        return job.results[index]


def _poll_failure(exc: RunwareError) -> str:
    if isinstance(exc, AuthError):
        return f"Runware refused the API key: {exc.message}"
    return f"Cannot reach Runware: {exc.message}"
