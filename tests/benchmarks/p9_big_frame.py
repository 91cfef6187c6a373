"""P9: choosing an 8000×8000 PNG as a first frame: event-loop stalls while it is checked and
fitted to the video's shape.

In one process: QApplication and the compose panel's first-frame drop zone (Sora 2, 1280×720
video, so the square image must be cropped: a fit). A 5 ms precise QTimer (P2's meter) runs from
the moment the file is given (``set_path``, as the file dialog does) until the zone has a frame
ready to send (checked, hashed, preview made, cropped file written). Baseline: the same meter
with a 1280×720 PNG (no fit needed).

The notes give the same gaps without the time the GUI thread waited for a core (kernel
schedstat, as P8 and P10 do), so a run on a loaded machine can still be judged; a wait for the
GIL held by the worker still counts there. Every file is checked on the worker, whatever its
size (until 2026-12-01 a file of at most 1 MB and 4 MP was checked on the GUI thread: the
baseline's 50-70 ms gap).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.common import Figure, main, ms, percentile
from tests.benchmarks.p2_stalls import StallMeter

SIDE = 8000
TARGET_MAX = 0.050


def _gradient_png(path: Path, width: int, height: int) -> Path:
    """A smooth colour PNG: small enough for the model's 20 MB limit, yet every one of its
    pixels must be inflated and unfiltered to decode it, as with any PNG of that size."""
    from PIL import Image

    ramp = Image.linear_gradient("L")
    red = ramp.resize((width, height))
    green = ramp.rotate(90).resize((width, height))
    blue = ramp.rotate(45).resize((width, height))
    Image.merge("RGB", (red, green, blue)).save(path, "PNG")
    return path


def choose(zone: Any, app: Any, path: Path) -> tuple[StallMeter, float]:
    meter = StallMeter()
    meter.start()
    started = time.perf_counter()
    zone.set_path(path)
    deadline = time.monotonic() + 120
    while zone.frame_input() is None:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the frame was never ready: {zone.message_text()}")
        app.processEvents()
        time.sleep(0.001)
    seconds = time.perf_counter() - started
    for _ in range(3):
        app.processEvents()
    meter.stop()
    return meter, seconds


def _own(meter: StallMeter) -> list[float]:
    """Each gap without the time the GUI thread was runnable but had no core."""
    return [gap - wait for gap, wait in zip(meter.gaps, meter.queued, strict=True)]


def run() -> list[Figure]:
    from PySide6.QtWidgets import QApplication

    from gui.runware.catalog import default_catalog
    from gui.studio.sending import frame_rules
    from gui.ui.compose.background_task import BackgroundTasks
    from gui.ui.compose.frame_drop import FrameDropZone

    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="bench-p9-") as tmp:
        base = Path(tmp)
        big = _gradient_png(base / "big.png", SIDE, SIDE)
        small = _gradient_png(base / "small.png", 1280, 720)
        model = default_catalog()["openai:3@1"]
        zones = []
        for _ in range(2):
            tasks = BackgroundTasks()
            zone = FrameDropZone("first", frame_rules(model), tasks, cache_dir=base / "cache")
            zone.set_target(1280, 720)
            zone.resize(400, 300)
            zone.show()
            zones.append(zone)
        app.processEvents()
        base_meter, base_seconds = choose(zones[0], app, small)
        big_meter, seconds = choose(zones[1], app, big)
        megabytes = big.stat().st_size / 1e6
    gaps, base_gaps = big_meter.gaps, base_meter.gaps
    worst = max(gaps)
    own, base_own = _own(big_meter), _own(base_meter)
    return [
        Figure(
            id="P9",
            figure=(
                f"{SIDE}×{SIDE} PNG ({megabytes:.0f} MB) chosen as a first frame and cropped to "
                f"16:9: max stall {ms(worst)}, p99 {ms(percentile(gaps, 99))} "
                f"({seconds:.1f} s until ready, on the worker)"
            ),
            baseline=(
                f"1280×720 PNG: max {ms(max(base_gaps))}, p99 {ms(percentile(base_gaps, 99))} "
                f"({base_seconds:.2f} s)"
            ),
            ratio=f"max {ms(worst)}",
            target=f"max ≤ {TARGET_MAX * 1000:.0f} ms",
            passed=worst <= TARGET_MAX,
            notes=(
                f"without the waits for a core (other processes): max {ms(max(own))}, "
                f"p99 {ms(percentile(own, 99))}; at most {ms(max(big_meter.busy))} of GUI-thread "
                f"CPU in one gap; baseline {ms(max(base_own))}, of which {ms(max(base_meter.busy))} "
                "GUI-thread CPU"
            ),
        )
    ]


if __name__ == "__main__":
    main(run)
