"""Filtering the jobs list by state (All / Running / Ready / Failed) and by words."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel

from gui.studio.jobs import Job, JobState
from gui.ui.jobs.model import JobListModel
from gui.ui.labels import RUNNING_STATES

__all__ = ["JobFilterProxy", "StateFilter"]


class StateFilter(StrEnum):
    ALL = "All"
    RUNNING = "Running"
    READY = "Ready"
    FAILED = "Failed"


_FAILED_STATES = frozenset({JobState.FAILED, JobState.CANCELLED, JobState.EXPIRED})


class JobFilterProxy(QSortFilterProxyModel):
    """Keeps the source order (newest first); hides rows that match neither filter."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._state = StateFilter.ALL
        self._words: list[str] = []
        # A change repaints a row in place; re-filtering happens on state changes below.
        self.setDynamicSortFilter(True)

    @property
    def state_filter(self) -> StateFilter:
        return self._state

    def set_state_filter(self, state: StateFilter | str) -> None:
        state = StateFilter(state)
        if state != self._state:
            self.beginFilterChange()
            self._state = state
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_text_filter(self, text: str) -> None:
        words = text.casefold().split()
        if words != self._words:
            self.beginFilterChange()
            self._words = words
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def job_at(self, proxy_row: int) -> Job | None:
        source = self.mapToSource(self.index(proxy_row, 0))
        model = self.sourceModel()
        if not source.isValid() or not isinstance(model, JobListModel):
            return None
        return model.job_at(source.row())

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        model = self.sourceModel()
        if not isinstance(model, JobListModel):
            return True
        job = model.job_at(source_row)
        if job is None:
            return False
        return self.accepts(job)

    def accepts(self, job: Job) -> bool:
        if self._state is StateFilter.RUNNING and job.state not in RUNNING_STATES:
            return False
        if self._state is StateFilter.READY and job.state is not JobState.READY:
            return False
        if self._state is StateFilter.FAILED and job.state not in _FAILED_STATES:
            return False
        if self._words:
            haystack = _search_text(job)
            return all(word in haystack for word in self._words)
        return True


def _search_text(job: Job) -> str:
    parts = [job.spec.prompt, job.spec.model, job.id, job.error_code or ""]
    for result in job.results:
        parts.extend(filter(None, (result.video_uuid, result.video_id)))
    return " ".join(parts).casefold()
