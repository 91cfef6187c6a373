"""imageUpload, accountManagement, modelSearch, ping, and what tasks cost."""

from __future__ import annotations

import base64

import av
import httpx
import pytest

from gui.runware.catalog import default_catalog
from gui.sandbox.process import SandboxProcess
from tests.sandbox.support import (
    VEO,
    data_uri,
    http,
    image_bytes,
    new_uuid,
    post,
    video_task,
    wait_for,
)


def upload(sb: SandboxProcess, image: str) -> httpx.Response:
    return post(sb, [{"taskType": "imageUpload", "taskUUID": new_uuid(), "image": image}])


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_image_upload_forms(shared_sandbox: SandboxProcess, fmt: str) -> None:
    raw = image_bytes(fmt=fmt)
    mime = f"image/{fmt.lower()}"
    by_uri = upload(shared_sandbox, data_uri(raw, mime)).json()["data"][0]
    assert by_uri["taskType"] == "imageUpload" and len(by_uri["imageUUID"]) == 36
    served = http.get(by_uri["imageURL"])
    assert served.status_code == 200 and served.content == raw
    assert served.headers["Content-Type"] == mime
    by_base64 = upload(shared_sandbox, base64.b64encode(raw).decode()).json()["data"][0]
    by_url = upload(shared_sandbox, by_uri["imageURL"]).json()["data"][0]
    uuids = {by_uri["imageUUID"], by_base64["imageUUID"], by_url["imageUUID"]}
    assert len(uuids) == 3
    assert http.get(by_url["imageURL"]).content == raw


@pytest.mark.parametrize(
    ("image", "words"),
    [
        (data_uri(image_bytes(fmt="GIF"), "image/gif"), "GIF"),
        (data_uri(image_bytes(fmt="BMP"), "image/bmp"), "BMP"),
        ("data:image/png;base64,aGVsbG8gd29ybGQ=", "not an image"),
        ("!!! not base64 !!!", "neither"),
        ("", "required"),
        ("http://127.0.0.1:9/none.png", "could not be fetched"),
    ],
    ids=["gif", "bmp", "not-image", "garbage", "empty", "dead-url"],
)
def test_image_upload_rejects(shared_sandbox: SandboxProcess, image: str, words: str) -> None:
    response = upload(shared_sandbox, image)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "invalidImage" and error["parameter"] == "image"
    assert words in error["message"]
    assert error["allowedValues"] == ["PNG", "JPEG", "WEBP"]


def test_uploaded_image_is_a_frame_image(shared_sandbox: SandboxProcess) -> None:
    image = upload(shared_sandbox, data_uri(image_bytes(800, 450))).json()["data"][0]
    by_uuid = video_task(width=None, height=None, inputs={"frameImages": [image["imageUUID"]]})
    by_url = video_task(inputs={"frameImages": [{"image": image["imageURL"], "frame": "first"}]})
    unknown = video_task(inputs={"frameImages": [new_uuid()]})
    body = post(shared_sandbox, [by_uuid, by_url, unknown]).json()
    assert [d["taskUUID"] for d in body["data"]] == [by_uuid["taskUUID"], by_url["taskUUID"]]
    assert body["errors"][0]["code"] == "invalidFrameImages"
    for task in (by_uuid, by_url):
        assert wait_for(shared_sandbox, task["taskUUID"])["data"][0]["status"] == "success"


def test_ping_and_model_search(shared_sandbox: SandboxProcess) -> None:
    uuid = new_uuid()
    body = post(shared_sandbox, [{"taskType": "ping", "ping": True, "taskUUID": uuid}]).json()
    assert body == {"data": [{"taskType": "ping", "pong": True, "taskUUID": uuid}]}
    search = {"taskType": "modelSearch", "taskUUID": new_uuid(), "search": "sora"}
    item = post(shared_sandbox, [search]).json()["data"][0]
    assert item["totalResults"] == 2
    assert {r["name"] for r in item["results"]} == {"Sora 2", "Sora 2 Pro"}
    assert all(r["taskType"] == "videoInference" for r in item["results"])
    everything = post(
        shared_sandbox, [{**search, "taskUUID": new_uuid(), "search": "", "limit": 1}]
    ).json()["data"][0]
    total = len(default_catalog())
    assert everything["totalResults"] == total and len(everything["results"]) == 1


def account(sb: SandboxProcess, key: str = "default") -> dict:  # type: ignore[type-arg]
    task = {"taskType": "accountManagement", "taskUUID": new_uuid(), "operation": "getDetails"}
    return dict(post(sb, [task], key=key).json()["data"][0])


