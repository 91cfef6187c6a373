"""Keeping each turn of the event loop short when work comes in bursts.

200 jobs submitted together are 200 small pieces of synchronous work (check, build, journal),
each well under a millisecond, that would otherwise all run in the same turn of the loop and
freeze the window for a tenth of a second or more; each of them then tells the window, which
inserts a row. :class:`TurnBudget` is the one rule for all such work on a thread: at most
``seconds`` of its CPU time per turn of the loop, shared by everyone who runs bursty work there
(the engine's :class:`Pacer`, the window's signal bridge), so their slices do not add up in the
same turn. What does not fit waits for the next turns, while the loop paints and answers in
between. Without a backlog a piece runs at once, in the caller's turn, so a single job waits
for nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["SLICE_SECONDS", "Pacer", "TurnBudget"]

T = TypeVar("T")
SLICE_SECONDS = 0.005  # bursty work per turn of the loop, at most (one piece may overrun)


class TurnBudget:
    """The CPU time bursty work may take in one turn of a thread's event loop.

    The time counted is the thread's CPU time inside the work (a busy machine stretches the
    wall clock, not the work), so a few pieces in a turn always run at once. Work that runs
    inside other counted work (the window told of a job from inside the piece that made it)
    is counted once, by the outer piece."""

    def __init__(self, seconds: float = SLICE_SECONDS) -> None:
        self.seconds = seconds
        self.spent: float | None = None  # CPU seconds counted in this turn; None: none yet
        self._depth = 0

    def has_room(self) -> bool:
        return (self.spent or 0.0) < self.seconds

    def run(self, work: Callable[[], T], end_turn_later: Callable[[Callable[[], None]], Any]) -> T:
        """``work()``, counted against this turn. The first work of a turn asks
        ``end_turn_later`` (the loop's ``call_soon``, a zero Qt timer) to start the next."""
        if self.spent is None:
            self.spent = 0.0
            end_turn_later(self.end_turn)
        if self._depth:
            return work()
        self._depth += 1
        started = time.thread_time()
        try:
            return work()
        finally:
            self._depth -= 1
            self.spent = (self.spent or 0.0) + time.thread_time() - started

    def end_turn(self) -> None:
        self.spent = None


class Pacer:
    """Runs synchronous pieces of work, first come first served, within a :class:`TurnBudget`."""

    def __init__(self, budget: TurnBudget | None = None) -> None:
        self.budget = budget or TurnBudget()
        self._queue: deque[tuple[Callable[[], Any], asyncio.Future[Any]]] = deque()
        self._draining = False
        self.deferred = 0  # pieces that had to wait for a later turn (tests, benchmarks)

    def run(self, piece: Callable[[], T]) -> asyncio.Future[T]:
        """``piece()`` now if this turn has time left and nobody waits, else in a later turn.

        The future holds what it returned or raised; a cancelled future's piece never runs."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        if not self._queue and self.budget.has_room():
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
        try:
            future.set_result(self.budget.run(piece, loop.call_soon))
        except Exception as exc:  # handed to whoever awaits the piece
            future.set_exception(exc)

    def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        ran = False
        while self._queue and (not ran or self.budget.has_room()):
            piece, future = self._queue.popleft()
            if not future.cancelled():
                self._timed(loop, piece, future)
                ran = True
        if self._queue:
            loop.call_soon(self._drain)  # the next turn, after the others
        else:
            self._draining = False
