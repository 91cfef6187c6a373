"""The time slider shared by the player and Compare: a click anywhere on the groove jumps there
(and a drag goes on from that point), as in a video editor; an in/out range is shaded."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSlider, QStyle, QStyleOptionSlider, QWidget

__all__ = ["ScrubSlider"]


class ScrubSlider(QSlider):
    """A horizontal time slider: a click anywhere on the groove jumps there (and a drag can go
    on from that point), as in a video editor; an in/out range is shaded on the groove."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self._range: tuple[int, int] | None = None

    def value_at(self, x: int) -> int:
        """The value under horizontal position ``x`` (widget coordinates)."""
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        style = self.style()
        groove = style.subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderGroove, self
        )
        handle = style.subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, self
        )
        span = max(1, groove.width() - handle.width())
        offset = x - groove.x() - handle.width() // 2
        return QStyle.sliderValueFromPosition(
            self.minimum(), self.maximum(), max(0, min(offset, span)), span, option.upsideDown
        )

    def handle_rect(self) -> QRect:
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        return self.style().subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, self
        )

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if (
            event.button() == Qt.MouseButton.LeftButton
            and self.maximum() > self.minimum()
            and not self.handle_rect().contains(event.position().toPoint())
        ):
            # jump first: the handle is then under the pointer and the press below grabs it
            self.setValue(self.value_at(round(event.position().x())))
        super().mousePressEvent(event)

    def set_marked_range(self, start: int | None, end: int | None) -> None:
        """Shade ``start``..``end`` (an in/out range); None for either end means none."""
        self._range = (
            None
            if start is None and end is None
            else (
                self.minimum() if start is None else start,
                self.maximum() if end is None else end,
            )
        )
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._range is None or self.maximum() <= self.minimum():
            return
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        handle = self.handle_rect()
        span = max(1, self.width() - handle.width())

        def x(value: int) -> int:
            return handle.width() // 2 + QStyle.sliderPositionFromValue(
                self.minimum(), self.maximum(), value, span, option.upsideDown
            )

        left, right = x(self._range[0]), x(self._range[1])
        painter = QPainter(self)
        colour = QColor(self.palette().highlight().color())
        colour.setAlpha(110)
        painter.fillRect(QRect(left, self.height() - 5, max(2, right - left), 4), colour)
        painter.end()
