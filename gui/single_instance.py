"""One studio window per library: a second launch brings the running window to the front.

The window holds ``DATA_DIR/studio.lock`` (a :class:`QLockFile`: a lock left by a dead process
is taken over) and listens on a :class:`QLocalServer` whose name comes from the data folder. A
second launch on the same folder fails to take the lock, connects, sends ``raise`` and, once the
running window has answered ``ok``, exits with status 0 without opening anything. The command
line (``sora-studio generate`` …) takes no lock: it may run beside the window.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLockFile

# Taking the lock comes before the window's first paint; QtNetwork (the server and the socket)
# and hashlib (the server's name) are only needed after it, or on a second launch
if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

__all__ = ["LOCK_FILE", "SingleInstance", "server_name"]

LOCK_FILE = "studio.lock"
log = logging.getLogger(__name__)


def server_name(data_dir: Path) -> str:
    import hashlib

    digest = hashlib.sha256(str(Path(data_dir).resolve()).encode()).hexdigest()[:16]
    return f"sora-studio-{digest}"


class SingleInstance:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.lock = QLockFile(str(self.data_dir / LOCK_FILE))
        self.lock.setStaleLockTime(0)  # only a dead owner's lock is stale
        self.server: QLocalServer | None = None
        self._on_raise: Callable[[], None] | None = None

    @property
    def name(self) -> str:
        """The local server's name, from the data folder."""
        return server_name(self.data_dir)

    def acquire(self) -> bool:
        """True when this process is now the library's studio."""
        return bool(self.lock.tryLock(0))

    def serve(self, on_raise: Callable[[], None]) -> None:
        """Answer later launches: ``on_raise`` brings the window to the front."""
        from PySide6.QtNetwork import QLocalServer

        self._on_raise = on_raise
        QLocalServer.removeServer(self.name)  # a dead owner's socket file
        server = QLocalServer()
        if not server.listen(self.name):
            log.warning("cannot listen for other launches: %s", server.errorString())
            return
        server.newConnection.connect(self._answer)
        self.server = server

    def _answer(self) -> None:
        assert self.server is not None
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket) -> None:
        request = bytes(socket.readAll().data()).strip()
        if request == b"raise" and self._on_raise is not None:
            self._on_raise()
        socket.write(b"ok\n")
        socket.flush()

    def ask_to_raise(self, timeout: float = 10.0) -> str:
        """From a second launch: ask the running window to come forward.

        ``"raised"`` once it said so; ``"free"`` when the first one ended meanwhile and this
        process holds the lock now; ``"no-answer"`` when it holds the lock but never answered.
        The first window may be starting still (it holds the lock before it listens), so
        connecting is tried again until ``timeout``."""
        from PySide6.QtNetwork import QLocalSocket

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            socket = QLocalSocket()
            socket.connectToServer(self.name)
            if socket.waitForConnected(500):
                socket.write(b"raise\n")
                socket.waitForBytesWritten(1000)
                answered = socket.waitForReadyRead(3000)
                if answered and bytes(socket.readAll().data()).startswith(b"ok"):
                    socket.disconnectFromServer()
                    return "raised"
            socket.abort()
            if self.acquire():  # the first one ended meanwhile: this launch is the studio now
                return "free"
            time.sleep(0.1)  # between attempts to reach a window that is still starting
        return "no-answer"

    def release(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        self.lock.unlock()
