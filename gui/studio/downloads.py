"""Downloads: each finished video saved to the library as soon as Runware announces it.

A few run at once (a semaphore). A file is streamed to ``<name>.part`` and renamed only when
whole (the client checks the announced length), so a file under its final name is always
complete; after a crash such a file is taken as it is, and a ``.part`` resumes with a Range
request. A dead link (404/410) marks the result ``expired`` and keeps everything else.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from gui.runware.client import RunwareClient
from gui.runware.errors import NotFoundError, RunwareError
from gui.studio.errors import UnsafeMediaName
from gui.studio.job_book import JobBook
from gui.studio.jobs import Job, Result, ResultState
from gui.studio.library import Library
from gui.studio.polling import finish_if_done
from gui.studio.sending import StageGate
from gui.studio.video_stills import VideoDecodeError

__all__ = ["Downloader"]

log = logging.getLogger(__name__)

EXPIRED_MESSAGE = (
    "The link to this video expired before it was saved, and Runware no longer has the file. "
    "The rest of the job is kept."
)


class Downloader:
    """Saves available results into the library, ``limit`` at a time."""

    def __init__(
        self,
        client: RunwareClient,
        book: JobBook,
        library: Library,
        *,
        limit: int,
        retry_delay: float,
        gate: StageGate | None = None,
    ) -> None:
        self.client = client
        self.book = book
        self.library = library
        self.retry_delay = retry_delay
        self._gate = gate
        self._slots = _Slots(limit)
        self._tasks: dict[tuple[str, int], asyncio.Task[None]] = {}

    def start(self, job: Job, result: Result) -> None:
        """Download ``result`` unless that is already under way."""
        key = (job.id, result.index)
        if key in self._tasks or result.state not in (
            ResultState.AVAILABLE,
            ResultState.DOWNLOADING,
        ):
            return
        task = asyncio.create_task(self._run(job, result), name=f"download {job.id}/{key[1]}")
        self._tasks[key] = task

        def done(t: asyncio.Task[None]) -> None:
            self._tasks.pop(key, None)
            if not t.cancelled() and t.exception() is not None:
                log.error("saving %s/%s failed", job.id, key[1], exc_info=t.exception())

        task.add_done_callback(done)

    def set_limit(self, limit: int) -> None:
        """At most ``limit`` downloads at once from now on (those running finish)."""
        self._slots.set_limit(limit)

    @property
    def limit(self) -> int:
        return self._slots.limit

    @property
    def active(self) -> int:
        return len(self._tasks)

    async def cancel_job(self, job_id: str) -> None:
        """Stop a job's downloads; their results go back to ``available``."""
        tasks = [t for (jid, _), t in list(self._tasks.items()) if jid == job_id]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        job = self.book.get(job_id) if job_id in self.book else None
        if job is not None:
            for result in job.results:
                if result.state is ResultState.DOWNLOADING:
                    result.mark_download_interrupted()

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # ------------------------------------------------------------------ one result
    async def _run(self, job: Job, result: Result) -> None:
        async with self._slots:
            if job.state.is_final or job.id not in self.book:
                return
            try:
                dest = self.library.video_path(result.video_uuid or "", job.spec.output_format)
            except UnsafeMediaName as exc:
                self._finish(job, result, failed=str(exc))
                return
            if result.state is ResultState.AVAILABLE:
                result.mark_downloading()
                await self.book.commit(job)
            if self._gate is not None:
                await self._gate("downloading", job)
            if not dest.exists():  # a file under its final name is whole: renamed when complete
                outcome = await self._fetch(job, result, dest)
                if outcome is not None:
                    self._finish(job, result, **outcome)
                    return
            await self._complete(job, result, dest)

    async def _fetch(self, job: Job, result: Result, dest: Path) -> dict[str, str] | None:
        assert result.video_url is not None

        def progress(done: int, total: int | None) -> None:
            self.book.announce(self.book.events.download_progress, job, result, done, total)

        attempt = 0
        while True:
            try:
                await self.client.download(result.video_url, dest, progress)
                return None
            except NotFoundError:
                return {"expired": EXPIRED_MESSAGE}
            except RunwareError as exc:
                if not exc.retryable and attempt >= 2:
                    return {"failed": f"The video could not be saved: {exc.message}"}
                log.warning("download of %s failed (%s); trying again", dest.name, exc)
            except OSError as exc:  # the disk, not the network: say so, keep the link, retry
                self.book.announce(
                    self.book.events.notice,
                    f"Could not write {dest.name} ({exc.strerror}); trying again.",
                )
            attempt += 1
            await asyncio.sleep(min(self.retry_delay * attempt, self.retry_delay * 6))

    async def _complete(self, job: Job, result: Result, dest: Path) -> None:
        video_uuid = result.video_uuid or ""
        await self.book.journal.flushed()  # the round's answers, queued before, are readable
        # read back and written off the loop: a busy disk never holds the loop's thread
        await asyncio.to_thread(self._write_sidecar, job.id, job.task_uuid, video_uuid)
        try:
            result.thumbnail_path = str(await self.library.make_thumbnail(dest, video_uuid))
        except VideoDecodeError as exc:
            self.book.announce(self.book.events.notice, f"No thumbnail for {dest.name}: {exc}")
        result.mark_ready(str(dest))
        finish_if_done(job)
        self.book.commit(job)
        self.book.announce(self.book.events.result_ready, job, result)

    def _write_sidecar(self, job_id: str, task_uuid: str, video_uuid: str) -> None:
        """On a worker thread: the request and the answer read back, written beside the video."""
        request, items = self.book.journal.sent_and_answered(job_id, task_uuid)
        self.library.write_sidecar(video_uuid, request, _item_for(items, video_uuid))

    def _finish(
        self, job: Job, result: Result, *, failed: str | None = None, expired: str | None = None
    ) -> None:
        if expired is not None:
            result.mark_expired(expired)
        elif failed is not None:
            result.mark_failed(failed)
            if job.error_message is None:
                job.error_code, job.error_message = "downloadFailed", failed
        finish_if_done(job)
        self.book.commit(job)


def _item_for(items: list[dict[str, Any]], video_uuid: str) -> dict[str, Any] | None:
    for item in reversed(items):
        if video_uuid in (item.get("videoUUID"), item.get("mediaUUID")):
            found: dict[str, Any] = item
            return found
    return None


class _Slots:
    """A semaphore whose size can change while tasks hold it or wait for it."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.held = 0
        self._freed = asyncio.Event()

    def set_limit(self, limit: int) -> None:
        self.limit = limit
        self._freed.set()  # waiters look again

    async def __aenter__(self) -> None:
        while self.held >= self.limit:
            self._freed.clear()
            await self._freed.wait()
        self.held += 1

    async def __aexit__(self, *_exc: object) -> None:
        self.held -= 1
        self._freed.set()
