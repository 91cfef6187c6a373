"""videoInference: everything between a submitted task and an accepted job.

The catalogue (:meth:`Catalog.check_request`) decides what a model accepts; here the task's
images are fetched and checked against the model's frame-image rules, a remix finds its
source, the price is charged, and the job is handed to the lifecycle.
"""

from __future__ import annotations

import hashlib
import math
import random
import time
import uuid
from decimal import Decimal
from typing import Any

from gui.runware.catalog import ModelSpec, Problem
from gui.runware.images import frame_rules
from gui.sandbox.images import ImageProblem, StoredImage
from gui.sandbox.lifecycle import Generation, Job, VideoFile
from gui.sandbox.replies import Outcome, error_object, job_outcome, problem_error
from gui.sandbox.state import Context, Sandbox

__all__ = ["normalize_legacy", "submit_video"]


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


def _closest_size(
    model: ModelSpec, width: int, height: int, resolution: str | None = None
) -> tuple[int, int]:
    """The model's size nearest an image's shape (at the asked resolution, when one is)."""
    aspect = width / height
    sizes = [s for s in model.sizes if s.resolution == resolution] or list(model.sizes)
    best = min(sizes, key=lambda s: (abs(math.log(s.aspect / aspect)), s.width * s.height))
    return best.width, best.height


async def submit_video(sb: Sandbox, task: dict[str, Any], ctx: Context, batch: set[str]) -> Outcome:
    """Check, price, charge and accept one videoInference task; its acknowledgement."""
    out = Outcome()
    protocol = sb.protocol
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
    if protocol.refuse_deactivated and not model.is_live():
        out.add_error(
            error_object(
                protocol.deactivated_code,
                f"The model {model.air} has been deactivated and is no longer available.",
                task=task,
                parameter="model",
                type="string",
            )
        )
        return out
    inputs = task.get("inputs") or {}

    frames: dict[str, StoredImage] = {}
    items = inputs.get("frameImages") or []
    for position, item in zip(model.frame_positions(items), items, strict=True):
        value = item.get("image") if isinstance(item, dict) else item
        try:
            assert sb.http is not None
            frames[position] = await sb.images.ingest(str(value), sb.http, frame_rules(model))
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
    elif frames:
        image = frames.get("first") or next(iter(frames.values()))
        resolution = task.get("resolution")
        width, height = _closest_size(model, image.width, image.height, resolution)
    elif task.get("resolution") is not None:
        size = next(
            (s for s in model.sizes if s.resolution == task["resolution"]), model.default_size
        )
        width, height = size.width, size.height
    else:
        width, height = model.default_size.width, model.default_size.height
    duration = float(
        task.get("duration")
        or (source.look["duration"] if source is not None else model.default_duration)
    )
    count = int(task.get("numberResults") or 1)
    each = model.price(
        width=width,
        height=height,
        duration=duration,
        audio=model.has_audio(task.get("providerSettings")),
    )
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

    seeds = _seeds(task, model, count)
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


def _seeds(task: dict[str, Any], model: ModelSpec, count: int) -> list[int]:
    if model.accepts_seed and isinstance(task.get("seed"), int):
        return [int(task["seed"]) + i for i in range(count)]
    digest = hashlib.sha256(str(task["taskUUID"]).encode()).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))
    return [rng.randrange(1, 2**31) for _ in range(count)]
