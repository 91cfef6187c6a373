"""Pickers drawn as buttons: sizes as little frames of their aspect, and rows of choices."""

from __future__ import annotations

from collections.abc import Sequence
from math import gcd

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLayout,
    QSizePolicy,
    QWidget,
)

from gui.runware.catalog import Size

__all__ = ["ChoiceButton", "ChoiceButtons", "SizeButton", "SizePicker", "aspect_text"]


def aspect_text(size: Size) -> str:
    """ "16:9" for 1280×720; sizes with no small ratio keep their decimal shape."""
    g = gcd(size.width, size.height)
    w, h = size.width // g, size.height // g
    return f"{w}:{h}" if max(w, h) <= 32 else f"{size.aspect:.2f}:1"


def _discard(group: QButtonGroup, layout: QLayout, button: QAbstractButton) -> None:
    # out of the layout and hidden now; deleteLater alone leaves it on screen until idle
    group.removeButton(button)
    layout.removeWidget(button)
    button.hide()
    button.setParent(None)
    button.deleteLater()


def paint_toggle_face(
    button: QAbstractButton, painter: QPainter, *, alpha: tuple[int, int], radius: float
) -> tuple[QColor, QColor, QRectF]:
    """The face every toggle of the panel shares: an accent fill (``alpha`` enabled/disabled)
    and a 2 px accent border when chosen, the hovered border, the pressed shade and the focus
    ring. Returns the accent, the text colour and the face's box for what is drawn on it."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pal = button.palette()
    enabled = button.isEnabled()
    accent = pal.color(QPalette.ColorRole.Highlight)
    group = QPalette.ColorGroup.Normal if enabled else QPalette.ColorGroup.Disabled
    text = pal.color(group, QPalette.ColorRole.ButtonText)
    box = QRectF(button.rect()).adjusted(1, 1, -1, -1)
    if button.isChecked():
        fill = QColor(accent)
        fill.setAlpha(alpha[0] if enabled else alpha[1])
        border, width = (accent if enabled else pal.color(QPalette.ColorRole.Mid)), 2.0
    else:
        fill, border, width = (
            pal.color(QPalette.ColorRole.Button),
            pal.color(QPalette.ColorRole.Mid),
            1.0,
        )
        if button.underMouse() and enabled:
            border = accent
    if button.isDown():
        fill = fill.darker(110)
    painter.setPen(QPen(border, width))
    painter.setBrush(fill)
    inset = width / 2
    painter.drawRoundedRect(box.adjusted(inset, inset, -inset, -inset), radius, radius)
    if button.hasFocus():
        painter.setPen(QPen(accent, 1, Qt.PenStyle.DotLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(box.adjusted(3, 3, -3, -3), radius - 2, radius - 2)
    return accent, text, box


class SizeButton(QAbstractButton):
    """A checkable button that draws its size as a small rectangle of the same aspect."""

    def __init__(self, size: Size, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.video_size = size
        self.setCheckable(True)
        self.setText(size.label)
        self.setAccessibleName(f"Size {size.label}")
        self.setToolTip(
            f"{size.label} · {aspect_text(size)} {size.orientation} · {size.resolution}"
        )
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(78, 66)

    def minimumSizeHint(self) -> QSize:
        return QSize(70, 66)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        accent, text, box = paint_toggle_face(self, painter, alpha=(40, 20), radius=6)
        enabled = self.isEnabled()

        # the little frame: its longer side is 30 px, its shape the video's
        glyph_box = 30.0
        aspect = self.video_size.aspect
        gw, gh = (glyph_box, glyph_box / aspect) if aspect >= 1 else (glyph_box * aspect, glyph_box)
        glyph = QRectF(0, 0, gw, gh)
        glyph.moveCenter(box.center())
        glyph.moveTop(box.top() + 6 + (glyph_box - gh) / 2)
        shade = QColor(accent if self.isChecked() and enabled else text)
        shade.setAlpha(200 if self.isChecked() else 140)
        painter.setPen(QPen(shade, 1.5))
        inner = QColor(shade)
        inner.setAlpha(45)
        painter.setBrush(inner)
        painter.drawRoundedRect(glyph, 2, 2)

        painter.setPen(text)
        font = QFont(self.font())
        font.setPointSizeF(max(7.5, font.pointSizeF() - 1))
        if self.isChecked():
            font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(font)
        label = QRectF(box.left(), box.top() + 6 + glyph_box + 4, box.width(), 18)
        painter.drawText(
            label, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, self.text()
        )


class ChoiceButton(QAbstractButton):
    """A checkable choice (4 s, 2 videos) drawn so the chosen one cannot be mistaken: the
    accent's tint and a 2 px accent border, bold words; the others plain, thin grey border.
    Painted from the palette, so it follows a dark or light theme."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setText(text)
        self.setCheckable(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        width = self.fontMetrics().horizontalAdvance(self.text()) + 20
        return QSize(max(36, width), self.fontMetrics().height() + 12)

    def minimumSizeHint(self) -> QSize:
        return QSize(36, self.sizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        text, box = paint_toggle_face(self, painter, alpha=(70, 30), radius=5)[1:]
        font = QFont(self.font())
        if self.isChecked():
            font.setWeight(QFont.Weight.Bold)
        painter.setFont(font)
        painter.setPen(text)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, self.text())


class SizePicker(QWidget):
    """The model's sizes, one exclusive button each; ``changed`` when another is chosen."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self._group.buttonToggled.connect(self._on_toggled)
        self.buttons: list[SizeButton] = []

    def set_sizes(self, sizes: Sequence[Size]) -> None:
        if [b.video_size for b in self.buttons] == list(sizes):
            return
        for button in self.buttons:
            _discard(self._group, self._layout, button)
        self.buttons = []
        columns = min(4, max(1, len(sizes)))
        for index, size in enumerate(sizes):
            button = SizeButton(size, self)
            self._group.addButton(button)
            self._layout.addWidget(button, index // columns, index % columns)
            self.buttons.append(button)

    def current(self) -> Size | None:
        button = self._group.checkedButton()
        return button.video_size if isinstance(button, SizeButton) else None

    def set_current(self, width: int | None, height: int | None) -> None:
        for button in self.buttons:
            if (button.video_size.width, button.video_size.height) == (width, height):
                button.setChecked(True)
                return

    def button_for(self, label: str) -> SizeButton | None:
        return next((b for b in self.buttons if b.video_size.label == label), None)

    def _on_toggled(self, _button: QAbstractButton, checked: bool) -> None:
        if checked:
            self.changed.emit()


class ChoiceButtons(QWidget):
    """A row of exclusive buttons for a few values (durations, number of videos)."""

    changed = Signal()

    def __init__(self, accessible_prefix: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._prefix = accessible_prefix
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self._group.buttonToggled.connect(self._on_toggled)
        self.buttons: list[ChoiceButton] = []
        self._values: list[float] = []

    def set_choices(self, choices: Sequence[tuple[str, float]]) -> None:
        if [(b.text(), v) for b, v in zip(self.buttons, self._values, strict=True)] == list(
            choices
        ):
            return
        for button in self.buttons:
            _discard(self._group, self._layout, button)
        self.buttons, self._values = [], []
        for label, value in choices:
            button = ChoiceButton(label, self)
            button.setAccessibleName(f"{self._prefix} {label}")
            self._group.addButton(button)
            self._layout.addWidget(button)
            self.buttons.append(button)
            self._values.append(value)

    def value(self) -> float | None:
        for button, value in zip(self.buttons, self._values, strict=True):
            if button.isChecked():
                return value
        return None

    def set_value(self, value: float | None) -> None:
        for button, candidate in zip(self.buttons, self._values, strict=True):
            if candidate == value:
                button.setChecked(True)
                return

    def button_for(self, value: float) -> ChoiceButton | None:
        return next(
            (b for b, v in zip(self.buttons, self._values, strict=True) if v == value), None
        )

    def _on_toggled(self, _button: QAbstractButton, checked: bool) -> None:
        if checked:
            self.changed.emit()