def test_balance_reflects_spend_and_402_charges_nothing(sandbox_factory) -> None:  # type: ignore[no-untyped-def]
    sb = sandbox_factory(api_keys=["rich-key-00001", "poor-key-00002"], balance=2.0)
    details = account(sb, "rich-key-00001")
    assert details["balance"] == {"amount": 2.0, "currency": "USD"}
    assert details["operation"] == "getDetails" and details["taskType"] == "accountManagement"
    assert "rich-key-00001" not in str(details)  # keys are shown masked

    post(sb, [video_task(duration=8)], key="rich-key-00001")  # $0.80
    post(sb, [video_task(model=VEO, duration=4)], key="rich-key-00001")  # unpublished: $0.10/s
    assert account(sb, "rich-key-00001")["balance"]["amount"] == pytest.approx(0.80)
    assert account(sb, "poor-key-00002")["balance"]["amount"] == 2.0

    expensive = video_task(numberResults=2, duration=8)  # $1.60 > $0.80
    response = post(sb, [expensive], key="rich-key-00001")
    assert response.status_code == 402
    error = response.json()["errors"][0]
    assert error["code"] == "insufficientCredits" and error["taskUUID"] == expensive["taskUUID"]
    assert account(sb, "rich-key-00001")["balance"]["amount"] == pytest.approx(0.80)
    # nothing was stored either: the same UUID can be sent again once there is money
    sb.set_balance(10, api_key_index=0)
    assert post(sb, [expensive], key="rich-key-00001").status_code == 200
    assert account(sb, "rich-key-00001")["balance"]["amount"] == pytest.approx(8.40)

    # a scenario's "balance" is low balance for every key; the code and status are switches
    sb.set_faults(
        {
            "balance": 0.3,
            "protocol": {
                "insufficient_credits_code": "insufficientBalance",
                "insufficient_credits_status": 403,
            },
        }
    )
    response = post(sb, [video_task()], key="poor-key-00002")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "insufficientBalance"
    assert [b["balance"] for b in sb.state()["balances"]] == [0.3, 0.3]


def test_account_management_other_operations(shared_sandbox: SandboxProcess) -> None:
    task = {"taskType": "accountManagement", "taskUUID": new_uuid(), "operation": "getUsage"}
    error = post(shared_sandbox, [task]).json()["errors"][0]
    assert error["parameter"] == "operation" and error["allowedValues"] == ["getDetails"]


def test_media_storage_upload_use_and_delete(idle_sandbox: SandboxProcess) -> None:
    sb = idle_sandbox
    store = {
        "taskType": "mediaStorage",
        "taskUUID": new_uuid(),
        "operation": "upload",
        "media": data_uri(image_bytes(fmt="WEBP"), "image/webp"),
    }
    item = post(sb, [store]).json()["data"][0]
    assert item["operation"] == "upload" and item["taskUUID"] == store["taskUUID"]
    assert http.get(item["mediaURL"]).headers["Content-Type"] == "image/webp"
    task = video_task(inputs={"frameImages": [item["mediaUUID"]]})
    assert post(sb, [task]).status_code == 200  # stored media is a frame image too
    delete = {
        "taskType": "mediaStorage",
        "taskUUID": new_uuid(),
        "operation": "delete",
        "media": item["mediaUUID"],
    }
    assert post(sb, [delete]).json()["data"][0] == {
        "taskType": "mediaStorage",
        "taskUUID": delete["taskUUID"],
        "operation": "delete",
        "mediaUUID": item["mediaUUID"],
    }
    assert http.get(item["mediaURL"]).status_code == 404
    again = post(sb, [{**delete, "taskUUID": new_uuid()}]).json()["errors"][0]
    assert (again["code"], again["parameter"]) == ("mediaNotFound", "media")
    gone = post(sb, [video_task(inputs={"frameImages": [item["mediaUUID"]]})]).json()
    assert gone["errors"][0]["code"] == "invalidFrameImages"


def test_first_and_last_frames_through_the_api(shared_sandbox: SandboxProcess) -> None:
    """Veo takes a first and a last frame: the video starts on one and ends on the other."""
    red, blue = image_bytes(640, 360, (220, 30, 30)), image_bytes(640, 360, (30, 30, 220))
    frames = [
        {"image": data_uri(red), "frame": "first"},
        {"image": data_uri(blue), "frame": "last"},
    ]
    # Veo's page: "Provide exactly one of: inputs.frameImages or width/height"
    task = video_task(model=VEO, width=None, height=None, inputs={"frameImages": frames})
    post(shared_sandbox, [task])
    item = wait_for(shared_sandbox, task["taskUUID"])["data"][0]
    path = shared_sandbox.data_dir / "first-last.mp4"
    path.write_bytes(http.get(item["videoURL"]).content)
    with av.open(str(path)) as container:
        decoded = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(decoded) == 96  # 4 s at Veo's 24 fps
    first, last = decoded[0].reshape(-1, 3).mean(axis=0), decoded[-1].reshape(-1, 3).mean(axis=0)
    assert first[0] > 2 * first[2]  # red, as the first image
    assert last[2] > 2 * last[0]  # blue, as the last image
