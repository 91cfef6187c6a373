"""The wheel scrolls the panel; it changes a control only while that control has focus.

A form in a scroll area has spin boxes, sliders and combo boxes under the pointer as it scrolls;
Qt lets each of them take the wheel (and spin boxes even take focus from it), so scrolling
changed whatever passed under the cursor (quality went 95→83 unnoticed, issue 17 item 6).

One rule for every control of a panel, present and future: :class:`WheelGuard` watches a root
widget and each widget added under it (model options are rebuilt per model). A wheel turn over
an unfocused value control is passed on to its parents (the scroll area scrolls); such
controls get focus from a click or Tab, never from the wheel.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSlider, QAbstractSpinBox, QComboBox, QScrollBar, QWidget

__all__ = ["WheelGuard", "turns_with_wheel"]


def turns_with_wheel(widget: QObject) -> bool:
    """Whether a wheel turn changes ``widget``'s value (a scroll bar scrolls: it may)."""
    if isinstance(widget, QScrollBar):
        return False
    return isinstance(widget, QAbstractSpinBox | QAbstractSlider | QComboBox)


class WheelGuard(QObject):
    """Installed over ``root``: wheel turns change only a focused value control."""

    def __init__(self, root: QWidget) -> None:
        super().__init__(root)
        self._watch(root)

    def _watch(self, widget: QWidget) -> None:
        widget.installEventFilter(self)  # once: Qt ignores a second install of the same filter
        if turns_with_wheel(widget) and widget.focusPolicy() == Qt.FocusPolicy.WheelFocus:
            widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel gives no focus
        for child in widget.findChildren(QWidget):
            child.installEventFilter(self)
            if turns_with_wheel(child) and child.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                child.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.ChildPolished:
            # sent once a new child is fully built (ChildAdded comes before its constructor ends)
            child = event.child()  # type: ignore[attr-defined]
            if isinstance(child, QWidget):
                self._watch(child)
            return False
        if kind == QEvent.Type.Wheel and turns_with_wheel(watched):
            assert isinstance(watched, QWidget)
            if not watched.hasFocus():
                # not taken here: Qt offers a spontaneous wheel event to the parents next,
                # up to the scroll area, which scrolls
                event.ignore()
                return True
        return False
