"""The engine's jobs in memory, where every change is committed to the journal, then announced.

The order is the promise: a listener never hears of a state the journal does not hold yet.
Writes go to the journal's writer thread and never block the loop: ``add``, ``commit`` and
``remove`` return a future that resolves once the change is durable, and the news is announced
from that moment (on the loop), in the order the changes were made.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from gui.studio.errors import JobNotFound
from gui.studio.events import EngineEvents
from gui.studio.jobs import Job
from gui.studio.journal import Journal

__all__ = ["JobBook"]

log = logging.getLogger(__name__)


class JobBook:
    """Jobs by id, backed by the journal, announcing through :class:`EngineEvents`."""

    def __init__(self, journal: Journal, events: EngineEvents) -> None:
        self.journal = journal
        self.events = events
        self._jobs: dict[str, Job] = {}
        self._final: dict[str, asyncio.Event] = {}

    def load(self, jobs: Iterable[Job] | None = None) -> None:
        """Take every job from the journal (or ``jobs``, already read from it)."""
        loaded = self.journal.load_jobs() if jobs is None else jobs
        self._jobs = {job.id: job for job in loaded}

    # ---- reading
    def get(self, job_id: str) -> Job:
        try:
            return self._jobs[job_id]
        except KeyError:
            raise JobNotFound(job_id) from None

    def __contains__(self, job_id: object) -> bool:
        return job_id in self._jobs

    def __iter__(self) -> Iterator[Job]:
        return iter(list(self._jobs.values()))

    def __len__(self) -> int:
        return len(self._jobs)

    # ---- writing: journal first, then the news
    def add(self, job: Job) -> asyncio.Future[None]:
        """Keep a new job; it is announced once durable (await the future before sending)."""
        written = self.journal.insert_job_soon(job)
        self._jobs[job.id] = job

        def then(f: asyncio.Future[None]) -> None:
            if self._written(f, job.id):
                self.announce(self.events.job_added, job)
            elif self._jobs.get(job.id) is job:
                del self._jobs[job.id]  # never journalled: it never existed

        written.add_done_callback(then)
        return written

    def commit(self, job: Job) -> asyncio.Future[None]:
        """Write the job as it is now; announced once durable."""
        written = self.journal.save_job_soon(job)
        final = job.state.is_final

        def then(f: asyncio.Future[None]) -> None:
            if self._written(f, job.id):
                self.announce(self.events.job_changed, job)
                if final:
                    self._final_event(job.id).set()

        written.add_done_callback(then)
        return written

    def remove(self, job_id: str) -> asyncio.Future[None]:
        self.get(job_id)
        written = self.journal.delete_job_soon(job_id)
        del self._jobs[job_id]

        def then(f: asyncio.Future[None]) -> None:
            self._written(f, job_id)
            self._final_event(job_id).set()
            self.announce(self.events.job_removed, job_id)

        written.add_done_callback(then)
        return written

    @staticmethod
    def _written(future: asyncio.Future[Any], job_id: str) -> bool:
        """Whether a write went through; a failed one is logged (its waiter sees it too)."""
        if future.cancelled():
            return False
        exc = future.exception()
        if exc is not None:
            log.error("the journal could not write job %s", job_id, exc_info=exc)
            return False
        return True

    def adopt(self, job: Job) -> None:
        """Show a job another process wrote to the journal (already there: nothing to write)."""
        known = job.id in self._jobs
        self._jobs[job.id] = job
        self.announce(self.events.job_changed if known else self.events.job_added, job)
        if job.state.is_final:
            self._final_event(job.id).set()

    def forget(self, job_ids: list[str]) -> None:
        """Drop jobs the journal has already deleted (clear history)."""
        for job_id in job_ids:
            if self._jobs.pop(job_id, None) is not None:
                self._final_event(job_id).set()
                self.announce(self.events.job_removed, job_id)

    async def wait_final(self, job_id: str) -> Job:
        """Return the job once it is ready, failed, cancelled or expired (or deleted)."""
        job = self.get(job_id)
        if not job.state.is_final:
            await self._final_event(job_id).wait()
        return self._jobs.get(job_id, job)

    def _final_event(self, job_id: str) -> asyncio.Event:
        return self._final.setdefault(job_id, asyncio.Event())

    @staticmethod
    def announce(callback: Callable[..., None], *args: object) -> None:
        """Call a listener; a listener's bug is logged, never allowed to stop the engine."""
        try:
            callback(*args)
        except Exception:
            log.exception("an engine event listener failed")
