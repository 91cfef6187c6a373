"""The async lifecycle: acknowledgement, processing, staggered success, polling, failures."""

from __future__ import annotations

import re
import time
import uuid

import av
import numpy as np

from gui.sandbox.process import SandboxProcess
from tests.sandbox.support import (
    data_uri,
    http,
    image_bytes,
    new_uuid,
    poll_task,
    post,
    video_task,
    wait_for,
)

VIDEO_ID = re.compile(r"^video_[0-9a-f]{16,}$")


def test_results_are_cumulative_and_staggered(sandbox_factory) -> None:  # type: ignore[no-untyped-def]
    sb = sandbox_factory(processing_seconds=0.8, extra_args=["--stagger-seconds", "1.2"])
    task = video_task(numberResults=2, includeCost=True)
    ack = post(sb, [task])
    assert ack.status_code == 200
    assert ack.json() == {"data": [{"taskType": "videoInference", "taskUUID": task["taskUUID"]}]}

    first = post(sb, [poll_task(task["taskUUID"])]).json()
    assert [i["status"] for i in first["data"]] == ["processing", "processing"]
    assert all(i["taskType"] == "videoInference" for i in first["data"])
    assert all(i["taskUUID"] == task["taskUUID"] for i in first["data"])
    assert "errors" not in first

    partial = None
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        body = post(sb, [poll_task(task["taskUUID"])]).json()
        statuses = [i["status"] for i in body["data"]]
        if statuses == ["success", "processing"]:
            partial = body
        if statuses == ["success", "success"]:
            break
        time.sleep(0.1)
    assert partial is not None, "result 0 should finish while result 1 is still processing"
    assert statuses == ["success", "success"]
    assert body["data"][0] == partial["data"][0]  # cumulative: the same item again

    items = body["data"]
    for item in items:
        assert set(item) == {
            "taskType",
            "taskUUID",
            "status",
            "videoUUID",
            "videoURL",
            "seed",
            "cost",
            "outputs",
        }
        assert uuid.UUID(item["videoUUID"]).version == 4
        assert item["videoUUID"] != task["taskUUID"]
        assert item["videoURL"] == f"{sb.origin}/video/{item['videoUUID']}.mp4"
        assert VIDEO_ID.match(item["outputs"]["videoId"])
        assert item["cost"] == 0.4  # Sora 2: $0.10/s × 4 s, per result
        assert isinstance(item["seed"], int)
    assert items[0]["seed"] != items[1]["seed"]
    assert items[0]["videoUUID"] != items[1]["videoUUID"]


def test_success_only_once_the_file_is_whole(shared_sandbox: SandboxProcess) -> None:
    sb = shared_sandbox
    task = video_task(duration=8)
    post(sb, [task])
    # processing time, then rendering 8 s of 720p: still processing
    assert post(sb, [poll_task(task["taskUUID"])]).json()["data"][0]["status"] == "processing"
    deadline = time.monotonic() + 60
    while (item := post(sb, [poll_task(task["taskUUID"])]).json()["data"][0])[
        "status"
    ] != "success":
        assert time.monotonic() < deadline, f"no success after 60 s: {item}"
        time.sleep(0.02)
    content = http.get(item["videoURL"]).content  # fetched the instant success showed
    path = sb.data_dir / "check.mp4"
    path.write_bytes(content)
    with av.open(str(path)) as container:
        assert sum(1 for _ in container.decode(video=0)) == 240


def test_cost_only_when_asked(shared_sandbox: SandboxProcess) -> None:
    task = video_task()
    post(shared_sandbox, [task])
    item = wait_for(shared_sandbox, task["taskUUID"])["data"][0]
    assert item["status"] == "success" and "cost" not in item


def test_pending_alias_and_cost_always_switches(shared: SandboxProcess) -> None:
    shared.set_faults({"protocol": {"processing_status": "pending", "always_include_cost": True}})
    task = video_task(duration=8)
    post(shared, [task])
    assert post(shared, [poll_task(task["taskUUID"])]).json()["data"][0]["status"] == "pending"
    item = wait_for(shared, task["taskUUID"])["data"][0]
    assert item["cost"] == 0.8


def test_many_polls_in_one_request_each_answered(idle_sandbox: SandboxProcess) -> None:
    shared_sandbox = idle_sandbox  # the tasks stay processing: only the answers matter here
    tasks = [video_task(), video_task(numberResults=2), video_task()]
    assert post(shared_sandbox, tasks).status_code == 200
    before = len(shared_sandbox.requests())
    unknown = new_uuid()
    polls = [poll_task(t["taskUUID"]) for t in tasks] + [poll_task(unknown)]
    response = post(shared_sandbox, polls)
    assert response.status_code == 200  # some answered, one unknown: a mixed batch
    body = response.json()
    counts = {t["taskUUID"]: 0 for t in tasks}
    for item in body["data"]:
        counts[item["taskUUID"]] += 1
    assert counts == {tasks[0]["taskUUID"]: 1, tasks[1]["taskUUID"]: 2, tasks[2]["taskUUID"]: 1}
    assert [(e["code"], e["taskUUID"]) for e in body["errors"]] == [("taskNotFound", unknown)]
    entries = shared_sandbox.requests()[before:]
    polls_logged = [e for e in entries if "getResponse" in e["task_types"]]
    assert len(polls_logged) == 1  # one poll round is exactly ONE HTTP request
    assert polls_logged[0]["task_types"] == ["getResponse"] * 4


