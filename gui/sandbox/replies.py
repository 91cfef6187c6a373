"""The shapes the sandbox answers with: error objects, result items and envelopes.

Error objects follow docs/protocol.md ("Error objects"): ``code``, ``message``, ``parameter``, ``type``,
``documentation``, ``taskType``, ``taskUUID`` and ``allowedValues`` where they apply. An
envelope has ``data`` and carries ``errors`` only when there are some.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from gui.runware.catalog import Problem
from gui.runware.models import VideoInferenceTask
from gui.sandbox.config import ProtocolSwitches
from gui.sandbox.lifecycle import Generation, Job

__all__ = [
    "BROKEN_BODY",
    "DOCS",
    "Outcome",
    "error_object",
    "generation_reply",
    "invalid_api_key",
    "job_outcome",
    "problem_error",
]

DOCS = "https://runware.ai/docs/en/video-inference/api-reference"
TASK_DOCS = {
    "videoInference": DOCS,
    "getResponse": "https://runware.ai/docs/en/utilities/task-responses",
    "imageUpload": "https://runware.ai/docs/en/utilities/image-upload",
    "accountManagement": "https://runware.ai/docs/platform/account-management",
    "getTaskDetails": "https://runware.ai/docs/platform/task-details",
    "modelSearch": "https://runware.ai/docs/en/utilities/model-search",
}
BROKEN_BODY = "<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>"
_JSON_TYPES = {"number": "float", "integer": "integer", "string": "string", "boolean": "boolean"}


def invalid_api_key() -> dict[str, Any]:
    return {
        "errors": [
            {
                "code": "invalidApiKey",
                "message": "Invalid API key. Get one at https://my.runware.ai/signup",
                "parameter": "apiKey",
                "taskType": "authentication",
            }
        ]
    }


def error_object(
    code: str,
    message: str,
    *,
    task: dict[str, Any] | None = None,
    parameter: str | None = None,
    type: str | None = None,
    allowed_values: list[Any] | None = None,
    documentation: str | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    """One error object, scoped to ``task`` (its taskType and taskUUID) when given."""
    error: dict[str, Any] = {"code": code, "message": message}
    if status:
        error["status"] = status
    if parameter:
        error["parameter"] = parameter
    if type:
        error["type"] = type
    task_type = task.get("taskType") if task else None
    docs = documentation or TASK_DOCS.get(str(task_type), DOCS)
    if parameter and not documentation:
        docs = f"{docs}#request-{parameter.split('.')[-1].lower()}"
    error["documentation"] = docs
    if task is not None:
        if isinstance(task_type, str):
            error["taskType"] = task_type
        if isinstance(task.get("taskUUID"), str):
            error["taskUUID"] = task["taskUUID"]
    if allowed_values is not None:
        error["allowedValues"] = allowed_values
    return error


@cache
def _schema_types() -> dict[str, str]:
    """Each videoInference parameter's JSON type, read from the wire model's schema."""
    schema = VideoInferenceTask.model_json_schema(by_alias=True)
    out: dict[str, str] = {}
    for name, prop in schema.get("properties", {}).items():
        options = prop.get("anyOf", [prop])
        kinds = [o.get("type") for o in options if o.get("type") not in (None, "null")]
        if kinds:
            out[name] = _JSON_TYPES.get(kinds[0], kinds[0])
        elif options and "$ref" in options[0]:
            out[name] = "object"
    out["inputs.frameImages"] = "array"
    out["inputs.videoId"] = "string"
    return out


def _value_type(value: Any) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return None


def _lookup(raw: dict[str, Any], dotted: str) -> Any:
    value: Any = raw
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def problem_error(problem: Problem, task: dict[str, Any]) -> dict[str, Any]:
    """A catalogue :class:`Problem` as a Runware error object for ``task``."""
    kind = (
        problem.type
        or _schema_types().get(problem.parameter)
        or _value_type(_lookup(task, problem.parameter))
        or "string"
    )
    return error_object(
        problem.code,
        problem.message,
        task=task,
        parameter=problem.parameter,
        type=kind,
        allowed_values=problem.allowed_values,
    )


@dataclass
class Outcome:
    """What a batch of tasks produced: data items, and errors each with the HTTP status it
    would earn on its own."""

    data: list[dict[str, Any]] = field(default_factory=list)
    errors: list[tuple[dict[str, Any], int]] = field(default_factory=list)

    def add_error(self, error: dict[str, Any], status: int = 400) -> None:
        self.errors.append((error, status))

    def extend(self, other: Outcome) -> None:
        self.data.extend(other.data)
        self.errors.extend(other.errors)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"data": self.data} if self.data or not self.errors else {}
        if self.errors:
            body["errors"] = [e for e, _ in self.errors]
        return body

    def status(self, mixed_status: int) -> int:
        if not self.errors:
            return 200
        if any(item.get("taskType") != "authentication" for item in self.data):
            return mixed_status
        return max(status for _, status in self.errors)


def generation_reply(
    job: Job, generation: Generation, protocol: ProtocolSwitches
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """One generation as a ``data`` item or, when it failed, a top-level error object."""
    base: dict[str, Any] = {"taskType": "videoInference", "taskUUID": job.task_uuid}
    if generation.status == "processing":
        span = max(1e-6, generation.ready_at - job.started)
        progress = int(100 * (time.monotonic() - job.started) / span)
        return {**base, "status": protocol.processing_status, "progress": min(99, progress)}, None
    if generation.status == "success":
        item = {
            **base,
            "status": "success",
            "videoUUID": generation.video_uuid,
            "videoURL": generation.url,
            "seed": generation.seed,
            "outputs": {"videoId": generation.video_id},
        }
        if job.task.get("includeCost") or protocol.always_include_cost:
            item["cost"] = float(generation.cost)
        safety = job.task.get("safety")
        if isinstance(safety, dict) and (
            safety.get("checkContent") or safety.get("mode") not in (None, "none")
        ):
            item["NSFWContent"] = False
        return item, None
    code, message = generation.error or ("providerError", "The task failed.")
    error = error_object(code, message, task=job.task, status="error", documentation=DOCS)
    error["videoUUID"] = generation.video_uuid
    if protocol.error_shape == "nested":
        nested = {k: v for k, v in error.items() if k not in ("taskType", "taskUUID", "status")}
        return {
            **base,
            "status": "error",
            "videoUUID": generation.video_uuid,
            "error": nested,
        }, None
    return None, error


def job_outcome(job: Job, protocol: ProtocolSwitches) -> Outcome:
    """The cumulative state of every generation of ``job``, as a poll answers it."""
    outcome = Outcome()
    for generation in job.generations:
        item, error = generation_reply(job, generation, protocol)
        if item is not None:
            outcome.data.append(item)
        if error is not None:
            outcome.add_error(error, protocol.task_failure_status)
    return outcome
