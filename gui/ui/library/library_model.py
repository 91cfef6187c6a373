"""The library's list model: every result of every job, filtered and ordered by a query.

All items are held in plain lists; :func:`apply_query` picks the visible ones in one pass. A change
that keeps the same visible items only repaints (or reorders) them, so the selection survives a
download finishing; anything else resets the model, and the view puts the selection back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QUrl,
)

from gui.runware.catalog import Catalog, default_catalog
from gui.studio.jobs import Job
from gui.ui.library.items import (
    LibraryItem,
    LibraryQuery,
    ResultKey,
    Status,
    apply_query,
    items_of,
)

__all__ = ["RESULTS_MIME_TYPE", "LibraryModel"]

RESULTS_MIME_TYPE = "application/x-sora-studio-results"
ItemRole = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex


class LibraryModel(QAbstractListModel):
    """One row per visible result; ``ItemRole`` gives its :class:`LibraryItem`."""

    ItemRole = ItemRole

    def __init__(self, catalog: Catalog | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog or default_catalog()
        self._by_job: dict[str, list[LibraryItem]] = {}
        self._rows: list[LibraryItem] = []
        self._row_of: dict[ResultKey, int] = {}
        self._query = LibraryQuery()
        self._boards: dict[str, tuple[str, ...]] = {}  # job id -> "Rain · shot 2", …

    # ---- Qt model interface
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        if role == ItemRole:
            return item
        if role == Qt.ItemDataRole.DisplayRole:
            return item.prompt
        if role == Qt.ItemDataRole.ToolTipRole:
            state = item.state_word or item.status.label
            why = f"\n{state}: {item.error}" if item.error and item.status is Status.FAILED else ""
            boards = "".join(f"\nStoryboard: {label}" for label in item.boards)
            return f"{item.prompt}\n{self.model_name(item.model)} · {state}{why}{boards}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            star = ", favourite" if item.favourite else ""
            return f"{item.prompt} ({self.model_name(item.model)}{star})"
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self._rows[index.row()].playable:
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        return flags

    def mimeTypes(self) -> list[str]:
        return ["text/uri-list", RESULTS_MIME_TYPE]

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def mimeData(self, indexes: Sequence[_Index]) -> QMimeData:
        """File URLs of the chosen videos (for other programs), and their keys (for ours)."""
        items = [self._rows[i.row()] for i in indexes if i.isValid()]
        items = [i for i in items if i.playable and Path(str(i.video_path)).exists()]
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(i.video_path)) for i in items])
        keys = [[i.job_id, i.index] for i in items]
        mime.setData(RESULTS_MIME_TYPE, json.dumps(keys).encode("utf-8"))
        return mime

    # ---- reading
    def item(self, row: int) -> LibraryItem:
        return self._rows[row]

    def items(self) -> list[LibraryItem]:
        """The visible items, in order."""
        return list(self._rows)

    def row_of(self, key: ResultKey) -> int | None:
        return self._row_of.get(key)

    def index_of(self, key: ResultKey) -> QModelIndex:
        row = self._row_of.get(key)
        return QModelIndex() if row is None else self.index(row, 0)

    def total(self) -> int:
        """All results known, shown or not."""
        return sum(len(items) for items in self._by_job.values())

    def model_name(self, air: str) -> str:
        spec = self.catalog.get(air)
        return spec.name if spec else air

    def models_present(self) -> list[str]:
        return sorted({i.model for items in self._by_job.values() for i in items})

    def all_items(self) -> list[LibraryItem]:
        """Every result known, shown or not, in no particular order."""
        return [i for items in self._by_job.values() for i in items]

    def job_items(self, job_id: str) -> list[LibraryItem]:
        return list(self._by_job.get(job_id, ()))

    @property
    def query(self) -> LibraryQuery:
        return self._query

    # ---- changing
    def set_jobs(
        self, jobs: Iterable[Job], boards: Mapping[str, Sequence[str]] | None = None
    ) -> None:
        """Every job; ``boards``: the storyboard shots each job is a take of (labels)."""
        if boards is not None:
            self._boards = {k: tuple(v) for k, v in boards.items() if v}
        self._by_job = {job.id: items_of(job, self._boards.get(job.id, ())) for job in jobs}
        self._apply(force_reset=True)

    def set_boards(self, boards: Mapping[str, Sequence[str]]) -> None:
        """The storyboard labels of every job changed (a board was saved or generated)."""
        fresh = {k: tuple(v) for k, v in boards.items() if v}
        if fresh == self._boards:
            return
        changed = set(fresh) ^ set(self._boards) | {
            k for k in fresh if self._boards.get(k) != fresh[k]
        }
        self._boards = fresh
        for job_id in changed & set(self._by_job):
            labels = fresh.get(job_id, ())
            self._by_job[job_id] = [replace(i, boards=labels) for i in self._by_job[job_id]]
        self._apply()

    def boards_of(self, job_id: str) -> tuple[str, ...]:
        return self._boards.get(job_id, ())

    def update_job(self, job: Job, boards: Sequence[str] | None = None) -> None:
        """A job was added or changed (``boards``: its storyboard labels, when known)."""
        if boards is not None:
            if boards:
                self._boards[job.id] = tuple(boards)
            else:
                self._boards.pop(job.id, None)
        old, new = self._by_job.get(job.id), items_of(job, self._boards.get(job.id, ()))
        self._by_job[job.id] = new
        if old is not None and self._same_place(old, new):
            # the common case (a state or a cost changed): repaint its cards, no re-query
            rows = [self._row_of[i.key] for i in new if i.key in self._row_of]
            for item in new:
                if item.key in self._row_of:
                    self._rows[self._row_of[item.key]] = item
            if rows:
                self.dataChanged.emit(self.index(min(rows)), self.index(max(rows)))
            return
        self._apply()

    def _same_place(self, old: list[LibraryItem], new: list[LibraryItem]) -> bool:
        """Whether ``new`` is shown exactly where ``old`` was: same results, same filter verdict,
        same sort keys."""
        if [i.key for i in old] != [i.key for i in new]:
            return False
        accepts = self._query.accepts
        return all(
            accepts(a) == accepts(b)
            and (a.created_at, a.cost, a.duration) == (b.created_at, b.cost, b.duration)
            for a, b in zip(old, new, strict=True)
        )

    def remove_job(self, job_id: str) -> None:
        if self._by_job.pop(job_id, None) is not None:
            self._apply()

    def set_query(self, query: LibraryQuery) -> None:
        if query != self._query:
            self._query = query
            self._apply()

    def set_favourite(self, job_id: str, favourite: bool) -> None:
        items = self._by_job.get(job_id)
        if not items:
            return
        self._by_job[job_id] = [replace(i, favourite=favourite) for i in items]
        self._apply()

    def _apply(self, force_reset: bool = False) -> None:
        rows = apply_query(self.all_items(), self._query)
        old_keys = [i.key for i in self._rows]
        new_keys = [i.key for i in rows]
        if not force_reset and old_keys == new_keys:
            changed = [n for n, (a, b) in enumerate(zip(self._rows, rows, strict=True)) if a != b]
            self._rows = rows
            if changed:
                self.dataChanged.emit(self.index(min(changed)), self.index(max(changed)))
            return
        if not force_reset and set(old_keys) == set(new_keys):
            self._reorder(rows)
            return
        self.beginResetModel()
        self._rows = rows
        self._row_of = {key: n for n, key in enumerate(new_keys)}
        self.endResetModel()

    def _reorder(self, rows: list[LibraryItem]) -> None:
        self.layoutAboutToBeChanged.emit()
        row_of = {item.key: n for n, item in enumerate(rows)}
        old = self.persistentIndexList()
        new = [self.index(row_of[self._rows[i.row()].key], 0) for i in old]
        self._rows, self._row_of = rows, row_of
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()
