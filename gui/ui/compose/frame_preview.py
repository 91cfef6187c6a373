"""The face of a frame drop zone: the image fitted into the video's shape, or an invitation."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from gui.ui.compose.caption import caption_lines

__all__ = ["FramePreview"]


class FramePreview(QWidget):
    """The zone's face: the image fitted into the video's aspect, or an invitation to drop one."""

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image: QImage | None = None
        self.fit = "crop"
        self.target = (16, 9)
        self.hovering = False
        self.hint = "Drop an image\nor click to choose"
        self.setMinimumSize(120, 96)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(112)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def sizeHint(self) -> QSize:
        return QSize(170, 112)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.EnabledChange:
            self.hint = (
                "Drop an image\nor click to choose" if self.isEnabled() else "Not used\nin a remix"
            )
            self.update()
        super().changeEvent(event)

    def frame_rect(self) -> QRectF:
        """The largest rectangle of the video's aspect that fits the widget."""
        area = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        tw, th = self.target
        aspect = tw / th if th else 16 / 9
        w = min(area.width(), area.height() * aspect)
        h = w / aspect
        rect = QRectF(0, 0, w, h)
        rect.moveCenter(area.center())
        return rect

    def hint_rect(self) -> QRectF:
        """Where the invitation is written: the whole face, so a tall portrait frame (63 px
        wide in a 112 px high zone) does not squeeze its words."""
        return QRectF(self.rect()).adjusted(1, 1, -1, -1)

    def hint_lines(self) -> list[str]:
        """The invitation as drawn: whole words wrapped to the face's width."""
        rect = self.hint_rect().adjusted(6, 4, -6, -4)
        lines, _cut = caption_lines(self.hint, self.font(), int(rect.width()), 4)
        return lines

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.isEnabled():
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        pal = self.palette()
        rect = self.frame_rect()
        path = QPainterPath()
        path.addRoundedRect(rect, 6, 6)
        if self.image is None:
            self._paint_invitation(painter)
            return
        painter.fillPath(path, QColor("black"))
        painter.setClipPath(path)
        iw, ih = self.image.width(), self.image.height()
        scale = (
            max(rect.width() / iw, rect.height() / ih)
            if self.fit == "crop"
            else min(rect.width() / iw, rect.height() / ih)
        )
        drawn = QRectF(0, 0, iw * scale, ih * scale)
        drawn.moveCenter(rect.center())
        painter.drawImage(drawn, self.image)
        painter.setClipping(False)
        painter.setPen(
            QPen(pal.color(QPalette.ColorRole.Highlight), 2) if self.hovering else Qt.PenStyle.NoPen
        )
        painter.drawPath(path)

    def _paint_invitation(self, painter: QPainter) -> None:
        """A dashed drop target over the whole face with the invitation inside (the video's
        shape shows once there is an image)."""
        pal = self.palette()
        block = self.hint_rect()
        shape = QPainterPath()
        shape.addRoundedRect(block, 6, 6)
        border = (
            pal.color(QPalette.ColorRole.Highlight)
            if self.hovering
            else pal.color(QPalette.ColorRole.Mid)
        )
        painter.fillPath(shape, pal.color(QPalette.ColorRole.Base))
        painter.setPen(QPen(border, 1.5, Qt.PenStyle.DashLine))
        painter.drawPath(shape)
        painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
        lines = self.hint_lines()
        metrics = painter.fontMetrics()
        top = block.center().y() - metrics.lineSpacing() * len(lines) / 2
        for index, line in enumerate(lines):
            row = QRectF(
                block.left(),
                top + index * metrics.lineSpacing(),
                block.width(),
                metrics.lineSpacing(),
            )
            painter.drawText(row, Qt.AlignmentFlag.AlignCenter, line)
