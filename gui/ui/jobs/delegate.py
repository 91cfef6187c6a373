"""Paints one job row: thumbnail, prompt, model and parameters, state chip, cost, error.

No widget per row: a list of 10,000 jobs costs 10,000 small Python objects and paints only the
rows on screen. Every row has the same height, so the view can use uniform item sizes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from gui.studio.jobs import JobState
from gui.ui.jobs.model import JobListModel, JobRole, JobRow
from gui.ui.jobs.thumbnails import ThumbnailCache
from gui.ui.theme import legible

__all__ = ["THUMB_SIZE", "JobDelegate", "state_colour"]

THUMB_SIZE = QSize(96, 54)
ROW_HEIGHT = 78
_MARGIN = 8
_CHIP_WIDTH = 118
_ELIDE = Qt.TextElideMode.ElideRight
V = TypeVar("V")
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter  # flags built once, not per row
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

_STATE_COLOURS = {
    JobState.QUEUED: "#6b7280",
    JobState.UPLOADING: "#2563eb",
    JobState.SUBMITTED: "#2563eb",
    JobState.PROCESSING: "#2563eb",
    JobState.DOWNLOADING: "#0891b2",
    JobState.READY: "#15803d",
    JobState.FAILED: "#b91c1c",
    JobState.CANCELLED: "#92400e",
    JobState.EXPIRED: "#a16207",
}


def state_colour(state: JobState | str | None) -> QColor:
    return QColor(_STATE_COLOURS.get(_as_state(state), "#6b7280"))  # type: ignore[arg-type]


def _as_state(value: object) -> JobState | None:
    """Qt hands a StrEnum role back as a plain str."""
    try:
        return JobState(str(value))
    except ValueError:
        return None


class _Fonts:
    """The fonts and metrics a row is drawn with, derived once from the view's font (a
    QFontMetrics per row and paint was a good part of painting a list that changes fast)."""

    def __init__(self, base: QFont) -> None:
        self.title = QFont(base)
        self.title.setWeight(QFont.Weight.DemiBold)
        self.small = QFont(base)
        self.small.setPointSizeF(max(7.0, base.pointSizeF() - 1))
        self.chip = QFont(self.small)
        self.chip.setWeight(QFont.Weight.DemiBold)
        self.title_metrics = QFontMetrics(self.title)
        self.small_metrics = QFontMetrics(self.small)
        self.chip_metrics = QFontMetrics(self.chip)
        self._elided: dict[tuple[int, str, int], str] = {}
        self._advances: dict[tuple[int, str], int] = {}

    def advance(self, metrics: QFontMetrics, text: str) -> int:
        """``text``'s width in ``metrics``' font, remembered like :meth:`elided`."""
        return _remembered(self._advances, (id(metrics), text), metrics.horizontalAdvance, text)

    def elided(self, metrics: QFontMetrics, text: str, width: int) -> str:
        """``text`` cut to ``width`` with an ellipsis, remembered: rows repaint far more often
        than their texts or the list's width change."""
        key = (id(metrics), text, width)
        return _remembered(self._elided, key, lambda t: metrics.elidedText(t, _ELIDE, width), text)


def _remembered(cache: dict[Any, V], key: Any, make: Callable[[str], V], text: str) -> V:
    """``cache[key]``, made from ``text`` the first time; the cache starts over past 4096."""
    found = cache.get(key)
    if found is None:
        if len(cache) > 4096:
            cache.clear()
        found = cache[key] = make(text)
    return found


class _Ink:
    """The colours a row is drawn with, derived once per palette (a palette lookup and a new
    QColor per part and row were a good part of a repaint's Python time)."""

    def __init__(self, palette: QPalette) -> None:
        self.text = QColor(palette.color(QPalette.ColorRole.Text))
        self.muted = QColor(self.text)
        self.muted.setAlpha(150)
        line = QColor(self.text)
        line.setAlpha(28)
        self.line = QPen(line)
        self.mark = QColor(self.text)
        self.mark.setAlpha(120)
        self.highlight = QColor(palette.color(QPalette.ColorRole.Highlight))
        self.selected = QColor(self.highlight)
        self.selected.setAlpha(48)
        self.midlight = QColor(palette.color(QPalette.ColorRole.Midlight))
        self.thumb_back = QColor("#111827")
        self.failed = legible(QColor("#b91c1c"), palette)
        self.warned = legible(QColor("#92400e"), palette)
        self._states: dict[JobState | None, tuple[QColor, QColor, QColor, QColor]] = {}
        self._palette = QPalette(palette)  # a copy: the option's own dies with the paint

    def state(self, state: JobState | None) -> tuple[QColor, QColor, QColor, QColor]:
        """A state's chip fill, progress fill, chip text and placeholder tint."""
        found = self._states.get(state)
        if found is None:
            colour = state_colour(state)
            fill, bar, tint = QColor(colour), QColor(colour), QColor(colour)
            fill.setAlpha(34)
            bar.setAlpha(70)
            tint.setAlpha(40)
            found = (fill, bar, legible(colour.darker(115), self._palette), tint)
            self._states[state] = found
        return found


