"""A stand-in server on loopback (aiohttp), for answers the sandbox never gives.

The sandbox is the real server of these tests; a stand-in plays a Runware that answers oddly
(a hostile file name, a refusal that names no task) in a test or two.
"""

from __future__ import annotations

from aiohttp import web

__all__ = ["serve"]


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    """Serve ``app`` on a free loopback port; its runner (``await runner.cleanup()``) and
    origin (``http://127.0.0.1:<port>``)."""
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"
