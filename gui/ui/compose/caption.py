"""A caption that keeps its place: a fixed number of lines, never wider than it is given.

Frame captions (a 64-character hash as a file name), warnings and the reason beside Generate
are captions. Each reserves its lines whether it shows words or not (hidden, it still holds its
space), wraps at word boundaries or, for a word longer than a line, anywhere, and elides the
last line; the whole text is then its tooltip. So words appearing never move a control below,
and a long word never widens the panel (issue 17, items 5 and 7).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPaintEvent, QTextLayout, QTextOption
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolTip, QWidget

__all__ = ["Caption", "caption_lines"]


def caption_lines(text: str, font: QFont, width: int, max_lines: int) -> tuple[list[str], bool]:
    """``text`` laid out in at most ``max_lines`` lines of ``width`` px, and whether it was cut
    (the last line then ends in an ellipsis)."""
    if not text or width <= 0 or max_lines <= 0:
        return [], bool(text)
    flat = text.replace("\r\n", "\n").replace("\n", "\u2028")  # QTextLayout's line break
    layout = QTextLayout(flat, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    spans: list[tuple[int, int]] = []
    layout.beginLayout()
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        spans.append((line.textStart(), line.textLength()))
    layout.endLayout()
    lines = [flat[start : start + length].rstrip("\u2028 ") for start, length in spans]
    if len(lines) <= max_lines:
        return lines, False
    rest = flat[spans[max_lines - 1][0] :].replace("\u2028", " ")
    metrics = QFontMetrics(font)
    # the ellipsis must show even when the rest would just fit: text follows it
    last = metrics.elidedText(rest + " …", Qt.TextElideMode.ElideRight, width)
    return [*lines[: max_lines - 1], last], True


class Caption(QLabel):
    """``lines`` lines of words; hidden, it keeps its space. ``is_cut()`` when not all shows."""

    def __init__(self, lines: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lines = lines
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        policy.setRetainSizeWhenHidden(True)
        self.setSizePolicy(policy)
        self._fix_height()

    @property
    def lines(self) -> int:
        return self._lines

    def shown_lines(self) -> list[str]:
        """The lines as drawn at the current width."""
        return caption_lines(self.text(), self.font(), self.contentsRect().width(), self._lines)[0]

    def is_cut(self) -> bool:
        return caption_lines(self.text(), self.font(), self.contentsRect().width(), self._lines)[1]

    def sizeHint(self) -> QSize:
        return QSize(120, self._height())

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self._height())

    def hasHeightForWidth(self) -> bool:
        return False

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fix_height()
        super().changeEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and self.is_cut():
            extra = self.toolTip()
            words = self.text() + (f"\n\n{extra}" if extra and extra != self.text() else "")
            QToolTip.showText(event.globalPos(), words, self)  # type: ignore[attr-defined]
            return True
        return super().event(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.setFont(self.font())
        metrics = QFontMetrics(self.font())
        area = self.contentsRect()
        y = area.top() + metrics.ascent()
        for line in self.shown_lines():
            painter.drawText(QPointF(area.left(), y), line)
            y += metrics.lineSpacing()

    def _height(self) -> int:
        metrics = QFontMetrics(self.font())
        margins = self.contentsMargins()
        return metrics.lineSpacing() * self._lines + margins.top() + margins.bottom() + 1

    def _fix_height(self) -> None:
        self.setFixedHeight(self._height())
