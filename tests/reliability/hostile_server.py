"""A small real HTTP server on 127.0.0.1 that speaks Runware's protocol and lies in its answers.

The sandbox behaves; this one does not. It acknowledges submits and uploads properly, answers
every ``getResponse`` with what its ``poll_answer`` makes (broken JSON, wrong types, a huge
body, a result naming a ``file:`` URL or a ``../`` video name, …), serves ``/files/<name>`` and
records every request it receives (method, path, headers, body), so a test can tell exactly what
the studio sent to it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

__all__ = ["HostileServerForTests", "Received"]

PollAnswer = Callable[[str, str], "bytes | dict[str, Any] | HugeBody"]


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def tasks(self) -> list[dict[str, Any]]:
        try:
            body = json.loads(self.body)
        except ValueError:
            return []
        return [t for t in body if isinstance(t, dict)] if isinstance(body, list) else []


@dataclass(frozen=True)
class HugeBody:
    """A valid-looking envelope of ``megabytes`` MB, streamed in chunks without a length."""

    task_uuid: str
    megabytes: int


class HostileServerForTests:
    """``async with HostileServerForTests(poll_answer) as server: server.url …``"""

    def __init__(self, poll_answer: PollAnswer, files: dict[str, bytes] | None = None) -> None:
        self.poll_answer = poll_answer
        self.files = files or {}
        self.received: list[Received] = []
        self.origin = ""
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"{self.origin}/v1"

    async def __aenter__(self) -> HostileServerForTests:
        app = web.Application(client_max_size=64 * 2**20)
        app.router.add_post("/v1", self._api)
        app.router.add_route("*", "/{tail:.*}", self._other)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.origin = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _record(self, request: web.Request) -> Received:
        received = Received(
            request.method, request.path, dict(request.headers), await request.read()
        )
        self.received.append(received)
        return received

    def sent(self, task_type: str) -> list[dict[str, Any]]:
        """Every task of this type the studio sent, in order."""
        return [t for r in self.received for t in r.tasks() if t.get("taskType") == task_type]

    async def _api(self, request: web.Request) -> web.StreamResponse:
        received = await self._record(request)
        data: list[dict[str, Any]] = []
        for task in received.tasks():
            task_uuid = str(task.get("taskUUID"))
            kind = task.get("taskType")
            if kind == "videoInference":
                data.append({"taskType": "videoInference", "taskUUID": task_uuid})
            elif kind == "imageUpload":
                data.append(
                    {
                        "taskType": "imageUpload",
                        "taskUUID": task_uuid,
                        "imageUUID": str(uuid.uuid4()),
                    }
                )
            elif kind == "getResponse":
                answer = self.poll_answer(task_uuid, self.origin)
                if isinstance(answer, bytes):
                    return web.Response(body=answer, content_type="application/json")
                if isinstance(answer, HugeBody):
                    return await _stream_huge(request, answer)
                data.extend(answer["data"])
        return web.json_response({"data": data})

    async def _other(self, request: web.Request) -> web.StreamResponse:
        await self._record(request)
        name = request.path.rsplit("/", 1)[-1]
        if request.path.startswith("/files/") and name in self.files:
            return web.Response(body=self.files[name], content_type="video/mp4")
        raise web.HTTPNotFound()


async def _stream_huge(request: web.Request, huge: HugeBody) -> web.StreamResponse:
    response = web.StreamResponse(status=200)
    response.content_type = "application/json"
    response.enable_chunked_encoding()
    await response.prepare(request)
    head = {"taskType": "videoInference", "taskUUID": huge.task_uuid, "status": "processing"}
    await response.write(b'{"data": [' + json.dumps(head)[:-1].encode() + b', "padding": "')
    chunk = b"x" * 2**20  # one megabyte, written again and again: the server holds no more
    try:
        for _ in range(huge.megabytes):
            await response.write(chunk)
        await response.write(b'"}]}')
        await response.write_eof()
    except (ConnectionResetError, RuntimeError):
        pass  # the client stopped reading, as it should
    return response
