"""Drag and drop in tests: the events Qt would send (QTest has no drag-and-drop helper)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QPointF, Qt, QUrl, qVersion
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget

__all__ = ["drop_files", "drop_mime"]

_POINTF_EVENTS = tuple(int(n) for n in qVersion().split(".")[:2]) >= (6, 12)


def drop_mime(widget: QWidget, mime: QMimeData) -> bool:
    """Drag ``mime`` over the middle of ``widget`` and drop it; True when the drop was taken."""
    centre = widget.rect().center()  # QPointF from 6.12 on (QPoint deprecated), QPoint before
    pos = QPointF(centre) if _POINTF_EVENTS else centre
    act, btn, mod = (
        Qt.DropAction.CopyAction,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    enter = QDragEnterEvent(pos, act, mime, btn, mod)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    QApplication.sendEvent(widget, QDragMoveEvent(pos, act, mime, btn, mod))
    drop = QDropEvent(pos, act, mime, btn, mod, QEvent.Type.Drop)
    QApplication.sendEvent(widget, drop)
    return drop.isAccepted()


def drop_files(widget: QWidget, paths: list[Path]) -> bool:
    """Drag local files onto ``widget`` and drop them."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return drop_mime(widget, mime)
