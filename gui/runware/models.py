"""Pydantic models of the Runware wire protocol: tasks sent, result items and envelopes received.

Requests serialise to exactly Runware's camelCase JSON (``to_wire``) and leave out every option
that was not set. Responses are parsed leniently: unknown fields are kept, ``pending`` and other
non-final status words count as "still processing", the nested ``{"status":"error","error":{…}}``
form is turned into an error, and ``data`` sent as an object instead of a list is accepted.

Model-specific rules (sizes, durations, prompt limits) live in the catalogue, not here; this module
holds only the limits the API applies to every video model.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_serializer,
    field_validator,
)
from pydantic.alias_generators import to_camel

__all__ = [
    "AccountDetails",
    "AccountManagementTask",
    "AuthenticationResult",
    "AuthenticationTask",
    "Balance",
    "Envelope",
    "ErrorObject",
    "FrameImage",
    "GetResponseTask",
    "GetTaskDetailsTask",
    "ImageUploadResult",
    "ImageUploadTask",
    "PingResult",
    "PingTask",
    "ProtocolShapeError",
    "Safety",
    "Task",
    "VideoInferenceTask",
    "VideoInputs",
    "VideoOutputs",
    "VideoResult",
    "new_task_uuid",
    "parse_envelope",
    "tasks_to_wire",
]

OutputFormat = Literal["MP4", "WEBM", "MOV"]
SafetyMode = Literal["none", "fast", "full"]
FramePosition = Literal["first", "last"] | int

FINAL_STATUSES = frozenset({"success", "error", "failed", "completed"})


def _wire_alias(name: str) -> str:
    """snake_case → Runware's camelCase, which spells URL and UUID in capitals."""
    camel = to_camel(name)
    return camel.replace("Url", "URL").replace("Uuid", "UUID")


def new_task_uuid() -> str:
    """A fresh UUID v4, as Runware requires for every taskUUID."""
    return str(uuid.uuid4())


def is_uuid4(value: str) -> bool:
    try:
        return uuid.UUID(value).version == 4 and len(value) == 36
    except (ValueError, AttributeError, TypeError):
        return False


