"""The one bridge between the studio's plain callbacks and Qt signals.

The engine is given ``bridge.events`` (an :class:`EngineEvents`); every callback re-emits the
same-named signal here. Callbacks run on the event loop's thread, which under qasync is Qt's
main thread, so the signals are delivered on it and in order.

Each signal costs the window some work (the jobs list, the library, the player, the storyboard
listen), so a burst (200 jobs submitted, a poll round that moves them all) is delivered a slice
of time per turn of the event loop (:class:`_Paced`), within the :class:`TurnBudget` it shares
with the engine's pacer: the window paints between slices. Without a
backlog a signal is emitted at once; a job's ``job_changed`` still waiting is not queued twice
(the job is the engine's live object: one delivery shows its newest state).
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, SignalInstance

from gui.studio.events import EngineEvents
from gui.studio.jobs import Job, Result
from gui.studio.pacing import TurnBudget

__all__ = ["EngineBridge"]


class EngineBridge(QObject):
    """Qt signals named after the engine's events."""

    job_added = Signal(object)  # Job
    job_changed = Signal(object)  # Job
    job_removed = Signal(str)  # job id
    result_ready = Signal(object, object)  # Job, Result
    download_progress = Signal(object, object, object, object)  # Job, Result, done, total|None
    connection_changed = Signal(bool, str, object)  # ok, message, retry_in seconds|None
    balance_changed = Signal(float, str)  # amount, currency
    spend_changed = Signal(float, object)  # today, daily budget|None
    notice = Signal(str)

    def __init__(self, parent: QObject | None = None, budget: TurnBudget | None = None) -> None:
        """``budget``: the GUI thread's, to hand to the engine's pacer too (a new one if none)."""
        super().__init__(parent)
        self.budget = budget or TurnBudget()
        self.paced = _Paced(self, self.budget)
        self._events = _Forwarder(self)

    @property
    def events(self) -> EngineEvents:
        """What to hand to the engine."""
        return self._events


class _Paced(QObject):
    """Emits signals in order, while the turn's budget lasts (one at least per turn)."""

    def __init__(self, parent: QObject, budget: TurnBudget) -> None:
        super().__init__(parent)
        self._budget = budget
        self._queue: deque[list[Any]] = deque()  # [signal, args, changed job, latest name]
        self._changed_waiting: set[str] = set()  # job ids with a job_changed in the queue
        self._latest_waiting: dict[str, list[Any]] = {}  # state signals: the queued entry
        self.deferred = 0  # signals that waited for a later turn (tests, benchmarks)
        self._drainer = _zero_timer(self, self._drain)
        self._turn = _zero_timer(self, budget.end_turn)

    def deliver(
        self,
        signal: SignalInstance,
        *args: Any,
        changed_job: str | None = None,
        latest: str | None = None,
    ) -> None:
        """``changed_job``: a job_changed already waiting for that job is enough (the job
        object is the live one). ``latest`` names a signal that carries a whole state (today's
        spend, the balance): one waiting takes the newer values instead of queueing another."""
        if not self._queue and self._budget.has_room():
            self._timed(signal, args)
            return
        if changed_job is not None:
            if changed_job in self._changed_waiting:
                return
            self._changed_waiting.add(changed_job)
        if latest is not None and (waiting := self._latest_waiting.get(latest)) is not None:
            waiting[1] = args
            return
        self.deferred += 1
        entry = [signal, args, changed_job, latest]
        self._queue.append(entry)
        if latest is not None:
            self._latest_waiting[latest] = entry
        if not self._drainer.isActive():
            self._drainer.start(0)

    def flush(self) -> None:
        """Deliver everything waiting now (closing, tests)."""
        while self._queue:
            self._emit_next()

    def _timed(self, signal: SignalInstance, args: tuple[Any, ...]) -> None:
        self._budget.run(lambda: signal.emit(*args), self._end_turn_later)

    def _end_turn_later(self, _end_turn: Any) -> None:
        self._turn.start()  # fires in the next turn: a new slice

    def _drain(self) -> None:
        wait = self._budget.wait()
        if wait:  # held, or a breath after work kept apart: come back then
            self._drainer.start(math.ceil(wait * 1000))
            return
        self._emit_next()  # one at least, so the queue always moves
        while self._queue and self._budget.has_room():
            self._emit_next()
        if self._queue:
            self._drainer.start(0)

    def _emit_next(self) -> None:
        signal, args, changed_job, latest = self._queue.popleft()
        if changed_job is not None:
            self._changed_waiting.discard(changed_job)
        if latest is not None:
            del self._latest_waiting[latest]
        self._timed(signal, args)


def _zero_timer(parent: QObject, slot: Any) -> QTimer:
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(0)
    timer.timeout.connect(slot)
    return timer


class _Forwarder(EngineEvents):
    def __init__(self, bridge: EngineBridge) -> None:
        self._bridge = bridge
        self._emit = bridge.paced.deliver

    def job_added(self, job: Job) -> None:
        self._emit(self._bridge.job_added, job)

    def job_changed(self, job: Job) -> None:
        self._emit(self._bridge.job_changed, job, changed_job=job.id)

    def job_removed(self, job_id: str) -> None:
        self._emit(self._bridge.job_removed, job_id)

    def result_ready(self, job: Job, result: Result) -> None:
        self._emit(self._bridge.result_ready, job, result)

    def download_progress(self, job: Job, result: Result, done: int, total: int | None) -> None:
        self._emit(self._bridge.download_progress, job, result, done, total)

    def connection_changed(self, ok: bool, message: str, retry_in: float | None) -> None:
        self._emit(self._bridge.connection_changed, ok, message, retry_in)

    def balance_changed(self, amount: float, currency: str) -> None:
        self._emit(self._bridge.balance_changed, float(amount), currency, latest="balance")

    def spend_changed(self, today: float, budget: float | None) -> None:
        self._emit(self._bridge.spend_changed, float(today), budget, latest="spend")

    def notice(self, message: str) -> None:
        self._emit(self._bridge.notice, message)
