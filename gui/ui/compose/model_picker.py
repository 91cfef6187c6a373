"""The model picker: a combo box whose popup scales to dozens of models.

The popup groups models by provider (deactivated models last, under "Deactivated"), filters as
the user types (name, provider, AIR or any word of the summary), and shows under each name what
matters when choosing: price per second, longest length, sizes, frames and audio. It stays a
``QComboBox`` to the rest of the panel: ``findData(air)``, ``currentIndexChanged`` and keyboard
focus work as before; group captions are rows with no data that cannot be chosen.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QFont,
    QKeyEvent,
    QPainter,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QLineEdit,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from gui.runware.catalog import Catalog, ModelSpec

__all__ = ["DETAIL_ROLE", "HEADER_ROLE", "ModelPicker"]

DETAIL_ROLE = Qt.ItemDataRole.UserRole + 1
HEADER_ROLE = Qt.ItemDataRole.UserRole + 2
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 3
DEACTIVATED = "Deactivated"

_Index = QModelIndex | QPersistentModelIndex


def picker_rows(catalog: Catalog) -> list[tuple[str, list[ModelSpec]]]:
    """(group caption, models) in display order: live providers first, then deactivated."""
    groups: dict[str, list[ModelSpec]] = {}
    ended: list[ModelSpec] = []
    for model in catalog:
        if model.is_live():
            groups.setdefault(model.provider, []).append(model)
        else:
            ended.append(model)
    rows = list(groups.items())
    if ended:
        rows.append((DEACTIVATED, ended))
    return rows


class _Delegate(QStyledItemDelegate):
    """Two lines per model (name, then the summary in a smaller, dimmer font); captions bold."""

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        metrics = option.fontMetrics
        if index.data(HEADER_ROLE):
            return QSize(200, metrics.height() + 10)
        return QSize(200, metrics.height() * 2 + 10)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        painter.save()
        rect: QRect = option.rect
        palette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, palette.highlight())
        text_colour = palette.highlightedText() if selected else palette.text()
        font = QFont(option.font)
        if index.data(HEADER_ROLE):
            font.setBold(True)
            font.setPointSizeF(font.pointSizeF() * 0.9)
            painter.setFont(font)
            painter.setPen(palette.placeholderText().color())
            painter.drawText(
                rect.adjusted(8, 0, -8, 0),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                str(index.data(Qt.ItemDataRole.DisplayRole)).upper(),
            )
            painter.restore()
            return
        painter.setFont(font)
        painter.setPen(text_colour.color())
        line = option.fontMetrics.height()
        top = rect.adjusted(16, 4, -8, 0)
        top.setHeight(line)
        painter.drawText(
            top, Qt.AlignmentFlag.AlignLeft, str(index.data(Qt.ItemDataRole.DisplayRole))
        )
        small = QFont(font)
        small.setPointSizeF(font.pointSizeF() * 0.85)
        painter.setFont(small)
        if not selected:
            painter.setPen(palette.placeholderText().color())
        bottom = top.translated(0, line)
        detail = str(index.data(DETAIL_ROLE) or "")
        elided = painter.fontMetrics().elidedText(
            detail, Qt.TextElideMode.ElideRight, bottom.width()
        )
        painter.drawText(bottom, Qt.AlignmentFlag.AlignLeft, elided)
        painter.restore()


class _Filter(QSortFilterProxyModel):
    """Keeps models whose words contain every typed word, and the captions of kept models."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._words = text.lower().split()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        source = self.sourceModel()
        index = source.index(source_row, 0, source_parent)
        if not self._words:
            return True
        if index.data(HEADER_ROLE):
            # a caption stays while any model below it (up to the next caption) matches
            row = source_row + 1
            while row < source.rowCount():
                below = source.index(row, 0, source_parent)
                if below.data(HEADER_ROLE):
                    return False
                if self._matches(below):
                    return True
                row += 1
            return False
        return self._matches(index)

    def _matches(self, index: QModelIndex) -> bool:
        haystack = str(index.data(SEARCH_ROLE) or "")
        return all(word in haystack for word in self._words)


