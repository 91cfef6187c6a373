"""Paints one job row: thumbnail, prompt, model and parameters, state chip, cost, error.

No widget per row: a list of 10,000 jobs costs 10,000 small Python objects and paints only the
rows on screen. Every row has the same height, so the view can use uniform item sizes.

A burst of new jobs repaints the whole list many times, and every row on screen is new or
has changed state since the last paint. What rows share is drawn once and copied after: the
state chips, the model line, the prices and the placeholders are pixmaps made once (per
palette, font and screen scale); a prompt is laid out once (:class:`TextCache`). A fresh row
cost about 0.6 ms of the GUI thread in a 200-job burst before this, mostly drawing glyphs and
shapes.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from gui.studio.jobs import Job, JobState
from gui.ui.jobs.model import JobListModel, JobRole, JobRow
from gui.ui.jobs.thumbnails import ThumbnailCache
from gui.ui.text_cache import TextCache, drawn_pixmap
from gui.ui.theme import legible

__all__ = ["THUMB_SIZE", "JobDelegate", "state_colour"]

THUMB_SIZE = QSize(96, 54)
ROW_HEIGHT = 78
_MARGIN = 8
_CHIP_WIDTH = 118
_KEPT = 512  # chips and placeholders kept (a state's chip changes every second: its time)

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
    """The fonts a row is drawn with, derived once from the view's font, each with its
    remembered texts (a row repaints far more often than its texts or the list's width
    change)."""

    def __init__(self, base: QFont) -> None:
        title = QFont(base)
        title.setWeight(QFont.Weight.DemiBold)
        small = QFont(base)
        small.setPointSizeF(max(7.0, base.pointSizeF() - 1))
        chip = QFont(small)
        chip.setWeight(QFont.Weight.DemiBold)
        self.base = TextCache(base)
        self.title = TextCache(title)
        self.small = TextCache(small)
        self.chip = TextCache(chip)


class _Ink:
    """The colours a row is drawn with, derived once per palette (a palette lookup and a new
    QColor per part and row were a good part of a repaint's Python time)."""

    def __init__(self, palette: QPalette) -> None:
        self.text = QColor(palette.color(QPalette.ColorRole.Text))
        self.muted = QColor(self.text)
        self.muted.setAlpha(150)
        self.line = QColor(self.text)
        self.line.setAlpha(28)
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


_Stamped = tuple[tuple[TextCache, str, QColor], ...]  # (font's cache, text, colour) each


def _stamped_texts(row: JobRow, width: int, fonts: _Fonts, ink: _Ink) -> _Stamped:
    """The texts of a row copied from pixmaps, as drawn: its prompt, its model line and its
    price. The paint copies them; :meth:`JobDelegate.prepare` makes them ahead of it."""
    return (
        (fonts.title, fonts.title.elided(row.prompt, width), ink.text),
        (fonts.small, fonts.small.elided(row.meta, width), ink.muted),
        (fonts.chip, row.cost_text, ink.text),
    )


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
        self._sprites: OrderedDict[Hashable, QPixmap] = OrderedDict()  # least recent first
        self.sprites_made = 0  # (tests)
        self._drawn_at: tuple[int, float] | None = None  # the last paint's text width and scale
        model.job_queued.connect(self.prepare)

    def _fonts_for(self, base: QFont) -> _Fonts:
        key = base.key()
        if self._fonts is None or self._fonts[0] != key:
            self._fonts = (key, _Fonts(base))
            self._sprites.clear()
        return self._fonts[1]

    def _ink_for(self, palette: QPalette) -> _Ink:
        key = palette.cacheKey()
        if self._ink is None or self._ink[0] != key:
            self._ink = (key, _Ink(palette))
            self._sprites.clear()
        return self._ink[1]

    def _sprite(
        self, key: Hashable, size: QSize, ratio: float, draw: Callable[[QPainter], None]
    ) -> QPixmap:
        """A transparent pixmap of ``size``, drawn by ``draw`` the first time ``key`` is asked."""
        key = (key, size.width(), size.height(), ratio)
        sprite = self._sprites.get(key)
        if sprite is None:
            self.sprites_made += 1
            sprite = self._sprites[key] = drawn_pixmap(size.width(), size.height(), ratio, draw)
            if len(self._sprites) > _KEPT:
                self._sprites.popitem(last=False)
        else:
            self._sprites.move_to_end(key)
        return sprite

    def prepare(self, job: Job) -> None:
        """Draw a new job's texts now, to be copied at its row's first paint: a burst's block
        of new rows repaints the whole list at once, while its jobs come in one by one, each
        in a slice of bursty work (``JobListModel.job_queued``)."""
        if self._fonts is None or self._ink is None or self._drawn_at is None:
            return  # nothing painted yet: nothing known of fonts, colours or widths
        fonts, ink = self._fonts[1], self._ink[1]
        width, ratio = self._drawn_at
        for cache, text, colour in _stamped_texts(self._model.row(job), width, fonts, ink):
            cache.stamp_of(text, colour, ratio)

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
        rect: QRect = option.rect
        ink = self._ink_for(option.palette)
        fonts = self._fonts_for(option.font)
        ratio = painter.device().devicePixelRatioF()
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, ink.selected)
            painter.fillRect(QRect(rect.left(), rect.top(), 3, rect.height()), ink.highlight)
        painter.fillRect(QRect(rect.left(), rect.bottom(), rect.width(), 1), ink.line)
        thumb_rect = QRect(
            rect.left() + _MARGIN,
            rect.top() + (rect.height() - THUMB_SIZE.height()) // 2,
            THUMB_SIZE.width(),
            THUMB_SIZE.height(),
        )
        self._paint_thumbnail(painter, thumb_rect, row, ratio, fonts, ink)
        text_left = thumb_rect.right() + _MARGIN + 2
        chip_left = rect.right() - _MARGIN - _CHIP_WIDTH
        text_rect = QRect(text_left, rect.top() + 6, chip_left - text_left - 6, rect.height() - 12)
        self._drawn_at = (text_rect.width(), ratio)
        stamped = _stamped_texts(row, text_rect.width(), fonts, ink)
        self._paint_texts(painter, text_rect, row, stamped, fonts, ink)
        chip_rect = QRect(chip_left, rect.top() + 8, _CHIP_WIDTH, rect.height() - 16)
        self._paint_chip_and_cost(painter, chip_rect, row, stamped[2], ratio, fonts, ink)
        painter.restore()

    # ------------------------------------------------------------------ parts
    def _paint_thumbnail(
        self, painter: QPainter, target: QRect, row: JobRow, ratio: float, fonts: _Fonts, ink: _Ink
    ) -> None:
        pixmap = self._thumbnails.pixmap(row.thumbnail_path)
        if pixmap is not None and not pixmap.isNull():
            scaled = pixmap.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x = target.left() + (target.width() - scaled.width()) // 2
            y = target.top() + (target.height() - scaled.height()) // 2
            painter.fillRect(target, ink.thumb_back)
            painter.drawPixmap(QRect(x, y, scaled.width(), scaled.height()), pixmap)
            return
        # a placeholder until the thumbnail exists (or while it decodes)
        mark = "▶" if row.state is JobState.READY else "…"

        def draw(p: QPainter) -> None:
            whole = QRect(QPoint(0, 0), target.size())
            p.fillRect(whole, ink.midlight)
            p.fillRect(whole, ink.state(row.state)[3])
            p.setPen(ink.mark)
            fonts.base.draw(p, whole, "center", mark)

        painter.drawPixmap(
            target.topLeft(), self._sprite(("thumb", row.state, mark), target.size(), ratio, draw)
        )

    @staticmethod
    def _paint_texts(
        painter: QPainter,
        rect: QRect,
        row: JobRow,
        stamped: _Stamped,
        fonts: _Fonts,
        ink: _Ink,
    ) -> None:
        (title, prompt, prompt_colour), (small, meta, meta_colour), _cost = stamped
        line = QRect(rect.left(), rect.top(), rect.width(), title.height)
        title.stamp(painter, line, "left", prompt, prompt_colour)
        line = QRect(rect.left(), rect.top() + title.height + 2, rect.width(), small.height)
        small.stamp(painter, line, "left", meta, meta_colour)
        if row.error_text:
            painter.setPen(ink.failed if row.state is JobState.FAILED else ink.warned)
            line.translate(0, small.height + 2)
            small.draw(painter, line, "left", small.elided(row.error_text, rect.width()))

    def _paint_chip_and_cost(
        self,
        painter: QPainter,
        rect: QRect,
        row: JobRow,
        cost: tuple[TextCache, str, QColor],
        ratio: float,
        fonts: _Fonts,
        ink: _Ink,
    ) -> None:
        chip_text = fonts.chip
        chip_w = min(rect.width(), chip_text.advance(row.state_text) + 16)
        chip = QRect(rect.right() + 1 - chip_w, rect.top(), chip_w, chip_text.height + 6)
        fill, bar_fill, text, _tint = ink.state(row.state)
        label = chip_text.elided(row.state_text, chip_w - 8)
        radius = chip.height() / 2
        progress = row.progress if row.progress is not None and 0 < row.progress < 1 else None

        def draw(p: QPainter) -> None:
            whole = QRectF(0, 0, chip.width(), chip.height())
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(fill)
            p.drawRoundedRect(whole, radius, radius)
            if progress is not None:
                p.setBrush(bar_fill)
                bar = QRectF(0, 0, whole.width() * progress, whole.height())
                p.drawRoundedRect(bar, radius, radius)
            p.setPen(text)
            chip_text.draw(p, whole, "center", label)

        if progress is None:  # a state's chip is shared by every row in it
            painter.drawPixmap(
                chip.topLeft(), self._sprite(("chip", row.state, label), chip.size(), ratio, draw)
            )
        else:  # a download's own, drawn at each step
            painter.save()
            painter.translate(chip.topLeft())
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            draw(painter)
            painter.restore()
        price, price_text, price_colour = cost
        line = QRect(rect.left(), chip.bottom() + 5, rect.width(), price.height + 4)
        price.stamp(painter, line, "right", price_text, price_colour)
