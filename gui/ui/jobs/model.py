"""The jobs list as a Qt model: one row per job, newest first, updated row by row.

Rows are kept in arrival order internally and shown reversed, so adding a job never moves the
index of the others and ``job_id → row`` stays an O(1) dictionary lookup. A change repaints one
row (``dataChanged``); the model is reset only when a whole job list is loaded.

New jobs may be queued (:meth:`JobListModel.queue_job`): a burst of them (200 submitted at once)
is inserted at the next turn of the event loop as one block of rows, one ``rowsInserted``, so
the view lays out and repaints once, not 200 times. Each block moves every row on screen, so
the list repaints whole: with the GUI thread's :class:`TurnBudget` given (:meth:`pace_with`),
a block goes in apart from the slices of bursty work (``TurnBudget.hold``).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from gui.runware.catalog import Catalog
from gui.studio.jobs import Job, JobState, ResultState
from gui.studio.pacing import TurnBudget
from gui.ui.labels import RUNNING_STATES, cost_text, error_text, seconds_text, state_label
from gui.ui.mime import RESULTS_MIME_TYPE

__all__ = ["JobListModel", "JobRole", "JobRow"]

_Index = QModelIndex | QPersistentModelIndex


class JobRole(IntEnum):
    JOB = Qt.ItemDataRole.UserRole + 1
    JOB_ID = JOB + 1
    STATE = JOB + 2
    STATE_TEXT = JOB + 3
    PROMPT = JOB + 4
    MODEL_NAME = JOB + 5
    SIZE_TEXT = JOB + 6
    DURATION_TEXT = JOB + 7
    COST_TEXT = JOB + 8
    ERROR_TEXT = JOB + 9
    IS_RUNNING = JOB + 10
    THUMBNAIL_PATH = JOB + 11
    RESULT_COUNT = JOB + 12
    READY_COUNT = JOB + 13
    PROGRESS = JOB + 14  # 0–1 while downloading, else None
    RESUMED = JOB + 15
    CREATED_AT = JOB + 16
    VIDEO_IDS = JOB + 17
    LINEAGE_TEXT = JOB + 18


# A burst of new jobs (200 submitted at once) goes into the list in blocks at most this often:
# each block shifts every visible row, so the list repaints whole (about 6 ms) once per block,
# not at every turn of the loop; 50 ms is below what the eye notices as a delay.
INSERT_SPACING = 0.05


@dataclass(frozen=True)
class JobRow:
    """Everything one row shows, computed in Python in one go.

    The delegate paints from this: one ``index.data()`` per row instead of one per field, each
    of which would cross into C++ and back through a QVariant.
    """

    state: JobState
    prompt: str
    meta: str
    state_text: str
    cost_text: str
    error_text: str
    thumbnail_path: str | None
    progress: float | None


class JobListModel(QAbstractListModel):
    job_queued = Signal(object)  # Job: its row comes at the next block (a delegate may prepare it)

    """Every job the studio knows, for the side panel. Feed it from the bridge's signals."""

    def __init__(self, catalog: Catalog, parent: Any = None, *, clock: Any = time.time) -> None:
        super().__init__(parent)
        self._catalog = catalog
        self._clock = clock
        self._jobs: list[Job] = []  # arrival order; row = len - 1 - position
        self._position: dict[str, int] = {}
        self._running: set[str] = set()
        self._resumed: set[str] = set()
        self._progress: dict[str, float] = {}
        self._thumb_owner: dict[str, str] = {}  # thumbnail path → job id
        # what a row shows that changes only with its job: (prompt, meta, cost, error, thumbnail)
        self._stable: dict[str, tuple[str, str, str, str, str | None]] = {}
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self.tick_running)
        self._queued: dict[str, Job] = {}  # new jobs waiting for the next batch insert
        self._batcher = QTimer(self)
        self._batcher.setSingleShot(True)
        self._batcher.timeout.connect(self._insert_burst)
        self._inserted_at = -INSERT_SPACING  # monotonic seconds of the last batch insert
        self._budget: TurnBudget | None = None
        self._holding = False  # the budget is held for a block that waits for its breath

    # ------------------------------------------------------------------ Qt model API
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._jobs)

    def roleNames(self) -> dict[int, QByteArray]:
        names = super().roleNames()
        names.update({int(r): QByteArray(r.name.lower().encode()) for r in JobRole})
        return names

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._jobs):
            return None
        job = self._jobs[len(self._jobs) - 1 - index.row()]
        if role == Qt.ItemDataRole.DisplayRole or role == JobRole.PROMPT:
            return job.spec.prompt
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(job)
        getter = _ROLE_GETTERS.get(role)
        return getter(self, job) if getter else None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and self._ready_result(self._jobs[len(self._jobs) - 1 - index.row()]):
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        return flags

    def mimeTypes(self) -> list[str]:
        return [RESULTS_MIME_TYPE]

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def mimeData(self, indexes: Sequence[_Index]) -> QMimeData:
        """The dragged jobs' first saved results, as ``[[job id, result index], …]`` (a card
        on the Storyboard, for one)."""
        keys = []
        for index in indexes:
            if index.isValid():
                job = self._jobs[len(self._jobs) - 1 - index.row()]
                result = self._ready_result(job)
                if result is not None:
                    keys.append([job.id, result])
        mime = QMimeData()
        mime.setData(RESULTS_MIME_TYPE, json.dumps(keys).encode("utf-8"))
        return mime

    @staticmethod
    def _ready_result(job: Job) -> int | None:
        return next(
            (r.index for r in job.results if r.state is ResultState.READY and r.local_path), None
        )

    # ------------------------------------------------------------------ lookups
    def row_of(self, job_id: str) -> int:
        """The row showing ``job_id``, or -1."""
        if self._queued:
            self.flush_queued()
        position = self._position.get(job_id)
        return -1 if position is None else len(self._jobs) - 1 - position

    def index_of(self, job_id: str) -> QModelIndex:
        row = self.row_of(job_id)
        return self.index(row, 0) if row >= 0 else QModelIndex()

    def job(self, job_id: str) -> Job | None:
        if self._queued:
            self.flush_queued()
        position = self._position.get(job_id)
        return None if position is None else self._jobs[position]

    def job_at(self, row: int) -> Job | None:
        if not 0 <= row < len(self._jobs):
            return None
        return self._jobs[len(self._jobs) - 1 - row]

    def row(self, job: Job) -> JobRow:
        """What the row of ``job`` shows (for the delegate). The texts that change only with
        the job are kept until it changes (a list repaints often: inserts, the elapsed-time
        tick); the state text (elapsed time) and progress are fresh every time."""
        stable = self._stable.get(job.id)
        if stable is None:
            stable = self._stable[job.id] = self._stable_texts(job)
        prompt, meta, cost, error, thumbnail = stable
        return JobRow(
            state=job.state,
            prompt=prompt,
            meta=meta,
            state_text=self._state_text(job),
            cost_text=cost,
            error_text=error,
            thumbnail_path=thumbnail,
            progress=self._progress.get(job.id),
        )

    def _stable_texts(self, job: Job) -> tuple[str, str, str, str, str | None]:
        meta = [self._model_name(job), job.spec.size_label, seconds_text(job.spec.duration)]
        if job.spec.number_results > 1:
            meta.append(f"×{job.spec.number_results}")
        lineage = self._lineage(job)
        if lineage:
            meta.append(lineage)
        if job.id in self._resumed:
            meta.append("resumed")
        return (
            " ".join(job.spec.prompt.split()),
            " · ".join(meta),
            cost_text(job, self._catalog),
            error_text(job),
            self._thumbnail(job),
        )

    # ------------------------------------------------------------------ feeding
    def set_jobs(self, jobs: list[Job], *, resumed: set[str] | None = None) -> None:
        """Load a whole list (oldest first or any order: sorted by creation)."""
        self._queued.clear()
        self._stable.clear()
        self.beginResetModel()
        self._jobs = sorted(jobs, key=lambda j: j.created_at)
        self._position = {job.id: i for i, job in enumerate(self._jobs)}
        self._running = {j.id for j in self._jobs if j.state in RUNNING_STATES}
        self._resumed = set(resumed or ()) & set(self._position)
        self._progress.clear()
        self._thumb_owner = {p: j.id for j in self._jobs if (p := self._thumbnail(j))}
        self.endResetModel()
        self._update_ticker()

    def add_job(self, job: Job) -> None:
        """Insert one job at once (jobs queued before it go in first)."""
        self.add_jobs([job])

    def queue_job(self, job: Job) -> None:
        """Insert a new job at the next turn of the event loop, with any others queued by
        then, as one block of rows. Lookups (``row_of``, ``job``, …) insert the queue first."""
        if job.id in self._position:
            self.update_job(job)
            return
        self._queued[job.id] = job
        self.job_queued.emit(job)
        if not self._batcher.isActive():
            # the first job after a quiet spell goes in at the next turn; a burst's next ones
            # wait so that the list re-lays and repaints its rows at most every INSERT_SPACING
            since = time.monotonic() - self._inserted_at
            self._batcher.start(max(0, round((INSERT_SPACING - since) * 1000)))

    def pace_with(self, budget: TurnBudget) -> None:
        """Insert queued blocks with the loop to themselves, out of ``budget``'s slices."""
        self._budget = budget

    def flush_queued(self) -> None:
        """Insert every queued job now."""
        try:
            self._insert_queued()
        finally:
            self._let_go()

    def _insert_burst(self) -> None:
        """The batcher's: once the loop has had a breath since the last slice, the queued
        block goes in; bursty work goes on a breath after the repaint it makes."""
        if self._budget is not None and not self._holding:
            self._holding = True
            wait = self._budget.hold()
            if wait:
                self._batcher.start(math.ceil(wait * 1000))
                return
        self.flush_queued()

    def _insert_queued(self) -> bool:
        self._batcher.stop()
        queued, self._queued = list(self._queued.values()), {}
        if queued:
            self._inserted_at = time.monotonic()
            self._insert(queued)
        return bool(queued)

    def _let_go(self) -> None:
        if self._holding and self._budget is not None:
            self._holding = False
            self._budget.release()

    def add_jobs(self, jobs: list[Job]) -> None:
        """Insert new jobs as one block of rows (known ones are updated)."""
        if self._queued:
            self.flush_queued()
        new: dict[str, Job] = {}
        for job in jobs:
            if job.id in self._position:
                self.update_job(job)
            else:
                new[job.id] = job
        if new:
            self._insert(list(new.values()))

    def _insert(self, jobs: list[Job]) -> None:
        self.beginInsertRows(QModelIndex(), 0, len(jobs) - 1)  # newest first
        for job in jobs:
            self._position[job.id] = len(self._jobs)
            self._jobs.append(job)
            if job.state in RUNNING_STATES:
                self._running.add(job.id)
            self._note_thumbnail(job)
        self.endInsertRows()
        self._update_ticker()

    def update_job(self, job: Job) -> None:
        if job.id in self._queued:
            self._queued[job.id] = job  # still waiting to be inserted: it goes in as it is now
            return
        position = self._position.get(job.id)
        if position is None:
            self.add_job(job)
            return
        self._jobs[position] = job
        self._stable.pop(job.id, None)
        if job.state in RUNNING_STATES:
            self._running.add(job.id)
        else:
            self._running.discard(job.id)
            self._resumed.discard(job.id)
            self._progress.pop(job.id, None)
        self._note_thumbnail(job)
        self._changed(job.id)
        self._update_ticker()

    def remove_job(self, job_id: str) -> None:
        if self._queued.pop(job_id, None) is not None:
            return
        position = self._position.get(job_id)
        if position is None:
            return
        row = len(self._jobs) - 1 - position
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._jobs[position]
        # Only the jobs after the removed one move; deletion is rare and user-driven.
        for i in range(position, len(self._jobs)):
            self._position[self._jobs[i].id] = i
        del self._position[job_id]
        self._stable.pop(job_id, None)
        self._running.discard(job_id)
        self._resumed.discard(job_id)
        self._progress.pop(job_id, None)
        self.endRemoveRows()
        self._update_ticker()

    def set_progress(self, job_id: str, done: int, total: int | None) -> None:
        if job_id not in self._position or not total:
            return
        progress = min(1.0, done / total)
        shown = self._progress.get(job_id)
        self._progress[job_id] = progress
        if shown is not None and int(shown * 100) == int(progress * 100):
            return  # the row shows whole percents; a repaint per 64 KB chunk showed nothing new
        self._changed(job_id, [JobRole.PROGRESS, JobRole.STATE_TEXT])

    def thumbnail_loaded(self, path: str) -> None:
        """A thumbnail finished decoding: repaint the row that shows it."""
        job_id = self._thumb_owner.get(path)
        if job_id is not None:
            self._changed(job_id, [JobRole.THUMBNAIL_PATH])

    def tick_running(self) -> None:
        """Repaint the elapsed time of running rows, and only those: one signal per run of
        adjacent running rows (usually the newest jobs, one run), not one per job."""
        rows = sorted(row for job_id in self._running if (row := self.row_of(job_id)) >= 0)
        roles = [int(JobRole.STATE_TEXT)]
        start = 0
        for i in range(1, len(rows) + 1):
            if i == len(rows) or rows[i] != rows[i - 1] + 1:
                self.dataChanged.emit(self.index(rows[start], 0), self.index(rows[i - 1], 0), roles)
                start = i

    # ------------------------------------------------------------------ internals
    def _changed(self, job_id: str, roles: list[int] | None = None) -> None:
        index = self.index_of(job_id)
        if index.isValid():
            self.dataChanged.emit(index, index, [int(r) for r in roles or []])

    def _note_thumbnail(self, job: Job) -> None:
        path = self._thumbnail(job)
        if path:
            self._thumb_owner[path] = job.id

    def _update_ticker(self) -> None:
        if self._running and not self._ticker.isActive():
            self._ticker.start()
        elif not self._running and self._ticker.isActive():
            self._ticker.stop()

    def _tooltip(self, job: Job) -> str:
        lines = [job.spec.prompt[:400]]
        error = error_text(job)
        if error:
            lines.append(error)
        return "\n\n".join(lines)

    def _state_text(self, job: Job) -> str:
        text = state_label(job, self._clock())
        progress = self._progress.get(job.id)
        if job.state is JobState.DOWNLOADING and progress is not None:
            text = f"{text} · {int(progress * 100)}%"
        return text

    def _model_name(self, job: Job) -> str:
        model = self._catalog.get(job.spec.model)
        return model.name if model else job.spec.model

    def _thumbnail(self, job: Job) -> str | None:
        return next((r.thumbnail_path for r in job.results if r.thumbnail_path), None)

    def _lineage(self, job: Job) -> str:
        kind = job.lineage.kind
        return {
            "retry": "retry",
            "remix": "remix",
            "extend": "extension",
            "lastFrame": "from last frame",
            "firstFrame": "from a frame",
        }.get(kind or "", "")


