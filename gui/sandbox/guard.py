"""One sandbox per data folder, and no sandbox outliving the app that started it.

* :class:`FolderLock` — a sandbox holds ``DATA_DIR/sandbox.lock`` (an advisory ``flock``) for its
  whole life and writes ``DATA_DIR/sandbox.json`` (pid, url, port) beside it once it serves. A
  second sandbox on the same folder does not start; a launcher can find the running one.
* :func:`die_with_parent` — Linux: ``prctl(PR_SET_PDEATHSIG, SIGTERM)``, so the kernel stops the
  sandbox when its parent ends however it ends (``kill -9`` included).
* :func:`watch_stdin` — everywhere: the launcher keeps the write end of the sandbox's stdin; when
  the launcher ends, the pipe closes and the sandbox stops. This is the promise on macOS and
  Windows, where there is no parent-death signal (see docs/sandbox-lifetime.md).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

__all__ = [
    "INFO_FILE",
    "LOCK_FILE",
    "FolderBusy",
    "FolderLock",
    "die_with_parent",
    "read_info",
    "set_death_signal",
    "watch_stdin",
]

LOCK_FILE = "sandbox.lock"
INFO_FILE = "sandbox.json"
PR_SET_PDEATHSIG = 1


class FolderBusy(RuntimeError):
    """Another live sandbox holds this data folder."""


def read_info(data_dir: Path) -> dict[str, Any] | None:
    """What the sandbox serving ``data_dir`` wrote about itself (pid, url, port), if anything."""
    try:
        info = json.loads((data_dir / INFO_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) else None


class FolderLock:
    """The data folder's lock, held until :meth:`release` or the process ends."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        handle = (self.data_dir / LOCK_FILE).open("a+", encoding="utf-8")
        try:
            _lock(handle)
        except OSError:
            handle.close()
            info = read_info(self.data_dir) or {}
            raise FolderBusy(
                f"another sandbox (pid {info.get('pid', '?')}) serves {self.data_dir}"
            ) from None
        self._handle = handle

    def publish(self, info: dict[str, Any]) -> None:
        text = json.dumps({**info, "pid": os.getpid()})
        path = self.data_dir / INFO_FILE
        temporary = path.with_name(f".{INFO_FILE}.tmp")
        temporary.write_text(text, "utf-8")
        os.replace(temporary, path)

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is None:
            return
        info = read_info(self.data_dir)
        if info is not None and info.get("pid") == os.getpid():
            with contextlib.suppress(OSError):
                (self.data_dir / INFO_FILE).unlink()
        handle.close()  # closing the descriptor releases the lock


def _lock(handle: IO[str]) -> None:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def folder_is_locked(data_dir: Path) -> bool:
    """True while a live process holds the folder's lock (this one included)."""
    path = data_dir / LOCK_FILE
    if not path.exists():
        return False
    with path.open("a+", encoding="utf-8") as handle:
        try:
            _lock(handle)
        except OSError:
            return True
    return False


def set_death_signal(signum: int = signal.SIGTERM) -> bool:
    """Linux: ask the kernel to send ``signum`` when the parent ends. False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return bool(libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def die_with_parent(parent_pid: int) -> None:
    """Stop (SIGTERM to ourselves) when ``parent_pid`` ends; at once if it already has."""
    set_death_signal(signal.SIGTERM)
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os.kill(os.getpid(), signal.SIGTERM)


def watch_stdin(on_closed: Callable[[], object]) -> threading.Thread:
    """Call ``on_closed`` (from a daemon thread) once stdin reaches end-of-file."""

    def watch() -> None:
        try:
            fd = sys.stdin.fileno()
            while os.read(fd, 4096):
                pass
        except (OSError, ValueError):
            pass
        on_closed()

    thread = threading.Thread(target=watch, name="parent-watch", daemon=True)
    thread.start()
    return thread
