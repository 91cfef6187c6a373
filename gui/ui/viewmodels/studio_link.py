"""The open session as the view-models see it, and the one place work is started from the UI.

Before the session opens (the window shows first) and after it closes, :attr:`StudioLink.session`
raises :class:`StudioNotReady`; :meth:`StudioLink.run` turns that, and any other failure of an
action, into a ``notice`` for the status bar. So no view-model checks for "no engine yet".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QObject, Signal

from gui.studio.errors import StudioError
from gui.studio.session import Session
from gui.ui.bridge import EngineBridge

__all__ = ["StudioLink", "StudioNotReady"]

log = logging.getLogger(__name__)


class StudioNotReady(StudioError):
    """An action came before the session opened (or after it closed)."""


class StudioLink(QObject):
    """Holds the open :class:`Session` and the engine's events (``bridge``) for the view-models."""

    opened = Signal()  # a session is open: read its jobs
    notice = Signal(str)  # a sentence for the status bar

    def __init__(self, bridge: EngineBridge, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self._session: Session | None = None
        self._tasks: set[asyncio.Future[Any]] = set()

    @property
    def session(self) -> Session:
        if self._session is None:
            raise StudioNotReady("the studio is still starting; try again in a moment.")
        return self._session

    @property
    def is_open(self) -> bool:
        return self._session is not None

    def open(self, session: Session) -> None:
        self._session = session
        self.opened.emit()

    async def close(self) -> Session | None:
        """Stop the work started from the window and let go of the session (returned)."""
        for task in list(self._tasks):
            task.cancel()
        await self.drain()
        session, self._session = self._session, None
        return session

    def run(
        self,
        what: str,
        make: Callable[[Session], Coroutine[Any, Any, Any]],
        *,
        quiet: bool = False,
    ) -> asyncio.Future[Any] | None:
        """Run ``make(session)`` on the loop; a failure becomes a notice (unless ``quiet``)."""
        try:
            coro = make(self.session)
        except StudioNotReady as exc:
            self.notice.emit(f"{what}: {exc}")
            return None
        future = asyncio.ensure_future(coro)
        self._tasks.add(future)

        def done(f: asyncio.Future[Any]) -> None:
            self._tasks.discard(f)
            if f.cancelled():
                return
            exc = f.exception()
            if exc is not None:
                log.info("%s failed: %s", what, exc, exc_info=not isinstance(exc, StudioError))
                if not quiet:
                    self.notice.emit(f"{what}: {exc}")

        future.add_done_callback(done)
        return future

    async def drain(self) -> None:
        """Wait for the work started from the window (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
