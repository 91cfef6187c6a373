"""Keeping each turn of the event loop short when work comes in bursts.

200 jobs submitted together are 200 small pieces of synchronous work (check, build, journal),
each well under a millisecond, that would otherwise all run in the same turn of the loop and
freeze the window for a tenth of a second or more. :class:`Pacer` runs such pieces in the order
they were asked for, at most ``slice_seconds`` of them per turn; the rest wait for the next
turns, while the loop paints and answers in between. Without a backlog a piece runs at once, in
the caller's turn, so a single job waits for nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["SLICE_SECONDS", "Pacer"]

T = TypeVar("T")
SLICE_SECONDS = 0.004  # synchronous work per turn of the loop, at most (one piece may overrun)


class Pacer:
    """Runs synchronous pieces of work, first come first served, a time slice per loop turn.

    The time counted is the loop thread's CPU time inside the pieces (a busy machine stretches
    the wall clock, not the work), so a few pieces in a turn always run at once."""

    def __init__(self, slice_seconds: float = SLICE_SECONDS) -> None:
        self.slice = slice_seconds
        self._queue: deque[tuple[Callable[[], Any], asyncio.Future[Any]]] = deque()
        self._spent: float | None = None  # CPU seconds of pieces in this turn; None: none yet
        self._draining = False
        self.deferred = 0  # pieces that had to wait for a later turn (tests, benchmarks)

    def run(self, piece: Callable[[], T]) -> asyncio.Future[T]:
        """``piece()`` now if this turn has time left and nobody waits, else in a later turn.

        The future holds what it returned or raised; a cancelled future's piece never runs."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        if not self._queue and (self._spent or 0.0) < self.slice:
            self._timed(loop, piece, future)
            return future
        self.deferred += 1
        self._queue.append((piece, future))
        if not self._draining:
            self._draining = True
            loop.call_soon(self._drain)
        return future

    def _timed(
        self, loop: asyncio.AbstractEventLoop, piece: Callable[[], T], future: asyncio.Future[T]
    ) -> None:
        if self._spent is None:
            self._spent = 0.0
            loop.call_soon(self._end_turn)  # runs once this turn's callbacks are done
        started = time.thread_time()
        try:
            future.set_result(piece())
        except Exception as exc:  # handed to whoever awaits the piece
            future.set_exception(exc)
        finally:
            self._spent += time.thread_time() - started

    def _end_turn(self) -> None:
        self._spent = None

    def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        ran = False
        while self._queue and (not ran or (self._spent or 0.0) < self.slice):
            piece, future = self._queue.popleft()
            if not future.cancelled():
                self._timed(loop, piece, future)
                ran = True
        if self._queue:
            loop.call_soon(self._drain)  # the next turn, after the others
        else:
            self._draining = False