def test_unknown_task_uuid_default_and_switch(shared: SandboxProcess) -> None:
    missing = new_uuid()
    response = post(shared, [poll_task(missing)])
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["code"], error["taskUUID"], error["taskType"]) == (
        "taskNotFound",
        missing,
        "getResponse",
    )
    shared.set_faults(
        {"protocol": {"unknown_task_code": "taskFailedOrNotFound", "unknown_task_status": 404}}
    )
    response = post(shared, [poll_task(missing)])
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "taskFailedOrNotFound"


def test_failed_generation_shapes(shared: SandboxProcess) -> None:
    failing = {"faults": [{"kind": "task_failure", "prompt_contains": "doomed", "times": 1}]}
    sb = shared
    sb.set_faults(failing)
    task = video_task(positivePrompt="A doomed voyage", numberResults=2)
    post(sb, [task])
    body = wait_for(sb, task["taskUUID"], count=2)
    assert [i["status"] for i in body["data"]] == ["success"]
    error = body["errors"][0]
    assert error["code"] == "timeoutProvider" and error["status"] == "error"
    assert error["message"] == (
        "The external provider did not respond within the timeout window. "
        "The request was automatically terminated."
    )
    assert error["taskUUID"] == task["taskUUID"] and error["taskType"] == "videoInference"
    assert error["documentation"].startswith("https://runware.ai/docs/")

    sb.set_faults({**failing, "protocol": {"error_shape": "nested"}})
    nested_task = video_task(positivePrompt="Another doomed voyage")
    post(sb, [nested_task])
    body = wait_for(sb, nested_task["taskUUID"])
    assert "errors" not in body
    item = body["data"][0]
    assert item["status"] == "error" and item["taskUUID"] == nested_task["taskUUID"]
    assert item["error"]["code"] == "timeoutProvider"


def test_get_task_details_returns_request_and_final_envelope(
    shared_sandbox: SandboxProcess,
) -> None:
    auth = {"taskType": "authentication", "apiKey": shared_sandbox.api_key}
    frame = data_uri(image_bytes())  # long: kept whole here, though the log shortens it
    task = video_task(inputs={"frameImages": [{"image": frame, "frame": "first"}]})
    post(shared_sandbox, [auth, task], key=None)
    final = wait_for(shared_sandbox, task["taskUUID"])
    details = {"taskType": "getTaskDetails", "taskUUID": task["taskUUID"]}
    item = post(shared_sandbox, [details]).json()["data"][0]
    assert item["taskType"] == "getTaskDetails" and item["taskUUID"] == task["taskUUID"]
    assert item["request"] == [{**auth, "apiKey": "***"}, task]
    assert item["response"] == {"data": final["data"]}
    unknown = post(shared_sandbox, [{"taskType": "getTaskDetails", "taskUUID": new_uuid()}])
    assert unknown.json()["errors"][0]["code"] == "taskNotFound"


def _frames(sb: SandboxProcess, url: str) -> list[np.ndarray]:
    """Luma of a few frames, as floats."""
    path = sb.data_dir / f"{new_uuid()}.mp4"
    path.write_bytes(http.get(url).content)
    with av.open(str(path)) as container:
        return [
            frame.to_ndarray(format="gray").astype(np.float32)
            for i, frame in enumerate(container.decode(video=0))
            if i in (5, 40, 80)
        ]


def _likeness(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    """How alike two videos' shapes and their motion are: the correlation of the frames' fine
    detail, away from the text at top and bottom. A tint changes brightness, not this."""

    def detail(luma: np.ndarray) -> np.ndarray:
        h, w = (luma.shape[0] // 16) * 16, (luma.shape[1] // 16) * 16
        coarse = luma[:h, :w].reshape(h // 16, 16, w // 16, 16).mean(axis=(1, 3))
        return (luma[:h, :w] - np.kron(coarse, np.ones((16, 16))))[150:1100]

    return float(
        np.mean(
            [
                np.corrcoef(detail(x).ravel(), detail(y).ravel())[0, 1]
                for x, y in zip(a, b, strict=True)
            ]
        )
    )


def test_remix_derives_from_its_source(shared_sandbox: SandboxProcess) -> None:
    sb = shared_sandbox
    source, unrelated = video_task(width=720, height=1280), video_task(width=720, height=1280)
    post(sb, [source, unrelated])
    source_item = wait_for(sb, source["taskUUID"])["data"][0]
    unrelated_item = wait_for(sb, unrelated["taskUUID"])["data"][0]
    remix = video_task(
        width=None,
        height=None,
        positivePrompt="Make it night",
        inputs={"videoId": source_item["outputs"]["videoId"]},
    )
    assert post(sb, [remix]).status_code == 200
    item = wait_for(sb, remix["taskUUID"])["data"][0]
    assert item["status"] == "success"
    remixed = _frames(sb, item["videoURL"])
    assert remixed[0].shape == (1280, 720)  # the source's size
    original = _frames(sb, source_item["videoURL"])
    other = _frames(sb, unrelated_item["videoURL"])
    # the same shapes moving the same way as its source (measured 0.85-0.91), unlike another
    # video of the same prompt and model (0.14-0.31)
    assert _likeness(remixed, original) > 0.7
    assert _likeness(other, original) < _likeness(remixed, original) - 0.3
    unknown = video_task(width=None, height=None, inputs={"videoId": "video_0000000000000000"})
    error = post(sb, [unknown]).json()["errors"][0]
    assert (error["code"], error["parameter"]) == ("invalidVideoId", "inputs.videoId")
