"""Reproduction: a Qt thread's warning races PySide6's ``qInstallMessageHandler(None)``.

Run standalone: ``python repro_message_handler.py MODE [SECONDS]`` (needs only PySide6). Two
threads emit Qt warnings from native code (``QMessageLogger::warning`` through ctypes, which
releases the GIL, as Qt's own threads run) while the main thread does what pytest-qt does for
every test: install a Python handler, then put the previous one back. MODE ``plain`` has no
handler before it, so each restore is ``qInstallMessageHandler(None)``: a warning that entered
PySide's trampoline meanwhile calls a NULL callable and the process segfaults, usually within a
second. MODE ``floor`` installs tests/qt_message_floor.py's handler first, as tests/conftest.py
does. It prints ``survived N`` (N swaps) when it got through.
"""

from __future__ import annotations

import ctypes
import sys
import threading
import time
from pathlib import Path
from typing import Any

import PySide6
from PySide6.QtCore import QCoreApplication, qInstallMessageHandler

WARN = "_ZNK14QMessageLogger7warningEPKcz"  # QMessageLogger::warning(const char*, ...) const


def main() -> None:
    mode = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0
    core = ctypes.CDLL(str(Path(PySide6.__file__).parent / "Qt" / "lib" / "libQt6Core.so.6"))
    warn = core[WARN]
    warn.restype = None
    logger = (ctypes.c_char * 64)()  # a QMessageLogger: its context, version 2, nothing else
    ctypes.c_int.from_buffer(logger, 0).value = 2
    app = QCoreApplication(sys.argv[:1])
    if mode == "floor":
        sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
        from tests import qt_message_floor

        qt_message_floor.install()
    elif mode != "plain":
        raise SystemExit(f"unknown mode {mode!r}")
    stop = threading.Event()

    def spam() -> None:
        while not stop.is_set():
            warn(ctypes.byref(logger), b"a warning from a native thread")

    captured: list[str] = []

    def capture(_kind: Any, _context: Any, message: str) -> None:
        captured.append(message)

    threads = [threading.Thread(target=spam, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    swaps = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        previous = qInstallMessageHandler(capture)  # pytest-qt: a test's setup
        qInstallMessageHandler(previous)  # and its teardown
        swaps += 1
    stop.set()
    for thread in threads:
        thread.join()
    del app
    print(f"survived {swaps} swaps, {len(captured)} warnings captured", flush=True)


if __name__ == "__main__":
    main()
