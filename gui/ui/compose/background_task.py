"""Plain functions run on a worker thread, with their outcome delivered on the UI thread."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

__all__ = ["BackgroundTasks"]

Done = Callable[[Any, BaseException | None], None]


class BackgroundTasks(QObject):
    """Runs functions off the UI thread; ``on_done(result, error)`` is called on the UI thread.

    The pool belongs to this object, so deleting it waits for work still running instead of
    leaving a thread to report to a widget that is gone.
    """

    _finished = Signal(int, object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._callbacks: dict[int, Done] = {}
        self._tokens = itertools.count(1)
        self._finished.connect(self._deliver)

    def run(self, work: Callable[[], Any], on_done: Done) -> None:
        token = next(self._tokens)
        self._callbacks[token] = on_done

        def task() -> None:
            try:
                result, error = work(), None
            except Exception as exc:  # handed to on_done, which decides what the user reads
                result, error = None, exc
            with contextlib.suppress(RuntimeError):  # the owner was deleted while this ran
                self._finished.emit(token, result, error)

        self._pool.start(task)

    @property
    def busy(self) -> bool:
        return bool(self._callbacks)

    def wait(self, msecs: int = -1) -> bool:
        """Block until every started function has finished (for shutdown and tests)."""
        return self._pool.waitForDone(msecs)

    @Slot(int, object, object)
    def _deliver(self, token: int, result: Any, error: BaseException | None) -> None:
        callback = self._callbacks.pop(token, None)
        if callback is not None:
            callback(result, error)
