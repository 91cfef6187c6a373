"""P2: event-loop stalls while the window tracks 200 jobs in flight and 4 large downloads stream.

In one process, as the app runs: QApplication, the qasync loop, the whole studio (window,
controller, engine) on its sandbox, default settings. A 5 ms precise QTimer records when it
fires; a stall is the gap between two ticks (so an idle loop shows about 5 ms).

1. Baseline: the started studio with nothing to do, for a few seconds.
2. 200 jobs are submitted through the engine. The sandbox is told (a ``task_failure`` fault
   limited to their prompt) to answer "processing" for 15 minutes instead of rendering, so they
   stay in flight without the sandbox taking the machine's two cores.
3. Once every one of them has been polled, 4 results of 100 MB each (real MP4s, listed in the
   sandbox's video index before it started) are handed to the engine's downloader as a poll
   would hand them, and the meter runs until they are saved (at least ``WINDOW`` seconds, so
   200-job poll rounds fall inside it). This is done ``REPEATS`` times with fresh results; the
   figures are the medians of the windows' longest stall and 99th percentile.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.common import Figure, main, median, ms, percentile
from tests.benchmarks.seed import SORA, big_video, prompt, seed_sandbox_video

IN_FLIGHT = 200
DOWNLOADS = 4
DOWNLOAD_MB = 100
WINDOW = 10.0  # seconds measured under load in each repetition, at least
REPEATS = 3  # windows, each with 4 fresh downloads; the figures are their medians
IDLE = 3.0
TARGET_MAX = 0.050
TARGET_P99 = 0.016
MARK = "inflight"


class StallMeter:
    """A 5 ms PreciseTimer; every gap between ticks is kept."""

    def __init__(self, interval_ms: int = 5) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.gaps: list[float] = []
        self.busy: list[float] = []  # of each gap, the CPU time this (the GUI) thread used
        self.queued: list[float] = []  # … and the time it was runnable but had no core
        self._last = self._cpu = self._wait = 0.0
        self._schedstat = os.open("/proc/thread-self/schedstat", os.O_RDONLY)  # this thread
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.gaps, self.busy, self.queued = [], [], []
        self._last, self._cpu, self._wait = time.perf_counter(), time.thread_time(), self._queue()
        self._timer.start()

    def _queue(self) -> float:
        """Seconds this thread has spent runnable, waiting for a core (kernel schedstat)."""
        return int(os.pread(self._schedstat, 128, 0).split()[1]) / 1e9

    def stop(self) -> list[float]:
        self._timer.stop()
        return self.gaps

    def _tick(self) -> None:
        now, cpu, wait = time.perf_counter(), time.thread_time(), self._queue()
        self.gaps.append(now - self._last)
        self.busy.append(cpu - self._cpu)
        self.queued.append(wait - self._wait)
        self._last, self._cpu, self._wait = now, cpu, wait


def _spec(n: int) -> Any:
    from gui.studio.jobs import JobSpec

    return JobSpec(
        model=SORA,
        prompt=f"{prompt(random.Random(n))} {MARK} {n}",
        width=1280,
        height=720,
        duration=4,
    )


def _answered_job(n: int, video_uuid: str, origin: str) -> Any:
    """A job whose result a poll has just announced (as apply_poll leaves it)."""
    from gui.studio.jobs import Job

    job = Job(spec=_spec(10_000 + n))
    job.mark_submitted()
    job.mark_processing()
    job.ensure_results()
    job.results[0].mark_available(
        video_uuid=video_uuid,
        video_url=f"{origin}/video/{video_uuid}.mp4",
        video_id=f"video_{video_uuid[:12]}",
        seed=1,
        cost=0.4,
    )
    job.mark_downloading()
    return job


async def scenario(studio: Any, meter: StallMeter, video_uuids: list[str]) -> dict[str, Any]:
    from gui.studio.jobs import JobState

    await asyncio.wait_for(studio.started.wait(), 120)
    if studio.session is None:
        raise RuntimeError(f"the studio did not start: {studio.start_error}")
    engine = studio.session.engine
    await asyncio.sleep(1.0)  # let start-up work (balance, thumbnails) settle
    meter.start()
    await asyncio.sleep(IDLE)
    idle = meter.stop()

    meter.start()
    submit_started = time.perf_counter()
    jobs = await asyncio.gather(*(engine.submit(_spec(n)) for n in range(IN_FLIGHT)))
    submit_seconds = time.perf_counter() - submit_started
    deadline = time.monotonic() + 120
    while not all(j.state is JobState.PROCESSING for j in jobs):
        if time.monotonic() > deadline:
            states = {j.state.value for j in jobs}
            raise RuntimeError(f"the {IN_FLIGHT} jobs were not all processing: {states}")
        await asyncio.sleep(0.2)
    submitting = meter.stop()

    origin = studio.session.backend.url.rsplit("/v1", 1)[0]
    windows = []
    for rep in range(REPEATS):
        batch = video_uuids[rep * DOWNLOADS : (rep + 1) * DOWNLOADS]
        downloads = [_answered_job(rep * DOWNLOADS + n, u, origin) for n, u in enumerate(batch)]
        meter.start()
        started = time.perf_counter()
        rounds_before = engine.poll_rounds
        for job in downloads:
            engine.book.add(job)
            engine.downloader.start(job, job.results[0])
        await asyncio.wait_for(asyncio.gather(*(engine.wait(j.id) for j in downloads)), 600)
        download_seconds = time.perf_counter() - started
        while time.perf_counter() - started < WINDOW:
            await asyncio.sleep(0.1)
        gaps = meter.stop()
        windows.append(
            {
                "gaps": gaps,
                "busy": meter.busy,
                "queued": meter.queued,
                "download_seconds": download_seconds,
                "seconds": time.perf_counter() - started,
                "rounds": engine.poll_rounds - rounds_before,
                "ready": [j.state.value for j in downloads],
            }
        )
    in_flight = sum(j.state is JobState.PROCESSING for j in jobs)
    return {
        "idle": idle,
        "submitting": submitting,
        "submit_seconds": submit_seconds,
        "windows": windows,
        "in_flight": in_flight,
    }


def measure(base: Path) -> dict[str, Any]:
    import qasync
    from PySide6.QtWidgets import QApplication

    from gui.app import LaunchOptions, Studio, configure_application

    data = base / "data"
    source = big_video(base / "big.mp4", DOWNLOAD_MB)
    uuids = [seed_sandbox_video(data / "sandbox", source) for _ in range(DOWNLOADS * REPEATS)]
    faults = {
        "faults": [
            {
                "kind": "task_failure",
                "rate": 1.0,
                "code": "timeoutProvider",
                "prompt_contains": MARK,
            }
        ]
    }
    options = LaunchOptions(
        sandbox=True,
        data_dir=data,
        sandbox_options={"processing_seconds": 900, "faults": faults},
    )
    app = QApplication.instance() or QApplication(sys.argv[:1])
    configure_application(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    studio = Studio(options)
    meter = StallMeter()

    async def drive() -> dict[str, Any]:
        running = asyncio.ensure_future(studio.run())
        try:
            return await scenario(studio, meter, uuids)
        finally:
            studio.window.close()
            await running

    with loop:
        return loop.run_until_complete(drive())


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="bench-p2-") as tmp:
        got = measure(Path(tmp))
    idle, submitting, windows = got["idle"], got["submitting"], got["windows"]
    ready = [state for w in windows for state in w["ready"]]
    if got["in_flight"] != IN_FLIGHT or any(state != "ready" for state in ready):
        raise RuntimeError(f"the scenario did not hold: {got['in_flight']} in flight, {ready}")
    worst = median([max(w["gaps"]) for w in windows])
    p99 = median([percentile(w["gaps"], 99) for w in windows])
    ticks = [t for w in windows for t in zip(w["gaps"], w["busy"], w["queued"], strict=True)]
    long = [t for t in ticks if t[0] > TARGET_P99]
    working = sum(1 for gap, cpu, _ in long if cpu > gap / 2)
    queued = sum(1 for gap, _, wait in long if wait > gap / 2)
    # what the stalls would be had the thread always had a core (this machine is shared)
    own = [gap - wait for gap, _, wait in ticks]
    maxima = ", ".join(ms(max(w["gaps"])) for w in windows)
    return [
        Figure(
            id="P2",
            figure=(
                f"{IN_FLIGHT} in flight + {DOWNLOADS}×{DOWNLOAD_MB} MB downloading: max stall "
                f"{ms(worst)}, p99 {ms(p99)} (medians of {REPEATS} windows of "
                f"{median([w['seconds'] for w in windows]):.0f} s; maxima {maxima}; downloads "
                f"took {median([w['download_seconds'] for w in windows]):.1f} s; "
                f"{sum(w['rounds'] for w in windows)} poll rounds)"
            ),
            baseline=(
                f"idle window: max {ms(max(idle))}, p99 {ms(percentile(idle, 99))}, "
                f"median {ms(median(idle))}"
            ),
            ratio=f"max {ms(worst)}; p99 {ms(p99)}",
            target=f"max ≤ {TARGET_MAX * 1000:.0f} ms, p99 ≤ {TARGET_P99 * 1000:.0f} ms",
            passed=worst <= TARGET_MAX and p99 <= TARGET_P99,
            notes=(
                f"{len(long)} gaps over {TARGET_P99 * 1000:.0f} ms: {working} mostly the GUI "
                f"thread's own work, {queued} mostly waiting for a core (other processes); at "
                f"most {ms(max(c for _, c, _ in ticks))} of CPU in one gap. Without the waits "
                f"for a core: max {ms(max(own))}, p99 {ms(percentile(own, 99))}. While "
                f"submitting the {IN_FLIGHT} ({got['submit_seconds']:.1f} s, until all were "
                f"processing): max {ms(max(submitting))}, p99 {ms(percentile(submitting, 99))}"
            ),
        )
    ]


if __name__ == "__main__":
    main(run)
