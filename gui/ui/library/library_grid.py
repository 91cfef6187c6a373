"""The library's grid: a QListView in icon mode that knows hover, and drags files out.

Cards flow with the width: as many columns as fit cards :data:`MIN_CARD_WIDTH` wide, each card
widened so the row is filled (no dead strip at the right edge).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QEvent,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QDrag, QMouseEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

from gui.ui.library.items import LibraryItem
from gui.ui.library.library_delegate import CARD, MIN_CARD_WIDTH, card_size
from gui.ui.library.library_model import ItemRole, LibraryModel

__all__ = ["LibraryGrid"]

_Index = QModelIndex | QPersistentModelIndex
_GAP = QSize(6, 6)


class LibraryGrid(QListView):
    """Cards in rows that reflow with the width; says ``hovered_changed(key or None)``."""

    hovered_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(400)
        self.card = QSize(CARD)
        self.setGridSize(CARD + _GAP)
        self.setSpacing(0)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(24)
        self.setMouseTracking(True)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.hovered: tuple[str, int] | None = None

    # ---- flowing with the width
    def columns_for(self, width: int) -> int:
        return max(1, width // (MIN_CARD_WIDTH + _GAP.width()))

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._fit_cards()
        super().resizeEvent(event)

    def _fit_cards(self) -> None:
        # the width as if the scroll bar were shown, so it coming and going cannot flip the layout
        width = self.width() - 2 * self.frameWidth() - self.verticalScrollBar().sizeHint().width()
        cell = width // self.columns_for(width)
        card = card_size(cell - _GAP.width())
        if card != self.card:
            self.card = card
            self.setGridSize(card + _GAP)

    def item_at(self, index: _Index) -> LibraryItem | None:
        return index.data(ItemRole) if index.isValid() else None

    def library_model(self) -> LibraryModel:
        model = self.model()
        assert isinstance(model, LibraryModel)
        return model

    # ---- dragging out
    def mimeData(self, indexes: Sequence[_Index]) -> QMimeData:
        """What a drag of ``indexes`` carries: file URLs of their videos, and their keys."""
        return self.library_model().mimeData(list(indexes))

    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        indexes = [i for i in self.selectedIndexes() if i.flags() & Qt.ItemFlag.ItemIsDragEnabled]
        if not indexes:
            return
        mime = self.mimeData(indexes)
        if not mime.urls():
            return
        drag = QDrag(self)
        drag.setMimeData(mime)
        drag.setPixmap(self._drag_picture(indexes[0]))
        drag.setHotSpot(QPoint(24, 24))
        drag.exec(Qt.DropAction.CopyAction, Qt.DropAction.CopyAction)

    def _drag_picture(self, index: QModelIndex) -> QPixmap:
        rect = self.visualRect(index)
        picture = self.viewport().grab(rect) if rect.isValid() else QPixmap(CARD)
        return picture.scaledToWidth(140, Qt.TransformationMode.SmoothTransformation)

    # ---- hover
    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._set_hovered(self.indexAt(event.position().toPoint()))
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self._set_hovered(QModelIndex())
        super().leaveEvent(event)

    def _set_hovered(self, index: QModelIndex) -> None:
        item = self.item_at(index)
        key = item.key if item is not None else None
        if key != self.hovered:
            self.hovered = key
            self.hovered_changed.emit(key)
