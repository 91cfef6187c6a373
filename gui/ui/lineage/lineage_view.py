"""A result's family as a tree: where it came from, what was made from it, and how.

The tree is computed by :func:`gui.studio.lineage.family_of` from plain jobs; this view only
shows it. Each row has the job's thumbnail, a prompt excerpt and the kind of link to its parent;
the job the family was opened for is bold and selected. Clicking a row says ``job_selected``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence

from PySide6.QtCore import QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QPainter,
    QPalette,
    QPixmap,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from gui.runware.catalog import Catalog, default_catalog
from gui.studio.jobs import Job, prompt_excerpt
from gui.studio.lineage import Family, FamilyNode, family_of
from gui.ui.library.thumbnails import ThumbnailLoader, thumbnail_source

__all__ = ["LINK_WORDS", "LineageView"]

JobIdRole = Qt.ItemDataRole.UserRole + 1
SourceRole = Qt.ItemDataRole.UserRole + 2

LINK_WORDS = {
    None: "Original",
    "remix": "Remix",
    "extend": "Extension",
    "retry": "Retry",
    "lastFrame": "From its last frame",
    "firstFrame": "From a frame",
}
COLUMNS = ("Result", "Made as", "Storyboard", "Model", "State", "Created")
ICON = QSize(96, 54)
RESULT_TEXT_WIDTH = 150  # the prompt's first words beside the thumbnail


class LineageView(QWidget):
    """The family tree of one job. ``show_job(job_id)`` opens it; clicking a row emits
    ``job_selected(job_id)``."""

    job_selected = Signal(str)

    def __init__(
        self,
        jobs: Callable[[], Iterable[Job]] | None = None,
        *,
        thumbnails: ThumbnailLoader | None = None,
        catalog: Catalog | None = None,
        frame_sources: Callable[[], Mapping[str, str]] | None = None,
        boards: Callable[[list[str]], Mapping[str, Sequence[str]]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._jobs, self._frame_sources, self._boards_of = jobs, frame_sources, boards
        self._boards: Mapping[str, Sequence[str]] = {}
        self.thumbnails = thumbnails
        self.catalog = catalog or default_catalog()
        self.family: Family | None = None
        self._by_id: dict[str, Job] = {}
        self._items: dict[str, QStandardItem] = {}
        self._build()
        if thumbnails is not None:
            thumbnails.thumbnail_ready.connect(self._on_thumbnail)

    def _build(self) -> None:
        self.title = QLabel("Choose a result to see its family.")
        self.title.setWordWrap(True)
        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
        self.tree = QTreeView(self)
        self.tree.setModel(self.model)
        self.tree.setIconSize(ICON)
        self.tree.setUniformRowHeights(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        # the Result column keeps room for its thumbnail and some words; in a narrow pane the
        # tree scrolls sideways instead of crushing it (a stretched first column got ~20 px)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, self.result_column_width())
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.clicked.connect(self._on_clicked)
        self.tree.activated.connect(self._on_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.tree, 1)

    def result_column_width(self, depth: int = 2) -> int:
        """Room for a row ``depth`` levels deep: indentation, thumbnail, and some words."""
        return (depth + 1) * self.tree.indentation() + ICON.width() + RESULT_TEXT_WIDTH

    # ---- public
    def show_job(self, job_id: str, jobs: Iterable[Job] | None = None) -> Family:
        """Show the family of ``job_id`` (from ``jobs``, or the ``jobs`` provider)."""
        if jobs is None:
            if self._jobs is None:
                raise ValueError("no jobs were given and there is no jobs provider")
            jobs = self._jobs()
        self._by_id = {j.id: j for j in jobs}
        sources = self._frame_sources() if self._frame_sources else None
        self.family = family_of(job_id, self._by_id.values(), sources)
        self._fill(self.family)
        return self.family

    def refresh(self) -> None:
        """Rebuild the tree for the same job (e.g. after a job was added)."""
        if self.family is not None:
            self.show_job(self.family.focus)

    def index_of(self, job_id: str) -> QModelIndex:
        item = self._items.get(job_id)
        return item.index() if item is not None else QModelIndex()

    def shown_tree(self) -> tuple[object, ...]:
        """The tree as shown, as nested ``(job_id, link words, children)`` (for tests)."""

        def walk(parent: QStandardItem) -> tuple[object, ...]:
            rows = []
            for row in range(parent.rowCount()):
                item = parent.child(row, 0)
                link = parent.child(row, 1).text()
                rows.append((item.data(JobIdRole), link, walk(item)))
            return tuple(rows)

        return walk(self.model.invisibleRootItem())

    # ---- private
    def _fill(self, family: Family) -> None:
        members = [n.job_id for n in family.nodes()]
        self._boards = self._boards_of(members) if self._boards_of else {}
        self.model.removeRows(0, self.model.rowCount())
        self._items.clear()
        self._add(self.model.invisibleRootItem(), family.root, family.focus)
        self.tree.expandAll()
        deepest = max(n.depth for n in family.nodes())
        wanted = self.result_column_width(deepest)
        if self.tree.columnWidth(0) < wanted:
            self.tree.setColumnWidth(0, wanted)
        focus = self.index_of(family.focus)
        self.tree.setCurrentIndex(focus)
        self.tree.scrollTo(focus)
        generations = 1 + max(n.depth for n in family.nodes())
        count = len(family)
        focus_job = self._by_id[family.focus]
        self.title.setText(
            f"Family of “{prompt_excerpt(focus_job.spec.prompt, 60)}”: {count} "
            f"job{'s' if count != 1 else ''} over {generations} "
            f"generation{'s' if generations != 1 else ''}."
            + "".join(f" On storyboard {label}." for label in self._boards.get(family.focus, ()))
        )

    def _add(self, parent: QStandardItem, node: FamilyNode, focus: str) -> None:
        job = self._by_id[node.job_id]
        ready = job.ready_results
        label = prompt_excerpt(job.spec.prompt, 70)
        if len(ready) > 1:
            label += f"  ({len(ready)} videos)"
        main = QStandardItem(label)
        main.setData(node.job_id, JobIdRole)
        main.setToolTip(job.spec.prompt)
        source = thumbnail_source(ready[0].thumbnail_path, ready[0].local_path) if ready else None
        main.setData(source, SourceRole)
        self._set_icon(main, source)
        spec = self.catalog.get(job.spec.model)
        created = dt.datetime.fromtimestamp(job.created_at).strftime("%d %b %Y %H:%M")
        boards = ", ".join(self._boards.get(node.job_id, ()))
        if boards:
            main.setToolTip(f"{job.spec.prompt}\nStoryboard: {boards}")
        cells = [
            main,
            QStandardItem(LINK_WORDS.get(node.link, str(node.link))),
            QStandardItem(boards or "—"),
            QStandardItem(spec.name if spec else job.spec.model),
            QStandardItem(job.state.value.capitalize()),
            QStandardItem(created),
        ]
        if node.job_id == focus:
            bold = QFont(self.font())
            bold.setBold(True)
            tint = self.palette().color(QPalette.ColorRole.Highlight)
            tint.setAlpha(45)
            for cell in cells:
                cell.setFont(bold)
                cell.setBackground(QBrush(tint))
            cells[0].setText("▸ " + label)
        parent.appendRow(cells)
        self._items[node.job_id] = main
        for child in node.children:
            self._add(main, child, focus)

    def _set_icon(self, item: QStandardItem, source: str | None) -> None:
        """The thumbnail letterboxed into a fixed box, so every row lines up."""
        canvas = QPixmap(ICON)
        canvas.fill(QColor(28, 28, 32))
        picture = self.thumbnails.pixmap(source) if (self.thumbnails and source) else None
        if picture is not None:
            scaled = picture.scaled(
                ICON, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
            painter = QPainter(canvas)
            painter.drawPixmap(
                (ICON.width() - scaled.width()) // 2, (ICON.height() - scaled.height()) // 2, scaled
            )
            painter.end()
        item.setData(canvas, Qt.ItemDataRole.DecorationRole)

    def _on_thumbnail(self, source: str) -> None:
        for item in self._items.values():
            if item.data(SourceRole) == source:
                self._set_icon(item, source)

    def _on_clicked(self, index: QModelIndex) -> None:
        job_id = index.siblingAtColumn(0).data(JobIdRole)
        if job_id:
            self.job_selected.emit(job_id)
