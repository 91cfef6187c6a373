"""The board as a row of shot cards on a timeline (card width ∝ duration).

Cards move by drag and drop (a real :class:`QDrag` carrying the shot's index); a result dragged
out of the jobs list or the library (``RESULTS_MIME_TYPE``) dropped on the row becomes a card.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QByteArray, QMimeData, QPoint, Qt, Signal
from PySide6.QtGui import QDrag, QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QScrollArea, QWidget

from gui.runware.catalog import Catalog
from gui.studio.session import ShotView
from gui.ui.mime import RESULTS_MIME_TYPE
from gui.ui.storyboard.shot_card import ShotCard

__all__ = ["SHOT_MIME_TYPE", "BoardStrip"]

SHOT_MIME_TYPE = "application/x-sora-studio-shot"
MIN_CARD_WIDTH = 220  # the shortest shot's card; the others are wider in proportion
MAX_PX_PER_SECOND = 140


INDICATOR_WIDTH = 4


class _Row(QWidget):
    """The cards' row; takes the drops (cards and results), showing where one will land."""

    def __init__(self, strip: BoardStrip) -> None:
        super().__init__(strip)
        self.strip = strip
        self.setAcceptDrops(True)
        self.indicator = QFrame(self)  # a vertical line in the gap the drop will fill
        self.indicator.setObjectName("DropIndicator")
        self.indicator.setStyleSheet("#DropIndicator { background: palette(highlight); }")
        self.indicator.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.indicator.hide()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.strip.accepts(event.mimeData()):
            event.acceptProposedAction()
            self.show_indicator(self.strip.position_at(event.position().toPoint()))

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self.strip.accepts(event.mimeData()):
            event.acceptProposedAction()
            self.show_indicator(self.strip.position_at(event.position().toPoint()))

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.indicator.hide()
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self.indicator.hide()
        if self.strip.drop(event.mimeData(), event.position().toPoint()):
            event.acceptProposedAction()

    def show_indicator(self, position: int) -> None:
        """The line in the gap before card ``position`` (after the last card at the end)."""
        cards = self.strip.cards
        if cards:
            top, height = cards[0].geometry().top(), cards[0].geometry().height()
        else:
            top, height = self.strip.add_button.geometry().top(), self.strip.add_button.height()
        if position < len(cards):
            gap_end = cards[position].geometry().left()
            gap_start = cards[position - 1].geometry().right() if position else gap_end - 8
        else:
            gap_start = cards[-1].geometry().right() if cards else 0
            gap_end = self.strip.add_button.geometry().left()
        x = (gap_start + gap_end + 1) // 2 - INDICATOR_WIDTH // 2
        self.indicator.setGeometry(x, top, INDICATOR_WIDTH, height)
        self.indicator.raise_()
        self.indicator.show()


