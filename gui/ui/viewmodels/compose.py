"""The compose panel's view-model: sends a :class:`JobSpec`, and what the panel should show.

The panel emits a spec; this sends it through the session with the lineage it came from (a
remix source, a frame taken from a result) and reports problems beside the Generate button.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, Signal

from gui.studio.errors import StudioError
from gui.studio.jobs import Job, JobSpec, Lineage, Result, prompt_excerpt
from gui.studio.session import Session
from gui.studio.spending import BudgetLevel, budget_state
from gui.ui.viewmodels.properties import Property
from gui.ui.viewmodels.studio_link import StudioLink

__all__ = ["IMAGE_SUFFIXES", "PROMPT_HISTORY", "ComposeViewModel"]

PROMPT_HISTORY = 50
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp"})


class ComposeViewModel(QObject):
    """Generate requests in, problems, history, remix sources and frame images out."""

    budget_message_changed = Signal(object)  # str | None
    prompt_history_changed = Signal(list)
    real_backend_changed = Signal(bool)
    frame_image_set = Signal(str, str)  # path, "first" | "last"
    frame_fetch_failed = Signal(str, str)  # frame, message
    remix_started = Signal(str, str, str, str)  # video id, prompt, model AIR, source label
    remix_cleared = Signal()
    focus_requested = Signal()
    submitted = Signal()  # the next job added is the one just asked for

    budget_message = Property[str | None](None)
    prompt_history = Property[list[str]]([])
    real_backend = Property[bool](False)  # Generate spends money with Runware (not the sandbox)

    def __init__(self, link: StudioLink, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.link = link
        self._remix: Lineage | None = None
        self._frame_sources: dict[str, Lineage] = {}
        self._refusal: tuple[str, float | None] | None = None  # (message, budget refused under)
        link.opened.connect(self._refresh_prompt_history)
        link.opened.connect(self._on_opened)
        link.bridge.spend_changed.connect(self._on_spend_changed)

    def _on_opened(self) -> None:
        self.real_backend = not self.link.session.is_sandbox

    # ------------------------------------------------------------------ generating
    def generate(self, spec: JobSpec) -> None:
        """Send ``spec``; a refusal comes back as :attr:`budget_message`."""
        self._refusal = None
        self.budget_message = None
        lineage = self._lineage_for(spec)
        if self.link.run("Generate", lambda s: self._submit(s, spec, lineage)) is not None:
            self.submitted.emit()

    async def _submit(self, session: Session, spec: JobSpec, lineage: Lineage | None) -> None:
        try:
            await session.submit(spec, lineage)
        except StudioError as exc:  # refused spec, budget, …: beside the button
            state = getattr(exc, "state", None)  # a budget refusal carries its budget
            limit = getattr(state, "budget", None)
            self._refusal = (str(exc), None if limit is None else float(limit))
            self.budget_message = str(exc)
            return
        if lineage is not None and lineage.kind in ("remix", "extend"):
            self._remix = None
            self.remix_cleared.emit()
        self._refresh_prompt_history()

    def _lineage_for(self, spec: JobSpec) -> Lineage | None:
        if spec.video_id and self._remix and self._remix.source_video_id == spec.video_id:
            return self._remix
        for frame in spec.frames:
            if frame.sha256 in self._frame_sources:
                return self._frame_sources[frame.sha256]
        return None

    def _refresh_prompt_history(self) -> None:
        try:
            jobs = self.link.session.jobs()
        except StudioError:
            return
        seen: dict[str, None] = {}
        for job in reversed(jobs):
            seen.setdefault(job.spec.prompt, None)
            if len(seen) >= PROMPT_HISTORY:
                break
        self.prompt_history = list(seen)

    def _on_spend_changed(self, today: float, budget: float | None) -> None:
        # A refusal stays beside the button until the budget it was refused under changes
        # (raised in Settings) or the next Generate: a spend announcement that merely arrives
        # after it (the journal announces once its writes are durable) must not erase it.
        if self._refusal is not None:
            text, refused_under = self._refusal
            if budget is not None and refused_under is not None and refused_under == budget:
                self.budget_message = text
                return
            self._refusal = None
        state = budget_state(today, budget)
        warn = state.level in (BudgetLevel.WARN, BudgetLevel.REFUSE)
        self.budget_message = state.message if warn else None

    # ------------------------------------------------------------------ sources
    def start_remix(self, job: Job, result: Result) -> None:
        """A result becomes the source of a remix or extension."""
        if not result.video_id:
            self.link.notice.emit("This video has no videoId to remix from.")
            return
        label = f"“{prompt_excerpt(job.spec.prompt)}”"
        if job.spec.number_results > 1:
            label += f" (variation {result.index + 1})"
        self._remix = Lineage(parent_job_id=job.id, kind="remix", source_video_id=result.video_id)
        self.remix_started.emit(result.video_id, job.spec.prompt, job.spec.model, label)
        self.focus_requested.emit()

    def use_frame(self, png: bytes, job: Job, result: Result) -> None:
        """A still of ``result`` (PNG bytes) becomes the next job's first frame."""

        async def work(session: Session) -> None:
            path, sha = await session.keep_frame(png)
            self._frame_sources[sha] = Lineage(
                parent_job_id=job.id,
                kind="firstFrame",
                source_video_id=result.video_id,
                source_image_hash=sha,
            )
            self._set_first_frame(path)

        self.link.run("Use this frame", work)

    def continue_from_last_frame(self, job_id: str, index: int) -> None:
        async def work(session: Session) -> None:
            start = await session.continue_from_last_frame(job_id, index)
            self._frame_sources[start.frame.sha256] = start.lineage
            self._set_first_frame(start.path)

        self.link.run("Continue from last frame", work)

    def _set_first_frame(self, path: Path) -> None:
        self.frame_image_set.emit(str(path), "first")
        self.focus_requested.emit()

    def fetch_image(self, url: str, frame: str) -> None:
        """An image address dropped on a frame: download it into the library's frames."""
        suffix = Path(urlsplit(url).path).suffix.lower()
        suffix = suffix if suffix in IMAGE_SUFFIXES else ".img"

        async def work(session: Session) -> None:
            try:
                path = await session.fetch_image(url, suffix)
            except Exception as exc:  # any failure is shown on the drop zone
                self.frame_fetch_failed.emit(frame, f"Could not fetch the image: {exc}")
                return
            self.frame_image_set.emit(str(path), frame)

        self.link.run("Fetching the image", work)
