"""The engine: submits jobs, polls every task in flight in one request, downloads, recovers.

Everything runs on one asyncio loop. Every change is committed to the journal before it is
announced through :class:`EngineEvents`. The stages live in :mod:`gui.studio.sending`,
:mod:`gui.studio.poll_loop` (with :mod:`gui.studio.polling`), :mod:`gui.studio.downloads` and
:mod:`gui.studio.recovery`; docs/architecture.md tells how a job travels.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from gui.runware.catalog import Catalog, ModelSpec
from gui.runware.client import RunwareClient
from gui.studio.adapt import adapt_spec, closest_live
from gui.studio.downloads import Downloader
from gui.studio.errors import BudgetExceeded, NothingToRemix, SpecRejected
from gui.studio.events import EngineEvents
from gui.studio.job_book import JobBook
from gui.studio.jobs import FrameInput, Job, JobSpec, JobState, Lineage, Result, ResultState
from gui.studio.journal import Journal, Spend
from gui.studio.library import Library
from gui.studio.pacing import Pacer, TurnBudget
from gui.studio.poll_loop import PollLoop
from gui.studio.polling import finish_if_done
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
        turn_budget: TurnBudget | None = None,
    ) -> None:
        """``turn_budget``: the loop thread's, shared with whoever else paces bursty work on
        it (the window's signal bridge)."""
        self.client = client
        self.journal = journal
        self.library = library
        self.catalog = catalog
        self.settings = settings
        self.events = events or EngineEvents()
        self.book = JobBook(journal, self.events)
        self.timings = settings.poll
        # a burst of submits is checked and journalled a slice per turn
        self.pacer = Pacer(turn_budget)
        self.sender = Sender(
            client,
            self.book,
            library,
            catalog,
            on_sent=self._on_sent,
            gate=stage_gate,
            pacer=self.pacer,
        )
        self.downloader = Downloader(
            client,
            self.book,
            library,
            limit=settings.concurrent_downloads,
            retry_delay=self.timings.download_retry,
            gate=stage_gate,
        )
        self._sending: dict[str, asyncio.Task[None]] = {}
        self._data_version: int | None = None  # the journal as this engine last read it
        self._spend_due = False  # a spend announcement waits for the journal's writes
        self.poller = PollLoop(
            client,
            self.book,
            self.downloader,
            self.timings,
            is_sending=self._sending.__contains__,
            resend=self._resend,
            on_change=self._announce_spend,
            gate=stage_gate,
        )

    @property
    def poll_rounds(self) -> int:
        """Poll rounds so far (one ``getResponse`` request each while batching)."""
        return self.poller.rounds

    # ------------------------------------------------------------------ lifecycle
    async def start(self, jobs: list[Job] | None = None) -> None:
        """Load the journal, recover unfinished jobs, and start the poll loop.

        ``jobs`` are the journal's jobs when the caller has read them already (the app reads
        them while the backend opens)."""
        self.book.load(jobs)
        plan = plan_recovery(self.book, self.journal.submissions())
        self.library.clean_partials(plan.keep_parts)
        for job in self.book:
            if not job.state.is_final and job.state.is_in_flight and finish_if_done(job):
                self.book.commit(job)
        self.poller.unconfirmed = {job.id for job in plan.unconfirmed}
        for job in plan.resend:
            if job.state is JobState.UPLOADING:
                job.mark_requeued()
                self.book.commit(job)
            self._start_sending(job)
        for job, result in plan.downloads:
            self.downloader.start(job, result)
        self.poller.start(first_in=self.timings.recovery_poll)  # every unfinished job, first
        await self.journal.flushed()  # what recovery changed is on disk
        self._data_version = self.journal.data_version()
        self._announce_spend()

    def sync_with_journal(self) -> list[Job]:
        """Take in what another process (the CLI, beside the window) wrote to the journal.

        Cheap when nothing changed (one ``PRAGMA data_version``). Jobs this engine does not
        know are shown and followed as the journal says, never polled or downloaded here: their
        process does that. Returns the jobs added or changed."""
        version = self.journal.data_version()
        if version == self._data_version:
            return []
        self._data_version = version
        changed = []
        for job in self.journal.load_jobs():
            if job.id not in self.book:
                self.poller.foreign.add(job.id)
            elif job.id not in self.poller.foreign:
                continue  # ours: this engine's copy is the newest
            old = self.book.get(job.id) if job.id in self.book else None
            if old is None or old != job:
                self.book.adopt(job)
                changed.append(job)
        if changed:
            self._announce_spend()
        return changed

    async def stop(self) -> None:
        """Stop polling, sending and downloading; everything resumes at the next start."""
        await self.poller.stop()
        tasks = list(self._sending.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.sender.submits.close()
        await self.downloader.close()

    def apply_settings(self, settings: Settings) -> None:
        """Take in edited settings at once: the budget (read at each submit), the download
        limit, the poll pacing and batching. Backend, URL and library need a new engine."""
        self.settings = settings
        self.timings = settings.poll
        self.downloader.set_limit(settings.concurrent_downloads)
        self.downloader.retry_delay = settings.poll.download_retry
        self.poller.schedule.timings = settings.poll
        self.client.batch_polls = settings.batch_polls
        self._announce_spend()  # the budget beside today's spend

    # ------------------------------------------------------------------ reading
    def request_of(self, job_id: str) -> dict[str, Any] | None:
        """The request body the job was sent with, as the journal kept it."""
        return self.journal.request_of(job_id)

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
        # a slice of the loop's turn: 200 submits at once are spread over turns (pacing.py)
        job, written = await self.pacer.run(lambda: self._admit(spec, lineage))
        await written  # durable before any byte of it is sent (the loop runs on)
        self._announce_spend()
        task = self._start_sending(job)
        await asyncio.shield(task)
        return job

    def _admit(self, spec: JobSpec, lineage: Lineage | None) -> tuple[Job, asyncio.Future[None]]:
        """Check a spec against the catalogue and the budget; keep it as a new job."""
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
        return job, self.book.add(job)

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
                self.poller.unconfirmed.add(job.id)  # perhaps sent, no answer: ask first
                self.poller.kick()
            elif not job.state.is_final:
                # the poll its answer scheduled may have come while this send was finishing
                # (the poll loop skips a job being sent, and parks if nothing else is due)
                self.poller.kick()

        task.add_done_callback(done)
        return task

    def _resend(self, job: Job) -> None:
        """Runware said it never received this task: send it again with its taskUUID."""
        self._start_sending(job, resubmit=True)

    def _on_sent(self, job: Job) -> None:
        self.poller.unconfirmed.discard(job.id)
        self._announce_spend()
        self.poller.kick()

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
        """Announce today's spend once the journal holds every change queued so far; a burst
        of changes (200 submits, a poll round) costs one announcement, one query."""
        if self._spend_due:
            return
        try:
            flushed = self.journal.flushed()
        except RuntimeError:  # no running loop (a caller outside the engine's loop)
            self._spend_now()
            return
        self._spend_due = True
        flushed.add_done_callback(lambda _f: self._spend_now())

    def _spend_now(self) -> None:
        self._spend_due = False
        today = self.journal.spend_today()
        self.book.announce(self.events.spend_changed, today, self.settings.daily_budget)

    def spend(self) -> Spend:
        """Today, the last 7 days and all time (actual costs where known, else estimates)."""
        return self.journal.spend()

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
        self.poller.unconfirmed.discard(job_id)
        await self.downloader.cancel_job(job_id)
        if not job.state.is_final:
            job.cancel()
            await self.book.commit(job)
        return job

    async def retry(self, job_id: str) -> Job:
        """The same spec again as a new job with a new taskUUID (lineage kind ``retry``)."""
        old = self.book.get(job_id)
        return await self.submit(old.spec, Lineage(parent_job_id=old.id, kind="retry"))

    def alternative(self, job_id: str) -> ModelSpec | None:
        """For a job Runware refused because its model has gone: the closest live model."""
        job = self.book.get(job_id)
        if job.error_code != "modelUnavailable":
            return None
        return closest_live(self.catalog, job.spec)

    async def retry_with(self, job_id: str, air: str) -> Job:
        """The job's settings on another model (what it cannot take is adapted), as a retry."""
        old = self.book.get(job_id)
        adapted = adapt_spec(old.spec, self.catalog[air])
        return await self.submit(adapted.spec, Lineage(parent_job_id=old.id, kind="retry"))

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
        await self.book.remove(job_id)
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

    async def export(self, job_id: str, index: int, folder: Path) -> list[Path]:
        """Copy a saved video and its sidecar into ``folder``."""
        return await self.library.export(self._result(self.book.get(job_id), index), folder)

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