class BoardStrip(QScrollArea):
    """Shot cards left to right; forwards each card's requests with its index."""

    add_requested = Signal()
    move_requested = Signal(int, int)  # from index, to position (0 … len, before the move)
    result_dropped = Signal(str, int, int)  # job id, result index, position
    edited = Signal(int, dict)
    duplicate_requested = Signal(int)
    remove_requested = Signal(int)
    regenerate_requested = Signal(int)
    take_chosen = Signal(int, str)
    drag_started = Signal(int)
    selection_changed = Signal(object)  # the selected card's index, or None

    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("BoardStrip")
        self.catalog = catalog
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.row = _Row(self)
        self.row_layout = QHBoxLayout(self.row)
        self.row_layout.setContentsMargins(8, 8, 8, 8)
        self.row_layout.setSpacing(8)
        self.add_button = QPushButton("+ Add shot", self.row)
        self.add_button.setObjectName("AddShotButton")
        self.add_button.setMinimumSize(110, 120)
        self.add_button.clicked.connect(self.add_requested)
        self.row_layout.addWidget(self.add_button)
        self.row_layout.addStretch(1)
        self.setWidget(self.row)
        self.cards: list[ShotCard] = []
        self.drop_indicator = self.row.indicator
        self.pick_file: Callable[[QWidget], Path | None] | None = None  # tests answer it
        self.selected: int | None = None

    # ------------------------------------------------------------------ showing
    def set_views(self, views: Sequence[ShotView]) -> None:
        """Show the shots; cards are kept (and edited in place) while the shots are the same."""
        selected_shot = self._selected_shot()
        if [c.view.shot.id if c.view else None for c in self.cards] != [v.shot.id for v in views]:
            for card in self.cards:
                card.setParent(None)
                card.deleteLater()
            self.cards = []
            for index, _view in enumerate(views):
                card = self._card()
                self.row_layout.insertWidget(index, card)
                self.cards.append(card)
            # the selection follows its shot (moved, or others removed before it)
            ids = [v.shot.id for v in views]
            follow = ids.index(selected_shot) if selected_shot in ids else None
            if follow != self.selected:
                self.selected = follow
                self.selection_changed.emit(follow)
            self._show_selection()
        shortest = min((v.shot.duration for v in views), default=1.0)
        scale = min(MAX_PX_PER_SECOND, max(1.0, MIN_CARD_WIDTH / shortest))
        for card, view in zip(self.cards, views, strict=True):
            card.set_view(view)
            card.setFixedWidth(round(view.shot.duration * scale))

    def select(self, index: int | None) -> None:
        """Select the card at ``index`` (None: none)."""
        if index is not None and not 0 <= index < len(self.cards):
            index = None
        if index != self.selected:
            self.selected = index
            self._show_selection()
            self.selection_changed.emit(index)

    def _selected_shot(self) -> str | None:
        if self.selected is None or self.selected >= len(self.cards):
            return None
        view = self.cards[self.selected].view
        return view.shot.id if view else None

    def _show_selection(self) -> None:
        if self.selected is not None and self.selected >= len(self.cards):
            self.selected = None
        for index, card in enumerate(self.cards):
            card.set_selected(index == self.selected)

    def set_editable(self, editable: bool) -> None:
        self.add_button.setEnabled(editable)
        for card in self.cards:
            card.setEnabled(editable)

    def _card(self) -> ShotCard:
        card = ShotCard(self.catalog, self.row)
        default = card.pick_file
        card.pick_file = lambda parent: (self.pick_file or default)(parent)
        card.edited.connect(self.edited)
        card.duplicate_requested.connect(self.duplicate_requested)
        card.remove_requested.connect(self.remove_requested)
        card.regenerate_requested.connect(self.regenerate_requested)
        card.take_chosen.connect(self.take_chosen)
        card.drag_requested.connect(self.start_drag)
        card.pressed.connect(self.select)
        return card

    # ------------------------------------------------------------------ drag and drop
    @staticmethod
    def shot_mime(index: int) -> QMimeData:
        mime = QMimeData()
        mime.setData(SHOT_MIME_TYPE, QByteArray(str(index).encode()))
        return mime

    def start_drag(self, index: int) -> None:
        card = self.cards[index]
        drag = QDrag(card)
        drag.setMimeData(self.shot_mime(index))
        drag.setPixmap(card.grab().scaledToWidth(160, Qt.TransformationMode.SmoothTransformation))
        drag.setHotSpot(QPoint(20, 20))
        self.drag_started.emit(index)
        drag.exec(Qt.DropAction.MoveAction)

    def accepts(self, mime: QMimeData) -> bool:
        return mime.hasFormat(SHOT_MIME_TYPE) or mime.hasFormat(RESULTS_MIME_TYPE)

    def position_at(self, point: QPoint) -> int:
        """Where a drop at ``point`` (row coordinates) lands: before the first card whose
        middle is right of it."""
        for index, card in enumerate(self.cards):
            if point.x() < card.geometry().center().x():
                return index
        return len(self.cards)

    def drop(self, mime: QMimeData, point: QPoint) -> bool:
        target = self.position_at(point)
        if mime.hasFormat(SHOT_MIME_TYPE):
            try:
                source = int(bytes(mime.data(SHOT_MIME_TYPE).data()).decode())
            except ValueError:
                return False
            self.move_requested.emit(source, target)
            return True
        if mime.hasFormat(RESULTS_MIME_TYPE):
            try:
                keys = json.loads(bytes(mime.data(RESULTS_MIME_TYPE).data()).decode())
            except ValueError:
                return False
            for offset, (job_id, result) in enumerate(keys):
                self.result_dropped.emit(str(job_id), int(result), target + offset)
            return bool(keys)
        return False
