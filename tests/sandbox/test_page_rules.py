"""The sandbox against Runware's own model pages, over real HTTP and WebSocket.

The sandbox validates with the studio's catalogue (that is the design), so these cases are NOT
derived from the catalogue: each expectation below is typed in from a model page or the SDK's
typed parameters, so a wrong catalogue fact fails here even when client and sandbox agree.

Sources (read 2026-11-30):
- Veo 3.1 Fast, https://runware.ai/docs/models/google-veo-3-1-fast, "Compatibility &
  Validation": "Provide exactly one of: inputs.frameImages or width/height." / "When
  inputs.video is provided, width/height, seed, and resolution cannot be used." / "When
  inputs.video is provided, duration must be 7." / "resolution cannot be used with width/height."
  / "width and height must be used together." / sizes 1280x720, 720x1280, 1920x1080, 1080x1920,
  3840x2160, 2160x3840. Pricing: 1080p 8 s $0.80, with audio $1.20; 4K 8 s $2.40, with audio
  $2.80. runware-sdk 1.8.0 GoogleVeo31FastParams: resolution Literal['720p','1080p','4K'],
  duration Literal[4, 6, 7, 8], outputFormat Literal['MP4','WEBM','MOV'], outputType 'URL'.
- The platform pages (https://runware.ai/docs/platform/errors): an error object carries code,
  message, parameter, taskType, taskUUID; in a batch "errors are scoped to the specific task that
  failed, while other tasks in the same request may still succeed".
- Types from the video inference API reference: width, height, numberResults, outputQuality,
  seed are integers; duration is a float; includeCost and checkContent are booleans;
  positivePrompt is a string of 2 to 6000 characters (Veo 3.1 Fast page).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest

from gui.sandbox.process import SandboxProcess
from tests.sandbox.support import data_uri, image_bytes, new_uuid, poll_task, post

VEO_FAST = "google:3@3"
LANDSCAPE = data_uri(image_bytes(1280, 720))
PORTRAIT = data_uri(image_bytes(720, 1280))


def veo(**overrides: Any) -> dict[str, Any]:
    """A text-to-video Veo 3.1 Fast task the page allows: 1280x720, 8 s."""
    task: dict[str, Any] = {
        "taskType": "videoInference",
        "taskUUID": new_uuid(),
        "model": VEO_FAST,
        "positivePrompt": "A lighthouse at dusk, waves rolling in",
        "width": 1280,
        "height": 720,
        "duration": 8,
    }
    task.update(overrides)
    return {k: v for k, v in task.items() if v is not None}


def frames(*images: str | dict[str, Any]) -> dict[str, Any]:
    return {"width": None, "height": None, "inputs": {"frameImages": list(images)}}


def extend(**more: Any) -> dict[str, Any]:
    return {
        "width": None,
        "height": None,
        "duration": 7,
        "inputs": {"video": "https://e.x/v.mp4"},
        **more,
    }


OK = None  # accepted: an acknowledgement, no error

# (id, task overrides, expected error code or OK, expected parameter)
CASES: list[tuple[str, dict[str, Any], str | None, str | None]] = [
    # -- sizes: the page's dimension table, each accepted, near misses refused
    ("720p-landscape", {}, OK, None),
    ("720p-portrait", {"width": 720, "height": 1280}, OK, None),
    ("1080p-landscape", {"width": 1920, "height": 1080}, OK, None),
    ("1080p-portrait", {"width": 1080, "height": 1920}, OK, None),
    ("square", {"width": 1080, "height": 1080}, "unsupportedDimensions", "width"),
    ("swapped-odd", {"width": 1280, "height": 721}, "unsupportedDimensions", "width"),
    ("sd", {"width": 640, "height": 360}, "unsupportedDimensions", "width"),
    ("8k", {"width": 7680, "height": 4320}, "unsupportedDimensions", "width"),
    # -- "width and height must be used together"
    ("width-alone", {"height": None}, "invalidParameter", "height"),
    ("height-alone", {"width": None}, "invalidParameter", "width"),
    # -- "Provide exactly one of: inputs.frameImages or width/height"
    (
        "neither-frames-nor-size",
        {"width": None, "height": None},
        "missingParameter",
        "inputs.frameImages",
    ),
    (
        "frames-and-size",
        {"inputs": {"frameImages": [LANDSCAPE]}},
        "incompatibleParameters",
        "width",
    ),
    ("frames-alone", frames(LANDSCAPE), OK, None),
    ("frames-portrait", frames(PORTRAIT), OK, None),
    (
        "first-and-last",
        frames({"image": LANDSCAPE, "frame": "first"}, {"image": LANDSCAPE, "frame": "last"}),
        OK,
        None,
    ),
    ("last-alone", frames({"image": LANDSCAPE, "frame": "last"}), OK, None),
    (
        "three-frames",
        frames(LANDSCAPE, LANDSCAPE, LANDSCAPE),
        "invalidFrameImages",
        "inputs.frameImages",
    ),
    (
        "frame-middle",
        frames({"image": LANDSCAPE, "frame": "middle"}),
        "invalidFrameImages",
        "inputs.frameImages",
    ),
    (
        "two-firsts",
        frames({"image": LANDSCAPE, "frame": "first"}, {"image": LANDSCAPE, "frame": "first"}),
        "invalidFrameImages",
        "inputs.frameImages",
    ),
    (
        "frames-empty",
        {"width": None, "height": None, "inputs": {"frameImages": []}},
        "invalidParameter",
        "inputs.frameImages",
    ),
    # -- "resolution cannot be used with width/height"; its values from the SDK's Literal
    ("resolution-with-size", {"resolution": "720p"}, "incompatibleParameters", "width"),
    ("resolution-with-frames", {**frames(LANDSCAPE), "resolution": "1080p"}, OK, None),
    ("resolution-4k-with-frames", {**frames(LANDSCAPE), "resolution": "4K"}, OK, None),
    ("resolution-8k", {**frames(LANDSCAPE), "resolution": "8K"}, "invalidParameter", "resolution"),
    (
        "resolution-lowercase-4k",
        {**frames(LANDSCAPE), "resolution": "4k"},
        "invalidParameter",
        "resolution",
    ),
    (
        "resolution-number",
        {**frames(LANDSCAPE), "resolution": 1080},
        "invalidParameter",
        "resolution",
    ),
    # -- durations: Literal[4, 6, 7, 8]; 7 only when extending ("When inputs.video …")
    ("duration-4", {"duration": 4}, OK, None),
    ("duration-6", {"duration": 6}, OK, None),
    ("duration-8.0", {"duration": 8.0}, OK, None),
    ("duration-5", {"duration": 5}, "unsupportedDuration", "duration"),
    ("duration-10", {"duration": 10}, "unsupportedDuration", "duration"),
    ("duration-7-without-video", {"duration": 7}, "unsupportedDuration", "duration"),
    ("duration-string", {"duration": "8"}, "invalidParameter", "duration"),
    ("duration-zero", {"duration": 0}, "unsupportedDuration", "duration"),
    # -- inputs.video (extension): no width/height, seed or resolution; duration must be 7
    ("extend-7", extend(), OK, None),
    ("extend-8", extend(duration=8), "unsupportedDuration", "duration"),
    ("extend-with-size", extend(width=1280, height=720), "incompatibleParameters", "width"),
    ("extend-with-seed", extend(seed=42), "incompatibleParameters", "seed"),
    ("extend-with-resolution", extend(resolution="720p"), "incompatibleParameters", "resolution"),
    # -- types (the API reference's types; model rules still run after a type error)
    ("width-string", {"width": "1280"}, "invalidParameter", "width"),
    ("height-float", {"height": 720.5}, "invalidParameter", "height"),
    ("width-bool", {"width": True}, "invalidParameter", "width"),
    ("results-string", {"numberResults": "2"}, "invalidParameter", "numberResults"),
    ("include-cost-string", {"includeCost": "yes"}, "invalidParameter", "includeCost"),
    ("include-cost-number", {"includeCost": 1}, "invalidParameter", "includeCost"),
    ("quality-string", {"outputQuality": "90"}, "invalidParameter", "outputQuality"),
    ("seed-string", {"seed": "7"}, "invalidParameter", "seed"),
    ("prompt-number", {"positivePrompt": 12345}, "invalidPositivePrompt", "positivePrompt"),
    (
        "audio-string",
        {"providerSettings": {"google": {"generateAudio": "yes"}}},
        "invalidParameter",
        "providerSettings.google.generateAudio",
    ),
    (
        "check-content-string",
        {"safety": {"checkContent": "true"}},
        "invalidParameter",
        "safety.checkContent",
    ),
    # -- prompt: 2 to 6000 characters
    ("prompt-2", {"positivePrompt": "ab"}, OK, None),
    ("prompt-1", {"positivePrompt": "a"}, "invalidPositivePrompt", "positivePrompt"),
    ("prompt-spaces", {"positivePrompt": " A "}, "invalidPositivePrompt", "positivePrompt"),
    ("prompt-6000", {"positivePrompt": "x" * 6000}, OK, None),
    ("prompt-6001", {"positivePrompt": "x" * 6001}, "invalidPositivePrompt", "positivePrompt"),
    # -- platform options
    ("quality-19", {"outputQuality": 19}, "invalidParameter", "outputQuality"),
    ("quality-99", {"outputQuality": 99}, OK, None),
    ("quality-100", {"outputQuality": 100}, "invalidParameter", "outputQuality"),
    ("format-webm", {"outputFormat": "WEBM"}, OK, None),
    ("format-avi", {"outputFormat": "AVI"}, "invalidParameter", "outputFormat"),
    ("output-type-base64", {"outputType": "base64Data"}, "invalidParameter", "outputType"),
    ("delivery-sync", {"deliveryMethod": "sync"}, "invalidDeliveryMethod", "deliveryMethod"),
    ("results-0", {"numberResults": 0}, "invalidParameter", "numberResults"),
    ("ttl-59", {"ttl": 59}, "invalidParameter", "ttl"),
    ("seed-negative", {"seed": -1}, "invalidParameter", "seed"),
    ("seed-ok", {"seed": 42}, OK, None),
    # -- unknown fields
    ("unknown-fps", {"fps": 24}, "unknownParameter", "fps"),
    ("unknown-aspect", {"aspectRatio": "16:9"}, "unknownParameter", "aspectRatio"),
    (
        "unknown-videoId",
        {"width": None, "height": None, "inputs": {"videoId": "video_x"}},
        "unknownParameter",
        "inputs.videoId",
    ),
    (
        "unknown-provider",
        {"providerSettings": {"openai": {"x": 1}}},
        "unknownParameter",
        "providerSettings.openai.x",
    ),
]


def _check_error(error: dict[str, Any], task: dict[str, Any], code: str, parameter: str) -> None:
    assert error["code"] == code, error
    assert error["parameter"] == parameter, error
    assert isinstance(error["message"], str) and error["message"], error
    assert error["taskType"] == "videoInference"
    assert error["taskUUID"] == task["taskUUID"]


@pytest.mark.parametrize(
    ("overrides", "code", "parameter"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_rest_answers_as_the_page_says(
    idle: SandboxProcess, overrides: dict[str, Any], code: str | None, parameter: str | None
) -> None:
    task = veo(**overrides)
    response = post(idle, [task])
    body = response.json()
    if code is None:
        assert response.status_code == 200, body
        assert body == {"data": [{"taskType": "videoInference", "taskUUID": task["taskUUID"]}]}
        return
    assert response.status_code == 400, body
    assert "data" not in body
    assert parameter is not None
    first = next((e for e in body["errors"] if e["parameter"] == parameter), body["errors"][0])
    _check_error(first, task, code, parameter)


def test_the_case_table_is_large_enough() -> None:
    assert len(CASES) >= 60
    assert sum(c[2] is OK for c in CASES) >= 15  # and it proves acceptance, not only refusal


def test_a_batch_mixes_answers_per_task(idle: SandboxProcess) -> None:
    """One request, five tasks: each valid one is acknowledged, each invalid one gets its own
    error naming its taskUUID, and nothing of one leaks into another."""
    tasks = [
        veo(),
        veo(duration=5),
        veo(**frames(LANDSCAPE)),
        veo(inputs={"frameImages": [LANDSCAPE]}),
        veo(width="1280"),
    ]
    body = post(idle, tasks).json()
    acked = {item["taskUUID"] for item in body["data"]}
    assert acked == {tasks[0]["taskUUID"], tasks[2]["taskUUID"]}
    by_task = {e["taskUUID"]: e for e in body["errors"]}
    assert set(by_task) == {tasks[1]["taskUUID"], tasks[3]["taskUUID"], tasks[4]["taskUUID"]}
    assert by_task[tasks[1]["taskUUID"]]["code"] == "unsupportedDuration"
    assert by_task[tasks[3]["taskUUID"]]["code"] == "incompatibleParameters"
    assert by_task[tasks[4]["taskUUID"]]["parameter"] == "width"
    # the refused tasks do not exist: asking for them is answered as unknown
    poll = post(idle, [poll_task(tasks[1]["taskUUID"])]).json()
    assert poll["errors"][0]["taskUUID"] == tasks[1]["taskUUID"]


def test_a_type_error_does_not_hide_a_model_rule(idle: SandboxProcess) -> None:
    task = veo(numberResults="2", duration=5)
    errors = post(idle, [task]).json()["errors"]
    assert {e["parameter"] for e in errors} == {"numberResults", "duration"}


def test_4k_price_is_the_pages_per_clip_price(idle: SandboxProcess) -> None:
    """Pricing: "4K · 8s: $2.40", "with audio: $2.80"; "1080p · 8s: $0.8", "with audio: $1.2"."""
    cases = [
        ({**frames(LANDSCAPE), "resolution": "4K"}, 2.40),
        (
            {
                **frames(LANDSCAPE),
                "resolution": "4K",
                "providerSettings": {"google": {"generateAudio": True}},
            },
            2.80,
        ),
        ({"width": 1920, "height": 1080}, 0.80),
        (
            {
                "width": 1920,
                "height": 1080,
                "providerSettings": {"google": {"generateAudio": True}},
            },
            1.20,
        ),
    ]
    for overrides, price in cases:
        before = _balance(idle)
        task = veo(includeCost=True, **overrides)
        assert post(idle, [task]).status_code == 200
        assert round(before - _balance(idle), 2) == price, overrides


def _balance(sb: SandboxProcess) -> float:
    answer = post(
        sb, [{"taskType": "accountManagement", "taskUUID": new_uuid(), "operation": "getDetails"}]
    )
    return float(answer.json()["data"][0]["balance"]["amount"])


WS_CASES = [
    c
    for c in CASES
    if c[0]
    in {
        "frames-and-size",
        "neither-frames-nor-size",
        "extend-with-seed",
        "duration-7-without-video",
        "width-string",
        "include-cost-string",
        "resolution-with-size",
        "frames-alone",
        "720p-landscape",
    }
]


@pytest.mark.asyncio
async def test_websocket_answers_the_same(idle: SandboxProcess) -> None:
    """The same rules over the WebSocket transport, in one frame of many tasks."""
    tasks = [veo(**c[1]) for c in WS_CASES]
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(idle.url.replace("http://", "ws://"))
        await ws.send_json([{"taskType": "authentication", "apiKey": idle.api_key}])
        await asyncio.wait_for(ws.receive(), 10)
        await ws.send_json(tasks)
        seen: dict[str, dict[str, Any]] = {}
        while len(seen) < len(tasks):
            message = await asyncio.wait_for(ws.receive(), 15)
            frame = json.loads(message.data)
            for item in frame.get("data", []):
                seen[item["taskUUID"]] = {"ok": True}
            for error in frame.get("errors", []):
                seen[error["taskUUID"]] = error
        await ws.close()
    for task, (name, _, code, parameter) in zip(tasks, WS_CASES, strict=True):
        answer = seen[task["taskUUID"]]
        if code is None:
            assert answer == {"ok": True}, name
        else:
            assert parameter is not None
            assert answer["code"] == code and answer["parameter"] == parameter, (name, answer)
