"""Making the actions of a panel: one place for text, slot and a shortcut scoped to the panel."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

__all__ = ["panel_action"]


def panel_action(
    owner: QWidget, text: str, slot: Callable[[], None], shortcut: str | None = None
) -> QAction:
    """An action of ``owner``; its shortcut works only while focus is inside ``owner``, so two
    panels can use the same key (Delete, Enter) for their own selection."""
    act = QAction(text, owner)
    act.triggered.connect(slot)
    if shortcut:
        act.setShortcut(QKeySequence(shortcut))
        act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    owner.addAction(act)
    return act
