"""PYSIDE-3474 (PySide6 6.12.0 on CPython 3.11): every void call, empty QVariant and emit()
releases a reference to None/True it never took, until the interpreter aborts.

Kept so an upgrade shows whether it is fixed: this PASSES when the bug is absent (6.8.3-6.11.3
on 3.11, and any version on 3.12+ where None/True are immortal) and FAILS on 6.12.0 with 3.11
(measured: 500 of 500 references lost per kind, then "bool_dealloc: deallocating True or
False"; see docs/testing.md). The pin in pyproject.toml is chosen by it. It runs in a fresh
process, so a lost count cannot abort the test session.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).with_name("repro_refcount.py")


def test_void_calls_empty_variants_and_emits_keep_their_references() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "500"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"the interpreter aborted (PYSIDE-3474):\n{done.stderr[-2000:]}"
    lost = json.loads(done.stdout.strip().splitlines()[-1])
    assert (lost["void_call"], lost["empty_qvariant"], lost["emit"]) == (0, 0, 0), lost
