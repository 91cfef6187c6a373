"""The per-test watchdog (tests/watchdog.py) ends a test stuck in native code holding the GIL,
where pytest-timeout's thread method cannot act, and shows the stuck stack."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

STUCK = textwrap.dedent(
    """
    import ctypes

    import pytest


    @pytest.mark.timeout(1)
    def test_stuck_in_c_holding_the_gil():
        # libc's sleep() called through PyDLL keeps the GIL, like a Qt call that never returns
        ctypes.PyDLL(None).sleep(600)


    def test_never_reached():
        pass
    """
)


def test_watchdog_ends_a_native_hang_with_every_threads_stack(tmp_path: Path) -> None:
    (tmp_path / "test_stuck.py").write_text(STUCK)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SORA_WATCHDOG_MARGIN": "2"}
    pytest = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "tests.watchdog",
        "-p",
        "no:cacheprovider",
    ]
    done = subprocess.run(
        [*pytest, "--rootdir", str(tmp_path), "-o", "timeout_method=thread", "test_stuck.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,  # the watchdog fires after 3 s; this only bounds a broken watchdog
    )
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    assert "Timeout (0:00:03)!" in done.stderr, done.stderr
    assert "test_stuck_in_c_holding_the_gil" in done.stderr, done.stderr
    assert "passed" not in done.stdout  # the process ended there: no later test ran
