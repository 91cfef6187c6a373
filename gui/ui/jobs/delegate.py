"""Paints one job row: thumbnail, prompt, model and parameters, state chip, cost, error.

No widget per row: a list of 10,000 jobs costs 10,000 small Python objects and paints only the
rows on screen. Every row has the same height, so the view can use uniform item sizes.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from gui.studio.jobs import JobState
from gui.ui.jobs.model import JobRole
from gui.ui.jobs.thumbnails import ThumbnailCache

__all__ = ["THUMB_SIZE", "JobDelegate", "state_colour"]

THUMB_SIZE = QSize(96, 54)
ROW_HEIGHT = 78
_MARGIN = 8
_CHIP_WIDTH = 118

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


class JobDelegate(QStyledItemDelegate):
    """Draws a job row from the model's roles; the thumbnail comes from a shared cache."""

    def __init__(self, thumbnails: ThumbnailCache, parent: object = None) -> None:
        super().__init__(parent)
        self._thumbnails = thumbnails

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
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        rect: QRect = option.rect  # type: ignore[attr-defined]
        palette: QPalette = option.palette  # type: ignore[attr-defined]
        state_flags = option.state  # type: ignore[attr-defined]
        selected = bool(state_flags & QStyle.StateFlag.State_Selected)

        self._paint_background(painter, rect, palette, selected, index.row())
        thumb_rect = QRect(
            rect.left() + _MARGIN,
            rect.top() + (rect.height() - THUMB_SIZE.height()) // 2,
            THUMB_SIZE.width(),
            THUMB_SIZE.height(),
        )
        self._paint_thumbnail(painter, thumb_rect, index)

        text_left = thumb_rect.right() + _MARGIN + 2
        chip_left = rect.right() - _MARGIN - _CHIP_WIDTH
        text_rect = QRect(text_left, rect.top() + 6, chip_left - text_left - 6, rect.height() - 12)
        text_colour = palette.color(QPalette.ColorRole.Text)
        self._paint_texts(painter, text_rect, index, option.font, text_colour)  # type: ignore[attr-defined]
        self._paint_chip_and_cost(
            painter,
            QRect(chip_left, rect.top() + 8, _CHIP_WIDTH, rect.height() - 16),
            index,
            option.font,  # type: ignore[attr-defined]
        )
        painter.restore()

    # ------------------------------------------------------------------ parts
    @staticmethod
    def _paint_background(
        painter: QPainter, rect: QRect, palette: QPalette, selected: bool, row: int
    ) -> None:
        if selected:
            colour = QColor(palette.color(QPalette.ColorRole.Highlight))
            colour.setAlpha(48)
            painter.fillRect(rect, colour)
            painter.fillRect(
                QRect(rect.left(), rect.top(), 3, rect.height()),
                palette.color(QPalette.ColorRole.Highlight),
            )
        painter.setPen(QPen(QColor(0, 0, 0, 22)))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())

    def _paint_thumbnail(
        self, painter: QPainter, target: QRect, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        pixmap = self._thumbnails.pixmap(index.data(JobRole.THUMBNAIL_PATH))
        painter.save()
        clip = QRectF(target)
        painter.setClipRect(clip)
        if pixmap is not None and not pixmap.isNull():
            scaled = pixmap.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x = target.left() + (target.width() - scaled.width()) // 2
            y = target.top() + (target.height() - scaled.height()) // 2
            painter.fillRect(target, QColor("#111827"))
            painter.drawPixmap(QRect(x, y, scaled.width(), scaled.height()), pixmap)
        else:
            state = _as_state(index.data(JobRole.STATE))
            base = state_colour(state)
            base.setAlpha(40)
            painter.fillRect(target, QColor("#e5e7eb"))
            painter.fillRect(target, base)
            painter.setPen(QColor(0, 0, 0, 90))
            painter.drawText(
                target, Qt.AlignmentFlag.AlignCenter, "▶" if state is JobState.READY else "…"
            )
        painter.restore()

    @staticmethod
    def _paint_texts(
        painter: QPainter,
        rect: QRect,
        index: QModelIndex | QPersistentModelIndex,
        base_font: QFont,
        colour: QColor,
    ) -> None:
        title_font = QFont(base_font)
        title_font.setWeight(QFont.Weight.DemiBold)
        small_font = QFont(base_font)
        small_font.setPointSizeF(max(7.0, base_font.pointSizeF() - 1))
        line = QFontMetrics(title_font).height()
        small_line = QFontMetrics(small_font).height()

        prompt = " ".join(str(index.data(JobRole.PROMPT) or "").split())
        painter.setFont(title_font)
        painter.setPen(colour)
        painter.drawText(
            QRect(rect.left(), rect.top(), rect.width(), line),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            QFontMetrics(title_font).elidedText(prompt, Qt.TextElideMode.ElideRight, rect.width()),
        )

        meta = [
            index.data(JobRole.MODEL_NAME),
            index.data(JobRole.SIZE_TEXT),
            index.data(JobRole.DURATION_TEXT),
        ]
        count = index.data(JobRole.RESULT_COUNT) or 1
        if count > 1:
            meta.append(f"×{count}")
        lineage = index.data(JobRole.LINEAGE_TEXT)
        if lineage:
            meta.append(lineage)
        if index.data(JobRole.RESUMED):
            meta.append("resumed")
        small = QFontMetrics(small_font)
        painter.setFont(small_font)
        muted = QColor(colour)
        muted.setAlpha(150)
        painter.setPen(muted)
        y = rect.top() + line + 2
        painter.drawText(
            QRect(rect.left(), y, rect.width(), small_line),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            small.elidedText(
                " · ".join(str(m) for m in meta if m), Qt.TextElideMode.ElideRight, rect.width()
            ),
        )

        error = index.data(JobRole.ERROR_TEXT)
        if error:
            state = _as_state(index.data(JobRole.STATE))
            painter.setPen(QColor("#b91c1c") if state is JobState.FAILED else QColor("#92400e"))
            painter.drawText(
                QRect(rect.left(), y + small_line + 2, rect.width(), small_line),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                small.elidedText(str(error), Qt.TextElideMode.ElideRight, rect.width()),
            )

    @staticmethod
    def _paint_chip_and_cost(
        painter: QPainter,
        rect: QRect,
        index: QModelIndex | QPersistentModelIndex,
        base_font: QFont,
    ) -> None:
        state = _as_state(index.data(JobRole.STATE))
        text = str(index.data(JobRole.STATE_TEXT) or "")
        chip_font = QFont(base_font)
        chip_font.setPointSizeF(max(7.0, base_font.pointSizeF() - 1))
        chip_font.setWeight(QFont.Weight.DemiBold)
        metrics = QFontMetrics(chip_font)
        chip_w = min(rect.width(), metrics.horizontalAdvance(text) + 16)
        chip = QRectF(rect.right() - chip_w, rect.top(), chip_w, metrics.height() + 6)
        colour = state_colour(state)
        fill = QColor(colour)
        fill.setAlpha(34)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(chip, chip.height() / 2, chip.height() / 2)

        progress = index.data(JobRole.PROGRESS)
        if isinstance(progress, float) and 0 < progress < 1:
            bar = QRectF(chip.left(), chip.top(), chip.width() * progress, chip.height())
            fill.setAlpha(70)
            painter.setBrush(fill)
            painter.drawRoundedRect(bar, chip.height() / 2, chip.height() / 2)

        painter.setFont(chip_font)
        painter.setPen(colour.darker(115))
        painter.drawText(
            chip,
            Qt.AlignmentFlag.AlignCenter,
            metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(chip.width()) - 8),
        )

        cost = str(index.data(JobRole.COST_TEXT) or "")
        painter.setPen(QColor(60, 60, 60))
        painter.drawText(
            QRect(rect.left(), int(chip.bottom()) + 4, rect.width(), metrics.height() + 4),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            cost,
        )
