"""A style's standard icon drawn in the palette's text colour, so it reads on either theme.

Not in gui.ui.theme: the theme is applied before the window's first paint, and QIcon (its
~150 theme-icon names are an enum PySide builds on first use) is not needed before it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QColor, QGuiApplication, QIcon, QIconEngine, QPalette, QPixmap

if TYPE_CHECKING:
    from PySide6.QtCore import QRect, QSize
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QStyle

__all__ = ["themed_icon"]


class _PaletteIconEngine(QIconEngine):
    """A style's icon drawn in the palette's button-text colour at each paint, so it reads on
    a dark theme (Fusion's media icons are dark grey pictures) and follows a switch live."""

    def __init__(self, base: QIcon) -> None:
        super().__init__()
        self._base = base

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        from PySide6.QtGui import QPainter

        shape = self._base.pixmap(size, mode, state)
        out = QPixmap(shape.size())
        out.setDevicePixelRatio(shape.devicePixelRatio())
        out.fill(QColor(0, 0, 0, 0))
        group = (
            QPalette.ColorGroup.Disabled
            if mode == QIcon.Mode.Disabled
            else QPalette.ColorGroup.Normal
        )
        colour = QGuiApplication.palette().color(group, QPalette.ColorRole.ButtonText)
        painter = QPainter(out)
        painter.drawPixmap(0, 0, shape)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
        painter.fillRect(out.rect(), colour)
        painter.end()
        return out

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        painter.drawPixmap(rect, self.pixmap(rect.size(), mode, state))

    def clone(self) -> QIconEngine:
        return _PaletteIconEngine(self._base)


def themed_icon(style: QStyle, which: QStyle.StandardPixmap) -> QIcon:
    """The style's standard icon ``which``, drawn in the current palette's text colour."""
    return QIcon(_PaletteIconEngine(style.standardIcon(which)))
