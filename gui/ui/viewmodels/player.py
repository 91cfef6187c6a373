"""The player's view-model: which job and result are on screen, and at what frame rate."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from gui.runware.catalog import Catalog
from gui.studio.jobs import Job, Result
from gui.ui.viewmodels.properties import Property
from gui.ui.viewmodels.studio_link import StudioLink

__all__ = ["PlayerViewModel"]


class PlayerViewModel(QObject):
    """Asks the player to show a job (``show_requested``) and follows what it shows."""

    show_requested = Signal(object, object, object)  # Job | None, result index | None, fps
    play_requested = Signal()
    job_changed = Signal(object)
    result_changed = Signal(object)

    job = Property[Job | None](None)
    result = Property[Result | None](None)

    def __init__(self, link: StudioLink, catalog: Catalog, parent: QObject | None = None):
        super().__init__(parent)
        self.catalog = catalog
        link.bridge.job_changed.connect(self._on_job_changed)
        link.bridge.result_ready.connect(lambda job, _r: self._on_job_changed(job))
        link.bridge.job_removed.connect(self.release)

    def fps(self, job: Job) -> int | None:
        model = self.catalog.get(job.spec.model)
        return model.fps if model else None

    def show(self, job: Job | None, index: int | None = None) -> None:
        self.show_requested.emit(job, index, self.fps(job) if job else None)

    def play(self, job: Job) -> None:
        self.show(job)
        self.play_requested.emit()

    def shown(self, job: Job | None, result: Result | None) -> None:
        """The player reports what it shows now."""
        self.job, self.result = job, result

    def showing(self, job_id: str) -> bool:
        return self.job is not None and self.job.id == job_id

    def release(self, job_id: str) -> None:
        """Let go of the job's video (it is about to be deleted)."""
        if self.showing(job_id):
            self.show(None)

    def _on_job_changed(self, job: Job) -> None:
        if self.showing(job.id):
            self.show(job)
