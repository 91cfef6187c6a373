"""The embedded sandbox, as the composition root (the window and the CLI) runs it.

The sandbox keeps its tasks in a fixed folder, ``DATA_DIR/sandbox``, so a restarted app finds
them again (see gui/sandbox/store.py). Before starting one:

* if a sandbox already serves that folder (``sandbox.lock`` is held) and the process that
  started it is alive (the window, while the CLI runs), it is reused and left running;
* if its starter is gone (a killed app: its sandbox is on its way out), it is ended, and
  the new one starts once the folder is free: two never serve one folder;
* the new sandbox asks for the port the last one had, so result URLs a journal kept stay
  valid; if that port is taken, any free port will do.

The process is spawned from the calling (main) thread, so Linux's parent-death signal watches
the app's life, not a worker thread's; the wait for its address runs in a thread.
``SORA_STUDIO_SANDBOX_OPTIONS`` (a JSON object of :meth:`SandboxProcess.launch` arguments, e.g.
``{"processing_seconds": 0.5}``) is a hook for tests and demos.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gui.studio.backend import Backend, SandboxStarter, open_backend
from gui.studio.settings import SecretStore, Settings

__all__ = [
    "OPTIONS_ENV",
    "HostedSandbox",
    "ReusedSandbox",
    "open_studio_backend",
    "sandbox_folder",
    "sandbox_starter",
]

OPTIONS_ENV = "SORA_STUDIO_SANDBOX_OPTIONS"
PORT_FILE = "last-port"
log = logging.getLogger(__name__)


def sandbox_folder(data_dir: Path) -> Path:
    return Path(data_dir) / "sandbox"


class HostedSandbox:
    """A sandbox this process started; closing it stops it."""

    def __init__(self, process: Any) -> None:
        self.process = process
        self.url: str = process.url
        self.api_key: str = process.api_key

    async def close(self) -> None:
        await asyncio.to_thread(self.process.stop)

    def __getattr__(self, name: str) -> Any:
        """The process's helpers (``requests()``, ``state()``, ``set_faults()``, ``pid``…)."""
        return getattr(self.process, name)


class ReusedSandbox:
    """A sandbox another live process (the window) started; closing it leaves it running."""

    def __init__(self, url: str, api_key: str) -> None:
        self.url = url
        self.api_key = api_key

    async def close(self) -> None:
        return None


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if sys.platform.startswith("linux"):  # a zombie is not alive
        with contextlib.suppress(OSError):
            return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    return True


def _answers(url: str, api_key: str) -> bool:
    body = json.dumps([{"taskType": "ping"}]).encode()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {api_key}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=3) as response:
            return bool(response.status == 200)
    except (OSError, ValueError):
        return False


def _end_old_sandbox(folder: Path, info: Mapping[str, Any] | None, timeout: float = 15) -> None:
    """Stop whatever still holds ``folder`` and wait until the folder is free."""
    from gui.sandbox.guard import folder_is_locked

    pid = int((info or {}).get("pid") or 0)
    deadline = time.monotonic() + timeout
    signalled = killed = False
    while folder_is_locked(folder):
        if pid and _alive(pid) and not signalled:
            log.warning("ending the earlier sandbox (pid %s) left on %s", pid, folder)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)
            signalled = True
        if time.monotonic() > deadline - timeout / 3 and pid and not killed:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            killed = True
        if time.monotonic() > deadline:
            raise RuntimeError(f"an earlier sandbox still holds {folder}")
        time.sleep(0.05)  # a process ending: nothing to wait on but the lock itself


def _last_port(folder: Path) -> int:
    with contextlib.suppress(OSError, ValueError):
        return int((folder / PORT_FILE).read_text().strip())
    return 0


def _options(options: Mapping[str, Any] | None) -> dict[str, Any]:
    chosen = dict(options or {})
    extra = os.environ.get(OPTIONS_ENV, "").strip()
    if extra:
        try:
            chosen.update(json.loads(extra))
        except ValueError:
            log.warning("%s is not a JSON object; ignored", OPTIONS_ENV)
    return chosen


async def start_sandbox(folder: Path, options: Mapping[str, Any] | None = None) -> Any:
    """A running sandbox on ``folder``: the live one there, or a new one (see module doc)."""
    from gui.sandbox.config import DEFAULT_API_KEY
    from gui.sandbox.guard import folder_is_locked, read_info
    from gui.sandbox.process import SandboxProcess, SandboxStartError

    chosen = _options(options)
    folder.mkdir(parents=True, exist_ok=True)
    keys = list(chosen.get("api_keys") or ())
    key = keys[0] if keys else DEFAULT_API_KEY
    if folder_is_locked(folder):
        info = read_info(folder)
        starter = int((info or {}).get("parent") or 0)
        url = str((info or {}).get("url") or "")
        theirs = bool(info and url and starter != os.getpid() and _alive(starter))
        if theirs and await asyncio.to_thread(_answers, url, key):
            log.info("using the sandbox another studio process started (%s)", url)
            return ReusedSandbox(url, key)
        await asyncio.to_thread(_end_old_sandbox, folder, info)
    port = int(chosen.pop("port", 0) or _last_port(folder))
    try:
        process = await _launch(SandboxProcess, folder, port, chosen)
    except SandboxStartError:
        if not port:
            raise
        log.warning("the sandbox's earlier port %s is taken; using another", port)
        process = await _launch(SandboxProcess, folder, 0, chosen)
    with contextlib.suppress(OSError, ValueError):
        (folder / PORT_FILE).write_text(str(process.origin.rsplit(":", 1)[1]))
    return HostedSandbox(process)


async def _launch(kind: Any, folder: Path, port: int, options: Mapping[str, Any]) -> Any:
    timeout = float(options.get("timeout", 30))
    arguments = {k: v for k, v in options.items() if k != "timeout"}
    pending = kind.launch(folder, port=port, **arguments)  # this thread: see the module doc
    return await asyncio.to_thread(pending.ready, timeout)


def sandbox_starter(data_dir: Path, options: Mapping[str, Any] | None = None) -> SandboxStarter:
    async def start() -> Any:
        return await start_sandbox(sandbox_folder(data_dir), options)

    return start


async def open_studio_backend(
    settings: Settings,
    secrets: SecretStore | None = None,
    *,
    data_dir: Path | None = None,
    force_sandbox: bool = False,
    sandbox_options: Mapping[str, Any] | None = None,
) -> Backend:
    """:func:`open_backend` with this app's sandbox (in ``DATA_DIR/sandbox``) on hand."""
    folder = Path(data_dir or settings.library_folder)
    return await open_backend(
        settings,
        secrets,
        force_sandbox=force_sandbox,
        start_sandbox=sandbox_starter(folder, sandbox_options),
    )
