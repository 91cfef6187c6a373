"""Text that a list paints over and over: cut to what can show, laid out once.

``QPainter.drawText(rect, flags, text)`` lays its text out (itemizes it and shapes it with
HarfBuzz) at every call, and ``QFontMetrics.elidedText`` shapes the whole string, however long,
before it cuts it. A list that repaints every visible row whenever a block of new rows comes in
paid both for every text of every row: a third of the jobs list's repaint, measured with
callgrind. A :class:`TextCache` keeps, for one font, each text's elided form, its advance and
its laid-out :class:`QStaticText`, which draws from glyphs already shaped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from typing import Literal, TypeVar

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPixmap, QStaticText, QTransform

__all__ = ["ELLIPSIS", "Align", "TextCache", "cut_to_fit", "drawn_pixmap"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
Align = Literal["left", "right", "center"]
ELLIPSIS = "…"
_KEEP = 4096  # texts each cache keeps before it starts over
_KEEP_STAMPS = 512  # pixmaps of texts (a prompt's is about 7 KB): at most a few MB
_NARROWEST = 2  # px: no glyph of a text font advances less (zero-width marks aside)


def cut_to_fit(text: str, width: int) -> str:
    """``text`` cut, with an ellipsis, to the characters that could ever fit in ``width``.

    A 2000-character prompt shown in 300 px needs its first 150 characters at most, whatever
    the font: eliding those shapes a tenth of the text. The cut lies past the visible part, so
    eliding the result ends it with an ellipsis where the full text's would be."""
    most = max(16, width // _NARROWEST)
    return text if len(text) <= most else text[:most] + ELLIPSIS


class TextCache:
    """One font's metrics, and the texts drawn with it, remembered."""

    def __init__(self, font: QFont) -> None:
        self.font = QFont(font)
        self.metrics = QFontMetrics(self.font)
        self.height = self.metrics.height()
        self._elided: dict[tuple[str, int], str] = {}
        self._advances: dict[str, int] = {}
        self._static: dict[str, QStaticText] = {}
        self._stamps: dict[tuple[str, int, float], QPixmap] = {}
        self.stamps_made = 0  # (tests)

    def elided(self, text: str, width: int) -> str:
        """``text`` cut to ``width`` with an ellipsis at the end (see :func:`cut_to_fit`)."""
        return _remembered(
            self._elided,
            (text, width),
            lambda: self.metrics.elidedText(cut_to_fit(text, width), _ELIDE, width),
        )

    def advance(self, text: str) -> int:
        return _remembered(self._advances, text, lambda: self.metrics.horizontalAdvance(text))

    def static(self, text: str) -> QStaticText:
        """``text`` laid out once in this font, as plain text (a prompt is never markup)."""
        return _remembered(self._static, text, lambda: self._lay_out(text))

    def _lay_out(self, text: str) -> QStaticText:
        static = QStaticText(text)
        static.setTextFormat(Qt.TextFormat.PlainText)
        static.prepare(QTransform(), self.font)
        return static

    def draw(self, painter: QPainter, rect: QRect | QRectF, align: Align, text: str) -> None:
        """``text`` on one line in ``rect``, centred vertically, in the painter's pen."""
        static = self.static(text)
        painter.setFont(self.font)
        painter.drawStaticText(_place(rect, align, static.size().width(), self.height), static)

    def stamp(
        self, painter: QPainter, rect: QRect | QRectF, align: Align, text: str, colour: QColor
    ) -> None:
        """Like :meth:`draw`, in ``colour``, for a text that many rows show (a model's line, a
        price): a pixmap of it is made once and copied, one copy instead of a run of glyphs."""
        stamp = self.stamp_of(text, colour, painter.device().devicePixelRatioF())
        width = 0.0 if align == "left" else self.static(text).size().width()
        painter.drawPixmap(_place(rect, align, width, self.height).toPoint(), stamp)

    def stamp_of(self, text: str, colour: QColor, ratio: float) -> QPixmap:
        """The pixmap :meth:`stamp` copies, made now if it is not yet (to have it ready)."""
        return _remembered(
            self._stamps,
            (text, colour.rgba(), ratio),
            lambda: self._stamp(text, colour, ratio),
            keep=_KEEP_STAMPS,
        )

    def _stamp(self, text: str, colour: QColor, ratio: float) -> QPixmap:
        self.stamps_made += 1
        static = self.static(text)

        def draw(painter: QPainter) -> None:
            painter.setPen(colour)
            painter.setFont(self.font)
            painter.drawStaticText(QPointF(0, 0), static)

        width = math.ceil(static.size().width()) + 1
        return drawn_pixmap(width, self.height, ratio, draw)


def drawn_pixmap(
    width: int, height: int, ratio: float, draw: Callable[[QPainter], None]
) -> QPixmap:
    """A transparent pixmap of ``width`` × ``height`` (device-independent pixels, at ``ratio``)
    with what ``draw`` paints on it, antialiased: a picture made once and copied at each paint."""
    pixmap = QPixmap(math.ceil(width * ratio), math.ceil(height * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    draw(painter)
    painter.end()
    return pixmap


def _place(rect: QRect | QRectF, align: Align, width: float, height: int) -> QPointF:
    """Where a line of text ``width`` wide starts in ``rect``, centred vertically."""
    box = QRectF(rect)
    y = box.top() + (box.height() - height) / 2
    if align == "left":
        return QPointF(box.left(), y)
    if align == "right":
        return QPointF(box.right() - width, y)
    return QPointF(box.left() + (box.width() - width) / 2, y)


_ELIDE = Qt.TextElideMode.ElideRight


def _remembered(cache: dict[K, V], key: K, make: Callable[[], V], keep: int = _KEEP) -> V:
    """``cache[key]``, made the first time; the cache starts over past ``keep`` entries."""
    found = cache.get(key)
    if found is None:
        if len(cache) > keep:
            cache.clear()
        found = cache[key] = make()
    return found
