"""The Library: every result as a card, searchable by prompt, filtered, sorted, previewed.

The view takes plain data and callables, not the engine: a ``jobs`` provider, a prompt ``search``
returning job ids, an optional ``export``. What the user asks for leaves as signals; the window
decides what they mean.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from pathlib import Path

import platformdirs
from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.runware.catalog import Catalog
from gui.studio.jobs import Job
from gui.ui.actions import panel_action
from gui.ui.library.export import export_result
from gui.ui.library.items import LibraryItem, LibraryQuery, ResultKey
from gui.ui.library.library_delegate import LibraryDelegate
from gui.ui.library.library_filters import LibraryFilterBar, SearchFn
from gui.ui.library.library_grid import LibraryGrid
from gui.ui.library.library_model import LibraryModel
from gui.ui.library.preview import PreviewPlayer
from gui.ui.library.thumbnail_cache import ThumbnailCache
from gui.ui.library.thumbnails import ThumbnailLoader

__all__ = ["LibraryView", "default_thumbnails"]

log = logging.getLogger(__name__)

HOVER_DELAY_MS = 250
ExportFn = Callable[[str, int, Path], Iterable[Path] | Awaitable[Iterable[Path]]]
# the storyboard shots jobs are takes of, as labels ("Rain · shot 2"): every job's, or these ids'
BoardsFn = Callable[[list[str] | None], Mapping[str, Sequence[str]]]


def default_thumbnails(cap_mb: float = 200.0) -> ThumbnailLoader:
    """A loader with its disk cache in the user's cache folder."""
    folder = platformdirs.user_cache_path("sora-studio") / "thumbnails"
    return ThumbnailLoader(ThumbnailCache(folder, cap_mb))