class JobDelegate(QStyledItemDelegate):
    """Draws a job row from :meth:`JobListModel.row`; the thumbnail comes from a shared cache."""

    def __init__(
        self, model: JobListModel, thumbnails: ThumbnailCache, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._model = model
        self._thumbnails = thumbnails
        self._fonts: tuple[str, _Fonts] | None = None  # keyed by the view font's QFont.key()
        self._ink: tuple[int, _Ink] | None = None  # keyed by the palette's cacheKey()

    def _fonts_for(self, base: QFont) -> _Fonts:
        key = base.key()
        if self._fonts is None or self._fonts[0] != key:
            self._fonts = (key, _Fonts(base))
        return self._fonts[1]

    def _ink_for(self, palette: QPalette) -> _Ink:
        key = palette.cacheKey()
        if self._ink is None or self._ink[0] != key:
            self._ink = (key, _Ink(palette))
        return self._ink[1]

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return QSize(320, ROW_HEIGHT)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        job = index.data(JobRole.JOB)  # one call, never empty for a valid row (see JobRow)
        if job is None:
            return
        row = self._model.row(job)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        rect: QRect = option.rect
        ink = self._ink_for(option.palette)
        fonts = self._fonts_for(option.font)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)

        self._paint_background(painter, rect, ink, selected)
        thumb_rect = QRect(
            rect.left() + _MARGIN,
            rect.top() + (rect.height() - THUMB_SIZE.height()) // 2,
            THUMB_SIZE.width(),
            THUMB_SIZE.height(),
        )
        self._paint_thumbnail(painter, thumb_rect, row, ink)
        text_left = thumb_rect.right() + _MARGIN + 2
        chip_left = rect.right() - _MARGIN - _CHIP_WIDTH
        text_rect = QRect(text_left, rect.top() + 6, chip_left - text_left - 6, rect.height() - 12)
        self._paint_texts(painter, text_rect, row, fonts, ink)
        chip_rect = QRect(chip_left, rect.top() + 8, _CHIP_WIDTH, rect.height() - 16)
        self._paint_chip_and_cost(painter, chip_rect, row, fonts, ink)
        painter.restore()

    # ------------------------------------------------------------------ parts
    @staticmethod
    def _paint_background(painter: QPainter, rect: QRect, ink: _Ink, selected: bool) -> None:
        if selected:
            painter.fillRect(rect, ink.selected)
            painter.fillRect(QRect(rect.left(), rect.top(), 3, rect.height()), ink.highlight)
        painter.setPen(ink.line)
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())

    def _paint_thumbnail(self, painter: QPainter, target: QRect, row: JobRow, ink: _Ink) -> None:
        pixmap = self._thumbnails.pixmap(row.thumbnail_path)
        if pixmap is not None and not pixmap.isNull():
            scaled = pixmap.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x = target.left() + (target.width() - scaled.width()) // 2
            y = target.top() + (target.height() - scaled.height()) // 2
            painter.fillRect(target, ink.thumb_back)
            painter.drawPixmap(QRect(x, y, scaled.width(), scaled.height()), pixmap)
        else:  # a placeholder until the thumbnail exists (or while it decodes)
            painter.fillRect(target, ink.midlight)
            painter.fillRect(target, ink.state(row.state)[3])
            painter.setPen(ink.mark)
            mark = "▶" if row.state is JobState.READY else "…"
            painter.drawText(target, Qt.AlignmentFlag.AlignCenter, mark)

    @staticmethod
    def _paint_texts(painter: QPainter, rect: QRect, row: JobRow, fonts: _Fonts, ink: _Ink) -> None:
        title, small = fonts.title_metrics, fonts.small_metrics
        left = _LEFT
        painter.setFont(fonts.title)
        painter.setPen(ink.text)
        line = title.height()
        painter.drawText(
            QRect(rect.left(), rect.top(), rect.width(), line),
            left,
            fonts.elided(title, row.prompt, rect.width()),
        )
        painter.setFont(fonts.small)
        painter.setPen(ink.muted)
        y = rect.top() + line + 2
        painter.drawText(
            QRect(rect.left(), y, rect.width(), small.height()),
            left,
            fonts.elided(small, row.meta, rect.width()),
        )
        if row.error_text:
            painter.setPen(ink.failed if row.state is JobState.FAILED else ink.warned)
            painter.drawText(
                QRect(rect.left(), y + small.height() + 2, rect.width(), small.height()),
                left,
                fonts.elided(small, row.error_text, rect.width()),
            )

    @staticmethod
    def _paint_chip_and_cost(
        painter: QPainter, rect: QRect, row: JobRow, fonts: _Fonts, ink: _Ink
    ) -> None:
        metrics = fonts.chip_metrics
        chip_w = min(rect.width(), fonts.advance(metrics, row.state_text) + 16)
        chip = QRectF(rect.right() - chip_w, rect.top(), chip_w, metrics.height() + 6)
        radius = chip.height() / 2
        fill, bar_fill, text, _tint = ink.state(row.state)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(chip, radius, radius)
        if row.progress is not None and 0 < row.progress < 1:
            painter.setBrush(bar_fill)
            bar = QRectF(chip.left(), chip.top(), chip.width() * row.progress, chip.height())
            painter.drawRoundedRect(bar, radius, radius)
        painter.setFont(fonts.chip)
        painter.setPen(text)
        painter.drawText(
            chip,
            Qt.AlignmentFlag.AlignCenter,
            fonts.elided(metrics, row.state_text, int(chip.width()) - 8),
        )
        painter.setPen(ink.text)
        painter.drawText(
            QRect(rect.left(), int(chip.bottom()) + 4, rect.width(), metrics.height() + 4),
            _RIGHT,
            row.cost_text,
        )
