"""P1: launch → first painted main window (sandbox backend, empty library), against a bare
PySide6 QMainWindow script. Both are fresh processes under QT_QPA_PLATFORM=offscreen, launched
alternately; the app prints its first paint through ``SORA_STUDIO_EXIT_AFTER_PAINT=1``.

The figure is a user's everyday launch: the same home and library each time, so the window
state and the system's colour scheme the last run kept are there (an uncounted first launch
leaves them). The very first launch on a machine has neither: it must ask the system for its
scheme and place the jobs dock itself, which builds PySide's Qt namespace (~40 ms) before the
paint. It is measured too (a fresh home per launch) and reported in the notes.
"""

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


def launch_app(base: Path, name: str) -> tuple[float, float]:
    env = child_env(SORA_STUDIO_EXIT_AFTER_PAINT="1", **isolated_home(base / f"home-{name}"))
    args = [sys.executable, "-m", "gui", "--sandbox", "--data-dir", str(base / f"data-{name}")]
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
        # warms the page cache and is the user's first launch, not counted
        launch_bare(), launch_app(base, "user")
        bare_runs, app_runs, first_bare, first_runs = [], [], [], []
        for _ in range(REPEATS):
            bare_runs.append(launch_bare())
            app_runs.append(launch_app(base, "user"))
        for n in range(REPEATS):
            first_bare.append(launch_bare())
            first_runs.append(launch_app(base, f"first-{n}"))
    bare, app = [w for w, _ in bare_runs], [w for w, _ in app_runs]
    bare_cpu, app_cpu = median([c for _, c in bare_runs]), median([c for _, c in app_runs])
    # each pair ran back to back: the median of their ratios shrugs off the machine's load drifting
    ratio = median([a / b for a, b in zip(app, bare, strict=True)])
    first = [w for w, _ in first_runs]
    first_ratio = median([a / b for (a, _), (b, _) in zip(first_runs, first_bare, strict=True)])
    return [
        Figure(
            id="P1",
            figure=(
                f"launch → first paint {ms(median(app))} (median of {REPEATS}, {spread(app)}; "
                "a returning user's launch)"
            ),
            baseline=f"bare QMainWindow {ms(median(bare))} ({spread(bare)})",
            ratio=f"{ratio:.2f}× (median of pairs)",
            target=f"≤ {TARGET}×",
            passed=ratio <= TARGET,
            notes=(
                f"CPU time to first paint {ms(app_cpu)} against {ms(bare_cpu)} "
                f"({app_cpu / bare_cpu:.2f}×): the gap is the work, not the machine's load. "
                f"The first launch on a machine (fresh home): {ms(median(first))}, "
                f"{first_ratio:.2f}× (median of {REPEATS} pairs)"
            ),
        )
    ]


if __name__ == "__main__":
    main(run)
