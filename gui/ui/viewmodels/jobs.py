"""The jobs list's view-model: keeps the list model in step with the engine; job actions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from gui.runware.catalog import ModelSpec
from gui.studio.jobs import Job, Result
from gui.ui.jobs.model import JobListModel
from gui.ui.viewmodels.studio_link import StudioLink, StudioNotReady

__all__ = ["JobsViewModel"]


class JobsViewModel(QObject):
    """What the jobs list shows (``model``) and what may be done to a job."""

    select_requested = Signal(str)  # job id: select it in the list
    job_finished = Signal(object)  # Job: it has just become final (for a notification)
    folder_requested = Signal(str)  # a folder to show in the file manager
    deleting = Signal(str)  # job id: let go of its files (the player) before they go

    def __init__(self, link: StudioLink, model: JobListModel, parent: QObject | None = None):
        super().__init__(parent)
        self.link = link
        self.model = model
        model.pace_with(link.bridge.budget)  # a burst's blocks of rows keep out of its slices
        self._finished: set[str] = set()
        self._select_next_added = False
        b = link.bridge
        b.job_added.connect(self._on_job_added)
        b.job_changed.connect(self._on_job_changed)
        b.job_removed.connect(model.remove_job)
        b.result_ready.connect(lambda job, _r: self._on_job_changed(job))
        b.download_progress.connect(
            lambda job, _r, done, total: model.set_progress(job.id, done, total)
        )
        link.opened.connect(self._on_opened)

    def _on_opened(self) -> None:
        session = self.link.session
        jobs = session.jobs()
        resumed = {j.id for j in jobs if not j.state.is_final}
        self._finished = {j.id for j in jobs if j.state.is_final}
        self.model.set_jobs(jobs, resumed=resumed)
        if resumed:
            n = len(resumed)
            self.link.notice.emit(
                f"Resuming {n} unfinished job{'s' if n != 1 else ''} from the last session."
            )
        self.link.run("Reading the balance", lambda s: s.refresh_balance(), quiet=True)

    def _on_job_added(self, job: Job) -> None:
        self.model.queue_job(job)  # a burst of new jobs goes in as one block of rows
        if self._select_next_added:
            self._select_next_added = False
            self.select_requested.emit(job.id)

    def _on_job_changed(self, job: Job) -> None:
        self.model.update_job(job)
        if job.state.is_final and job.id not in self._finished:
            self._finished.add(job.id)
            self.job_finished.emit(job)

    # ------------------------------------------------------------------ questions
    def job(self, job_id: str) -> Job | None:
        return self.model.job(job_id)

    def sent_request(self, job_id: str) -> dict[str, Any] | None:
        """The request the job was sent with (for "copy request")."""
        try:
            return self.link.session.request_of(job_id)
        except StudioNotReady:
            return None

    # ------------------------------------------------------------------ actions
    def select_next_added(self) -> None:
        """The next job to appear is the one the user just asked for: select it."""
        self._select_next_added = True

    def cancel(self, job_id: str) -> None:
        self.link.run("Cancel", lambda s: s.cancel(job_id))

    def retry(self, job_id: str) -> None:
        self._select_next_added = True
        self.link.run("Retry", lambda s: s.retry(job_id))

    def alternative(self, job_id: str) -> ModelSpec | None:
        """For a job refused because Runware no longer offers its model: the closest live one."""
        try:
            return self.link.session.alternative(job_id)
        except StudioNotReady:
            return None

    def retry_with(self, job_id: str, air: str) -> None:
        self._select_next_added = True
        self.link.run("Retry", lambda s: s.retry_with(job_id, air))

    def delete(self, job_id: str) -> None:
        self.deleting.emit(job_id)
        self.link.run("Delete", lambda s: s.delete(job_id))

    def reveal(self, job: Job, result: Result | None) -> None:
        """Show the folder of a result's video (or of the job's first saved one)."""
        path = (result.local_path if result else None) or next(
            (r.local_path for r in job.results if r.local_path), None
        )
        if path:
            self.folder_requested.emit(str(Path(path).parent))
            return
        try:
            self.folder_requested.emit(str(self.link.session.videos_folder))
        except StudioNotReady:
            return

    def reveal_id(self, job_id: str) -> None:
        job = self.model.job(job_id)
        if job is not None:
            self.reveal(job, None)

    def open_library_folder(self) -> None:
        try:
            self.folder_requested.emit(str(self.link.session.library_root))
        except StudioNotReady as exc:
            self.link.notice.emit(f"Open library folder: {exc}")
