"""Every validation rule, answered with Runware's error shape, over real HTTP."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from gui.sandbox.process import SandboxProcess
from tests.sandbox.support import SORA_PRO, post, video_task

DURATIONS = [4, 8, 12, 16, 20]


@pytest.fixture
def shared_sandbox(idle_sandbox: SandboxProcess) -> SandboxProcess:
    """Tasks here are only acknowledged: the idle sandbox never renders them."""
    return idle_sandbox


# (id, task overrides, expected code, expected parameter, expected allowedValues or None)
CASES: list[tuple[str, dict[str, Any], str, str, Any]] = [
    ("uuid-not-v4", {"taskUUID": str(uuid.uuid1())}, "invalidTaskUUID", "taskUUID", None),
    ("uuid-not-a-uuid", {"taskUUID": "task-1"}, "invalidTaskUUID", "taskUUID", None),
    ("uuid-missing", {"taskUUID": None}, "invalidTaskUUID", "taskUUID", None),
    ("task-type", {"taskType": "videoMagic"}, "invalidTaskType", "taskType", "list"),
    ("model-unknown", {"model": "openai:9@9"}, "invalidModel", "model", "list"),
    ("model-missing", {"model": None}, "invalidModel", "model", None),
    ("prompt-missing", {"positivePrompt": None}, "invalidPositivePrompt", "positivePrompt", None),
    ("prompt-short", {"positivePrompt": "a"}, "invalidPositivePrompt", "positivePrompt", None),
    (
        "prompt-long",
        {"positivePrompt": "x" * 6001},
        "invalidPositivePrompt",
        "positivePrompt",
        None,
    ),
    ("duration", {"duration": 5}, "unsupportedDuration", "duration", DURATIONS),
    ("width-alone", {"height": None}, "invalidParameter", "height", None),
    ("size-pro-only", {"width": 1920, "height": 1080}, "unsupportedDimensions", "width", "list"),
    # Sora's page: "Either provide inputs.frameImages, or specify width/height"
    (
        "no-size-no-frame",
        {"width": None, "height": None},
        "missingParameter",
        "inputs.frameImages",
        None,
    ),
    (
        "videoId-with-size",
        {"inputs": {"videoId": "video_abc"}},
        "incompatibleParameters",
        "width",
        None,
    ),
    (
        "videoId-with-frames",
        {"width": None, "height": None, "inputs": {"videoId": "v", "frameImages": ["x"]}},
        "incompatibleParameters",
        "inputs.frameImages",
        None,
    ),
    (
        "two-frames",
        {"inputs": {"frameImages": [{"image": "a"}, {"image": "b"}]}},
        "invalidFrameImages",
        "inputs.frameImages",
        ["first"],
    ),
    (
        "last-frame",
        {"inputs": {"frameImages": [{"image": "a", "frame": "last"}]}},
        "invalidFrameImages",
        "inputs.frameImages",
        ["first"],
    ),
    (
        "delivery-sync",
        {"deliveryMethod": "sync"},
        "invalidDeliveryMethod",
        "deliveryMethod",
        ["async"],
    ),
    ("output-type", {"outputType": "base64Data"}, "invalidParameter", "outputType", None),
    (
        "output-format",
        {"outputFormat": "AVI"},
        "invalidParameter",
        "outputFormat",
        ["MP4", "WEBM", "MOV"],
    ),
    ("quality-low", {"outputQuality": 19}, "invalidParameter", "outputQuality", None),
    ("quality-high", {"outputQuality": 100}, "invalidParameter", "outputQuality", None),
    ("ttl-short", {"ttl": 59}, "invalidParameter", "ttl", None),
    ("results-0", {"numberResults": 0}, "invalidParameter", "numberResults", None),
    ("results-5", {"numberResults": 5}, "invalidParameter", "numberResults", None),
    ("safety-mode", {"safety": {"mode": "paranoid"}}, "invalidParameter", "safety.mode", None),
    ("unknown-fps", {"fps": 30}, "unknownParameter", "fps", None),
    ("unknown-seed", {"seed": 3}, "unknownParameter", "seed", None),
    (
        "unknown-provider",
        {"providerSettings": {"openai": {"x": 1}}},
        "unknownParameter",
        "providerSettings",
        None,
    ),
    (
        "webhook-scheme",
        {"webhookURL": "ftp://example.com/x"},
        "invalidParameter",
        "webhookURL",
        None,
    ),
    (
        "upload-scheme",
        {"uploadEndpoint": "file:///tmp/x"},
        "invalidParameter",
        "uploadEndpoint",
        None,
    ),
]


@pytest.mark.parametrize(
    ("overrides", "code", "parameter", "allowed"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_rule_is_enforced_with_runware_error_shape(
    shared_sandbox: SandboxProcess,
    overrides: dict[str, Any],
    code: str,
    parameter: str,
    allowed: Any,
) -> None:
    task = video_task(**overrides)
    response = post(shared_sandbox, [task])
    assert response.status_code == 400, response.text
    body = response.json()
    assert "data" not in body
    errors = body["errors"]
    assert [e["code"] for e in errors] == [code], errors
    error = errors[0]
    assert error["parameter"] == parameter
    assert error["message"] and isinstance(error["message"], str)
    assert error["type"] in {"string", "integer", "float", "boolean", "array", "object"}
    assert error["documentation"].startswith("https://runware.ai/docs/")
    assert error["taskType"] == task.get("taskType")
    if "taskUUID" in task:
        assert error["taskUUID"] == task["taskUUID"]
    if allowed == "list":
        assert isinstance(error["allowedValues"], list) and error["allowedValues"]
    elif allowed is not None:
        assert error["allowedValues"] == allowed
    else:
        assert "allowedValues" not in error


def test_documented_duration_error_matches_the_docs_example(shared_sandbox: SandboxProcess) -> None:
    task = video_task(duration=6)
    error = post(shared_sandbox, [task]).json()["errors"][0]
    assert error == {
        "code": "unsupportedDuration",
        "message": error["message"],
        "parameter": "duration",
        "type": "float",
        "documentation": "https://runware.ai/docs/en/video-inference/api-reference#request-duration",
        "taskType": "videoInference",
        "taskUUID": task["taskUUID"],
        "allowedValues": DURATIONS,
    }


def test_valid_variants_are_accepted_with_a_bare_ack(shared_sandbox: SandboxProcess) -> None:
    tasks = [
        video_task(),
        video_task(width=720, height=1280, duration=8, outputFormat="WEBM", outputQuality=20),
        video_task(model=SORA_PRO, width=1920, height=1080, numberResults=1, ttl=60),
        video_task(safety={"checkContent": True, "mode": "full"}, includeCost=True),
        video_task(deliveryMethod="async", outputType="URL", outputFormat="MOV"),
    ]
    response = post(shared_sandbox, tasks)
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body  # never an empty errors list on success
    assert body["data"] == [
        {"taskType": "videoInference", "taskUUID": t["taskUUID"]} for t in tasks
    ]


def test_legacy_top_level_frame_images_are_accepted(shared_sandbox: SandboxProcess) -> None:
    from tests.sandbox.support import data_uri, image_bytes

    legacy = video_task(frameImages=[{"inputImage": data_uri(image_bytes()), "frame": "first"}])
    bare = video_task(frameImages=[data_uri(image_bytes(fmt="JPEG"), "image/jpeg")])
    response = post(shared_sandbox, [legacy, bare])
    assert response.status_code == 200, response.text
    assert [d["taskUUID"] for d in response.json()["data"]] == [
        legacy["taskUUID"],
        bare["taskUUID"],
    ]


def test_frame_image_limits_come_from_the_catalogue(shared_sandbox: SandboxProcess) -> None:
    from tests.sandbox.support import data_uri, image_bytes

    tiny = video_task(inputs={"frameImages": [{"image": data_uri(image_bytes(200, 120))}]})
    gif = video_task(inputs={"frameImages": [data_uri(image_bytes(fmt="GIF"), "image/gif")]})
    junk = video_task(inputs={"frameImages": ["not an image at all"]})
    errors = post(shared_sandbox, [tiny, gif, junk]).json()["errors"]
    assert [e["code"] for e in errors] == ["invalidFrameImages"] * 3
    assert "200×120" in errors[0]["message"]
    assert "GIF" in errors[1]["message"]
    assert [e["taskUUID"] for e in errors] == [tiny["taskUUID"], gif["taskUUID"], junk["taskUUID"]]


def test_resubmitting_a_task_uuid_is_a_conflict(shared_sandbox: SandboxProcess) -> None:
    task = video_task()
    assert post(shared_sandbox, [task]).status_code == 200
    response = post(shared_sandbox, [task])
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["code"], error["taskUUID"]) == ("conflictTaskUUID", task["taskUUID"])
    twice = video_task()
    body = post(shared_sandbox, [twice, twice]).json()  # the same UUID twice in one batch
    assert body["data"] == [{"taskType": "videoInference", "taskUUID": twice["taskUUID"]}]
    assert [e["code"] for e in body["errors"]] == ["conflictTaskUUID"]


def test_errors_are_scoped_per_task_in_a_mixed_batch(shared_sandbox: SandboxProcess) -> None:
    good, bad = video_task(), video_task(duration=7)
    ping = {"taskType": "ping", "ping": True}
    response = post(shared_sandbox, [good, bad, ping])
    assert response.status_code == 200  # mixed-batch default
    body = response.json()
    assert body["data"] == [
        {"taskType": "videoInference", "taskUUID": good["taskUUID"]},
        {"taskType": "ping", "pong": True},
    ]
    assert [(e["code"], e["taskUUID"]) for e in body["errors"]] == [
        ("unsupportedDuration", bad["taskUUID"])
    ]


def test_all_tasks_invalid_is_400_with_every_error(shared_sandbox: SandboxProcess) -> None:
    a, b = video_task(duration=7), video_task(positivePrompt="")
    response = post(shared_sandbox, [a, b])
    assert response.status_code == 400
    assert [e["taskUUID"] for e in response.json()["errors"]] == [a["taskUUID"], b["taskUUID"]]


def test_lenient_and_mixed_status_switches(shared: SandboxProcess) -> None:
    sb = shared
    sb.set_faults(
        {
            "protocol": {
                "strict_parameters": False,
                "mixed_batch_status": 207,
                "legacy_frame_images": False,
            }
        }
    )
    lenient = video_task(fps=24, seed=5)
    assert post(sb, [lenient]).json()["data"][0]["taskUUID"] == lenient["taskUUID"]
    response = post(sb, [video_task(), video_task(duration=5)])
    assert response.status_code == 207
    legacy = video_task(frameImages=["abc"])  # ignored, not moved, when legacy mode is off
    assert post(sb, [legacy]).status_code == 200


def test_missing_task_uuid_on_other_tasks(shared_sandbox: SandboxProcess) -> None:
    body = post(
        shared_sandbox,
        [{"taskType": "getResponse"}, {"taskType": "imageUpload", "taskUUID": "nope"}],
    ).json()
    assert [e["code"] for e in body["errors"]] == ["invalidTaskUUID", "invalidTaskUUID"]
