"""P1: launch → first painted main window (sandbox backend, empty library), against a bare
PySide6 QMainWindow script. Both are fresh processes under QT_QPA_PLATFORM=offscreen, launched
alternately; the app prints its first paint through ``SORA_STUDIO_EXIT_AFTER_PAINT=1``."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.benchmarks.common import (
    Figure,
    child_env,
    isolated_home,
    main,
    median,
    ms,
    spread,
    timed_lines,
)

REPEATS = 7
TARGET = 1.4


def launch_app(base: Path, n: int) -> tuple[float, float]:
    env = child_env(SORA_STUDIO_EXIT_AFTER_PAINT="1", **isolated_home(base / f"home-{n}"))
    args = [sys.executable, "-m", "gui", "--sandbox", "--data-dir", str(base / f"data-{n}")]
    launched, marks, done = timed_lines(args, env)
    if "first-paint" not in marks:
        raise RuntimeError(f"the app printed no first paint:\n{done.stdout}\n{done.stderr[-2000:]}")
    return marks["first-paint"] - launched, marks["first-paint-cpu"]


def launch_bare() -> tuple[float, float]:
    args = [sys.executable, "-m", "tests.benchmarks.bare_window", "paint"]
    launched, marks, done = timed_lines(args, child_env())
    if "first-paint" not in marks:
        raise RuntimeError(f"the bare window printed no first paint:\n{done.stderr[-2000:]}")
    return marks["first-paint"] - launched, marks["first-paint-cpu"]


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="bench-p1-") as tmp:
        base = Path(tmp)
        launch_bare(), launch_app(base, 99)  # warm the page cache, not counted
        bare_runs, app_runs = [], []
        for n in range(REPEATS):
            bare_runs.append(launch_bare())
            app_runs.append(launch_app(base, n))
    bare, app = [w for w, _ in bare_runs], [w for w, _ in app_runs]
    bare_cpu, app_cpu = median([c for _, c in bare_runs]), median([c for _, c in app_runs])
    # each pair ran back to back: the median of their ratios shrugs off the machine's load drifting
    ratio = median([a / b for a, b in zip(app, bare, strict=True)])
    return [
        Figure(
            id="P1",
            figure=f"launch → first paint {ms(median(app))} (median of {REPEATS}, {spread(app)})",
            baseline=f"bare QMainWindow {ms(median(bare))} ({spread(bare)})",
            ratio=f"{ratio:.2f}× (median of pairs)",
            target=f"≤ {TARGET}×",
            passed=ratio <= TARGET,
            notes=(
                f"CPU time to first paint {ms(app_cpu)} against {ms(bare_cpu)} "
                f"({app_cpu / bare_cpu:.1f}×): the gap is the work, not the machine's load"
            ),
        )
    ]


if __name__ == "__main__":
    main(run)
