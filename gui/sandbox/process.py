"""Starting and stopping the sandbox as a child process, for the app and for tests.

    with SandboxProcess.start(tmp_path, processing_seconds=0.2) as sandbox:
        client = RunwareClient(sandbox.api_key, sandbox.url)
        ...
        sandbox.requests()      # the parsed request log
        sandbox.state()         # GET /_sandbox/state
        sandbox.set_faults({"faults": [{"kind": "drop", "scope": "poll", "times": 1}]})

The child's stdout carries one JSON line (its URL and key); its stderr goes to ``log_path``.
API keys are passed through the environment, never on the command line.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Self, TypedDict, Unpack

__all__ = ["PendingSandbox", "SandboxProcess", "SandboxStartError"]

KEYS_ENV = "SORA_SANDBOX_API_KEYS"


class LaunchOptions(TypedDict, total=False):
    """What :meth:`SandboxProcess.launch` (and so :meth:`SandboxProcess.start`) takes."""

    api_keys: Sequence[str]
    balance: float | None
    processing_seconds: float | None
    faults: Path | Mapping[str, Any] | None
    extra_args: Sequence[str]
    command: Sequence[str] | None
    host: str
    port: int


class SandboxStartError(RuntimeError):
    """The sandbox did not come up; the message carries the end of its log."""


def _project_root() -> Path:
    return Path(__file__).resolve().parents[2]


def default_command() -> list[str]:
    if getattr(sys, "frozen", False):  # a PyInstaller bundle: its executable serves the sandbox
        return [sys.executable, "sandbox-serve"]
    return [sys.executable, "-m", "gui.sandbox"]


class SandboxProcess:
    def __init__(
        self,
        popen: subprocess.Popen[bytes],
        *,
        url: str,
        api_key: str,
        api_keys: Sequence[str],
        data_dir: Path,
        log_path: Path,
    ) -> None:
        self._popen = popen
        self.url = url
        self.origin = url.rsplit("/v1", 1)[0]
        self.api_key = api_key
        self.api_keys = list(api_keys) or [api_key]
        self.data_dir = data_dir
        self.log_path = log_path

    @property
    def pid(self) -> int:
        return self._popen.pid

    @property
    def returncode(self) -> int | None:
        return self._popen.poll()

    def __repr__(self) -> str:
        return f"SandboxProcess(url={self.url!r}, pid={self.pid})"

    # ------------------------------------------------------------------ start / stop
    @classmethod
    def start(
        cls, data_dir: Path, *, timeout: float = 30, **options: Unpack[LaunchOptions]
    ) -> SandboxProcess:
        """Spawn the sandbox (:meth:`launch`'s options) and wait until it accepts requests."""
        return cls.launch(data_dir, **options).ready(timeout)

    @classmethod
    def launch(
        cls,
        data_dir: Path,
        *,
        api_keys: Sequence[str] = (),
        balance: float | None = None,
        processing_seconds: float | None = None,
        faults: Path | Mapping[str, Any] | None = None,
        extra_args: Sequence[str] = (),
        command: Sequence[str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> PendingSandbox:
        """Spawn the sandbox without waiting; ``.ready()`` (in any thread) waits for it.

        ``command`` replaces ``[sys.executable, "-m", "gui.sandbox"]``, e.g. for a frozen app
        that serves the sandbox from its own executable.

        The child ends with this process however it ends: it watches its stdin, whose write
        end only this process holds, and on Linux it asks for a parent-death signal as well
        (only when spawned from the main thread: the kernel ties that signal to the thread)."""
        data_dir = Path(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        args = [*(command or default_command())]
        args += ["--host", host, "--port", str(port), "--data-dir", str(data_dir)]
        args += ["--watch-stdin"]
        if threading.current_thread() is threading.main_thread():
            args += ["--parent-pid", str(os.getpid())]
        if balance is not None:
            args += ["--balance", str(balance)]
        if processing_seconds is not None:
            args += ["--processing-seconds", str(processing_seconds)]
        if faults is not None:
            if not isinstance(faults, Path | str):
                path = data_dir / "faults.json"
                path.write_text(json.dumps(dict(faults)), "utf-8")
                faults = path
            args += ["--faults", str(faults)]
        args += list(extra_args)

        env = dict(os.environ)
        env["PYTHONUNBUFFERED"] = "1"
        env.pop(KEYS_ENV, None)
        if api_keys:
            env[KEYS_ENV] = ",".join(api_keys)
        if command is None and not getattr(sys, "frozen", False):
            root = str(_project_root())
            env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)

        log_path = data_dir / "sandbox.log"
        with log_path.open("ab") as log_file:
            popen = subprocess.Popen(
                args,
                stdin=subprocess.PIPE,  # its end-of-file tells the child this process ended
                stdout=subprocess.PIPE,
                stderr=log_file,
                env=env,
                start_new_session=True,  # a Ctrl-C in the terminal is the parent's business
            )
        return PendingSandbox(cls, popen, api_keys=api_keys, data_dir=data_dir, log_path=log_path)

    @staticmethod
    def _first_line(popen: subprocess.Popen[bytes], timeout: float) -> str:
        assert popen.stdout is not None
        deadline = time.monotonic() + timeout
        buffer = b""
        with selectors.DefaultSelector() as selector:
            selector.register(popen.stdout, selectors.EVENT_READ)
            while b"\n" not in buffer:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no address within {timeout:.0f} s")
                if not selector.select(min(left, 0.2)):
                    if popen.poll() is not None:
                        raise RuntimeError(f"it exited with status {popen.returncode}")
                    continue
                chunk = os.read(popen.stdout.fileno(), 4096)
                if not chunk:
                    popen.wait(5)
                    raise RuntimeError(f"it exited with status {popen.returncode}")
                buffer += chunk
        return buffer.split(b"\n", 1)[0].decode("utf-8")

    def stop(self, timeout: float = 10) -> int:
        """SIGTERM, then SIGKILL if it has not gone after ``timeout`` seconds; the exit status."""
        if self._popen.stdin is not None:
            with contextlib.suppress(OSError):
                self._popen.stdin.close()
        if self._popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self._popen.send_signal(signal.SIGTERM)
            try:
                self._popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self._popen.kill()
                self._popen.wait(5)
        return self._popen.returncode

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ helpers
    def requests(self) -> list[dict[str, Any]]:
        """Every entry of the request log so far, oldest first."""
        path = self.data_dir / "requests.jsonl"
        if not path.exists():
            return []
        entries = []
        for line in path.read_text("utf-8").splitlines():
            with contextlib.suppress(ValueError):
                entries.append(json.loads(line))
        return entries

    def _admin(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.origin}/_sandbox/{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def state(self) -> dict[str, Any]:
        return dict(self._admin("GET", "state"))

    def set_faults(self, scenario: Mapping[str, Any]) -> dict[str, Any]:
        return dict(self._admin("POST", "faults", dict(scenario)))

    def set_balance(self, amount: float, api_key_index: int | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"amount": amount}
        if api_key_index is not None:
            body["apiKeyIndex"] = api_key_index
        return dict(self._admin("POST", "balance", body))

    def expire(self, *, video_uuid: str | None = None, task_uuid: str | None = None) -> list[str]:
        body = {k: v for k, v in (("videoUUID", video_uuid), ("taskUUID", task_uuid)) if v}
        return list(self._admin("POST", "expire", body)["expired"])


class PendingSandbox:
    """A sandbox spawned by :meth:`SandboxProcess.launch` that may not accept requests yet."""

    def __init__(
        self,
        kind: type[SandboxProcess],
        popen: subprocess.Popen[bytes],
        *,
        api_keys: Sequence[str],
        data_dir: Path,
        log_path: Path,
    ) -> None:
        self._kind = kind
        self.popen = popen
        self.api_keys = list(api_keys)
        self.data_dir = data_dir
        self.log_path = log_path

    def ready(self, timeout: float = 30) -> SandboxProcess:
        """Wait for its address line; a sandbox that does not come up is killed."""
        popen = self.popen
        try:
            line = SandboxProcess._first_line(popen, timeout)
            info = json.loads(line)
            url, key = str(info["url"]), str(info["api_key"])
        except BaseException as exc:
            self.abandon()
            tail = self.log_path.read_text("utf-8", errors="replace")[-2000:]
            raise SandboxStartError(f"the sandbox did not start ({exc}).\n{tail}") from None
        finally:
            if popen.stdout is not None:
                popen.stdout.close()
        return self._kind(
            popen,
            url=url,
            api_key=key,
            api_keys=self.api_keys,
            data_dir=self.data_dir,
            log_path=self.log_path,
        )

    def abandon(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.popen.kill()
        self.popen.wait(5)
        if self.popen.stdin is not None:
            with contextlib.suppress(OSError):
                self.popen.stdin.close()
