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

Some work needs the loop to itself. A block of new rows moves every row of the jobs list, which
then repaints whole, for about as long as a slice: run right after a slice, or a slice right
after it, the two made one stall. So bursty work keeps apart from such work:

- a repaint of the window (or any work run through :meth:`~TurnBudget.apart`) that takes more
  than half a slice is followed by a breath (``BREATH_SECONDS``) before bursty work starts
  again, so the loop answers input and its timers in between;
- work that makes such a repaint (the block of rows) holds the budget (:meth:`~TurnBudget.hold`):
  it waits for a breath since the last slice, and no slice starts until it lets go.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["BREATH_SECONDS", "HOLD_SECONDS", "SLICE_SECONDS", "Pacer", "TurnBudget"]

T = TypeVar("T")
SLICE_SECONDS = 0.004  # bursty work per turn of the loop, at most (one piece may overrun)
BREATH_SECONDS = 0.005  # the loop's own time between bursty work and work kept apart from it
HOLD_SECONDS = 0.25  # a hold lapses after this, should its holder never let go


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
        self._last_end = -BREATH_SECONDS  # perf_counter when a bursty piece last ended
        self._apart_end = -BREATH_SECONDS  # … and when long work kept apart from them did
        self._held_until: float | None = None  # perf_counter; None: not held

    def has_room(self) -> bool:
        return (self.spent or 0.0) < self.seconds and not self.wait()

    def wait(self) -> float:
        """Seconds before bursty work may start (0.0: now): while the budget is held, and for
        a breath after long work kept apart."""
        now = time.perf_counter()
        if self._held_until is not None:
            if now < self._held_until:
                return BREATH_SECONDS  # ask again then
            self._held_until = None  # lapsed: its holder is gone
        return max(0.0, self._apart_end + BREATH_SECONDS - now)

    @property
    def apart_ended(self) -> float:
        """When long work kept apart last ended (``time.perf_counter``)."""
        return self._apart_end

    def hold(self) -> float:
        """Keep bursty work from starting, for work that needs the loop to itself, until
        :meth:`release` (or ``HOLD_SECONDS``). Returns the seconds to wait before running that
        work: the rest of a breath since a bursty piece last ran."""
        now = time.perf_counter()
        self._held_until = now + HOLD_SECONDS
        return max(0.0, self._last_end + BREATH_SECONDS - now)

    def release(self) -> None:
        """The work that held the budget is done: bursty work goes on after a breath."""
        self._held_until = None
        self._apart_end = time.perf_counter()

    def apart(self, work: Callable[[], T]) -> T:
        """``work()`` (a repaint of the window), kept apart from bursty work: if it took more
        than half a slice, bursty work waits a breath after it."""
        if self._depth:
            return work()  # inside a piece: counted there
        started = time.thread_time()
        try:
            return work()
        finally:
            if time.thread_time() - started > self.seconds / 2:
                self._apart_end = time.perf_counter()

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
            self._last_end = time.perf_counter()

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
        wait = self.budget.wait()
        if wait:  # held, or a breath after work kept apart: come back then
            loop.call_later(wait, self._drain)
            return
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
