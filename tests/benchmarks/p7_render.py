"""P7: the sandbox's render time of an 8 s 1280×720 MP4 (H.264 + AAC, 30 fps), as a fraction of
the video's own 8 s, straight through ``gui.sandbox.render.render_video`` in this process."""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.benchmarks.common import Figure, main, median, spread

REPEATS = 5
SECONDS = 8.0
TARGET = 0.5


def run() -> list[Figure]:
    from gui.sandbox.render import RenderSpec, render_video

    times = []
    with tempfile.TemporaryDirectory(prefix="bench-p7-") as tmp:
        for n in range(REPEATS + 1):
            spec = RenderSpec(
                path=str(Path(tmp) / f"render-{n}.mp4"),
                width=1280,
                height=720,
                fps=30,
                duration=SECONDS,
                container="MP4",
                prompt="A lighthouse at dusk, waves rolling in",
                seed=n,
            )
            result = render_video(spec)
            if n:  # the first one warms the codecs up
                times.append(result.seconds)
    ratio = median(times) / SECONDS
    return [
        Figure(
            id="P7",
            figure=(
                f"render of an {SECONDS:.0f} s 1280×720 MP4 {median(times):.2f} s "
                f"(median of {REPEATS}, {spread(times)})"
            ),
            baseline=f"the video's length, {SECONDS:.0f} s",
            ratio=f"{ratio:.2f}",
            target=f"≤ {TARGET}",
            passed=ratio <= TARGET,
        )
    ]


if __name__ == "__main__":
    main(run)
