"""The guard for PySide6 6.12's None reference bug on CPython < 3.12 (gui/ui/pyside_fixes.py)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel

from gui.ui import pyside_fixes


def test_the_guard_is_on_where_none_is_mortal() -> None:
    assert pyside_fixes.none_needs_protection() == (sys.version_info < (3, 12))
    if pyside_fixes.none_needs_protection():
        # tests/conftest.py turned it on; None now has headroom no session can use up
        assert sys.getrefcount(None) > pyside_fixes.HEADROOM // 2
        assert pyside_fixes.protect_none() is False  # once only


def test_many_void_calls_cannot_bring_none_down(qtbot) -> None:  # type: ignore[no-untyped-def]
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for n in range(50_000):  # more than None's whole count without the guard
        label.setText(str(n & 7))
    lost = before - sys.getrefcount(None)
    assert lost < 60_000  # at most one per call (0 where PySide or Python is fixed)
    assert sys.getrefcount(None) > 0


class _Emitter(QObject):
    changed = Signal(object)


def test_many_emits_cannot_bring_true_down() -> None:
    emitter = _Emitter()
    emitter.changed.connect(lambda _value: None)
    before = sys.getrefcount(True)
    for n in range(20_000):  # far more than True's whole count without the guard
        emitter.changed.emit(n)
    lost = before - sys.getrefcount(True)
    assert lost <= 20_000  # at most one per emit (0 where PySide or Python is fixed)
    if pyside_fixes.none_needs_protection():
        assert sys.getrefcount(True) > pyside_fixes.HEADROOM // 2
        assert sys.getrefcount(False) > pyside_fixes.HEADROOM // 2
