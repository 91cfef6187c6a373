"""Paints one library card: thumbnail (or the live preview), star, badges, prompt and details."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
    QPolygonF,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from gui.studio.spending import format_money
from gui.ui.library.items import LibraryItem, Status
from gui.ui.library.library_model import ItemRole
from gui.ui.library.preview import PreviewPlayer
from gui.ui.library.thumbnails import ThumbnailLoader, thumbnail_source

__all__ = ["CARD", "MIN_CARD_WIDTH", "LibraryDelegate", "card_size"]

CARD = QSize(232, 196)  # a card's shape; the grid sizes cards to fill each row
MIN_CARD_WIDTH = 200  # no narrower: as many columns as fit cards this wide
_MARGIN = 6
_THUMB_H = 126
_TEXT_H = CARD.height() - _THUMB_H  # prompt and details under the picture, whatever the width
_STAR = 22
_Index = QModelIndex | QPersistentModelIndex


def card_size(width: int) -> QSize:
    """A card ``width`` wide (at least :data:`MIN_CARD_WIDTH`): its picture keeps its shape."""
    width = max(width, MIN_CARD_WIDTH)
    thumb_h = round(_THUMB_H * (width - 2 * _MARGIN) / (CARD.width() - 2 * _MARGIN))
    return QSize(width, thumb_h + _TEXT_H)


def star_path(rect: QRectF) -> QPainterPath:
    """A five-pointed star filling ``rect``."""
    cx, cy = rect.center().x(), rect.center().y()
    outer, inner = rect.width() / 2, rect.width() / 5
    points = []
    for n in range(10):
        radius = outer if n % 2 == 0 else inner
        angle = -math.pi / 2 + n * math.pi / 5
        points.append(QPointF(cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    path = QPainterPath()
    path.addPolygon(QPolygonF(points))
    path.closeSubpath()
    return path


def two_lines(text: str, metrics: QFontMetrics, width: int) -> list[str]:
    """``text`` wrapped into at most two lines, the second elided."""
    words, first = text.split(), ""
    while words and metrics.horizontalAdvance(f"{first} {words[0]}".strip()) <= width:
        first = f"{first} {words.pop(0)}".strip()
    if not first and words:  # one very long word
        return [metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)]
    rest = " ".join(words)
    lines = [first]
    if rest:
        lines.append(metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width))
    return lines


class LibraryDelegate(QStyledItemDelegate):
    """Card painter; says ``favourite_clicked(index)`` when the star is clicked."""

    favourite_clicked = Signal(QModelIndex)

    def __init__(
        self,
        thumbnails: ThumbnailLoader,
        preview: PreviewPlayer,
        model_name: Callable[[str], str],
        parent: QObject | None = None,
        *,
        card: Callable[[], QSize] | None = None,
    ) -> None:
        super().__init__(parent)
        self.thumbnails, self.preview, self.model_name = thumbnails, preview, model_name
        self._card = card or (lambda: CARD)  # the grid's current card size

    # ---- geometry
    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        return self._card()

    @staticmethod
    def thumb_rect(card: QRect) -> QRect:
        """The picture's box in a card (``card``: the item's rect less 2 px each side)."""
        height = card.height() + 4 - _TEXT_H
        return QRect(card.x() + _MARGIN, card.y() + _MARGIN, card.width() - 2 * _MARGIN, height)

    @classmethod
    def star_rect(cls, card: QRect) -> QRect:
        thumb = cls.thumb_rect(card)
        return QRect(thumb.right() - _STAR - 4, thumb.top() + 4, _STAR, _STAR)

    # ---- painting
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        item: LibraryItem | None = index.data(ItemRole)
        if item is None:
            return
        card = option.rect.adjusted(2, 2, -2, -2)
        palette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_card(painter, card, palette, selected, hovered)
        self._paint_picture(painter, card, item)
        self._paint_badges(painter, card, item)
        self._paint_text(painter, card, item, palette, selected)
        painter.restore()

    def _paint_card(
        self, painter: QPainter, card: QRect, palette: QPalette, selected: bool, hovered: bool
    ) -> None:
        highlight = palette.color(QPalette.ColorRole.Highlight)
        fill = palette.color(QPalette.ColorRole.Base)
        if selected:
            fill = QColor(highlight)
            fill.setAlpha(40)
        border = highlight if selected else palette.color(QPalette.ColorRole.Mid)
        if hovered and not selected:
            border = highlight.lighter(130)
        painter.setPen(QPen(border, 2 if selected else 1))
        painter.setBrush(fill)
        painter.drawRoundedRect(QRectF(card).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)

    def _paint_picture(self, painter: QPainter, card: QRect, item: LibraryItem) -> None:
        thumb = self.thumb_rect(card)
        clip = QPainterPath()
        clip.addRoundedRect(QRectF(thumb), 4, 4)
        painter.save()
        painter.setClipPath(clip)
        painter.fillRect(thumb, QColor(28, 28, 32))
        frame = self.preview.frame(item.key)
        picture: QPixmap | None = None
        if frame is not None:
            picture = QPixmap.fromImage(frame)
        elif item.status is Status.READY:
            picture = self.thumbnails.pixmap(thumbnail_source(item.thumbnail_path, item.video_path))
        if picture is not None and not picture.isNull():
            size = picture.size().scaled(thumb.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(thumb.center())
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawPixmap(target, picture)
        word = item.state_word
        if word:
            self._paint_placeholder(painter, thumb, item, word)
        painter.restore()

    @staticmethod
    def _paint_placeholder(painter: QPainter, thumb: QRect, item: LibraryItem, word: str) -> None:
        """No picture: a lit panel with a mark and the state's word, never a black box."""
        failed = item.status is Status.FAILED
        tone = QColor(92, 58, 58) if failed else QColor(62, 66, 80)
        if failed and word != "Failed":  # cancelled or expired: grey, not alarming
            tone = QColor(74, 74, 80)
        painter.fillRect(thumb, tone)
        painter.setPen(QPen(tone.lighter(135), 2, Qt.PenStyle.SolidLine))
        step = 14
        for x in range(thumb.left() - thumb.height(), thumb.right(), step):  # diagonal hatching
            painter.drawLine(x, thumb.bottom(), x + thumb.height(), thumb.top())
        font = QFont(painter.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() + 2)
        painter.setFont(font)
        metrics = QFontMetrics(font)
        mark = "✕" if failed and word == "Failed" else ("■" if failed else "…")
        label = QRect(
            0, 0, metrics.horizontalAdvance(f"{mark}  {word}") + 24, metrics.height() + 10
        )
        label.moveCenter(thumb.center())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 150))
        painter.drawRoundedRect(QRectF(label), 6, 6)
        painter.setPen(QColor(255, 170, 160) if word == "Failed" else QColor(235, 235, 240))
        painter.drawText(label, Qt.AlignmentFlag.AlignCenter, f"{mark}  {word}")

    def _paint_badges(self, painter: QPainter, card: QRect, item: LibraryItem) -> None:
        thumb = self.thumb_rect(card)
        # the star, filled gold for a favourite, an outline otherwise
        star = star_path(QRectF(self.star_rect(card)).adjusted(2, 2, -2, -2))
        painter.setPen(QPen(QColor(0, 0, 0, 150), 1.2))
        painter.setBrush(QColor(255, 196, 0) if item.favourite else QColor(255, 255, 255, 70))
        painter.drawPath(star)
        # duration, bottom right
        small = QFont(painter.font())
        small.setPointSizeF(max(small.pointSizeF() - 1.5, 7))
        painter.setFont(small)
        text = f"{item.duration:g} s"
        metrics = QFontMetrics(small)
        badge = QRect(0, 0, metrics.horizontalAdvance(text) + 10, metrics.height() + 2)
        badge.moveBottomRight(thumb.bottomRight() - QPoint(4, 4))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 170))
        painter.drawRoundedRect(QRectF(badge), 4, 4)
        painter.setPen(QColor(240, 240, 240))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
        if item.boards:  # a storyboard take: which board and shot, bottom left
            more = f" +{len(item.boards) - 1}" if len(item.boards) > 1 else ""
            room = thumb.width() - badge.width() - 16
            chip_text = metrics.elidedText(
                f"▦ {item.boards[0]}{more}", Qt.TextElideMode.ElideMiddle, room - 10
            )
            chip = QRect(0, 0, metrics.horizontalAdvance(chip_text) + 10, badge.height())
            chip.moveBottomLeft(thumb.bottomLeft() + QPoint(4, -4))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(40, 70, 130, 220))
            painter.drawRoundedRect(QRectF(chip), 4, 4)
            painter.setPen(QColor(240, 240, 240))
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, chip_text)
            painter.setBrush(QColor(0, 0, 0, 170))
        if item.index > 0 or self.preview.frame(item.key) is not None:
            mark = f"#{item.index + 1}" if item.index > 0 else "▶"
            box = QRect(
                thumb.left() + 4,
                thumb.top() + 4,
                metrics.horizontalAdvance(mark) + 10,
                badge.height(),
            )
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawRoundedRect(QRectF(box), 4, 4)
            painter.setPen(QColor(240, 240, 240))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, mark)

    def _paint_text(
        self, painter: QPainter, card: QRect, item: LibraryItem, palette: QPalette, selected: bool
    ) -> None:
        thumb = self.thumb_rect(card)
        width = thumb.width()
        font = QFont(painter.font())
        painter.setFont(font)
        metrics = QFontMetrics(font)
        top = thumb.bottom() + 6
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        for n, line in enumerate(two_lines(item.prompt, metrics, width)):
            rect = QRect(thumb.left(), top + n * metrics.height(), width, metrics.height())
            painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, line)
        small = QFont(font)
        small.setPointSizeF(max(font.pointSizeF() - 1.5, 7))
        painter.setFont(small)
        small_metrics = QFontMetrics(small)
        when = dt.datetime.fromtimestamp(item.created_at).strftime("%d %b %H:%M")
        parts = [self.model_name(item.model), when]
        if item.cost is not None:
            parts.insert(1, format_money(item.cost))
        meta = small_metrics.elidedText(" · ".join(parts), Qt.TextElideMode.ElideRight, width)
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        rect = QRect(
            thumb.left(), card.bottom() - small_metrics.height() - 6, width, small_metrics.height()
        )
        painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, meta)

    # ---- the star is a button
    def editorEvent(
        self,
        event: QEvent,
        model: QAbstractItemModel,
        option: QStyleOptionViewItem,
        index: _Index,
    ) -> bool:
        kinds = (
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseButtonRelease,
            QEvent.Type.MouseButtonDblClick,
        )
        if event.type() in kinds and isinstance(event, QMouseEvent):
            card = option.rect.adjusted(2, 2, -2, -2)
            on_star = (
                self.star_rect(card).adjusted(-3, -3, 3, 3).contains(event.position().toPoint())
            )
            if on_star and event.button() == Qt.MouseButton.LeftButton:
                if event.type() == QEvent.Type.MouseButtonRelease:
                    # a plain QModelIndex, whichever kind of index Qt handed in
                    self.favourite_clicked.emit(index.sibling(index.row(), index.column()))
                return True  # the star neither selects nor opens the card
        return super().editorEvent(event, model, option, index)
