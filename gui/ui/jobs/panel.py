"""The jobs side panel: state filter, search, the painted list and the actions on a job.

The panel does not talk to the studio. It announces what the user asked for (``cancel_requested``
…) and the window carries it out; copying to the clipboard is the only thing it does itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSize,
    Qt,
    Signal,
    SignalInstance,
)
from PySide6.QtGui import (
    QAction,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QMenu,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.runware.catalog import Catalog, ModelSpec
from gui.studio.jobs import Job, JobState, prompt_excerpt
from gui.ui.actions import panel_action
from gui.ui.jobs.delegate import THUMB_SIZE, JobDelegate
from gui.ui.jobs.model import JobListModel
from gui.ui.jobs.proxy import JobFilterProxy, StateFilter
from gui.ui.jobs.thumbnails import ThumbnailCache
from gui.ui.labels import REMIX_TEXT, REMIX_TIP, RUNNING_STATES

__all__ = ["JobListView", "JobsPanel", "request_json"]

Confirm = Callable[[QWidget, str], bool]


def request_json(job: Job, sent: dict[str, Any] | None = None) -> str:
    """The job's videoInference task as JSON: as it was sent (``sent``, from the journal, with
    the real image references) or else as it will be sent. Never an API key."""
    body = sent if sent is not None else job.spec.to_task(job.task_uuid).to_wire()
    return json.dumps(_without_key(body), indent=2, ensure_ascii=False)


def _without_key(value: Any) -> Any:
    # a task never carries the key; this makes sure a copied request cannot either
    if isinstance(value, dict):
        return {k: _without_key(v) for k, v in value.items() if k.lower() != "apikey"}
    if isinstance(value, list):
        return [_without_key(v) for v in value]
    return value


def confirm_with_dialog(parent: QWidget, text: str) -> bool:
    answer = QMessageBox.question(
        parent,
        "Delete from library",
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


class JobListView(QListView):
    """A list view that plays on Enter and deletes on Delete."""

    activated_job = Signal()
    delete_pressed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # The view paints its whole viewport (the Base colour, then the rows), so a repaint of
        # the list stops there: without this the theme's rounded, styled frame made Qt paint
        # the window, the dock and the panel beneath it at every change (a third of the cost).
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        # … and so does its scroll bar (the theme fills it whole): its range changes with every
        # block of new jobs, and the dock, the panel and the list's frame beneath it were
        # repainted each time. The bar sits in a container of the scroll area's own.
        bar_box = self.verticalScrollBar().parentWidget()
        if bar_box is not None:
            bar_box.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)

    def paintEvent(self, event: QPaintEvent) -> None:
        viewport = self.viewport()
        painter = QPainter(viewport)
        painter.fillRect(event.rect(), viewport.palette().color(QPalette.ColorRole.Base))
        painter.end()
        super().paintEvent(event)

    def dataChanged(
        self,
        top_left: QModelIndex | QPersistentModelIndex,
        bottom_right: QModelIndex | QPersistentModelIndex,
        roles: Sequence[int] = (),
    ) -> None:
        # QListView repaints every visible row when one changes; a download's progress and the
        # elapsed time of running jobs change one row many times a second: repaint just it.
        if top_left == bottom_right and top_left.isValid():
            self.viewport().update(self.visualRect(top_left))
            return
        super().dataChanged(top_left, bottom_right, list(roles))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated_job.emit()
            event.accept()
            return
        if event.matches(QKeySequence.StandardKey.Delete) or event.key() == Qt.Key.Key_Delete:
            self.delete_pressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class JobsPanel(QWidget):
    """Lists jobs newest first and offers what can be done with the selected one."""

    current_job_changed = Signal(object)  # Job | None
    play_requested = Signal(str)
    cancel_requested = Signal(str)
    retry_requested = Signal(str)
    retry_with_requested = Signal(str, str)  # job id, the AIR of the model to try instead
    remix_requested = Signal(str)
    reveal_requested = Signal(str)
    delete_requested = Signal(str)  # already confirmed by the user

    def __init__(
        self, model: JobListModel, catalog: Catalog, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("JobsPanel")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # the theme paints it
        self._model = model
        self._catalog = catalog
        self.confirm: Confirm = confirm_with_dialog  # replaceable, e.g. by tests
        self.sent_request: Callable[[str], dict[str, Any] | None] | None = None  # job id → request
        # job id → the live model to try instead, for a job whose model Runware no longer offers
        self.alternative: Callable[[str], ModelSpec | None] | None = None
        self._alternative_air: str | None = None
        self.thumbnails = ThumbnailCache(THUMB_SIZE * 2, parent=self)
        self.thumbnails.loaded.connect(model.thumbnail_loaded)
        self.proxy = JobFilterProxy(self)
        self.proxy.setSourceModel(model)
        self._build_actions()
        self._build_filters()
        self._build_list()
        self._build_buttons()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addLayout(self._filter_row)
        layout.addWidget(self.search)
        layout.addWidget(self.view, 1)
        layout.addLayout(self._button_row)
        self._update_actions()

    # ------------------------------------------------------------------ building
    def _build_actions(self) -> None:
        def action(text: str, slot: Callable[[], None], shortcut: str | None = None) -> QAction:
            return panel_action(self, text, slot, shortcut)

        self.play_action = action("Play", self._on_play)
        self.cancel_action = action("Cancel", self._on_cancel)
        self.retry_action = action("Retry", self._on_retry)
        self.remix_action = action(REMIX_TEXT, self._on_remix)
        self.reveal_action = action("Reveal in folder", self._on_reveal)
        self.copy_video_id_action = action("Copy videoId", self._on_copy_video_id)
        self.copy_request_action = action("Copy request JSON", self._on_copy_request)
        self.delete_action = action("Delete from library…", self._on_delete)
        # buttons show the short icon text; menus the full text
        for act, short in (
            (self.remix_action, "Remix"),
            (self.reveal_action, "Reveal"),
            (self.delete_action, "Delete"),
        ):
            act.setIconText(short)
        self.cancel_action.setToolTip("Stop waiting for this job (Runware may still bill it)")
        self.reveal_action.setToolTip("Show the video file in its folder")
        self.delete_action.setToolTip("Delete the job and its videos (Delete)")
        self.retry_action.setToolTip("Send the same request again as a new job")
        self.remix_action.setToolTip(REMIX_TIP)

    def _build_filters(self) -> None:
        self._filter_row = QHBoxLayout()
        self._filter_row.setSpacing(0)
        self.filter_buttons = QButtonGroup(self)
        self.filter_buttons.setExclusive(True)
        for i, state in enumerate(StateFilter):
            button = QToolButton(self)
            button.setText(state.value)
            button.setCheckable(True)
            button.setChecked(state is StateFilter.ALL)
            button.setObjectName("FilterButton")
            button.setProperty("segment", "first" if i == 0 else ("last" if i == 3 else "mid"))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.clicked.connect(lambda _=False, s=state: self.set_state_filter(s))
            self.filter_buttons.addButton(button, i)
            self._filter_row.addWidget(button, 1)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search prompts, models, video IDs…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.set_text_filter)

    def _build_list(self) -> None:
        self.view = JobListView(self)
        self.view.setObjectName("JobList")
        self.view.setModel(self.proxy)
        self.view.setItemDelegate(JobDelegate(self._model, self.thumbnails, self.view))
        self.view.setUniformItemSizes(True)  # what keeps 10,000 rows cheap
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setDragEnabled(True)  # a result onto the Storyboard
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._show_context_menu)
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.view.doubleClicked.connect(lambda _i: self._on_play())
        self.view.activated_job.connect(self._on_play)
        self.view.delete_pressed.connect(self._on_delete)
        self.proxy.dataChanged.connect(self._on_rows_changed)
        self.proxy.rowsRemoved.connect(lambda *_: self._sync_current())
        self.proxy.modelReset.connect(self._sync_current)
        self.proxy.layoutChanged.connect(self._sync_current)

    def _build_buttons(self) -> None:
        self._button_row = QHBoxLayout()
        self._button_row.setSpacing(4)
        for act in (self.cancel_action, self.retry_action, self.remix_action, self.reveal_action):
            button = QToolButton(self)
            button.setDefaultAction(act)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            self._button_row.addWidget(button)
        self._button_row.addStretch(1)
        delete = QToolButton(self)
        delete.setDefaultAction(self.delete_action)
        delete.setObjectName("DangerButton")
        self._button_row.addWidget(delete)

    # ------------------------------------------------------------------ public
    def sizeHint(self) -> QSize:
        return QSize(400, 600)

    def minimumSizeHint(self) -> QSize:
        return QSize(300, 200)

    def current_job(self) -> Job | None:
        index = self.view.currentIndex()
        return self.proxy.job_at(index.row()) if index.isValid() else None

    def select_job(self, job_id: str) -> bool:
        source = self._model.index_of(job_id)
        index = self.proxy.mapFromSource(source) if source.isValid() else QModelIndex()
        if not index.isValid():
            return False
        self.view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self.view.scrollTo(index)
        return True

    def set_state_filter(self, state: StateFilter | str) -> None:
        state = StateFilter(state)
        self.proxy.set_state_filter(state)
        button = self.filter_buttons.button(list(StateFilter).index(state))
        if button is not None and not button.isChecked():
            button.setChecked(True)
        self._sync_current()

    # ------------------------------------------------------------------ reactions
    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._update_actions()
        job = self.proxy.job_at(current.row()) if current.isValid() else None
        self.current_job_changed.emit(job)

    def _on_rows_changed(
        self, top_left: QModelIndex, bottom_right: QModelIndex, *_: object
    ) -> None:
        current = self.view.currentIndex()
        if current.isValid() and top_left.row() <= current.row() <= bottom_right.row():
            self._update_actions()

    def _sync_current(self) -> None:
        self._update_actions()
        if not self.view.currentIndex().isValid():
            self.current_job_changed.emit(None)

    def _update_actions(self) -> None:
        job = self.current_job()
        state = job.state if job else None
        model = self._catalog.get(job.spec.model) if job else None
        has_video_id = bool(job and any(r.video_id for r in job.results))
        self.play_action.setEnabled(bool(job and job.ready_results))
        self.cancel_action.setEnabled(state in RUNNING_STATES)
        self.retry_action.setEnabled(bool(state and state.is_final))
        other = self.alternative(job.id) if job and self.alternative else None
        self._alternative_air = other.air if other else None
        self.retry_action.setText(f"Try with {other.name}" if other else "Retry")
        self.retry_action.setIconText(f"Try {other.name}" if other else "Retry")
        self.retry_action.setToolTip(
            f"Runware no longer offers {model.name if model else 'this model'}: make the same "
            f"job with {other.name}"
            if other
            else "Send the same request again as a new job"
        )
        self.remix_action.setEnabled(
            state is JobState.READY and has_video_id and bool(model and model.accepts_video_id)
        )
        self.reveal_action.setEnabled(bool(job and any(r.local_path for r in job.results)))
        self.copy_video_id_action.setEnabled(has_video_id)
        self.copy_request_action.setEnabled(job is not None)
        self.delete_action.setEnabled(job is not None)

    def _show_context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if not index.isValid():
            return
        self.view.setCurrentIndex(index)
        menu = QMenu(self)
        menu.addAction(self.play_action)
        menu.addSeparator()
        for act in (self.cancel_action, self.retry_action, self.remix_action):
            menu.addAction(act)
        menu.addSeparator()
        for act in (self.reveal_action, self.copy_video_id_action, self.copy_request_action):
            menu.addAction(act)
        menu.addSeparator()
        menu.addAction(self.delete_action)
        menu.popup(self.view.viewport().mapToGlobal(pos))

    def _emit_for_current(self, signal: SignalInstance) -> None:
        job = self.current_job()
        if job is not None:
            signal.emit(job.id)

    def _on_play(self) -> None:
        job = self.current_job()
        if job is not None and job.ready_results:
            self.play_requested.emit(job.id)

    def _on_cancel(self) -> None:
        if self.cancel_action.isEnabled():
            self._emit_for_current(self.cancel_requested)

    def _on_retry(self) -> None:
        job = self.current_job()
        if not self.retry_action.isEnabled() or job is None:
            return
        if self._alternative_air is not None:
            self.retry_with_requested.emit(job.id, self._alternative_air)
        else:
            self.retry_requested.emit(job.id)

    def _on_remix(self) -> None:
        if self.remix_action.isEnabled():
            self._emit_for_current(self.remix_requested)

    def _on_reveal(self) -> None:
        if self.reveal_action.isEnabled():
            self._emit_for_current(self.reveal_requested)

    def _on_copy_video_id(self) -> None:
        job = self.current_job()
        ids = [r.video_id for r in job.results if r.video_id] if job else []
        if ids:
            QGuiApplication.clipboard().setText("\n".join(ids))

    def _on_copy_request(self) -> None:
        job = self.current_job()
        if job is not None:
            sent = self.sent_request(job.id) if self.sent_request else None
            QGuiApplication.clipboard().setText(request_json(job, sent))

    def _on_delete(self) -> None:
        job = self.current_job()
        if job is None:
            return
        excerpt = prompt_excerpt(job.spec.prompt, 80)
        note = ""
        if job.state in RUNNING_STATES:
            note = "\n\nIt is still running; Runware may still bill it."
        text = f"Delete this job and its videos from the library?\n\n“{excerpt}”{note}"
        if self.confirm(self, text):
            self.delete_requested.emit(job.id)
