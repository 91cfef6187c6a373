"""The WebSocket transport: authentication, ping, tasks, pushed results and session resume."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest

from gui.sandbox.process import SandboxProcess
from tests.sandbox.support import poll_task, video_task

PING = {"taskType": "ping", "ping": True}


def ws_url(sb: SandboxProcess) -> str:
    return sb.url.replace("http://", "ws://")


async def receive(ws: aiohttp.ClientWebSocketResponse, timeout: float = 10) -> dict[str, Any]:
    message = await ws.receive(timeout=timeout)
    assert message.type == aiohttp.WSMsgType.TEXT, message
    return dict(json.loads(message.data))


async def open_session(
    http: aiohttp.ClientSession, sb: SandboxProcess, session_uuid: str | None = None
) -> tuple[aiohttp.ClientWebSocketResponse, str]:
    ws = await http.ws_connect(ws_url(sb))
    auth: dict[str, Any] = {"taskType": "authentication", "apiKey": sb.api_key}
    if session_uuid:
        auth["connectionSessionUUID"] = session_uuid
    await ws.send_json([auth])
    reply = await receive(ws)
    assert list(reply) == ["data"]
    item = reply["data"][0]
    assert item["taskType"] == "authentication"
    return ws, item["connectionSessionUUID"]


async def until(ws: aiohttp.ClientWebSocketResponse, predicate: Any, timeout: float = 15) -> dict:  # type: ignore[type-arg]
    async def loop() -> dict:  # type: ignore[type-arg]
        while True:
            frame = await receive(ws, timeout)
            if predicate(frame):
                return frame

    return await asyncio.wait_for(loop(), timeout)


@pytest.mark.asyncio
async def test_authenticate_and_ping(shared_sandbox: SandboxProcess) -> None:
    async with aiohttp.ClientSession() as http:
        ws, session = await open_session(http, shared_sandbox)
        assert len(session) == 36
        await ws.send_json([PING])
        assert await receive(ws) == {"data": [{"taskType": "ping", "pong": True}]}
        await ws.close()


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "first", [[{"taskType": "authentication", "apiKey": "wrong"}], [PING], "not json"]
)
async def test_bad_first_frame_gets_invalid_api_key(
    shared_sandbox: SandboxProcess, first: Any
) -> None:
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(ws_url(shared_sandbox))
        await (ws.send_str(first) if isinstance(first, str) else ws.send_json(first))
        reply = await receive(ws)
        assert reply["errors"][0]["code"] == "invalidApiKey"
        assert reply["errors"][0]["taskType"] == "authentication"
        closing = await ws.receive(timeout=5)
        assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)


@pytest.mark.asyncio
async def test_task_ack_poll_and_pushed_result(shared_sandbox: SandboxProcess) -> None:
    task = video_task()
    async with aiohttp.ClientSession() as http:
        ws, _ = await open_session(http, shared_sandbox)
        await ws.send_json([task])
        ack = await receive(ws)
        assert ack == {"data": [{"taskType": "videoInference", "taskUUID": task["taskUUID"]}]}
        await ws.send_json([poll_task(task["taskUUID"])])
        polled = await receive(ws)
        assert polled["data"][0]["status"] == "processing"
        pushed = await until(ws, lambda f: f.get("data", [{}])[0].get("status") == "success")
        assert pushed["data"][0]["taskUUID"] == task["taskUUID"]
        assert pushed["data"][0]["videoURL"].startswith(shared_sandbox.origin)
        await ws.close()


@pytest.mark.asyncio
async def test_resume_replays_what_was_missed(shared: SandboxProcess) -> None:
    sandbox = shared
    task = video_task(numberResults=2)
    async with aiohttp.ClientSession() as http:
        ws, session = await open_session(http, sandbox)
        await ws.send_json([task])
        assert (await receive(ws))["data"][0]["taskUUID"] == task["taskUUID"]
        await ws.close()  # gone before the results are ready
        for _ in range(200):
            state = next(t for t in sandbox.state()["tasks"] if t["taskUUID"] == task["taskUUID"])
            if all(g["status"] == "success" for g in state["generations"]):
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError(f"results not ready after 20 s: {state['generations']}")
        ws, resumed = await open_session(http, sandbox, session)
        assert resumed == session
        replayed = [await receive(ws), await receive(ws)]
        assert [f["data"][0]["status"] for f in replayed] == ["success", "success"]
        assert {f["data"][0]["videoUUID"] for f in replayed} == {
            g["videoUUID"] for g in state["generations"]
        }
        await ws.send_json([PING])
        assert await receive(ws) == {"data": [{"taskType": "ping", "pong": True}]}
        await ws.close()
        other, fresh = await open_session(http, sandbox, "6f1f2c1e-8c53-4a6e-9d3c-000000000000")
        assert fresh != session  # an unknown session starts a new one, with nothing to replay
        await other.send_json([PING])
        assert await receive(other) == {"data": [{"taskType": "ping", "pong": True}]}
        await other.close()


@pytest.mark.asyncio
async def test_lost_ack_is_replayed_on_resume(shared: SandboxProcess) -> None:
    sandbox = shared
    sandbox.set_faults(
        {
            "faults": [{"kind": "lost_ack", "scope": "submit", "transport": "ws", "times": 1}],
            "protocol": {"ws_push_results": False},
        }
    )
    task = video_task()
    async with aiohttp.ClientSession() as http:
        ws, session = await open_session(http, sandbox)
        await ws.send_json([task])
        closing = await ws.receive(timeout=10)
        assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        ws, _ = await open_session(http, sandbox, session)
        assert await receive(ws) == {
            "data": [{"taskType": "videoInference", "taskUUID": task["taskUUID"]}]
        }
        await ws.send_json([task])  # a blind retry would have been a conflict
        assert (await receive(ws))["errors"][0]["code"] == "conflictTaskUUID"
        await ws.close()


@pytest.mark.asyncio
async def test_frames_are_answered_concurrently_and_drops_close(shared: SandboxProcess) -> None:
    sandbox = shared
    sandbox.set_faults(
        {
            "faults": [
                {"kind": "hang", "scope": "poll", "transport": "ws", "seconds": 1.0, "times": 1},
                {"kind": "drop", "scope": "submit", "transport": "ws", "times": 1},
            ]
        }
    )
    async with aiohttp.ClientSession() as http:
        ws, _ = await open_session(http, sandbox)
        await ws.send_json([poll_task(video_task()["taskUUID"])])
        await ws.send_json([PING])
        assert await receive(ws) == {"data": [{"taskType": "ping", "pong": True}]}  # first
        assert (await receive(ws))["errors"][0]["code"] == "taskNotFound"
        task = video_task()
        await ws.send_json([task])
        closing = await ws.receive(timeout=10)
        assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    known = {t["taskUUID"] for t in sandbox.state()["tasks"]}
    assert task["taskUUID"] not in known  # dropped before it was processed


@pytest.mark.asyncio
async def test_idle_sockets_are_closed_when_switched_on(idle: SandboxProcess) -> None:
    idle.set_faults({"protocol": {"ws_idle_seconds": 0.5}})
    async with aiohttp.ClientSession() as http:
        ws, _ = await open_session(http, idle)
        await ws.send_json([PING])
        assert await receive(ws) == {"data": [{"taskType": "ping", "pong": True}]}
        started = asyncio.get_running_loop().time()
        closing = await ws.receive(timeout=5)
        assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        assert 0.4 <= asyncio.get_running_loop().time() - started < 3
