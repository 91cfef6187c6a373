"""Helpers for talking to a sandbox process over real loopback HTTP in tests."""

from __future__ import annotations

import asyncio
import base64
import io
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web
from PIL import Image

from gui.sandbox.process import SandboxProcess

SORA = "openai:3@1"
SORA_PRO = "openai:3@2"
VEO = "google:3@2"


# One client for the whole test session: building an httpx client costs ~30 ms of CPU (an SSL
# context) and the tests make hundreds of requests. No keep-alive, since faults cut connections.
http = httpx.Client(timeout=15, limits=httpx.Limits(max_keepalive_connections=0))


def new_uuid() -> str:
    return str(uuid.uuid4())


def video_task(**overrides: Any) -> dict[str, Any]:
    """A valid Sora 2 task: 4 s at 1280×720 unless overridden (None removes a key)."""
    task: dict[str, Any] = {
        "taskType": "videoInference",
        "taskUUID": new_uuid(),
        "model": SORA,
        "positivePrompt": "A lighthouse at dusk, waves rolling in",
        "width": 1280,
        "height": 720,
        "duration": 4,
    }
    task.update(overrides)
    return {k: v for k, v in task.items() if v is not None}


def poll_task(task_uuid: str) -> dict[str, Any]:
    return {"taskType": "getResponse", "taskUUID": task_uuid}


def post(
    sb: SandboxProcess,
    tasks: Any,
    *,
    key: str | None = "default",
    timeout: float = 15,
    **kwargs: Any,
) -> httpx.Response:
    headers = dict(kwargs.pop("headers", {}))
    if key is not None:
        headers["Authorization"] = f"Bearer {sb.api_key if key == 'default' else key}"
    return http.post(sb.url, json=tasks, headers=headers, timeout=timeout, **kwargs)


def faults_fired(sb: SandboxProcess) -> dict[str, int]:
    """How often each fault kind fired since the scenario was set (GET /_sandbox/faults)."""
    answer = http.get(f"{sb.origin}/_sandbox/faults")
    answer.raise_for_status()
    return dict(answer.json()["fired"])


def wait_for(
    sb: SandboxProcess, task_uuid: str, count: int = 1, timeout: float = 30, key: str = "default"
) -> dict[str, Any]:
    """Poll until every generation of the task has finished; the last envelope."""
    deadline = time.monotonic() + timeout
    while True:
        body = post(sb, [poll_task(task_uuid)], key=key).json()
        done = [i for i in body.get("data", []) if i.get("status") in ("success", "error")]
        errors = [e for e in body.get("errors", []) if e.get("taskUUID") == task_uuid]
        if len(done) + len(errors) >= count:
            return dict(body)
        if time.monotonic() > deadline:
            raise TimeoutError(f"task {task_uuid} not finished: {body}")
        time.sleep(0.1)


def image_bytes(
    width: int = 640,
    height: int = 360,
    colour: tuple[int, int, int] = (200, 40, 40),
    fmt: str = "PNG",
) -> bytes:
    img = Image.new("RGB", (width, height), colour)
    for x in range(0, width, 40):  # stripes, so "the first frame is the image" is checkable
        img.paste((20, 20, 20), (x, 0, x + 10, height))
    out = io.BytesIO()
    img.save(out, format=fmt)
    return out.getvalue()


def data_uri(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


@dataclass
class Received:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Receiver:
    """A local aiohttp server in a thread that records what it is sent (webhooks, uploads).

    ``respond`` picks each answer: it gets the attempt number (0-based) and returns an HTTP
    status, or a (status, delay seconds) pair.
    """

    respond: Callable[[int], int | tuple[int, float]] = lambda n: 200
    received: list[Received] = field(default_factory=list)
    url: str = ""

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        self._ready.wait(10)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def handle(request: web.Request) -> web.Response:
            body = await request.read()
            number = len(self.received)
            self.received.append(
                Received(
                    request.method,
                    request.path,
                    request.query_string,
                    dict(request.headers),
                    body,
                    time.monotonic(),
                )
            )
            answer = self.respond(number)
            status, delay = answer if isinstance(answer, tuple) else (answer, 0.0)
            if delay:
                await asyncio.sleep(delay)
            return web.Response(status=status, text="ok")

        async def start() -> None:
            app = web.Application(client_max_size=64 * 1024 * 1024)
            app.router.add_route("*", "/{tail:.*}", handle)
            self._runner = web.AppRunner(app, access_log=None)
            await self._runner.setup()
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            await site.start()
            port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            self.url = f"http://127.0.0.1:{port}"
            self._ready.set()

        self._loop.run_until_complete(start())
        self._loop.run_forever()

    def wait(self, count: int, timeout: float = 20) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self.received)} of {count} calls arrived")
            time.sleep(0.05)
        return self.received

    def close(self) -> None:
        async def stop() -> None:
            await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def processes_serving(folder: Path, *, word: bytes = b"") -> list[int]:
    """Pids of live processes whose command line names ``folder`` (and ``word``, e.g.
    b"sandbox" to leave out an app started on the same folder), from /proc."""
    found = []
    needle = str(folder).encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            status = (entry / "status").read_text()
        except OSError:
            continue
        if word in cmdline and needle in cmdline and "State:\tZ" not in status:
            found.append(int(entry.name))
    return found
