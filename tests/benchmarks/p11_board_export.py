"""P11: exporting a board of three 8 s 1280×720 shots (sandbox renders: H.264 + AAC, 30 fps) as
one 24 fps MP4 (re-timed, re-encoded, sound kept), through ``gui.studio.board_export``, as a
fraction of the film's own 24 s. Wall time on a shared machine; the CPU time is shown beside."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from tests.benchmarks.common import Figure, main, median, spread

REPEATS = 3
SHOT_SECONDS = 8.0
SHOTS = 3
TARGET = 1.0


def run() -> list[Figure]:
    from gui.sandbox.render import RenderSpec, render_video
    from gui.studio.board_export import ExportClip, ExportSettings, export_film

    walls, cpus = [], []
    with tempfile.TemporaryDirectory(prefix="bench-p11-") as tmp:
        clips = []
        for n in range(SHOTS):
            path = Path(tmp) / f"shot-{n}.mp4"
            render_video(
                RenderSpec(
                    path=str(path),
                    width=1280,
                    height=720,
                    fps=30,
                    duration=SHOT_SECONDS,
                    prompt=f"Shot {n + 1}: rain over a harbour at dusk",
                    seed=n,
                )
            )
            clips.append(ExportClip(path))
        settings = ExportSettings(width=1280, height=720, fps=24)
        for n in range(REPEATS):
            started, cpu = time.perf_counter(), time.process_time()
            report = export_film(clips, Path(tmp) / f"film-{n}.mp4", settings)
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
            assert report.frames == SHOTS * SHOT_SECONDS * 24
    length = SHOTS * SHOT_SECONDS
    ratio = median(walls) / length
    return [
        Figure(
            id="P11",
            figure=(
                f"export of a {SHOTS} × {SHOT_SECONDS:.0f} s 1280×720 board {median(walls):.2f} s "
                f"(median of {REPEATS}, {spread(walls)}; CPU {median(cpus):.2f} s)"
            ),
            baseline=f"the film's length, {length:.0f} s",
            ratio=f"{ratio:.2f}",
            target=f"≤ {TARGET}",
            passed=ratio <= TARGET,
        )
    ]


if __name__ == "__main__":
    main(run)