class _Wire(BaseModel):
    """Base for request objects: strict about what goes out."""

    model_config = ConfigDict(
        alias_generator=_wire_alias,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
    )

    def to_wire(self) -> dict[str, Any]:
        """The exact JSON object Runware expects, without unset options."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


class _Received(BaseModel):
    """Base for what the server sends: unknown fields are kept, never an error."""

    model_config = ConfigDict(
        alias_generator=_wire_alias,
        populate_by_name=True,
        extra="allow",
    )


# --------------------------------------------------------------------------- requests


class FrameImage(_Wire):
    """One item of ``inputs.frameImages`` in the object form."""

    image: Annotated[str, Field(min_length=1)]
    frame: FramePosition | None = None


class VideoInputs(_Wire):
    frame_images: list[str | FrameImage] | None = None
    video_id: Annotated[str, Field(min_length=1)] | None = None
    video: Annotated[str, Field(min_length=1)] | None = None  # a video to extend (URL or UUID)

    @field_validator("frame_images")
    @classmethod
    def _not_empty(cls, value: list[str | FrameImage] | None) -> list[str | FrameImage] | None:
        if value is not None and len(value) == 0:
            raise ValueError("frameImages must hold at least one image when given")
        return value


class Safety(_Wire):
    check_content: bool | None = None
    mode: SafetyMode | None = None


class _TaskBase(_Wire):
    task_uuid: str = Field(default_factory=new_task_uuid)

    @field_validator("task_uuid")
    @classmethod
    def _uuid4(cls, value: str) -> str:
        if not is_uuid4(value):
            raise ValueError("taskUUID must be a UUID v4")
        return value


class VideoInferenceTask(_TaskBase):
    """A ``videoInference`` request. Limits here are the API's; the catalogue adds the model's."""

    task_type: Literal["videoInference"] = "videoInference"
    model: Annotated[str, Field(min_length=1)]
    positive_prompt: Annotated[str, Field(min_length=1)]
    negative_prompt: Annotated[str, Field(min_length=1)] | None = None
    width: Annotated[int, Field(gt=0)] | None = None
    height: Annotated[int, Field(gt=0)] | None = None
    resolution: Annotated[str, Field(min_length=1)] | None = None
    duration: Annotated[float, Field(gt=0)] | None = None
    seed: Annotated[int, Field(ge=0)] | None = None
    output_type: Literal["URL"] | None = None
    output_format: OutputFormat | None = None
    output_quality: Annotated[int, Field(ge=20, le=99)] | None = None
    delivery_method: Literal["async", "sync"] | None = "async"
    webhook_url: str | None = None
    upload_endpoint: str | None = None
    safety: Safety | None = None
    ttl: Annotated[int, Field(ge=60)] | None = None
    include_cost: bool | None = None
    number_results: Annotated[int, Field(ge=1, le=4)] | None = None
    inputs: VideoInputs | None = None
    provider_settings: dict[str, dict[str, bool | int | float | str]] | None = None

    @field_validator("webhook_url", "upload_endpoint")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.lower().startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @field_serializer("duration")
    def _duration_number(self, value: float | None) -> float | int | None:
        # 8.0 goes out as 8, the way the docs write it; 7.5 stays a float.
        if value is not None and float(value).is_integer():
            return int(value)
        return value


class ImageUploadTask(_TaskBase):
    task_type: Literal["imageUpload"] = "imageUpload"
    image: Annotated[str, Field(min_length=1)]

    def __repr_args__(self) -> Any:  # a data URI is megabytes long; keep reprs short
        for key, value in super().__repr_args__():
            yield key, (value[:40] + "…") if key == "image" and len(value) > 40 else value


class GetResponseTask(_TaskBase):
    task_type: Literal["getResponse"] = "getResponse"


class GetTaskDetailsTask(_TaskBase):
    task_type: Literal["getTaskDetails"] = "getTaskDetails"


class AccountManagementTask(_TaskBase):
    task_type: Literal["accountManagement"] = "accountManagement"
    operation: Literal["getDetails"] = "getDetails"


class PingTask(_Wire):
    task_type: Literal["ping"] = "ping"
    ping: Literal[True] = True


class AuthenticationTask(_Wire):
    """Payload authentication. The key is a SecretStr so it never shows in a repr or a log."""

    task_type: Literal["authentication"] = "authentication"
    api_key: SecretStr
    connection_session_uuid: str | None = None

    @field_serializer("api_key", when_used="json")
    def _reveal(self, value: SecretStr) -> str:
        return value.get_secret_value()


Task = (
    VideoInferenceTask
    | ImageUploadTask
    | GetResponseTask
    | GetTaskDetailsTask
    | AccountManagementTask
    | PingTask
    | AuthenticationTask
)


def tasks_to_wire(tasks: Sequence[Task]) -> list[dict[str, Any]]:
    return [task.to_wire() for task in tasks]


# --------------------------------------------------------------------------- responses


class ErrorObject(_Received):
    """Runware's error object. Every field is optional: the API is still standardising them."""

    code: str = "unknownError"
    message: str = ""
    parameter: str | None = None
    type: str | None = None
    task_type: str | None = None
    task_uuid: str | None = None
    documentation: str | None = None
    allowed_values: list[Any] | None = None
    status: str | None = None

    @field_validator("code", "message", mode="before")
    @classmethod
    def _text(cls, value: Any) -> str:
        return "" if value is None else _as_text(value)

    @field_validator(
        "parameter", "type", "task_type", "task_uuid", "documentation", "status", mode="before"
    )
    @classmethod
    def _optional_text(cls, value: Any) -> str | None:
        # Runware says fields "may vary by model and provider": a number or a list where a
        # string was documented must not make the whole answer unreadable.
        return None if value is None else _as_text(value)

    @field_validator("allowed_values", mode="before")
    @classmethod
    def _as_list(cls, value: Any) -> list[Any] | None:
        if value is None or isinstance(value, list):
            return value
        if isinstance(value, tuple | set):
            return list(value)
        return [value]


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class VideoOutputs(_Received):
    video_id: str | None = None
    draft_id: str | None = None


class TaskItem(_Received):
    """Any item of ``data``; the typed views below read the fields their task has."""

    task_type: str | None = None
    task_uuid: str | None = None


class VideoResult(TaskItem):
    """One generation of a ``videoInference`` task: processing, success or error."""

    status: str | None = None
    video_uuid: str | None = None
    video_url: str | None = None
    media_uuid: str | None = None
    media_url: str | None = None
    seed: int | None = None
    cost: float | None = None
    progress: float | None = None
    result_index: int | None = None
    outputs: VideoOutputs | None = None
    nsfw_content: bool | None = Field(default=None, alias="NSFWContent")
    error: ErrorObject | None = None

    @property
    def url(self) -> str | None:
        return self.video_url or self.media_url

    @property
    def uuid(self) -> str | None:
        return self.video_uuid or self.media_uuid

    @property
    def video_id(self) -> str | None:
        return self.outputs.video_id if self.outputs else None

    @property
    def is_error(self) -> bool:
        return self.error is not None or (self.status or "").lower() in {"error", "failed"}

    @property
    def is_success(self) -> bool:
        if self.is_error:
            return False
        status = (self.status or "").lower()
        # The TypeScript SDK counts on status, the Python SDK on the URL: accept either.
        return status in {"success", "completed"} or (not status and self.url is not None)

    @property
    def is_pending(self) -> bool:
        return not self.is_success and not self.is_error


