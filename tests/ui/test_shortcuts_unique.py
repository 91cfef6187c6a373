"""No key is bound twice where both bindings are live at once (issue 17, item 12: Ctrl+L was
"Focus prompt" for the window and "Show family" in the library: "Ambiguous shortcut overload").

Every QAction and QShortcut in the main window is walked. Two bindings of one key clash when
their scopes overlap: a window-wide one overlaps everything in its window; a widget-scoped one
(WidgetShortcut / WidgetWithChildrenShortcut) overlaps another when one owner contains the
other (then focus can be inside both).
"""

from __future__ import annotations

from itertools import combinations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from gui.app import Studio

WIDE = {Qt.ShortcutContext.WindowShortcut, Qt.ShortcutContext.ApplicationShortcut}


def bindings(window: QWidget) -> list[tuple[str, str, Qt.ShortcutContext, QWidget]]:
    """(key, what, context, owner) for every key bound in ``window``."""
    found = []
    for action in window.findChildren(QAction):
        owner = action.parent() if isinstance(action.parent(), QWidget) else window
        for key in action.shortcuts():
            if not key.isEmpty():
                text = action.text().replace("&", "")
                found.append((key.toString(), f"action {text!r}", action.shortcutContext(), owner))
    for shortcut in window.findChildren(QShortcut):
        for key in shortcut.keys():  # noqa: SIM118  (a method, not a dict)
            if not key.isEmpty():
                parent = shortcut.parent()
                owner = parent if isinstance(parent, QWidget) else window
                name = f"shortcut of {type(owner).__name__}"
                found.append((key.toString(), name, shortcut.context(), owner))
    return found


def contains(outer: QWidget, inner: QWidget) -> bool:
    return outer is inner or outer.isAncestorOf(inner)


def clash(a: tuple, b: tuple) -> bool:  # type: ignore[type-arg]
    _, _, context_a, owner_a = a
    _, _, context_b, owner_b = b
    if owner_a.window() is not owner_b.window():
        return False
    if context_a in WIDE or context_b in WIDE:
        return True
    return contains(owner_a, owner_b) or contains(owner_b, owner_a)


def test_no_key_is_bound_twice_in_the_window(studio: Studio) -> None:
    window = studio.window
    found = bindings(window)
    keys = {key for key, *_ in found}
    assert QKeySequence("Ctrl+L").toString() in keys  # the walk sees the window's actions
    assert QKeySequence("Space").toString() in keys  # and the player's shortcuts
    assert QKeySequence("Ctrl+D").toString() in keys  # and the library's actions
    clashes = [
        f"{a[0]}: {a[1]} and {b[1]}"
        for a, b in combinations(found, 2)
        if a[0] == b[0] and clash(a, b)
    ]
    assert clashes == []
