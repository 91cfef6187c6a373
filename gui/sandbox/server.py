"""The HTTP face of the sandbox: ``POST /v1`` (auth, envelopes, faults), the WebSocket upgrade
on ``GET /v1``, the video and image files, and the admin routes (see admin.py).

Routes::

    POST /v1                     JSON array of tasks; Bearer or payload authentication
    GET  /v1                     WebSocket (Upgrade); a plain GET is 405
    GET  /video/<videoUUID>.<ext>  the result files (Range supported; 404 once expired)
    GET  /image/<imageUUID>.<ext>  uploaded images
    /_sandbox/...                test aids, loopback only (admin.py)
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from gui.sandbox.admin import add_admin_routes
from gui.sandbox.delivery import hook_results
from gui.sandbox.faults import FaultPlan, scope_of
from gui.sandbox.replies import BROKEN_BODY, Outcome, error_object, invalid_api_key
from gui.sandbox.requestlog import redact
from gui.sandbox.state import Context, Sandbox
from gui.sandbox.tasks import TaskHandlers, parse_body
from gui.sandbox.ws import websocket

__all__ = ["SANDBOX", "create_app"]

SANDBOX = web.AppKey("sandbox", Sandbox)
HANDLERS = web.AppKey("handlers", TaskHandlers)


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _drop(request: web.Request) -> None:
    """Close the connection without a byte of response."""
    transport = request.transport
    if transport is not None:
        transport.abort()


async def process_batch(
    sb: Sandbox,
    handlers: TaskHandlers,
    body: Any,
    problem: str | None,
    bearer: str | None,
) -> tuple[int, dict[str, Any]]:
    """Authenticate and run one REST request; returns HTTP status and the envelope."""
    protocol = sb.protocol
    if problem is not None:
        error = error_object(protocol.invalid_request_code, problem)
        return protocol.invalid_request_status, {"errors": [error]}
    first = body[0]
    payload_auth = first.get("taskType") == "authentication"
    key = first.get("apiKey") if payload_auth and first.get("apiKey") else bearer
    account = sb.accounts.find(key)
    if account is None:
        return 401, invalid_api_key()
    account.requests += 1
    tasks = body[1:] if payload_auth else body
    outcome = await handlers.run(
        tasks, Context(account=account, request=redact(body, shorten=False))
    )
    if payload_auth:
        session = first.get("connectionSessionUUID") or str(uuid.uuid4())
        auth = {"taskType": "authentication", "connectionSessionUUID": session}
        outcome = Outcome(data=[auth, *outcome.data], errors=outcome.errors)
    return outcome.status(protocol.mixed_batch_status), outcome.body()


async def api_post(request: web.Request) -> web.StreamResponse:
    sb, handlers = request.app[SANDBOX], request.app[HANDLERS]
    started = time.time()
    raw = await request.read()
    body, problem = parse_body(raw)
    types = (
        [t.get("taskType") for t in body if isinstance(t, dict)] if isinstance(body, list) else []
    )
    plan: FaultPlan = sb.faults.plan(scope_of(str(t) for t in types), "http")
    sb.counts["http_requests"] += 1
    logged_request = body if body is not None else {"unparsed_bytes": len(raw)}
    headers = {
        k: ("***" if k.lower() == "authorization" else v)
        for k, v in request.headers.items()
        if k.lower() in ("authorization", "user-agent", "content-type")
    }

    def log(status: int | None, response: Any) -> None:
        sb.log.write(
            started=started,
            method="POST",
            path=request.path,
            status=status,
            request=logged_request,
            response=response,
            fault=plan.kinds,
            headers=headers,
        )

    if plan.latency:
        await asyncio.sleep(plan.latency)
    before = plan.before
    if before is not None and before.kind == "http_error":
        status = plan.status or 503
        error_body = before.error_body(status)
        log(status, error_body)
        return web.json_response(error_body, status=status)
    if before is not None and before.kind == "drop":
        log(None, {"fault": "drop"})
        _drop(request)
        return web.Response(status=500)
    if before is not None and before.kind == "hang":
        await asyncio.sleep(before.seconds if before.seconds is not None else 3600)

    status, envelope = await process_batch(sb, handlers, body, problem, _bearer(request))
    after = plan.after
    if after is not None and after.kind == "lost_ack":
        log(None, {"fault": "lost_ack", "unsent": envelope})
        _drop(request)
        return web.Response(status=500)
    if after is not None and after.kind == "non_json":
        log(200, {"fault": "non_json", "unsent": envelope})
        return web.Response(status=200, text=BROKEN_BODY, content_type="text/html")
    payload = json.dumps(envelope).encode()
    if after is not None and after.kind == "truncate":
        log(status, {"fault": "truncate", "unsent": envelope})
        response = web.StreamResponse(status=status)
        response.content_type = "application/json"
        response.content_length = len(payload)
        await response.prepare(request)
        await response.write(payload[: max(1, len(payload) // 2)])
        _drop(request)
        return response
    log(status, envelope)
    return web.Response(status=status, body=payload, content_type="application/json")


async def api_other(request: web.Request) -> web.StreamResponse:
    if request.method == "GET" and web.WebSocketResponse().can_prepare(request).ok:
        return await websocket(request, request.app[SANDBOX], request.app[HANDLERS])
    started = time.time()
    body = {
        "errors": [
            error_object(
                "methodNotAllowed",
                "Send tasks with POST (a JSON array), or open a WebSocket with GET.",
            )
        ]
    }
    request.app[SANDBOX].log.write(
        started=started,
        method=request.method,
        path=request.path,
        status=405,
        request=None,
        response=body,
    )
    return web.json_response(body, status=405, headers={"Allow": "POST, GET"})


async def serve_video(request: web.Request) -> web.StreamResponse:
    sb = request.app[SANDBOX]
    stem, _, ext = request.match_info["name"].partition(".")
    video = sb.lifecycle.videos.get(stem)
    if video is None or not video.path.endswith(f".{ext}") or video.expired():
        raise web.HTTPNotFound(text="This video does not exist or has expired.")
    return web.FileResponse(video.path, headers={"Content-Type": video.mime})


async def serve_image(request: web.Request) -> web.StreamResponse:
    sb = request.app[SANDBOX]
    stem, _, _ext = request.match_info["name"].partition(".")
    image = sb.images.get(stem)
    if image is None:
        raise web.HTTPNotFound(text="No such image.")
    return web.FileResponse(image.path, headers={"Content-Type": image.mime})


@web.middleware
async def log_other_routes(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """/v1 logs itself (with its faults); this logs files and admin calls."""
    if request.path == "/v1":
        return await handler(request)
    started = time.time()
    status: int | None = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        sb = request.app[SANDBOX]
        summary: dict[str, Any] = {}
        if "Range" in request.headers:
            summary["range"] = request.headers["Range"]
        sb.log.write(
            started=started,
            method=request.method,
            path=request.path,
            status=status,
            request=None,
            response=summary or None,
        )


def create_app(sandbox: Sandbox) -> web.Application:
    app = web.Application(client_max_size=64 * 1024 * 1024, middlewares=[log_other_routes])
    app[SANDBOX] = sandbox
    app[HANDLERS] = TaskHandlers(sandbox)
    app.router.add_post("/v1", api_post)
    app.router.add_route("*", "/v1", api_other)
    app.router.add_get("/video/{name}", serve_video)
    app.router.add_get("/image/{name}", serve_image)
    add_admin_routes(app, SANDBOX)
    hook_results(sandbox)
    return app
