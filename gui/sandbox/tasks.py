"""Task handlers: what each taskType does, the same over REST and WebSocket.

Every task is answered on its own: a bad task adds an error scoped to its taskUUID while the
other tasks of the batch still succeed. videoInference lives in submit.py.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from gui.runware.models import is_uuid4
from gui.sandbox.accounts import mask_key
from gui.sandbox.images import ImageProblem, StoredImage, upload_rules
from gui.sandbox.replies import Outcome, error_object, job_outcome
from gui.sandbox.state import Context, Sandbox
from gui.sandbox.submit import submit_video

__all__ = ["SUPPORTED", "TaskHandlers", "parse_body"]

SUPPORTED = (
    "videoInference",
    "getResponse",
    "imageUpload",
    "mediaStorage",
    "accountManagement",
    "getTaskDetails",
    "modelSearch",
    "ping",
    "authentication",
)
NO_UUID = frozenset({"ping", "authentication"})


def parse_body(raw: bytes) -> tuple[Any, str | None]:
    """The JSON body, or why it is not a usable array of task objects."""
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None, "The request body is not valid JSON."
    if not isinstance(body, list):
        return body, "The request body must be a JSON array of task objects."
    if not body:
        return body, "The request body is an empty array; send at least one task."
    if not all(isinstance(task, dict) for task in body):
        return body, "Every element of the request array must be a task object."
    return body, None


class TaskHandlers:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sb = sandbox
        self._handlers: dict[str, Callable[[dict[str, Any], Context, set[str]], Awaitable[Outcome]]]
        self._handlers = {
            "videoInference": self.video_inference,
            "getResponse": self.get_response,
            "imageUpload": self.image_upload,
            "mediaStorage": self.media_storage,
            "accountManagement": self.account_management,
            "getTaskDetails": self.get_task_details,
            "modelSearch": self.model_search,
            "ping": self.ping,
            "authentication": self.authentication,
        }

    async def run(self, tasks: list[dict[str, Any]], ctx: Context) -> Outcome:
        outcome = Outcome()
        batch_uuids: set[str] = set()
        for task in tasks:
            outcome.extend(await self.run_one(task, ctx, batch_uuids))
        return outcome

    async def run_one(self, task: dict[str, Any], ctx: Context, batch: set[str]) -> Outcome:
        task_type = task.get("taskType")
        out = Outcome()
        handler = self._handlers.get(task_type) if isinstance(task_type, str) else None
        if handler is None:
            message = f"Unsupported taskType {task_type!r}."
            out.add_error(
                error_object(
                    "invalidTaskType",
                    message,
                    task=task,
                    parameter="taskType",
                    type="string",
                    allowed_values=list(SUPPORTED),
                )
            )
            return out
        self.sb.counts[str(task_type)] += 1
        if task_type not in NO_UUID and not is_uuid4(task.get("taskUUID")):  # type: ignore[arg-type]
            out.add_error(
                error_object(
                    "invalidTaskUUID",
                    "Invalid value for taskUUID parameter. It must be a UUID v4 string.",
                    task=task,
                    parameter="taskUUID",
                    type="string",
                )
            )
            return out
        return await handler(task, ctx, batch)

    def _unknown_task(self, task: dict[str, Any]) -> Outcome:
        protocol = self.sb.protocol
        out = Outcome()
        out.add_error(
            error_object(
                protocol.unknown_task_code,
                protocol.unknown_task_message.replace("{uuid}", str(task.get("taskUUID"))),
                task=task,
                parameter=protocol.unknown_task_parameter,
                type="string",
            ),
            protocol.unknown_task_status,
        )
        return out

    async def video_inference(self, task: dict[str, Any], ctx: Context, batch: set[str]) -> Outcome:
        return await submit_video(self.sb, task, ctx, batch)

    # ------------------------------------------------------------------ polling
    async def get_response(self, task: dict[str, Any], ctx: Context, batch: set[str]) -> Outcome:
        job = self.sb.lifecycle.jobs.get(str(task["taskUUID"]))
        if job is None or job.account is not ctx.account:
            return self._unknown_task(task)
        return job_outcome(job, self.sb.protocol)

    async def get_task_details(
        self, task: dict[str, Any], ctx: Context, batch: set[str]
    ) -> Outcome:
        job = self.sb.lifecycle.jobs.get(str(task["taskUUID"]))
        if job is None or job.account is not ctx.account:
            return self._unknown_task(task)
        item = {
            "taskType": "getTaskDetails",
            "taskUUID": job.task_uuid,
            "request": job.request,
            "response": job_outcome(job, self.sb.protocol).body(),
        }
        return Outcome(data=[item])

    # ------------------------------------------------------------------ utilities
    async def _store(
        self, task: dict[str, Any], parameter: str
    ) -> tuple[StoredImage | None, Outcome]:
        """Decode and keep the image in ``task[parameter]``, or an error saying why not."""
        out = Outcome()
        value = task.get(parameter)
        try:
            if not isinstance(value, str) or not value.strip():
                raise ImageProblem(
                    f"The {parameter} parameter is required: a data URI, base64 or URL."
                )
            assert self.sb.http is not None
            rules = upload_rules(self.sb.protocol.image_formats)
            return await self.sb.images.ingest(value, self.sb.http, rules), out
        except ImageProblem as exc:
            out.add_error(
                error_object(
                    "invalidImage" if parameter == "image" else "invalidMedia",
                    str(exc),
                    task=task,
                    parameter=parameter,
                    type="string",
                    allowed_values=list(self.sb.protocol.image_formats),
                )
            )
            return None, out

    def _image_url(self, image: StoredImage) -> str:
        extension = image.path.rsplit(".", 1)[-1]
        return f"{self.sb.public_host()}/image/{image.image_uuid}.{extension}"

    async def image_upload(self, task: dict[str, Any], ctx: Context, batch: set[str]) -> Outcome:
        image, out = await self._store(task, "image")
        if image is not None:
            out.data.append(
                {
                    "taskType": "imageUpload",
                    "taskUUID": task["taskUUID"],
                    "imageUUID": image.image_uuid,
                    "imageURL": self._image_url(image),
                }
            )
        return out

    async def media_storage(self, task: dict[str, Any], ctx: Context, batch: set[str]) -> Outcome:
        """The newer generic store; the sandbox keeps images in it (usable as frame images)."""
        base = {"taskType": "mediaStorage", "taskUUID": task["taskUUID"]}
        operation = task.get("operation")
        if operation == "upload":
            image, out = await self._store(task, "media")
            if image is not None:
                out.data.append(
                    {
                        **base,
                        "operation": "upload",
                        "mediaUUID": image.image_uuid,
                        "mediaURL": self._image_url(image),
                    }
                )
            return out
        out = Outcome()
        if operation == "delete":
            media = str(task.get("media") or "")
            if self.sb.images.delete(media):
                out.data.append({**base, "operation": "delete", "mediaUUID": media})
            else:
                out.add_error(
                    error_object(
                        "mediaNotFound",
                        f"No stored media has the UUID {media!r}.",
                        task=task,
                        parameter="media",
                        type="string",
                    )
                )
            return out
        out.add_error(
            error_object(
                "invalidParameter",
                "mediaStorage needs operation upload or delete.",
                task=task,
                parameter="operation",
                type="string",
                allowed_values=["upload", "delete"],
            )
        )
        return out

    async def account_management(
        self, task: dict[str, Any], ctx: Context, batch: set[str]
    ) -> Outcome:
        operation = task.get("operation", "getDetails")
        if operation != "getDetails":
            out = Outcome()
            out.add_error(
                error_object(
                    "invalidParameter",
                    f"The sandbox knows only the getDetails operation, not {operation!r}.",
                    task=task,
                    parameter="operation",
                    type="string",
                    allowed_values=["getDetails"],
                )
            )
            return out
        account = ctx.account
        item = {
            "taskType": "accountManagement",
            "taskUUID": task["taskUUID"],
            "operation": "getDetails",
            "organizationName": "Sora Studio sandbox",
            "organizationUUID": str(uuid.uuid5(uuid.NAMESPACE_URL, "sora-studio-sandbox")),
            "balance": {"amount": float(account.balance), "currency": "USD"},
            "apiKeys": [
                {
                    "apiKey": mask_key(account.key),
                    "name": f"sandbox key {account.index + 1}",
                    "enabled": True,
                    "requests": account.requests,
                }
            ],
            "usage": {"total": {"credits": float(account.spent), "requests": account.requests}},
        }
        return Outcome(data=[item])

    async def model_search(self, task: dict[str, Any], ctx: Context, batch: set[str]) -> Outcome:
        words = str(task.get("search") or "").lower().split()
        found = [
            m
            for m in self.sb.catalog
            if all(w in f"{m.air} {m.name} {m.provider}".lower() for w in words)
        ]
        offset, limit = int(task.get("offset") or 0), int(task.get("limit") or 20)
        results = [
            {
                "air": m.air,
                "name": m.name,
                "provider": m.provider,
                "category": "video",
                "architecture": m.provider.lower(),
                "taskType": m.task_type,
                "capabilities": ["text-to-video"]
                + (["image-to-video"] if m.frame_images else [])
                + (["video-to-video"] if m.accepts_video_id else []),
            }
            for m in found[offset : offset + limit]
        ]
        item = {
            "taskType": "modelSearch",
            "taskUUID": task["taskUUID"],
            "totalResults": len(found),
            "results": results,
        }
        return Outcome(data=[item])

    async def ping(self, task: dict[str, Any], ctx: Context, batch: set[str]) -> Outcome:
        item: dict[str, Any] = {"taskType": "ping", "pong": True}
        if isinstance(task.get("taskUUID"), str):
            item["taskUUID"] = task["taskUUID"]
        return Outcome(data=[item])

    async def authentication(self, task: dict[str, Any], ctx: Context, batch: set[str]) -> Outcome:
        """An authentication task that is not the request's first element."""
        session = ctx.session.session_uuid if ctx.session else str(uuid.uuid4())
        return Outcome(data=[{"taskType": "authentication", "connectionSessionUUID": session}])
