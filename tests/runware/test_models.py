"""The wire models: exact camelCase out, lenient parsing in."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from gui.runware.models import (
    AccountDetails,
    AuthenticationTask,
    Envelope,
    FrameImage,
    GetResponseTask,
    ImageUploadTask,
    PingTask,
    ProtocolShapeError,
    Safety,
    VideoInferenceTask,
    VideoInputs,
    VideoResult,
    new_task_uuid,
    parse_envelope,
)

UUID = "24cd5dff-cb81-4db5-8506-b72a9425f9d1"


def test_docs_example_request_round_trips() -> None:
    # Runware's Sora 2 example request, as on the model page
    doc = {
        "taskType": "videoInference",
        "taskUUID": UUID,
        "model": "openai:3@1",
        "positivePrompt": "A red fox running through snow",
        "width": 1280,
        "height": 720,
        "duration": 8,
    }
    task = VideoInferenceTask.model_validate(doc)
    wire = task.to_wire()
    assert wire == {**doc, "deliveryMethod": "async"}
    assert json.dumps(wire)  # plain JSON types only


def test_every_option_serialises_to_runware_names() -> None:
    task = VideoInferenceTask(
        task_uuid=UUID,
        model="openai:3@1",
        positive_prompt="a cat",
        width=720,
        height=1280,
        duration=4,
        output_type="URL",
        output_format="WEBM",
        output_quality=80,
        webhook_url="https://example.com/hook?token=a",
        upload_endpoint="https://bucket.example.com/put",
        safety=Safety(check_content=True, mode="full"),
        ttl=60,
        include_cost=True,
        number_results=4,
        inputs=VideoInputs(frame_images=["uuid-1"], video_id=None),
    )
    wire = task.to_wire()
    assert set(wire) == {
        "taskType", "taskUUID", "model", "positivePrompt", "width", "height", "duration",
        "outputType", "outputFormat", "outputQuality", "webhookURL", "uploadEndpoint",
        "safety", "ttl", "includeCost", "numberResults", "inputs", "deliveryMethod",
    }  # fmt: skip
    assert wire["safety"] == {"checkContent": True, "mode": "full"}
    assert wire["inputs"] == {"frameImages": ["uuid-1"]}
    assert wire["webhookURL"].endswith("?token=a")


def test_frame_images_object_form_and_video_id() -> None:
    inputs = VideoInputs(frame_images=[FrameImage(image="https://x/y.png", frame="first")])
    assert inputs.to_wire() == {"frameImages": [{"image": "https://x/y.png", "frame": "first"}]}
    assert VideoInputs(video_id="video_123").to_wire() == {"videoId": "video_123"}


def test_unset_options_are_left_out() -> None:
    wire = VideoInferenceTask(model="m", positive_prompt="pp").to_wire()
    assert set(wire) == {"taskType", "taskUUID", "model", "positivePrompt", "deliveryMethod"}


def test_duration_keeps_fractions() -> None:
    wire = VideoInferenceTask(model="m", positive_prompt="pp", duration=7.5).to_wire()
    assert wire["duration"] == 7.5


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("output_quality", 19),
        ("output_quality", 100),
        ("number_results", 0),
        ("number_results", 5),
        ("ttl", 59),
        ("output_format", "GIF"),
        ("output_type", "base64Data"),
        ("webhook_url", "javascript:alert(1)"),
        ("upload_endpoint", "file:///etc/passwd"),
        ("task_uuid", "not-a-uuid"),
        ("task_uuid", "24cd5dff-cb81-1db5-8506-b72a9425f9d1"),  # v1, not v4
        ("positive_prompt", ""),
        ("duration", 0),
    ],
)
def test_api_limits_refused(field: str, value: object) -> None:
    base: dict[str, object] = {"model": "m", "positive_prompt": "pp"}
    with pytest.raises(ValidationError):
        VideoInferenceTask(**{**base, field: value})


@pytest.mark.parametrize(
    ("field", "value"),
    [("output_quality", 20), ("output_quality", 99), ("number_results", 1),
     ("number_results", 4), ("ttl", 60)],
)  # fmt: skip
def test_api_limits_at_the_edges_accepted(field: str, value: object) -> None:
    VideoInferenceTask(model="m", positive_prompt="pp", **{field: value})  # type: ignore[arg-type]


def test_unknown_request_fields_are_refused() -> None:
    with pytest.raises(ValidationError):
        VideoInferenceTask.model_validate({"model": "m", "positivePrompt": "pp", "fps": 24})


def test_other_tasks_serialise() -> None:
    assert PingTask().to_wire() == {"taskType": "ping", "ping": True}
    assert GetResponseTask(task_uuid=UUID).to_wire() == {
        "taskType": "getResponse",
        "taskUUID": UUID,
    }
    up = ImageUploadTask(image="data:image/png;base64," + "A" * 500)
    assert up.to_wire()["taskType"] == "imageUpload"
    assert len(repr(up)) < 300  # a data URI is not dumped into logs


def test_api_key_hidden_in_repr_but_sent() -> None:
    task = AuthenticationTask(api_key="sk-very-secret")
    assert "sk-very-secret" not in repr(task)
    assert "sk-very-secret" not in str(task)
    assert task.to_wire() == {"taskType": "authentication", "apiKey": "sk-very-secret"}


# ------------------------------------------------------------------ responses


def test_success_item_parses_every_field() -> None:
    item = {
        "taskType": "videoInference",
        "taskUUID": UUID,
        "status": "success",
        "videoUUID": "b7db282d-2943-4f12-992f-77df3ad3ec71",
        "videoURL": "https://im.runware.ai/video/ws/0.5/vi/b7db.mp4",
        "seed": 42,
        "cost": 0.8,
        "outputs": {"videoId": "video_abc"},
        "NSFWContent": False,
        "somethingNew": {"x": 1},
    }
    result = VideoResult.model_validate(item)
    assert result.is_success and not result.is_pending and not result.is_error
    assert result.video_id == "video_abc"
    assert result.seed == 42 and result.cost == 0.8 and result.nsfw_content is False
    assert result.model_extra == {"somethingNew": {"x": 1}}


@pytest.mark.parametrize("status", ["processing", "pending", "queued", "scheduled", "waiting"])
def test_non_final_statuses_are_pending(status: str) -> None:
    result = VideoResult.model_validate({"taskUUID": UUID, "status": status})
    assert result.is_pending


def test_success_counted_by_url_when_status_missing() -> None:
    assert VideoResult.model_validate({"taskUUID": UUID, "videoURL": "https://x/v.mp4"}).is_success
    assert VideoResult.model_validate({"taskUUID": UUID, "mediaURL": "https://x/v.mp4"}).url


def test_envelope_with_data_only_has_no_errors() -> None:
    env = parse_envelope(
        b'{"data":[{"taskType":"videoInference","taskUUID":"%s"}]}' % UUID.encode()
    )
    assert env.errors == [] and env.items_for(UUID)


def test_mixed_envelope_scopes_errors_per_task() -> None:
    other = new_task_uuid()
    body = {
        "data": [{"taskType": "videoInference", "taskUUID": UUID}],
        "errors": [
            {
                "code": "unsupportedDuration",
                "message": "Invalid value for duration parameter.",
                "parameter": "duration",
                "type": "float",
                "documentation": "https://runware.ai/docs",
                "taskUUID": other,
                "allowedValues": [4, 8],
            }
        ],
    }
    env = parse_envelope(json.dumps(body))
    assert env.items_for(UUID) and not env.errors_for(UUID)
    (error,) = env.errors_for(other)
    assert (error.code, error.parameter, error.type, error.allowed_values) == (
        "unsupportedDuration",
        "duration",
        "float",
        [4, 8],
    )


def test_nested_error_form_becomes_an_error() -> None:
    body = {
        "data": [
            {"taskUUID": UUID, "taskType": "videoInference", "status": "error",
             "error": {"code": "timeoutProvider", "message": "The external provider did not respond"}},
            {"taskUUID": UUID, "taskType": "videoInference", "status": "processing"},
        ]
    }  # fmt: skip
    env = parse_envelope(json.dumps(body))
    assert len(env.data) == 1
    (error,) = env.errors_for(UUID)
    assert error.code == "timeoutProvider" and error.status == "error"


def test_data_as_object_is_tolerated() -> None:
    env = parse_envelope(b'{"data":{"taskType":"imageUpload","taskUUID":"t","imageUUID":"u"}}')
    assert env.data == [{"taskType": "imageUpload", "taskUUID": "t", "imageUUID": "u"}]


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[1,2]", b'{"result": 1}', b'{"data": "x"}', b'{"data": [1]}',
     b'{"errors": [1]}', b'{"data": [{"taskUUID":"x"}'],
)  # fmt: skip
def test_broken_bodies_raise_protocol_shape_error(body: bytes) -> None:
    with pytest.raises(ProtocolShapeError):
        parse_envelope(body)


def test_envelope_never_emits_empty_errors() -> None:
    assert "errors" not in Envelope(data=[{"taskUUID": UUID}]).to_wire()


def test_account_details() -> None:
    details = AccountDetails.model_validate(
        {"taskType": "accountManagement", "taskUUID": UUID, "organizationName": "Studio",
         "balance": {"amount": 12.5, "currency": "USD"}, "team": []}
    )  # fmt: skip
    assert details.balance.amount == 12.5 and details.organization_name == "Studio"
