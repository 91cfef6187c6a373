"""The request log: its entries, and that the API key reaches no file at all."""

from __future__ import annotations

import asyncio
import base64

import aiohttp

from tests.sandbox.support import (
    Receiver,
    data_uri,
    image_bytes,
    new_uuid,
    poll_task,
    post,
    video_task,
    wait_for,
)

SECRET = "sk-live-SECRET-7f3a9c2e1b"


def test_entries_describe_each_request(sandbox) -> None:  # type: ignore[no-untyped-def]
    sb = sandbox  # a fresh one: its log starts with this test's requests
    task = video_task()
    post(sb, [task])
    wait_for(sb, task["taskUUID"])
    unknown = new_uuid()
    post(sb, [poll_task(task["taskUUID"]), poll_task(unknown)])
    upload = {"taskType": "imageUpload", "taskUUID": new_uuid(), "image": data_uri(image_bytes())}
    post(sb, [upload])
    entries = sb.requests()
    submit = entries[0]
    assert set(submit) >= {
        "ts",
        "method",
        "path",
        "status",
        "task_types",
        "task_uuids",
        "request",
        "response",
    }
    assert (submit["method"], submit["path"], submit["status"]) == ("POST", "/v1", 200)
    assert submit["task_types"] == ["videoInference"]
    assert submit["task_uuids"] == [task["taskUUID"]]
    assert submit["request"] == [task]
    assert submit["response"] == {
        "data": [{"taskType": "videoInference", "taskUUID": task["taskUUID"]}]
    }
    batch = entries[-2]
    assert batch["task_types"] == ["getResponse", "getResponse"]
    assert batch["task_uuids"] == [task["taskUUID"], unknown]
    assert batch["response"]["errors"][0]["taskUUID"] == unknown
    logged_image = entries[-1]["request"][0]["image"]
    assert logged_image.endswith("chars)") and len(logged_image) < 200  # data URIs shortened


def test_the_key_never_reaches_a_file(sandbox_factory, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    sb = sandbox_factory(api_keys=[SECRET], processing_seconds=0)
    auth = {"taskType": "authentication", "apiKey": SECRET}
    task = video_task(
        positivePrompt=f"A sign that reads {SECRET}",
        webhookURL=f"{receiver.url}/h",
        uploadEndpoint=f"{receiver.url}/u",
    )
    post(sb, [auth, task], key=None)  # payload authentication
    post(sb, [auth], key="not-the-key")  # both forms at once
    post(sb, [{"taskType": "ping", "ping": True, "note": SECRET}])  # bearer
    post(sb, [video_task(apiKey=SECRET)])  # a key where no key belongs
    post(
        sb,
        [
            {
                "taskType": "imageUpload",
                "taskUUID": new_uuid(),
                "image": base64.b64encode(SECRET.encode() * 50).decode(),
            }
        ],
    )
    wait_for(sb, task["taskUUID"])
    details = post(sb, [{"taskType": "getTaskDetails", "taskUUID": task["taskUUID"]}]).json()
    assert details["data"][0]["request"][0]["apiKey"] == "***"
    sb.set_faults({"faults": [{"kind": "http_error", "scope": "other", "times": 1}]})
    post(sb, [{"taskType": "ping", "ping": True}])

    async def websocket() -> None:
        async with aiohttp.ClientSession() as http:
            ws = await http.ws_connect(sb.url.replace("http://", "ws://"))
            await ws.send_json([auth])
            await ws.receive_json(timeout=5)
            await ws.send_json([{"taskType": "ping", "ping": True, "apiKey": SECRET}])
            await ws.receive_json(timeout=5)
            await ws.close()

    asyncio.run(websocket())
    receiver.wait(2)
    sb.stop()

    files = [p for p in sb.data_dir.rglob("*") if p.is_file()]
    assert any(p.name == "requests.jsonl" for p in files)
    assert len(files) >= 4  # log, stderr log, video index, video
    for path in files:
        assert SECRET.encode() not in path.read_bytes(), path
    log = (sb.data_dir / "requests.jsonl").read_text()
    assert '"apiKey": "***"' in log and '"Authorization": "***"' in log
    for call in receiver.received:
        assert SECRET not in str(call.headers) and SECRET.encode() not in call.body.replace(
            f"A sign that reads {SECRET}".encode(), b""
        )
