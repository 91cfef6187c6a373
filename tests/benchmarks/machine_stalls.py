"""A stall the whole machine had: the same 5 ms meter in an idle process of its own.

On a shared virtual machine the guest is sometimes not run at all for a while (the host
throttles it or runs others): every process on it stops, and an event-loop meter records a
stall that no code in the studio could have avoided. While a benchmark measures the studio,
:class:`IdleControl` runs a second process that does nothing but tick every 5 ms on a plain
asyncio loop; a gap it saw too, at the same time, is the machine's. :func:`own_part` takes from
each of the studio's gaps the time that overlaps a control gap, so a figure can say both: the
raw stall and the part that was the studio's own.

Both processes read ``time.monotonic()`` (CLOCK_MONOTONIC, one clock for the machine).
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from types import TracebackType

__all__ = ["IdleControl", "own_part"]

THRESHOLD = 0.010  # control gaps longer than this are kept (a tick is 5 ms)


class IdleControl:
    """``with IdleControl() as control: ...``; afterwards ``control.gaps`` holds the control
    process's gaps as ``(start, end)`` monotonic times."""

    def __init__(self) -> None:
        self.gaps: list[tuple[float, float]] = []
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> IdleControl:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.benchmarks.machine_stalls"],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        self._process.stdout.readline()  # "ticking": its loop runs
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._process is not None and self._process.stdout is not None
        self._process.send_signal(signal.SIGTERM)
        out = self._process.stdout.read()
        self._process.wait(10)
        self.gaps = [(start, end) for start, end in json.loads(out or "[]")]

    @property
    def longest(self) -> float:
        return max((end - start for start, end in self.gaps), default=0.0)


def own_part(
    ends: Sequence[float], gaps: Sequence[float], control: Sequence[tuple[float, float]]
) -> list[float]:
    """Each gap (ending at ``ends[i]``, ``gaps[i]`` long) less its overlap with the control's."""
    out = []
    for end, gap in zip(ends, gaps, strict=True):
        start = end - gap
        shared = sum(max(0.0, min(end, c_end) - max(start, c_start)) for c_start, c_end in control)
        out.append(max(0.0, gap - shared))
    return out


async def _tick(stop: asyncio.Event) -> list[tuple[float, float]]:
    kept: list[tuple[float, float]] = []
    last = time.monotonic()
    print("ticking", flush=True)
    while not stop.is_set():
        await asyncio.sleep(0.005)
        now = time.monotonic()
        if now - last > THRESHOLD:
            kept.append((last, now))
        last = now
    return kept


def _main() -> None:
    async def run() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        kept = await _tick(stop)
        print(json.dumps(kept), flush=True)

    asyncio.run(run())


if __name__ == "__main__":
    _main()
