"""Test aids under ``/_sandbox/``. They answer only connections from the loopback interface
and need no API key; they are not part of Runware's API.

``GET  /_sandbox/state``
    ``{"origin", "publicHost", "processingSeconds", "tasks": [{taskUUID, model, apiKeyIndex,
    price, created, session, generations: [{index, status, videoUUID, videoId, videoURL, error,
    renderSeconds, expiresAt}]}], "balances": [{index, apiKey (masked), balance, spent,
    requests, tasks}], "counts": {per taskType, http_requests, ws_frames, tasks, videos,
    renders, images, logged, sessions}, "deliveries": [{kind, url, taskUUID, attempt, status,
    error, at}], "faults": {"scenario", "fired"}, "protocol": {…}}``
``GET  /_sandbox/faults``
    The current scenario and how often each fault kind fired.
``POST /_sandbox/faults``
    Body: a scenario (see faults.py). Replaces the fault rules and seed; replaces the protocol
    switches when the body has ``protocol``; sets every balance when it has ``balance``.
``POST /_sandbox/balance``
    Body: ``{"amount": 0.5}`` for every key, or with ``"apiKeyIndex": 1`` for one key.
``POST /_sandbox/expire``
    Body: ``{"videoUUID": …}`` or ``{"taskUUID": …}``: the video URLs answer 404 from now on.
    Answers ``{"expired": [videoUUID, …]}``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from gui.sandbox.faults import Scenario
from gui.sandbox.state import Sandbox

__all__ = ["add_admin_routes"]

LOOPBACK = ("127.", "::1", "::ffff:127.")


def add_admin_routes(app: web.Application, key: web.AppKey[Sandbox]) -> None:
    def sandbox(request: web.Request) -> Sandbox:
        remote = request.remote or ""
        if not remote.startswith(LOOPBACK):
            raise web.HTTPForbidden(text="The sandbox admin routes answer loopback only.")
        return request.app[key]

    async def body_of(request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except ValueError:
            raise web.HTTPBadRequest(text="The body must be a JSON object.") from None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="The body must be a JSON object.")
        return body

    async def state(request: web.Request) -> web.Response:
        return web.json_response(sandbox(request).describe())

    async def get_faults(request: web.Request) -> web.Response:
        return web.json_response(sandbox(request).faults.describe())

    async def set_faults(request: web.Request) -> web.Response:
        sb = sandbox(request)
        try:
            scenario = Scenario.model_validate(await body_of(request))
        except ValidationError as exc:
            raise web.HTTPBadRequest(text=f"Not a fault scenario: {exc}") from None
        sb.apply_scenario(scenario)
        return web.json_response(sb.faults.describe())

    async def set_balance(request: web.Request) -> web.Response:
        sb = sandbox(request)
        body = await body_of(request)
        try:
            amount = Decimal(str(body["amount"]))
        except (KeyError, InvalidOperation):
            raise web.HTTPBadRequest(text='Send {"amount": number}.') from None
        index = body.get("apiKeyIndex")
        accounts = list(sb.accounts)
        if index is not None and not (isinstance(index, int) and 0 <= index < len(accounts)):
            raise web.HTTPBadRequest(text="No API key has that index.")
        key_value = accounts[index].key if index is not None else None
        sb.accounts.set_balance(amount, key_value)
        sb.save_accounts()
        return web.json_response({"balances": sb.accounts.describe()})

    async def expire(request: web.Request) -> web.Response:
        sb = sandbox(request)
        body = await body_of(request)
        expired = sb.lifecycle.expire(
            video_uuid=body.get("videoUUID"), task_uuid=body.get("taskUUID")
        )
        return web.json_response({"expired": expired})

    app.router.add_get("/_sandbox/state", state)
    app.router.add_get("/_sandbox/faults", get_faults)
    app.router.add_post("/_sandbox/faults", set_faults)
    app.router.add_post("/_sandbox/balance", set_balance)
    app.router.add_post("/_sandbox/expire", expire)
