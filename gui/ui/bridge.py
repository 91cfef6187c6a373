"""The one bridge between the studio's plain callbacks and Qt signals.

The engine is given ``bridge.events`` (an :class:`EngineEvents`); every callback re-emits the
same-named signal here. Callbacks run on the event loop's thread, which under qasync is Qt's
main thread, so the signals are delivered directly and in order.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from gui.studio.events import EngineEvents
from gui.studio.jobs import Job, Result

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

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._events = _Forwarder(self)

    @property
    def events(self) -> EngineEvents:
        """What to hand to the engine."""
        return self._events


class _Forwarder(EngineEvents):
    def __init__(self, bridge: EngineBridge) -> None:
        self._bridge = bridge

    def job_added(self, job: Job) -> None:
        self._bridge.job_added.emit(job)

    def job_changed(self, job: Job) -> None:
        self._bridge.job_changed.emit(job)

    def job_removed(self, job_id: str) -> None:
        self._bridge.job_removed.emit(job_id)

    def result_ready(self, job: Job, result: Result) -> None:
        self._bridge.result_ready.emit(job, result)

    def download_progress(self, job: Job, result: Result, done: int, total: int | None) -> None:
        self._bridge.download_progress.emit(job, result, done, total)

    def connection_changed(self, ok: bool, message: str, retry_in: float | None) -> None:
        self._bridge.connection_changed.emit(ok, message, retry_in)

    def balance_changed(self, amount: float, currency: str) -> None:
        self._bridge.balance_changed.emit(float(amount), currency)

    def spend_changed(self, today: float, budget: float | None) -> None:
        self._bridge.spend_changed.emit(float(today), budget)

    def notice(self, message: str) -> None:
        self._bridge.notice.emit(message)
