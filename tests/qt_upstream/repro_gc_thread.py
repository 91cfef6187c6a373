"""Reproduction: Python's cyclic GC, run by a worker thread, destroys Qt objects with timers.

Run standalone: ``python repro_gc_thread.py MODE`` (needs only PySide6). Fifty garbage cycles
each hold a running QTimer; then a worker thread allocates until Python's automatic collector
runs in it. MODE ``plain`` leaves collection to Python: the timers' C++ destructors run on the
worker, Qt cannot stop them there ("Timers cannot be stopped from another thread") and the GUI
thread's next timer pass touches freed memory (a segfault). MODE ``guarded`` installs
gui.ui.main_thread_gc.MainThreadGC first: collection happens on the GUI thread. It prints
``survived N`` (N cycles freed) when it got through.
"""

from __future__ import annotations

import sys
import threading
import time

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, QTimer


class Holder(QObject):
    freed = 0

    def __init__(self) -> None:
        super().__init__()
        self.timer = QTimer()  # no parent: Python owns it, so the cycle's collection deletes it
        self.timer.timeout.connect(self.tick)
        self.me = self  # a cycle: only the cyclic collector frees it
        self.timer.start(1)
        self.destroyed.connect(Holder.count)

    def tick(self) -> None:
        pass

    @staticmethod
    def count() -> None:
        Holder.freed += 1


KEPT: list[object] = []  # alive after the worker ends, so the counts stay past the thresholds


def allocate_until_collected() -> None:
    """Keep making container objects in this thread, as a busy worker does, until Python's
    automatic collector has run its older generations (where the holders are) many times."""
    for _ in range(100_000):
        KEPT.append([])  # each container counts towards the collector's thresholds


def main(mode: str) -> None:
    app = QCoreApplication.instance() or QCoreApplication([])
    collector = None
    if mode == "guarded":
        from gui.ui.main_thread_gc import MainThreadGC

        collector = MainThreadGC(interval_ms=20)
    for _ in range(50):
        Holder()
    worker = threading.Thread(target=allocate_until_collected)
    worker.start()
    worker.join()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (mode != "guarded" or Holder.freed < 50):
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
    if collector is not None:
        collector.stop()
    print(f"survived {Holder.freed}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
