"""Waiting for Qt to have nothing left to do, instead of waiting a fixed time."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication


def settle(observe: Callable[[], object], *, quiet_passes: int = 3, max_passes: int = 500) -> None:
    """Run event-loop passes (posted events, then timers and the rest) until ``observe()`` has
    not changed for ``quiet_passes`` passes in a row: the pending layouts, updates and
    zero-timers it depends on have run. Fails, saying what it saw, if it never settles."""
    quiet, last = 0, observe()
    for _ in range(max_passes):
        QCoreApplication.sendPostedEvents()
        QCoreApplication.processEvents()
        now = observe()
        quiet = quiet + 1 if now == last else 0
        last = now
        if quiet >= quiet_passes:
            return
    raise AssertionError(f"still changing after {max_passes} event-loop passes: {last!r}")
