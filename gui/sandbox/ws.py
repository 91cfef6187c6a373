"""The WebSocket at ``GET /v1``: authentication first, then the same task arrays as REST.

* The first frame must be ``[{"taskType":"authentication","apiKey":…}]`` (more tasks may
  follow it in the same array). The answer is ``{"data":[{"taskType":"authentication",
  "connectionSessionUUID":…}]}``; a bad key gets the invalidApiKey errors frame and a close.
* Adding ``"connectionSessionUUID"`` of an earlier session (same key) resumes it: every frame
  that could not be delivered while it was away is sent right after the authentication reply.
* Each later frame is a task array; the answer is one ``{"data":…}``/``{"errors":…}`` frame.
  Frames are handled concurrently, so a ping is answered while a slow task is pending.
* Finished generations of tasks submitted on a session are pushed to it (switchable).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

from aiohttp import WSMsgType, web

from gui.sandbox.faults import scope_of
from gui.sandbox.replies import BROKEN_BODY, error_object, invalid_api_key
from gui.sandbox.requestlog import redact
from gui.sandbox.state import Context, Sandbox, WsSession
from gui.sandbox.tasks import TaskHandlers, parse_body

__all__ = ["websocket"]

AUTH_TIMEOUT = 15.0


async def websocket(
    request: web.Request, sb: Sandbox, handlers: TaskHandlers
) -> web.WebSocketResponse:
    # timeout: how long close() waits for the peer's close frame
    ws = web.WebSocketResponse(heartbeat=None, max_msg_size=64 * 1024 * 1024, timeout=2.0)
    await ws.prepare(request)
    sb.counts["ws_connections"] += 1
    session = await _authenticate(ws, sb, handlers)
    if session is None:
        return ws
    pending: set[asyncio.Task[None]] = set()
    try:
        while True:
            try:
                message = await ws.receive(timeout=sb.protocol.ws_idle_seconds)
            except TimeoutError:
                break
            if message.type != WSMsgType.TEXT:
                break
            job = asyncio.create_task(_frame(ws, session, sb, handlers, message.data))
            pending.add(job)
            job.add_done_callback(pending.discard)
    finally:
        for job in list(pending):
            with contextlib.suppress(Exception):
                await job
        if session.socket is ws:
            session.socket = None
        await ws.close()
    return ws


async def _authenticate(
    ws: web.WebSocketResponse, sb: Sandbox, handlers: TaskHandlers
) -> WsSession | None:
    started = time.time()
    try:
        message = await ws.receive(timeout=AUTH_TIMEOUT)
    except TimeoutError:
        await ws.close(code=1008, message=b"authentication expected")
        return None
    body, problem = parse_body(message.data.encode() if message.type == WSMsgType.TEXT else b"")
    first = body[0] if problem is None else {}
    account = (
        sb.accounts.find(first.get("apiKey")) if first.get("taskType") == "authentication" else None
    )
    if account is None:
        reply = invalid_api_key()
        await ws.send_str(json.dumps(reply))
        _log_frame(sb, started, body, reply)
        await ws.close(code=1008, message=b"invalid API key")
        return None
    account.requests += 1
    resumed = sb.sessions.get(str(first.get("connectionSessionUUID") or ""))
    if resumed is not None and resumed.account is account:
        session = resumed
        if session.socket is not None and session.socket is not ws:
            await session.socket.close()
    else:
        session = sb.new_session(account)
    async with session.lock:
        session.socket = ws
        backlog, session.pending = session.pending, []
        welcome: dict[str, Any] = {
            "data": [{"taskType": "authentication", "connectionSessionUUID": session.session_uuid}]
        }
        await ws.send_str(json.dumps(welcome))
        for frame in backlog:
            await ws.send_str(frame)
    _log_frame(sb, started, body, {**welcome, "replayed": len(backlog)})
    if len(body) > 1:
        await _run(ws, session, sb, handlers, body[1:], started)
    return session


async def _frame(
    ws: web.WebSocketResponse, session: WsSession, sb: Sandbox, handlers: TaskHandlers, text: str
) -> None:
    started = time.time()
    body, problem = parse_body(text.encode())
    if problem is not None:
        reply = {"errors": [error_object(sb.protocol.invalid_request_code, problem)]}
        await session.send(json.dumps(reply))
        _log_frame(sb, started, body, reply)
        return
    await _run(ws, session, sb, handlers, body, started)


async def _run(
    ws: web.WebSocketResponse,
    session: WsSession,
    sb: Sandbox,
    handlers: TaskHandlers,
    tasks: list[dict[str, Any]],
    started: float,
) -> None:
    plan = sb.faults.plan(scope_of(str(t.get("taskType")) for t in tasks), "ws")

    def log(response: Any) -> None:
        _log_frame(sb, started, tasks, response, fault=plan.kinds)

    if plan.latency:
        await asyncio.sleep(plan.latency)
    before = plan.before
    if before is not None and before.kind == "http_error":
        reply = before.error_body(plan.status or 503)
        await session.send(json.dumps(reply))
        return log(reply)
    if before is not None and before.kind == "drop":
        log({"fault": "drop"})
        await ws.close(code=1011, message=b"sandbox fault: dropped")
        return None
    if before is not None and before.kind == "hang":
        await asyncio.sleep(before.seconds if before.seconds is not None else 3600)
    sb.counts["ws_frames"] += 1
    ctx = Context(
        account=session.account,
        request=redact(tasks, shorten=False),
        transport="ws",
        session=session,
    )
    outcome = await handlers.run(tasks, ctx)
    reply_text = json.dumps(outcome.body())
    after = plan.after
    if after is not None and after.kind == "lost_ack":
        async with session.lock:
            session.pending.append(reply_text)
            if session.socket is ws:
                session.socket = None
        log({"fault": "lost_ack", "buffered": outcome.body()})
        await ws.close(code=1011, message=b"sandbox fault: lost acknowledgement")
        return None
    if after is not None and after.kind in ("truncate", "non_json"):
        broken = reply_text[: len(reply_text) // 2] if after.kind == "truncate" else BROKEN_BODY
        await session.send(broken)
        return log({"fault": after.kind, "unsent": outcome.body()})
    await session.send(reply_text)
    return log(outcome.body())


def _log_frame(sb: Sandbox, started: float, request: Any, response: Any, **extra: Any) -> None:
    """One WebSocket frame and its answer in the request log (the key redacted there)."""
    sb.log.write(
        started=started,
        method="WS",
        path="/v1",
        status=None,
        request=request,
        response=response,
        transport="ws",
        **extra,
    )
