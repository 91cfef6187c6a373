"""Cycles of Qt objects are collected on the GUI thread, never by a worker (the native crash).

tests/qt_upstream/repro_gc_thread.py runs in a child process: fifty garbage cycles hold running
QTimers while a worker thread allocates. Left to Python, the worker's collection destroys them
("Timers cannot be stopped from another thread") and the process segfaults in Qt's timer pass,
as a UI test run did (core dump: QCoreApplication::notifyInternal2 from activateTimers). With
MainThreadGC the same run frees all fifty on the GUI thread and exits normally.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QObject

from gui.ui.main_thread_gc import collect_due

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "qt_upstream" / "repro_gc_thread.py"


def run(mode: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return subprocess.run(
        [sys.executable, str(SCRIPT), mode], capture_output=True, text=True, env=env, timeout=120
    )


def test_a_worker_collecting_qt_cycles_crashes_the_gui_thread_upstream() -> None:
    # the hazard itself: if this starts passing (Qt or PySide fixed it), the guard may go
    done = run("plain")
    assert done.returncode != 0 and "survived" not in done.stdout, done.stdout
    assert "Timers cannot be stopped from another thread" in done.stderr


def test_with_the_guard_the_gui_thread_collects_them_and_survives() -> None:
    done = run("guarded")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "survived 50" in done.stdout, done.stdout
    assert "another thread" not in done.stderr


def test_collection_runs_when_due_on_the_thread_that_asks(qapp) -> None:  # type: ignore[no-untyped-def]
    assert not gc.isenabled()  # tests/conftest.py installs MainThreadGC for the whole session
    freed: list[bool] = []
    obj = QObject()
    obj.destroyed.connect(lambda: freed.append(True))
    holder: list[object] = [obj]
    holder.append(holder)  # the QObject is now reachable only through a cycle
    del obj, holder
    assert collect_due((10**9, 10**9, 10**9)) == 0  # not due: nothing is collected
    assert freed == []
    assert collect_due((0, 10**9, 10**9)) >= 2  # due: the young generation, here and now
    assert freed == [True]