_ROLE_GETTERS: dict[int, Any] = {
    JobRole.JOB: lambda m, j: j,
    JobRole.JOB_ID: lambda m, j: j.id,
    JobRole.STATE: lambda m, j: j.state,
    JobRole.STATE_TEXT: JobListModel._state_text,
    JobRole.MODEL_NAME: JobListModel._model_name,
    JobRole.SIZE_TEXT: lambda m, j: j.spec.size_label,
    JobRole.DURATION_TEXT: lambda m, j: seconds_text(j.spec.duration),
    JobRole.COST_TEXT: lambda m, j: cost_text(j, m._catalog),
    JobRole.ERROR_TEXT: lambda m, j: error_text(j),
    JobRole.IS_RUNNING: lambda m, j: j.state in RUNNING_STATES,
    JobRole.THUMBNAIL_PATH: JobListModel._thumbnail,
    JobRole.RESULT_COUNT: lambda m, j: j.spec.number_results,
    JobRole.READY_COUNT: lambda m, j: sum(r.state is ResultState.READY for r in j.results),
    JobRole.PROGRESS: lambda m, j: m._progress.get(j.id),
    JobRole.RESUMED: lambda m, j: j.id in m._resumed,
    JobRole.CREATED_AT: lambda m, j: j.created_at,
    JobRole.VIDEO_IDS: lambda m, j: [r.video_id for r in j.results if r.video_id],
    JobRole.LINEAGE_TEXT: JobListModel._lineage,
}
