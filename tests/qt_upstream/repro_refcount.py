"""Reproduction of PYSIDE-3474: PySide6 releases a reference to None/True it never took.

Run standalone (``python repro_refcount.py [CALLS]``, 500 by default; needs only PySide6): it prints one JSON
line with how far ``sys.getrefcount`` of None and True fell over CALLS calls of each kind. On
PySide6 6.12.0 with CPython 3.11 each falls by about CALLS (and a fresh process aborts with
"none_dealloc"/"bool_dealloc" once a count reaches zero); without the bug they stay put. On
CPython >= 3.12 None and True are immortal and their counts never move.
"""

from __future__ import annotations

import json
import sys

import PySide6
from PySide6.QtCore import QCoreApplication, QModelIndex, QObject, QTimer, Signal


class _Emitter(QObject):
    fired = Signal()


def measure(calls: int) -> dict[str, object]:
    app = QCoreApplication.instance() or QCoreApplication([])
    timer, emitter, index = QTimer(), _Emitter(), QModelIndex()
    out: dict[str, object] = {"pyside": PySide6.__version__, "python": sys.version.split()[0]}
    for name, one, singleton in (
        ("void_call", lambda: timer.setInterval(5), None),  # a C++ method returning void
        ("empty_qvariant", lambda: index.data(), None),  # an empty QVariant -> None
        ("emit", lambda: emitter.fired.emit(), True),  # emit() returns True
    ):
        one()  # warm up (first-call caches)
        before = sys.getrefcount(singleton)
        for _ in range(calls):
            one()
        out[name] = before - sys.getrefcount(singleton)  # references lost
        print(f"{name}: {out[name]} of {calls}", file=sys.stderr, flush=True)
    del app
    return out


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 500)))
