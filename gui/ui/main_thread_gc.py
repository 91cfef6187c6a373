"""Python's cyclic garbage collector runs on the GUI thread only.

Python collects cycles in whichever thread happens to allocate past a threshold: the journal
writer, an executor thread, a thumbnail worker. When a cycle holds a Qt object with a running
timer (a widget, a QTimer, a player), its C++ destructor then runs on that thread; Qt cannot
stop a timer from another thread ("QObject::~QObject: Timers cannot be stopped from another
thread"), leaves it registered, and the GUI thread's next timer pass delivers an event to freed
memory: a segfault in ``QCoreApplication::notifyInternal2`` called from
``QTimerInfoList::activateTimers``. That is the native crash seen between UI tests (a core
dump showed exactly this; tests/ui/test_main_thread_gc.py reproduces it in a child process).

:class:`MainThreadGC` switches the automatic collector off and runs the same generational
collections from a timer on the GUI thread, with Python's own thresholds (the pattern Calibre
uses for the same reason). Reference counting still frees everything that is not in a cycle at
once, on whichever thread drops the last reference, as before.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

__all__ = ["MainThreadGC", "collect_due"]


def collect_due(thresholds: tuple[int, int, int] | None = None) -> int:
    """Run the generations whose counts passed their thresholds, as Python would have done;
    returns the number of unreachable objects found. Call it on the GUI thread only."""
    first, second, third = thresholds or gc.get_threshold()
    young, middle, old = gc.get_count()
    if young <= first:
        return 0
    if middle > second:
        return gc.collect(2 if old > third else 1)
    return gc.collect(0)


class MainThreadGC(QObject):
    """While it lives, cycles are collected on the thread that made it (the GUI thread)."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = 200) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> int:
        return collect_due(self._thresholds)

    def stop(self) -> None:
        """Give collection back to Python (at exit, once no Qt object is left to collect)."""
        self._timer.stop()
        if self._was_enabled:
            gc.enable()
