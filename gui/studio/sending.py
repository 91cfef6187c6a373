"""Sending a job: frame images prepared and uploaded (once per content), then the request.

The order is what makes a crash harmless: the job row exists before this starts; the request as
sent and a submission attempt are committed before the POST; the acknowledgement is committed
when it comes. A job with an attempt but no answer is *unconfirmed*: the poll loop asks Runware
about its taskUUID before anything is sent again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from PIL import Image

from gui.runware.catalog import Catalog, ModelSpec
from gui.runware.client import RunwareClient
from gui.runware.errors import (
    ConflictTaskUUIDError,
    InputFileError,
    ModelUnavailableError,
    RunwareError,
)
from gui.runware.images import frame_rules  # re-exported: the storyboard reads it here
from gui.runware.models import VideoInferenceTask
from gui.studio.adapt import adapt_spec, closest_live
from gui.studio.job_book import JobBook
from gui.studio.jobs import FrameInput, Job, JobState
from gui.studio.library import Library
from gui.studio.pacing import Pacer
from gui.studio.submit_batch import SubmitBatcher

__all__ = ["UPLOAD_REUSE_SECONDS", "Sender", "StageGate", "frame_rules"]

log = logging.getLogger(__name__)
StageGate = Callable[[str, Job], Awaitable[None]]
# Runware deletes an uploaded image 30 days after its last use; reuse well inside that.
UPLOAD_REUSE_SECONDS = 25 * 24 * 3600


async def _open_gate(stage: str, job: Job) -> None:
    return None


class Sender:
    """Uploads a job's frames and submits it. One call of :meth:`send` per job at a time."""

    def __init__(
        self,
        client: RunwareClient,
        book: JobBook,
        library: Library,
        catalog: Catalog,
        *,
        on_sent: Callable[[Job], None],
        gate: StageGate | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        self.client = client
        self.book = book
        self.journal = book.journal
        self.library = library
        self.catalog = catalog
        self._on_sent = on_sent
        self._gate = gate or _open_gate
        self._pacer = pacer or Pacer()
        self._upload_locks: dict[str, asyncio.Lock] = {}
        self.submits = SubmitBatcher(client)  # tasks that come together share a request
        self.uploads_sent = 0

    async def send(self, job: Job, *, resubmit: bool = False) -> None:
        """Take a queued job to ``submitted`` (or ``failed``), or leave it unconfirmed.

        ``resubmit`` sends a task Runware said it never received, with the same taskUUID.
        """
        try:
            await self._gate("queued", job)
            refs = await self._frame_refs(job)
        except InputFileError as exc:
            self._fail(job, exc.code, str(exc.message), retryable=False)
            return
        except RunwareError as exc:
            self._fail(
                job,
                exc.code,
                f"The frame image could not be uploaded: {exc.message}",
                retryable=exc.retryable,
            )
            return
        except OSError as exc:  # the library's disk, not the request: nothing was sent
            names = ", ".join(Path(f.path).name for f in job.spec.frames)
            self.book.announce(
                self.book.events.notice,
                f"Could not save the frame image {names} in the library "
                f"({exc.strerror or exc}); the job is sent once it can be.",
            )
            return  # still queued: asked about (never received), then tried again

        def prepare() -> tuple[VideoInferenceTask, asyncio.Future[None], asyncio.Future[int]]:
            task = job.spec.to_task(job.task_uuid, refs, self.catalog)
            # Written by the journal's thread; awaited, never blocking the loop: when the
            # attempt is durable, so is everything queued before it (the job, the request).
            recorded = self.journal.record_request_soon(job.id, task.to_wire())
            return task, recorded, self.journal.record_submission_soon(job.id, job.task_uuid)

        task, recorded, attempted = await self._pacer.run(prepare)  # a slice of a turn
        attempt = await attempted
        await recorded
        await self._gate("submitting", job)
        try:
            await self.submits.submit(task)
        except ConflictTaskUUIDError:
            if not resubmit:
                self._outcome(attempt, "rejected")
                self._fail(
                    job,
                    "conflictTaskUUID",
                    "Runware already has a task with this id.",
                    retryable=True,
                )
                return
            # It arrived after all (between the poll and this resend): it is there.
        except RunwareError as exc:
            if exc.retryable:  # no answer, or a server error: the request may have arrived
                self._outcome(attempt, "unknown")
                return
            self._outcome(attempt, "rejected")
            if isinstance(exc, ModelUnavailableError):
                self._fail(job, "modelUnavailable", self._model_gone(job, exc), retryable=False)
                return
            self._fail(job, exc.code, exc.message or exc.code, retryable=False)
            return

        def mark_submitted() -> tuple[asyncio.Future[None], asyncio.Future[None]]:
            job.mark_submitted()
            written = self.book.commit(job)
            accepted = self._outcome(attempt, "accepted")
            self._on_sent(job)
            return written, accepted

        # a slice of a turn: one answer accepts up to 20 tasks (submit_batch.py)
        written, accepted = await self._pacer.run(mark_submitted)
        await asyncio.gather(written, accepted)  # returns once "submitted" is on disk
        await self._gate("submitted", job)

    def _outcome(self, attempt: int, outcome: str) -> asyncio.Future[None]:
        written = self.journal.set_submission_outcome_soon(attempt, outcome)
        written.add_done_callback(_log_failure)
        return written

    def _model_gone(self, job: Job, exc: RunwareError) -> str:
        """Runware refused the model: say so plainly and name the live model closest to it."""
        model = self.catalog.get(job.spec.model)
        name = model.name if model else job.spec.model
        words = f"Runware does not offer {name} any more"
        if model is not None and model.deactivated_on is not None:
            words += f" (deactivated on {model.deactivated_on:%d %B %Y})"
        words += f". Runware said: {exc.message or exc.code}"
        other = closest_live(self.catalog, job.spec)
        if other is not None:
            words += f" Try {other.name}: it takes the same settings"
            changes = adapt_spec(job.spec, other).changes
            words += f" except {', '.join(changes)}." if changes else "."
        return words

    def _fail(self, job: Job, code: str, message: str, *, retryable: bool) -> None:
        if not job.state.is_final:
            job.fail(code, message, retryable=retryable)
            self.book.commit(job)

    # ------------------------------------------------------------------ frame images
    async def _frame_refs(self, job: Job) -> dict[str, str]:
        if not job.spec.frames:
            return {}
        if job.state is not JobState.UPLOADING:
            job.mark_uploading()
            await self.book.commit(job)
        await self._gate("uploading", job)
        model = self.catalog[job.spec.model]
        refs: dict[str, str] = {}
        for frame in job.spec.frames:
            refs[frame.frame] = await self._upload(job, frame, model)
        return refs

    async def _upload(self, job: Job, frame: FrameInput, model: ModelSpec) -> str:
        rules = frame_rules(model)
        width, height = await self._target_size(job, model, Path(frame.path))
        still = await self.library.prepare_frame(Path(frame.path), width, height, frame.fit, rules)
        lock = self._upload_locks.setdefault(still.sha256, asyncio.Lock())
        async with lock:  # two jobs with the same picture upload it once
            known = self.journal.find_upload(still.sha256, max_age=UPLOAD_REUSE_SECONDS)
            if known is not None:
                return known
            image_uuid = await self.client.upload_image(still.path, rules)
            self.uploads_sent += 1
            # durable before the lock opens: the next job with this picture finds it
            await self.journal.record_upload_soon(
                still.sha256, image_uuid, still.width, still.height
            )
            return image_uuid

    async def _target_size(self, job: Job, model: ModelSpec, source: Path) -> tuple[int, int]:
        """The job's size, or (when it sends none) the model's size nearest the image's shape."""
        if job.spec.width and job.spec.height:
            return job.spec.width, job.spec.height
        try:
            width, height = await asyncio.to_thread(_image_size, source)
        except OSError:
            return model.default_size.width, model.default_size.height
        aspect = width / height
        best = min(model.sizes, key=lambda s: abs(s.aspect - aspect))
        return best.width, best.height


def _log_failure(written: asyncio.Future[None]) -> None:
    if not written.cancelled() and (exc := written.exception()) is not None:
        log.error("the journal could not record a submission's outcome", exc_info=exc)


def _image_size(path: Path) -> tuple[int, int]:
    with Image.open(path) as img:
        return img.size
