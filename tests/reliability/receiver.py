"""A real local HTTP receiver, in its own thread, that records every request it gets.

It stands in for the hosts that are not Runware's API: a webhook endpoint (``POST /hook``), an
upload endpoint (``PUT /upload/...``) and the file host (``GET /video/...``, ``GET /image/...``,
passed through to the sandbox with their Range headers). Pointing the sandbox's
``--public-host`` here makes the studio download through it, so the test sees exactly which
headers and bytes each of those hosts received.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass

import aiohttp
from aiohttp import web

__all__ = ["Received", "ReceiverForTests"]


@dataclass(frozen=True)
class Received:
    method: str
    path_qs: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


class ReceiverForTests:
    """``with ReceiverForTests() as receiver: receiver.url; receiver.upstream = origin``"""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.upstream = ""  # where file requests are passed on to (the sandbox's origin)
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    def __enter__(self) -> ReceiverForTests:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def of_kind(self, method: str, prefix: str) -> list[Received]:
        return [r for r in self.received if r.method == method and r.path_qs.startswith(prefix)]

    async def _start(self) -> None:
        app = web.Application(client_max_size=256 * 2**20)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        self._session = aiohttp.ClientSession(auto_decompress=False)

    async def _stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.received.append(
            Received(request.method, request.path_qs, tuple(request.headers.items()), body)
        )
        if request.method == "GET" and request.path.startswith(("/video/", "/image/")):
            return await self._pass_on(request)
        return web.json_response({"ok": True})

    async def _pass_on(self, request: web.Request) -> web.StreamResponse:
        assert self._session is not None
        headers = {"Range": request.headers["Range"]} if "Range" in request.headers else {}
        async with self._session.get(f"{self.upstream}{request.path}", headers=headers) as up:
            response = web.StreamResponse(status=up.status)
            for name in ("Content-Type", "Content-Length", "Content-Range", "Accept-Ranges"):
                if name in up.headers:
                    response.headers[name] = up.headers[name]
            await response.prepare(request)
            async for chunk in up.content.iter_chunked(2**16):
                await response.write(chunk)
            await response.write_eof()
            return response
