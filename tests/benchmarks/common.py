"""What every benchmark shares: results, statistics, child processes, seeded data.

Each benchmark module has ``run() -> list[Figure]`` and, run as ``python -m
tests.benchmarks.pN_name``, prints its figures as one JSON line (the runner in ``__main__`` starts
each module in its own process, so no Qt application, import or memory carries over). A figure
is a ratio or an absolute value against a baseline measured in the same run.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
QT_LOGGING_RULES = (
    "qt.multimedia.ffmpeg*=false;qt.multimedia.symbolsresolver=false;"
    "qt.multimedia.playbackengine*=false"
)
PYCACHE = Path(tempfile.gettempdir()) / "sora-studio-bench-pycache"


@dataclass
class Figure:
    """One row of the results table."""

    id: str
    figure: str  # what was measured, with its value
    baseline: str  # what it was compared with, with its value
    ratio: str  # the number held against the target
    target: str
    passed: bool
    notes: str = ""


def emit(figures: Iterable[Figure]) -> None:
    """The child's answer to the runner: one JSON line on stdout."""
    print("BENCH-RESULT " + json.dumps([asdict(f) for f in figures]), flush=True)


def main(run: Any) -> None:
    figures = run()
    for f in figures:
        mark = "pass" if f.passed else "MISS"
        print(f"{f.id}: {f.figure} | baseline {f.baseline} | {f.ratio} (target {f.target}) {mark}")
    emit(figures)


# --------------------------------------------------------------------------- statistics
def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), nearest-rank on the sorted values."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.1 else f"{seconds * 1000:.1f} ms"


def spread(values: Sequence[float]) -> str:
    return f"{min(values) * 1000:.0f}–{max(values) * 1000:.0f} ms"


# --------------------------------------------------------------------------- child processes
def child_env(**extra: str) -> dict[str, str]:
    """Offscreen Qt, the project on the path, compiled bytecode as an install has it.

    Bytecode goes to a private cache (PYTHONPYCACHEPREFIX), never into the source tree: with
    PYTHONDONTWRITEBYTECODE set, every launch would compile ~50 of the project's modules
    (~0.3 s), which no installed copy of the app ever does.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("RUNWARE_API_KEY", None)  # a developer's real key never reaches a benchmark
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["QT_LOGGING_RULES"] = QT_LOGGING_RULES
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.update(extra)
    return env


def compile_bytecode() -> None:
    """Compile the project (and anything it imports that lacks bytecode) into PYCACHE."""
    env = child_env()
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "-j", "0", "gui", "tests/benchmarks"],
        cwd=ROOT,
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
    )
    # one import of everything the app loads writes bytecode for third-party modules too
    subprocess.run(
        [sys.executable, "-c", "import gui.app, gui.studio.engine, gui.sandbox.__main__"],
        cwd=ROOT,
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def isolated_home(base: Path) -> dict[str, str]:
    """XDG folders under ``base``, so no benchmark reads or writes the user's own."""
    dirs = {}
    for var, sub in (
        ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_STATE_HOME", "state"),
    ):
        (base / sub).mkdir(parents=True, exist_ok=True)
        dirs[var] = str(base / sub)
    return dirs


def timed_lines(
    args: Sequence[str], env: dict[str, str], timeout: float = 120
) -> tuple[float, dict[str, float], subprocess.CompletedProcess[str]]:
    """Launch ``args``; return the launch time, the ``<name> <monotonic> [<cpu>]`` lines it
    printed (as name and name-cpu), and the finished process. CLOCK_MONOTONIC is shared by all
    processes on Linux, so the child's timestamps compare with the launch time."""
    launched = time.monotonic()
    done = subprocess.run(
        list(args), cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    marks: dict[str, float] = {}
    for line in done.stdout.splitlines():
        name, *values = line.split()
        try:  # "<name> <monotonic> [<process_time>]"
            marks[name] = float(values[0])
            if len(values) > 1:
                marks[f"{name}-cpu"] = float(values[1])
        except (IndexError, ValueError):
            continue
    return launched, marks, done


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def vm_rss_mb(pid: int | None = None) -> float:
    """Resident memory (VmRSS) of a process, in MB."""
    status = Path(f"/proc/{pid or 'self'}/status").read_text()
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")
