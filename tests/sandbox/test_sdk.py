"""The official Python SDK (runware-sdk 1.8.0) against the sandbox, with no internet.

The SDK only consults its online model registry when it must guess a task type; giving
``taskType`` and an AIR-shaped model keeps it offline, and ``validate`` (the online schema
check) is off by default.
"""

from __future__ import annotations

import base64

import pytest
from runware import Runware, RunwareError

from gui.sandbox.process import SandboxProcess
from tests.sandbox.support import SORA, image_bytes, new_uuid

VIDEO = {
    "taskType": "videoInference",
    "model": SORA,
    "positivePrompt": "A paper boat drifting down a rainy street",
    "width": 1280,
    "height": 720,
    "duration": 4,
    "numberResults": 2,
    "includeCost": True,
}


@pytest.mark.asyncio
async def test_rest_video_with_two_results_through_a_503(shared: SandboxProcess) -> None:
    sandbox = shared
    spent = sandbox.state()["balances"][0]["spent"]
    sandbox.set_faults(
        {"faults": [{"kind": "http_error", "scope": "submit", "status": 503, "times": 1}]}
    )
    task_uuid = new_uuid()
    async with Runware(
        api_key=sandbox.api_key,
        transport="rest",
        http_base_url=sandbox.url,
        retry_delay=50,
        poll_timeout=60_000,
    ) as client:
        results = await client.run({**VIDEO, "taskUUID": task_uuid})
        account = await client.account_management({"operation": "getDetails"})
    assert len(results) == 2
    assert {r["taskUUID"] for r in results} == {task_uuid}
    assert all(r["status"] == "success" and r["videoURL"].endswith(".mp4") for r in results)
    assert len({r["videoUUID"] for r in results}) == 2
    assert all(r["cost"] == 0.4 and r["outputs"]["videoId"].startswith("video_") for r in results)
    assert account[0]["balance"]["amount"] == pytest.approx(1000 - spent - 0.8)
    log = sandbox.requests()
    submits = [
        e for e in log if e["task_uuids"] == [task_uuid] and e["task_types"] == [VIDEO["taskType"]]
    ]
    assert [e["status"] for e in submits] == [503, 200]  # the SDK retried the 503
    assert all(e["headers"]["Authorization"] == "***" for e in submits)


@pytest.mark.asyncio
async def test_websocket_transport_and_utilities(shared_sandbox: SandboxProcess) -> None:
    sandbox = shared_sandbox
    async with Runware(
        api_key=sandbox.api_key,
        transport="websocket",
        ws_base_url=sandbox.url.replace("http://", "ws://"),
        poll_timeout=60_000,
    ) as client:
        uploaded = await client.image_upload(
            {"image": base64.b64encode(image_bytes(fmt="JPEG")).decode()}
        )
        frames = {"frameImages": [uploaded[0]["imageUUID"]]}
        results = await client.run({**VIDEO, "numberResults": 1, "inputs": frames})
        found = await client.model_search({"search": "sora 2 pro"})
    assert uploaded[0]["imageUUID"] and uploaded[0]["imageURL"].startswith(sandbox.origin)
    assert len(results) == 1 and results[0]["status"] == "success"
    assert found[0]["totalResults"] == 1 and found[0]["results"][0]["air"] == "openai:3@2"


@pytest.mark.asyncio
async def test_sdk_sees_validation_errors(shared_sandbox: SandboxProcess) -> None:
    async with Runware(
        api_key=shared_sandbox.api_key, transport="rest", http_base_url=shared_sandbox.url
    ) as client:
        with pytest.raises(RunwareError) as caught:
            await client.run({**VIDEO, "duration": 7})
    assert caught.value.code == "validation"
    assert caught.value.status_code == 400
    assert caught.value.parameter == "duration"
