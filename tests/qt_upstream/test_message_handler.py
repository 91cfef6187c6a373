"""pytest-qt's per-test message capture against a Qt thread's warning (repro_message_handler.py).

Without a handler of ours underneath, restoring "no handler" races a warning already inside
PySide6's trampoline: a segfault (a crashed xdist worker in ``make stress``). With
tests/qt_message_floor.py's handler installed first, as tests/conftest.py does, the same run
survives.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).with_name("repro_message_handler.py")


def run(mode: str, seconds: float) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, str(SCRIPT), mode, str(seconds)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_restoring_no_handler_while_a_qt_thread_warns_crashes_upstream() -> None:
    # the hazard itself: if this starts passing (PySide fixed it), the floor may go
    done = run("plain", 20)
    assert done.returncode != 0 and "survived" not in done.stdout, done.stdout[-500:]


def test_with_our_handler_underneath_the_same_swaps_survive() -> None:
    done = run("floor", 3)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "survived" in done.stdout, done.stdout[-500:]
