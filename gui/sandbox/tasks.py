"""Task handlers: what each taskType does, the same over REST and WebSocket.

Every task is answered on its own: a bad task adds an error scoped to its taskUUID while the
other tasks of the batch still succeed. Model rules come from the catalogue
(:meth:`Catalog.check_request`), never from here.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gui.runware.catalog import ModelSpec, Problem
from gui.runware.images import ImageRules
from gui.runware.models import is_uuid4
from gui.sandbox.accounts import Account, mask_key
from gui.sandbox.images import ImageProblem, StoredImage, upload_rules
from gui.sandbox.lifecycle import Generation, Job, VideoFile
from gui.sandbox.replies import Outcome, error_object, job_outcome, problem_error
from gui.sandbox.state import Sandbox, WsSession

__all__ = ["SUPPORTED", "Context", "TaskHandlers", "normalize_legacy", "parse_body"]

SUPPORTED = (
    "videoInference",
    "getResponse",
    "imageUpload",
    "accountManagement",
    "getTaskDetails",
    "modelSearch",
    "ping",
    "authentication",
)
NO_UUID = frozenset({"ping", "authentication"})


@dataclass
class Context:
    """Who sent a batch, and how."""

    account: Account
    request: list[Any]  # the whole body, apiKey redacted
    transport: str = "http"
    session: WsSession | None = None


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


def normalize_legacy(task: dict[str, Any]) -> dict[str, Any]:
    """Move the Oct 2025 top-level ``frameImages`` (items keyed ``inputImage``) or a top-level
    ``inputImage`` into ``inputs.frameImages``; anything ambiguous is left for validation."""
    inputs = task.get("inputs")
    if inputs is not None and not isinstance(inputs, dict):
        return task
    inputs = dict(inputs or {})
    if "frameImages" in inputs:
        return task
    if isinstance(task.get("frameImages"), list):
        items = [
            {("image" if k == "inputImage" else k): v for k, v in it.items()}
            if isinstance(it, dict)
            else it
            for it in task["frameImages"]
        ]
        rest = {k: v for k, v in task.items() if k != "frameImages"}
    elif isinstance(task.get("inputImage"), str):
        items = [{"image": task["inputImage"], "frame": "first"}]
        rest = {k: v for k, v in task.items() if k != "inputImage"}
    else:
        return task
    return {**rest, "inputs": {**inputs, "frameImages": items}}


def _frame_rules(model: ModelSpec) -> ImageRules:
    rules = model.frame_images
    if rules is None:
        return ImageRules()
    return ImageRules(
        formats=rules.formats,
        min_side=rules.min_side,
        max_side=rules.max_side,
        max_bytes=rules.max_bytes,
    )


def _one_per_parameter(problems: list[Problem]) -> list[Problem]:
    """The catalogue may report a parameter twice (API-wide and model rule): keep the
    fuller report, in first-seen order."""
    chosen: dict[tuple[str, str], Problem] = {}
    for problem in problems:
        key = (problem.code, problem.parameter)
        old = chosen.get(key)
        if old is None or _detail(problem) > _detail(old):
            chosen[key] = problem
    return list(chosen.values())


def _detail(problem: Problem) -> int:
    return (problem.type is not None) + (problem.allowed_values is not None)


def _closest_size(model: ModelSpec, width: int, height: int) -> tuple[int, int]:
    aspect = width / height
    best = min(model.sizes, key=lambda s: (abs(math.log(s.aspect / aspect)), s.width * s.height))
    return best.width, best.height


class TaskHandlers:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sb = sandbox
        self._handlers: dict[str, Callable[[dict[str, Any], Context, set[str]], Awaitable[Outcome]]]
        self._handlers = {
            "videoInference": self.video_inference,
            "getResponse": self.get_response,
            "imageUpload": self.image_upload,
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
                f"No task with taskUUID {task.get('taskUUID')} was found.",
                task=task,
                parameter="taskUUID",
                type="string",
            ),
            protocol.unknown_task_status,
        )
        return out

    # ------------------------------------------------------------------ videoInference
    async def video_inference(self, task: dict[str, Any], ctx: Context, batch: set[str]) -> Outcome:
        out = Outcome()
        sb, protocol = self.sb, self.sb.protocol
        task_uuid = str(task["taskUUID"])
        if task_uuid in sb.lifecycle.jobs or task_uuid in batch:
            out.add_error(
                error_object(
                    "conflictTaskUUID",
                    f"A task with taskUUID {task_uuid} already exists. Use getResponse to "
                    "follow it, or send a new taskUUID.",
                    task=task,
                    parameter="taskUUID",
                    type="string",
                )
            )
            return out
        if protocol.legacy_frame_images:
            task = normalize_legacy(task)
        problems = sb.catalog.check_request(task, strict=protocol.strict_parameters)
        if problems:
            for problem in _one_per_parameter(problems):
                out.add_error(problem_error(problem, task))
            return out
        model = sb.catalog[str(task["model"])]
        inputs = task.get("inputs") or {}

        frames: dict[str, StoredImage] = {}
        items = inputs.get("frameImages") or []
        for position, item in zip(model.frame_positions(items), items, strict=True):
            value = item.get("image") if isinstance(item, dict) else item
            try:
                assert sb.http is not None
                frames[position] = await sb.images.ingest(str(value), sb.http, _frame_rules(model))
            except ImageProblem as exc:
                out.add_error(
                    error_object(
                        "invalidFrameImages",
                        f"The {position} frame image cannot be used: {exc}",
                        task=task,
                        parameter="inputs.frameImages",
                        type="array",
                    )
                )
                return out

        source: VideoFile | None = None
        if inputs.get("videoId") is not None:
            source = sb.lifecycle.by_video_id.get(str(inputs["videoId"]))
            if source is None:
                out.add_error(
                    error_object(
                        "invalidVideoId",
                        f"No earlier generation has the videoId {inputs['videoId']!r}.",
                        task=task,
                        parameter="inputs.videoId",
                        type="string",
                    )
                )
                return out

        if "width" in task and "height" in task:
            width, height = int(task["width"]), int(task["height"])
        elif source is not None:
            width, height = int(source.look["width"]), int(source.look["height"])
        elif "first" in frames:
            width, height = _closest_size(model, frames["first"].width, frames["first"].height)
        else:
            width, height = model.default_size.width, model.default_size.height
        duration = float(
            task.get("duration")
            or (source.look["duration"] if source is not None else model.default_duration)
        )
        count = int(task.get("numberResults") or 1)
        each = model.price(width=width, height=height, duration=duration)
        if each is None:
            each = (sb.config.unknown_price_per_second * Decimal(str(duration))).quantize(
                Decimal("0.0001")
            )
        total = each * count
        if not sb.accounts.charge(ctx.account, total):
            out.add_error(
                error_object(
                    protocol.insufficient_credits_code,
                    f"Insufficient credits: this task costs ${total:.2f} and the balance is "
                    f"${ctx.account.balance:.2f}. Add funds at https://my.runware.ai/wallet",
                    task=task,
                ),
                protocol.insufficient_credits_status,
            )
            return out
        ctx.account.tasks += 1
        batch.add(task_uuid)

        seeds = self._seeds(task, model, count)
        started = time.monotonic()
        generations = []
        for index in range(count):
            rule = sb.faults.task_failure(str(task.get("positivePrompt", "")))
            generations.append(
                Generation(
                    index=index,
                    seed=seeds[index],
                    cost=each,
                    video_uuid=str(uuid.uuid4()),
                    video_id=f"video_{uuid.uuid4().hex}",
                    ready_at=started + sb.config.processing_seconds + index * sb.config.stagger,
                    failure=rule.failure() if rule else None,
                )
            )
        job = Job(
            task=task,
            request=ctx.request,
            account=ctx.account,
            model=model,
            width=width,
            height=height,
            duration=duration,
            container=str(task.get("outputFormat") or "MP4"),
            quality=int(task.get("outputQuality") or model.output_quality.default or 95),
            frames={position: image.path for position, image in frames.items()},
            source=source,
            generations=generations,
            price=total,
            session_uuid=ctx.session.session_uuid if ctx.session else None,
            started=started,
        )
        sb.lifecycle.accept(job)
        if task.get("deliveryMethod") == "sync":  # no catalogue model allows it today
            await job.done.wait()
            return job_outcome(job, protocol)
        out.data.append({"taskType": "videoInference", "taskUUID": task_uuid})
        return out

    @staticmethod
    def _seeds(task: dict[str, Any], model: ModelSpec, count: int) -> list[int]:
        if model.accepts_seed and isinstance(task.get("seed"), int):
            return [int(task["seed"]) + i for i in range(count)]
        digest = hashlib.sha256(str(task["taskUUID"]).encode()).digest()
        rng = random.Random(int.from_bytes(digest[:8], "big"))
        return [rng.randrange(1, 2**31) for _ in range(count)]

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
    async def image_upload(self, task: dict[str, Any], ctx: Context, batch: set[str]) -> Outcome:
        out = Outcome()
        value = task.get("image")
        try:
            if not isinstance(value, str) or not value.strip():
                raise ImageProblem("The image parameter is required: a data URI, base64 or URL.")
            assert self.sb.http is not None
            rules = upload_rules(self.sb.protocol.image_formats)
            image = await self.sb.images.ingest(value, self.sb.http, rules)
        except ImageProblem as exc:
            out.add_error(
                error_object(
                    "invalidImage",
                    str(exc),
                    task=task,
                    parameter="image",
                    type="string",
                    allowed_values=list(self.sb.protocol.image_formats),
                )
            )
            return out
        extension = image.path.rsplit(".", 1)[-1]
        out.data.append(
            {
                "taskType": "imageUpload",
                "taskUUID": task["taskUUID"],
                "imageUUID": image.image_uuid,
                "imageURL": f"{self.sb.public_host()}/image/{image.image_uuid}.{extension}",
            }
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