class ImageUploadResult(TaskItem):
    image_uuid: str
    image_url: str | None = None


class Balance(_Received):
    amount: float = 0.0
    currency: str = "USD"
    free_balance: float | None = None


class AccountDetails(TaskItem):
    organization_name: str | None = None
    organization_uuid: str | None = None
    balance: Balance = Field(default_factory=Balance)


class PingResult(TaskItem):
    pong: bool = False


class AuthenticationResult(TaskItem):
    connection_session_uuid: str | None = None


class ProtocolShapeError(ValueError):
    """The body is not JSON, or not a Runware envelope."""


class Envelope(BaseModel):
    """A parsed response: the ``data`` items as raw dicts and the errors, scoped per task.

    ``data`` stays raw so a caller can keep every item verbatim (the journal does) and view it
    through the typed model it expects with :meth:`items_of`.
    """

    model_config = ConfigDict(frozen=True)

    data: list[dict[str, Any]] = Field(default_factory=list)
    errors: list[ErrorObject] = Field(default_factory=list)

    def items_for(self, task_uuid: str) -> list[dict[str, Any]]:
        return [item for item in self.data if item.get("taskUUID") == task_uuid]

    def errors_for(self, task_uuid: str) -> list[ErrorObject]:
        return [error for error in self.errors if error.task_uuid == task_uuid]

    def unscoped_errors(self) -> list[ErrorObject]:
        """Errors that name no task, e.g. a bad key: they concern the whole request."""
        return [error for error in self.errors if not error.task_uuid]

    def to_wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if self.data:
            body["data"] = self.data
        if self.errors:
            body["errors"] = [e.model_dump(by_alias=True, exclude_none=True) for e in self.errors]
        if not body:
            body["data"] = []
        return body


def _error_object(fields: dict[str, Any]) -> ErrorObject:
    """An error object however odd its fields: what cannot be read is dropped, never the
    server's own code and message."""
    try:
        return ErrorObject.model_validate(fields)
    except ValidationError:
        keep = {k: fields.get(k) for k in ("code", "message", "taskUUID") if k in fields}
        try:
            return ErrorObject.model_validate(keep)
        except ValidationError:
            return ErrorObject(code=_as_text(fields.get("code") or "unknownError"))


def parse_envelope(raw: bytes | str | Any) -> Envelope:
    """Parse a response body. Raises :class:`ProtocolShapeError` for anything not an envelope."""
    if isinstance(raw, bytes | bytearray | str):
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ProtocolShapeError(
                f"the response is not JSON ({exc.__class__.__name__})"
            ) from exc
    else:
        body = raw
    if not isinstance(body, dict):
        raise ProtocolShapeError("the response is not a JSON object with data or errors")
    if "data" not in body and "errors" not in body and "error" not in body:
        raise ProtocolShapeError("the response has neither data nor errors")

    data_raw = body.get("data", [])
    if data_raw is None:
        data_raw = []
    if isinstance(data_raw, dict):  # seen in an old imageUpload doc example
        data_raw = [data_raw]
    if not isinstance(data_raw, list) or not all(isinstance(i, dict) for i in data_raw):
        raise ProtocolShapeError("'data' is not a list of objects")

    errors_raw = body.get("errors", [])
    if errors_raw is None:
        errors_raw = []
    if isinstance(errors_raw, dict):
        errors_raw = [errors_raw]
    if isinstance(body.get("error"), dict):
        errors_raw = [*errors_raw, body["error"]]
    if not isinstance(errors_raw, list) or not all(isinstance(e, dict) for e in errors_raw):
        raise ProtocolShapeError("'errors' is not a list of objects")

    data: list[dict[str, Any]] = []
    errors: list[ErrorObject] = []
    try:
        for item in data_raw:
            nested = item.get("error")
            if isinstance(nested, dict) or str(item.get("status", "")).lower() == "error":
                # {"status":"error","error":{…}} inside data: the SDKs' second error shape.
                fields = dict(nested) if isinstance(nested, dict) else {}
                fields.setdefault("taskUUID", item.get("taskUUID"))
                fields.setdefault("taskType", item.get("taskType"))
                fields.setdefault("status", "error")
                if "code" not in fields and "code" in item:
                    fields["code"] = item["code"]
                if "message" not in fields and "message" in item:
                    fields["message"] = item["message"]
                errors.append(_error_object(fields))
            else:
                data.append(item)
        errors.extend(_error_object(e) for e in errors_raw)
    except ValidationError as exc:
        raise ProtocolShapeError(
            f"an error object has the wrong shape: {exc.errors()[0]['msg']}"
        ) from exc
    return Envelope(data=data, errors=errors)