class LibraryView(QWidget):
    """The library tab. See the module docstring; signals carry (job_id, result index)."""

    result_activated = Signal(str, int)  # double-click or Enter: open it in the player
    compare_requested = Signal(list)  # [(job_id, index), ...], 2 to 4 of them
    favourite_toggled = Signal(str, bool)
    continue_requested = Signal(str, int)  # continue from this result's last frame
    lineage_requested = Signal(str)  # show this job's family
    exported = Signal(list)  # paths written
    notice = Signal(str)  # a sentence for the status bar

    def __init__(
        self,
        jobs: Callable[[], Iterable[Job]] | None = None,
        search: SearchFn | None = None,
        *,
        catalog: Catalog | None = None,
        thumbnails: ThumbnailLoader | None = None,
        export: ExportFn | None = None,
        boards: BoardsFn | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._jobs, self._search, self._export = jobs, search, export
        self._boards = boards
        self.model = LibraryModel(catalog, self)
        self.thumbnails = thumbnails or default_thumbnails()
        self.preview = PreviewPlayer(parent=self)
        self._kept: tuple[list[ResultKey], ResultKey | None] = ([], None)
        self._export_task: asyncio.Future[list[Path]] | None = None
        self._build_filters()
        self._build_grid()
        self._build_actions()
        self._build_layout()
        self._wire()
        if jobs is not None:
            self.refresh()

    # ---- building
    def _build_filters(self) -> None:
        self.filters = LibraryFilterBar(self.model.catalog, self._search, self._plain_search, self)
        self.search_box = self.filters.search_box
        self.count_label = self.filters.count_label
        self._hover_timer = QTimer(self, singleShot=True, interval=HOVER_DELAY_MS)

    def _build_grid(self) -> None:
        self.grid = LibraryGrid(self)
        self.grid.setModel(self.model)
        self.delegate = LibraryDelegate(
            self.thumbnails,
            self.preview,
            self.model.model_name,
            self.grid,
            card=lambda: self.grid.card,
        )
        self.grid.setItemDelegate(self.delegate)
        self.grid.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.empty_label = QLabel("No results yet. Generated videos appear here.")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def _build_actions(self) -> None:
        def action(text: str, slot: Callable[[], None], shortcut: str | None = None) -> QAction:
            return panel_action(self, text, slot, shortcut)

        self.play_action = action("Play", self._on_play)
        self.compare_action = action("Compare", self._on_compare, "Ctrl+D")
        self.continue_action = action("Continue from last frame", self._on_continue)
        self.lineage_action = action("Show family", self._on_lineage, "Ctrl+Shift+L")
        self.export_action = action("Export…", self._on_export, "Ctrl+E")
        self.favourite_action = action("Favourite", self._on_favourite_action, "Ctrl+B")
        self.copy_prompt_action = action("Copy prompt", self._on_copy_prompt)
        self.compare_button = QToolButton()
        self.compare_button.setDefaultAction(self.compare_action)
        self.export_button = QToolButton()
        self.export_button.setDefaultAction(self.export_action)

    def _build_layout(self) -> None:
        self.filters.add_trailing(self.compare_button)
        self.filters.add_trailing(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.filters)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.empty_label, 1)

    def _wire(self) -> None:
        self.filters.query_changed.connect(self._on_query_changed)
        self.grid.activated.connect(self._on_activated)
        self.grid.customContextMenuRequested.connect(self._on_context_menu)
        self.grid.hovered_changed.connect(self._on_hovered)
        self.grid.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self._hover_timer.timeout.connect(self._update_preview)
        self.delegate.favourite_clicked.connect(self._on_star_clicked)
        self.thumbnails.thumbnail_ready.connect(self.grid.viewport().update)
        self.preview.frame_changed.connect(self._repaint_key)
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self.model.modelReset.connect(self._restore_selection)
        self.model.modelReset.connect(self._update_counts)
        self.model.layoutChanged.connect(self._update_counts)
        self._update_counts()
        self._on_selection_changed()

    # ---- feeding it
    def refresh(self) -> None:
        """Read every job again from the ``jobs`` provider."""
        if self._jobs is not None:
            self.set_jobs(self._jobs())

    def set_jobs(self, jobs: Iterable[Job]) -> None:
        self.model.set_jobs(jobs, self._boards(None) if self._boards else None)
        self._add_unknown_models()
        self.filters.search_again()

    def _add_unknown_models(self) -> None:
        self.filters.add_models(self.model.models_present(), self.model.model_name)

    def update_job(self, job: Job) -> None:
        """A job was added or changed (wire to the engine's job_added / job_changed)."""
        is_new = not self.model.job_items(job.id)
        boards = None
        if self._boards is not None and not self.model.boards_of(job.id):
            # a board's take is tied to its job just after the job is added: ask until known
            boards = self._boards([job.id]).get(job.id, ())
        self.model.update_job(job, boards)
        if is_new:
            self._add_unknown_models()
            self.filters.search_again()  # its prompt may match the current search

    def refresh_boards(self) -> None:
        """Read again which storyboard shots the jobs are takes of."""
        if self._boards is not None:
            self.model.set_boards(self._boards(None))

    def remove_job(self, job_id: str) -> None:
        if self.preview.key and self.preview.key[0] == job_id:
            self.preview.stop()
        self.model.remove_job(job_id)

    # ---- reading it
    def selected_items(self) -> list[LibraryItem]:
        rows = sorted(i.row() for i in self.grid.selectionModel().selectedIndexes())
        return [self.model.item(r) for r in rows]

    def selected_results(self) -> list[ResultKey]:
        return [i.key for i in self.selected_items()]

    def select_result(self, job_id: str, index: int = 0) -> bool:
        found = self.model.index_of((job_id, index))
        if not found.isValid():
            return False
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.grid.selectionModel().setCurrentIndex(found, flags)
        self.grid.scrollTo(found)
        return True

    def query(self) -> LibraryQuery:
        return self.model.query

    # ---- search and filters
    def set_search_text(self, text: str) -> None:
        """Type into the search box (the search runs after the usual short pause)."""
        self.filters.set_search_text(text)

    def search_now(self) -> None:
        """Run the search without waiting for the pause."""
        self.filters.search_now()

    def _plain_search(self, text: str) -> list[str]:
        words = text.lower().split()
        return [
            i.job_id for i in self.model.all_items() if all(w in i.prompt.lower() for w in words)
        ]

    def _on_query_changed(self, query: LibraryQuery) -> None:
        self.model.set_query(query)
        self._update_counts()

    def _update_counts(self) -> None:
        shown, total = self.model.rowCount(), self.model.total()
        self.count_label.setText(
            f"{shown} result{'s' if shown != 1 else ''}"
            if shown == total
            else f"{shown} of {total} results"
        )
        self.grid.setVisible(shown > 0)
        self.empty_label.setVisible(shown == 0)
        self.empty_label.setText(
            "No results yet. Generated videos appear here."
            if total == 0
            else "Nothing matches. Clear the search or the filters."
        )

    # ---- selection survives a reset
    def _remember_selection(self) -> None:
        current = self.grid.currentIndex()
        self._kept = (
            self.selected_results(),
            self.model.item(current.row()).key if current.isValid() else None,
        )

    def _restore_selection(self) -> None:
        keys, current = self._kept
        selection = self.grid.selectionModel()
        for key in keys:
            index = self.model.index_of(key)
            if index.isValid():
                selection.select(index, QItemSelectionModel.SelectionFlag.Select)
        if current is not None and (index := self.model.index_of(current)).isValid():
            selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
        if self.preview.key is not None and self.model.row_of(self.preview.key) is None:
            self.preview.stop()

    # ---- the user's actions
    def _on_activated(self, index: QModelIndex) -> None:
        item = self.grid.item_at(index)
        if item is not None and item.playable:
            self.result_activated.emit(item.job_id, item.index)

    def _on_play(self) -> None:
        self._on_activated(self.grid.currentIndex())

    def _on_compare(self) -> None:
        keys = [i.key for i in self.selected_items() if i.playable]
        if 2 <= len(keys) <= 4:
            self.compare_requested.emit(keys)
        else:
            self.notice.emit("Select two to four finished results to compare.")

    def _on_continue(self) -> None:
        item = self.grid.item_at(self.grid.currentIndex())
        if item is not None and item.playable:
            self.continue_requested.emit(item.job_id, item.index)

    def _on_lineage(self) -> None:
        item = self.grid.item_at(self.grid.currentIndex())
        if item is not None:
            self.lineage_requested.emit(item.job_id)

    def _on_export(self) -> None:
        if not any(i.playable for i in self.selected_items()):
            self.notice.emit("Select a finished result to export.")
            return
        folder = QFileDialog.getExistingDirectory(self, "Export to folder")
        if folder:
            self._export_task = asyncio.ensure_future(self.export_selected(Path(folder)))

    async def export_selected(self, folder: Path) -> list[Path]:
        """Save each selected result with its sidecar JSON into ``folder``.

        Uses the injected ``export`` (which may be a coroutine function, like the library's)
        or, without one, copies the files here."""
        written: list[Path] = []
        for item in [i for i in self.selected_items() if i.playable]:
            try:
                if self._export is None:
                    written += await asyncio.to_thread(export_result, item, folder)
                    continue
                files = self._export(item.job_id, item.index, folder)
                written += list(await files if inspect.isawaitable(files) else files)
            except OSError as exc:
                self.notice.emit(f"Could not export “{item.prompt[:40]}”: {exc}")
        if written:
            self.notice.emit(f"Exported {len(written)} files to {folder}.")
            self.exported.emit([str(p) for p in written])
        return written

    def _on_star_clicked(self, index: QModelIndex) -> None:
        item = self.grid.item_at(index)
        if item is not None:
            self.toggle_favourite(item.job_id)

    def _on_favourite_action(self) -> None:
        for job_id in dict.fromkeys(i.job_id for i in self.selected_items()):
            self.toggle_favourite(job_id)

    def toggle_favourite(self, job_id: str) -> bool:
        """Flip a job's star; says ``favourite_toggled`` and returns the new value."""
        items = self.model.job_items(job_id)
        if not items:
            return False
        favourite = not items[0].favourite
        self.model.set_favourite(job_id, favourite)
        self._update_counts()
        self.favourite_toggled.emit(job_id, favourite)
        return favourite

    def _on_copy_prompt(self) -> None:
        items = self.selected_items()
        if items:
            QGuiApplication.clipboard().setText(items[0].prompt)

    def _on_context_menu(self, pos: QPoint) -> None:
        index = self.grid.indexAt(pos)
        if index.isValid() and not self.grid.selectionModel().isSelected(index):
            self.grid.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
        menu = QMenu(self)
        for act in (self.play_action, self.compare_action, self.continue_action):
            menu.addAction(act)
        menu.addAction(self.lineage_action)
        menu.addSeparator()
        for act in (self.favourite_action, self.copy_prompt_action, self.export_action):
            menu.addAction(act)
        menu.popup(self.grid.viewport().mapToGlobal(pos))

    def _on_selection_changed(self, *_: object) -> None:
        items = self.selected_items()
        playable = [i for i in items if i.playable]
        one = len(items) == 1
        self.play_action.setEnabled(one and bool(playable))
        self.compare_action.setEnabled(2 <= len(playable) <= 4)
        self.compare_action.setText(
            f"Compare ({len(playable)})" if len(playable) > 1 else "Compare"
        )
        self.continue_action.setEnabled(one and bool(playable))
        self.lineage_action.setEnabled(one)
        self.export_action.setEnabled(bool(playable))
        self.favourite_action.setEnabled(bool(items))
        if items:
            starred = all(i.favourite for i in items)
            self.favourite_action.setText("Remove from favourites" if starred else "Favourite")
        if self.grid.hovered is None:
            self._update_preview()

    # ---- the one preview
    def _on_hovered(self, key: ResultKey | None) -> None:
        self._hover_timer.start()  # wait until the mouse rests, then play

    def _update_preview(self) -> None:
        key = self.grid.hovered
        if key is None:
            current = self.grid.currentIndex()
            selected = (
                self.grid.selectionModel().isSelected(current) if current.isValid() else False
            )
            key = self.model.item(current.row()).key if selected else None
        row = self.model.row_of(key) if key else None
        item = self.model.item(row) if row is not None else None
        if item is None or not item.playable:
            self.preview.stop()
            return
        self.preview.play(item.key, str(item.video_path))

    def _repaint_key(self, key: ResultKey) -> None:
        index = self.model.index_of(key)
        if index.isValid():
            self.grid.update(index)

    def hideEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        self.preview.stop()  # nothing plays in a hidden tab
        super().hideEvent(event)