class _Popup(QFrame):
    """A filter field over the grouped list; Enter or a click chooses, Escape closes."""

    chosen = Signal(str)

    def __init__(self, source: QAbstractItemModel, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("modelPickerPopup")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Type to filter: name, provider, 1080p, audio…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName("Filter models")
        layout.addWidget(self.filter_edit)
        self.proxy = _Filter(self)
        self.proxy.setSourceModel(source)
        self.list = QListView()
        self.list.setModel(self.proxy)
        self.list.setItemDelegate(_Delegate(self.list))
        self.list.setUniformItemSizes(False)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setAccessibleName("Models")
        layout.addWidget(self.list, 1)
        self.filter_edit.textChanged.connect(self._filter)
        self.filter_edit.installEventFilter(self)
        self.list.clicked.connect(self._choose)
        self.list.activated.connect(self._choose)

    def open_at(self, anchor: QWidget, current_air: str | None) -> None:
        self.filter_edit.clear()
        self._filter("")
        self._select_air(current_air)
        width = max(anchor.width(), 460)  # room for the summary line
        height = min(460, max(200, self.list.sizeHintForRow(1) * 9 + 60))
        self.setGeometry(
            QRect(anchor.mapToGlobal(anchor.rect().bottomLeft()), QSize(width, height))
        )
        self.show()
        self.filter_edit.setFocus(Qt.FocusReason.PopupFocusReason)

    def _filter(self, text: str) -> None:
        self.proxy.set_text(text)
        if text:
            self._select_first()

    def _select_air(self, air: str | None) -> None:
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if air is not None and index.data(Qt.ItemDataRole.UserRole) == air:
                self.list.setCurrentIndex(index)
                self.list.scrollTo(index)
                return
        self._select_first()

    def _select_first(self) -> None:
        self._step(0, 1)

    def _step(self, start: int, direction: int) -> None:
        row = start
        while 0 <= row < self.proxy.rowCount():
            index = self.proxy.index(row, 0)
            if not index.data(HEADER_ROLE):
                self.list.setCurrentIndex(index)
                self.list.scrollTo(index)
                return
            row += direction

    def eventFilter(self, watched: object, event: object) -> bool:
        if watched is self.filter_edit and isinstance(event, QKeyEvent):
            if event.type() != QKeyEvent.Type.KeyPress:
                return False
            key = event.key()
            current = self.list.currentIndex().row()
            if key == Qt.Key.Key_Down:
                self._step(current + 1, 1)
                return True
            if key == Qt.Key.Key_Up:
                self._step(max(current - 1, 0), -1)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._choose(self.list.currentIndex())
                return True
        return False

    def _choose(self, index: QModelIndex) -> None:
        air = index.data(Qt.ItemDataRole.UserRole) if index.isValid() else None
        if air:
            self.hide()
            self.chosen.emit(str(air))


class ModelPicker(QComboBox):
    """The combo box every model is chosen in (see the module docstring)."""

    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Model")
        self._items = QStandardItemModel(self)
        for caption, models in picker_rows(catalog):
            header = QStandardItem(caption)
            header.setFlags(Qt.ItemFlag.NoItemFlags)
            header.setData(True, HEADER_ROLE)
            self._items.appendRow(header)
            for model in models:
                item = QStandardItem(f"{model.name} · {model.provider}")
                item.setData(model.air, Qt.ItemDataRole.UserRole)
                item.setData(model.summary(), DETAIL_ROLE)
                item.setData(model.notice or model.summary(), Qt.ItemDataRole.ToolTipRole)
                words = f"{model.name} {model.provider} {model.air} {model.summary()} {caption}"
                item.setData(words.lower(), SEARCH_ROLE)
                self._items.appendRow(item)
        self.setModel(self._items)
        self.popup = _Popup(self._items, self)
        self.popup.chosen.connect(self._on_chosen)
        first = next((r for r in range(self.count()) if self.itemData(r) is not None), 0)
        self.setCurrentIndex(first)

    def airs(self) -> list[str]:
        """Every model's AIR, in the order the picker lists them."""
        return [str(self.itemData(r)) for r in range(self.count()) if self.itemData(r) is not None]

    def showPopup(self) -> None:
        self.popup.open_at(self, self.currentData())

    def hidePopup(self) -> None:
        self.popup.hide()
        super().hidePopup()

    def _on_chosen(self, air: str) -> None:
        self.setCurrentIndex(self.findData(air))
        self.setFocus(Qt.FocusReason.PopupFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Arrow keys on the closed box skip the captions (the wheel: see wheel_guard.py).
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            step = -1 if event.key() == Qt.Key.Key_Up else 1
            row = self.currentIndex() + step
            while 0 <= row < self.count() and self.itemData(row) is None:
                row += step
            if 0 <= row < self.count():
                self.setCurrentIndex(row)
            event.accept()
            return
        super().keyPressEvent(event)
