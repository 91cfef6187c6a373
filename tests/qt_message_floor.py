"""A Qt message handler that stays installed under pytest-qt's per-test ones (a native crash).

pytest-qt captures Qt's messages per test: it installs its handler at setup and puts back the
previous one at teardown. With nothing installed before it, "the previous one" is ``None``, and
PySide6's ``qInstallMessageHandler(None)`` clears the Python callable its C++ trampoline calls.
A thread of Qt's own (an FFmpeg audio renderer stopping with its player) that had already
entered the trampoline waits there for the GIL the main thread holds while uninstalling; it
then calls a NULL callable: a segfault in ``_PyObject_Call`` from ``QMessageLogger::warning``
(the core dump of a crashed xdist worker in ``make stress``, run 4, 2026-12-01).
tests/qt_upstream/repro_message_handler.py reproduces it within a second.

:func:`install` puts a handler of ours underneath for the whole session: pytest-qt then swaps
between two live callables and the trampoline never finds NULL. It writes what it is given to
the real stderr, as Qt's default handler would.
"""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import QMessageLogContext, QtMsgType, qFormatLogMessage, qInstallMessageHandler

__all__ = ["install"]

_installed: list[Any] = []  # the handler, kept alive for the whole process


def _write(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    stream = sys.__stderr__
    if stream is not None:
        stream.write(qFormatLogMessage(kind, context, message) + "\n")


def install() -> None:
    """Once per process, before any test (and so before pytest-qt's first capture)."""
    if not _installed:
        _installed.append(_write)
        qInstallMessageHandler(_write)
