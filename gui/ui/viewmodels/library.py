"""The library tab's view-model: every result, search, favourites, export, spending, compare."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from gui.runware.catalog import Catalog
from gui.studio.jobs import Job, prompt_excerpt
from gui.ui.viewmodels.studio_link import StudioLink, StudioNotReady

__all__ = ["CompareChoice", "LibraryViewModel"]

SPENDING_REFRESH_MS = 500  # spending is recomputed from all jobs: at most twice a second

# (job id, result index, video path, label, frames per second)
CompareChoice = tuple[str, int, str, str, float]


class LibraryViewModel(QObject):
    """Answers the library's questions from the session and forwards the studio's changes."""

    refreshed = Signal()  # the session opened: read every job again
    job_changed = Signal(object)  # Job
    job_removed = Signal(str)
    spending_changed = Signal(object, object)  # jobs, Spend
    compare_ready = Signal(list)  # [CompareChoice, ...]

    def __init__(self, link: StudioLink, catalog: Catalog, parent: QObject | None = None):
        super().__init__(parent)
        self.link = link
        self.catalog = catalog
        self._spending = QTimer(self)
        self._spending.setSingleShot(True)
        self._spending.setInterval(SPENDING_REFRESH_MS)
        self._spending.timeout.connect(self.refresh_spending)
        b = link.bridge
        b.job_added.connect(self._on_job_changed)
        b.job_changed.connect(self._on_job_changed)
        b.job_removed.connect(self._on_job_removed)
        link.opened.connect(self.refreshed)

    # ------------------------------------------------------------------ questions
    def jobs(self) -> list[Job]:
        try:
            return self.link.session.jobs()
        except StudioNotReady:
            return []

    def search(self, text: str) -> list[str]:
        try:
            return self.link.session.search(text, 500)
        except StudioNotReady:
            return []

    def board_labels(self, job_ids: list[str] | None = None) -> dict[str, list[str]]:
        """The storyboard shots jobs are takes of, as "Rain · shot 2" (every job's, or these)."""
        try:
            memberships = self.link.session.board_memberships(job_ids)
        except StudioNotReady:
            return {}
        return {job_id: [m.label for m in found] for job_id, found in memberships.items()}

    async def export(self, job_id: str, index: int, folder: Path) -> list[Path]:
        return await self.link.session.export(job_id, index, folder)

    def job(self, job_id: str) -> Job | None:
        try:
            return self.link.session.get(job_id)
        except StudioNotReady:
            return None

    # ------------------------------------------------------------------ actions
    def set_favourite(self, job_id: str, favourite: bool) -> None:
        try:
            self.link.session.set_favourite(job_id, favourite)
        except StudioNotReady as exc:
            self.link.notice.emit(f"Favourite: {exc}")

    def compare(self, keys: list[tuple[str, int]]) -> None:
        """Two to four saved results side by side (those not saved are left out)."""
        chosen: list[CompareChoice] = []
        for job_id, index in keys:
            job = self.job(job_id)
            if job is None or not 0 <= index < len(job.results):
                continue
            result = job.results[index]
            if not result.local_path:
                continue
            model = self.catalog.get(job.spec.model)
            label = prompt_excerpt(job.spec.prompt)
            if job.spec.number_results > 1:
                label += f" (#{index + 1})"
            chosen.append((job_id, index, result.local_path, label, model.fps if model else 30.0))
        if len(chosen) >= 2:
            self.compare_ready.emit(chosen)

    def refresh_spending(self) -> None:
        try:
            session = self.link.session
        except StudioNotReady:
            return
        self.spending_changed.emit(session.jobs(), session.spend())

    # ------------------------------------------------------------------ reactions
    def _on_job_changed(self, job: Job) -> None:
        self.job_changed.emit(job)
        self._spending.start()

    def _on_job_removed(self, job_id: str) -> None:
        self.job_removed.emit(job_id)
        self._spending.start()
