"""A guard against a reference-counting bug in the PySide6 6.12 wheels on CPython < 3.12.

Every call to a C++ method that returns ``void`` (``setText``, ``fillRect``, ``update``, …) and
every empty QVariant handed to Python (``index.data()`` with nothing there, ``currentData()``)
releases a reference to ``None`` that it never took. CPython 3.12 made ``None`` immortal, so
there the bug is harmless; on 3.11 ``None``'s count falls by one per call and the interpreter
aborts ("none_dealloc: deallocating None") once it reaches zero — after a few tens of thousands
of calls, i.e. minutes of painting. Measured in tests/ui/test_pyside_fixes.py.

Every ``SignalInstance.emit()`` from Python likewise returns ``True`` without taking a reference
to it: a fresh 3.11 process aborts ("bool_dealloc: deallocating True or False") after a few
hundred emits — the progress signals of one large download (found by tests/benchmarks P2).

:func:`protect_none` gives ``None``, ``True`` and ``False`` the same immortality 3.12 has: it
raises their counts far above anything the bug can take back. None of them is ever freed in a
running interpreter anyway.
"""

from __future__ import annotations

import ctypes
import sys

__all__ = ["HEADROOM", "none_needs_protection", "protect_none"]

HEADROOM = 1 << 40  # a trillion leaked references; a week of painting is a few billion at most
_done = False


def none_needs_protection() -> bool:
    """CPython before 3.12, where ``None`` is an ordinary reference-counted object."""
    return sys.implementation.name == "cpython" and sys.version_info < (3, 12)


def protect_none() -> bool:
    """Make ``None``, ``True`` and ``False`` effectively immortal on CPython < 3.12 (once);
    True when it acted."""
    global _done
    if _done or not none_needs_protection():
        return False
    # ob_refcnt is the first field of every PyObject, at the object's address (id).
    for singleton in (None, True, False):
        count = ctypes.c_ssize_t.from_address(id(singleton))
        count.value += HEADROOM
    _done = True
    return True
