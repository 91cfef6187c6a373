"""Jobs, their results and their states.

``JobSpec`` is everything one generation needs, as plain data; nothing else is consulted when the
request is built. ``Job`` and ``Result`` carry what happened to it. Each state change is a method
that refuses an illegal move, so a job can never, say, become ready before it was submitted.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from gui.runware.catalog import Catalog, Problem, default_catalog
from gui.runware.models import VideoInferenceTask

__all__ = [
    "FrameInput",
    "IllegalTransition",
    "Job",
    "JobSpec",
    "JobState",
    "Lineage",
    "Result",
    "ResultState",
    "prompt_excerpt",
]

FrameName = Literal["first", "last"]
LineageKind = Literal["retry", "remix", "extend", "lastFrame", "firstFrame"]


class FrameInput(BaseModel):
    """A frame image as the user gave it: a local file, known by the hash of its bytes."""

    model_config = ConfigDict(frozen=True)

    frame: FrameName = "first"
    path: str
    sha256: str
    fit: Literal["crop", "pad"] = "crop"  # how it is made the output size: trim or letterbox


class JobSpec(BaseModel):
    """Everything one generation needs. Plain, frozen data; validated against the catalogue."""

    model_config = ConfigDict(frozen=True)

    model: str
    prompt: str
    width: int | None = None
    height: int | None = None
    duration: float
    number_results: int = 1
    output_format: Literal["MP4", "WEBM", "MOV"] = "MP4"
    output_quality: int | None = None
    frames: tuple[FrameInput, ...] = ()
    video_id: str | None = None  # remix / extend source (outputs.videoId of an earlier result)
    seed: int | None = None
    negative_prompt: str | None = None
    provider_settings: dict[str, dict[str, bool | int | float | str]] = Field(default_factory=dict)
    safety_mode: Literal["none", "fast", "full"] | None = None
    ttl: int | None = None
    webhook_url: str | None = None
    upload_endpoint: str | None = None

    def to_task(
        self,
        task_uuid: str,
        image_refs: dict[str, str] | None = None,
        catalog: Catalog | None = None,
    ) -> VideoInferenceTask:
        """The ``videoInference`` request. ``image_refs`` maps a frame name to its imageUUID
        (or any image reference Runware accepts); frames not in it are sent as placeholders,
        which is only meant for validation before upload."""
        return VideoInferenceTask.model_validate(self.wire(task_uuid, image_refs, catalog))

    def wire(
        self,
        task_uuid: str,
        image_refs: dict[str, str] | None = None,
        catalog: Catalog | None = None,
    ) -> dict[str, Any]:
        """The request as Runware's JSON, unchecked. The one list of what a spec sends.

        The chosen size goes out the way the model's rules allow with the inputs at hand
        (width/height, else ``resolution``, else nothing: e.g. "exactly one of frame images or
        width/height"); the frame images are still fitted to it before upload.
        """
        model = (catalog or default_catalog()).get(self.model)
        refs = image_refs or {}
        inputs: dict[str, Any] = {}
        if self.frames:
            inputs["frameImages"] = [
                {"image": refs.get(f.frame, f"pending-upload:{f.sha256[:12]}"), "frame": f.frame}
                for f in self.frames
            ]
        if self.video_id is not None:  # an empty id is a mistake to report, not "no remix"
            inputs["videoId"] = self.video_id
        size: dict[str, Any] = {}
        if self.width is not None or self.height is not None:
            size = {"width": self.width, "height": self.height}
            chosen = (
                model.size(self.width, self.height)
                if model and self.width and self.height
                else None
            )
            if model is not None and chosen is not None:
                # Only frames make the size implicit (they are fitted to it before upload);
                # a size beside a videoId stays, for the catalogue to refuse in plain words.
                fitted = {"inputs.frameImages"} if self.frames else set()
                size = model.size_fields(chosen, fitted)
        raw: dict[str, Any] = {
            "taskType": "videoInference",
            "taskUUID": task_uuid,
            "model": self.model,
            "positivePrompt": self.prompt,
            "negativePrompt": self.negative_prompt or None,
            **size,
            "duration": self.duration,
            "seed": self.seed,
            "outputType": "URL",
            "outputFormat": self.output_format,
            "outputQuality": self.output_quality,
            "deliveryMethod": "async",
            "webhookURL": self.webhook_url,
            "uploadEndpoint": self.upload_endpoint,
            "safety": {"mode": self.safety_mode} if self.safety_mode else None,
            "ttl": self.ttl,
            "includeCost": True,  # always: the actual cost is what the user is shown
            "numberResults": self.number_results,
            "inputs": inputs or None,
            "providerSettings": self.provider_settings or None,
        }
        if isinstance(raw["duration"], float) and raw["duration"].is_integer():
            raw["duration"] = int(raw["duration"])  # 8.0 goes out as 8, as the docs write it
        return {k: v for k, v in raw.items() if v is not None}

    def problems(self, catalog: Catalog) -> list[Problem]:
        """Everything wrong with this spec, in the catalogue's words; empty when it may be sent."""
        return catalog.check_request(self.wire(str(uuid.uuid4()), catalog=catalog))

    def estimate(self, catalog: Catalog) -> Decimal | None:
        model = catalog.get(self.model)
        if model is None:
            return None
        return model.price(
            width=self.width,
            height=self.height,
            duration=self.duration,
            number_results=self.number_results,
            audio=model.has_audio(self.provider_settings),
        )

    @property
    def size_label(self) -> str:
        return f"{self.width}×{self.height}" if self.width and self.height else "source size"


class JobState(StrEnum):
    QUEUED = "queued"
    UPLOADING = "uploading"
    SUBMITTED = "submitted"
    PROCESSING = "processing"
    DOWNLOADING = "downloading"
    READY = "ready"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"

    @property
    def is_final(self) -> bool:
        return self in _FINAL

    @property
    def is_in_flight(self) -> bool:
        """Runware holds work for the job: it must be polled."""
        return self in {JobState.SUBMITTED, JobState.PROCESSING, JobState.DOWNLOADING}


_FINAL = frozenset({JobState.READY, JobState.FAILED, JobState.CANCELLED, JobState.EXPIRED})

_S = JobState
_MOVES: dict[JobState, frozenset[JobState]] = {
    _S.QUEUED: frozenset({_S.UPLOADING, _S.SUBMITTED, _S.FAILED, _S.CANCELLED}),
    _S.UPLOADING: frozenset({_S.QUEUED, _S.SUBMITTED, _S.FAILED, _S.CANCELLED}),
    _S.SUBMITTED: frozenset({_S.PROCESSING, _S.DOWNLOADING, _S.FAILED, _S.CANCELLED, _S.EXPIRED}),
    _S.PROCESSING: frozenset({_S.DOWNLOADING, _S.FAILED, _S.CANCELLED, _S.EXPIRED}),
    _S.DOWNLOADING: frozenset({_S.PROCESSING, _S.READY, _S.FAILED, _S.CANCELLED, _S.EXPIRED}),
    _S.READY: frozenset(),
    _S.FAILED: frozenset(),
    _S.CANCELLED: frozenset(),
    _S.EXPIRED: frozenset(),
}


class IllegalTransition(RuntimeError):
    def __init__(self, what: str, old: str, new: str) -> None:
        super().__init__(f"{what} cannot move from {old} to {new}")
        self.old, self.new = old, new


class ResultState(StrEnum):
    PENDING = "pending"  # Runware is still generating it
    AVAILABLE = "available"  # generated; its URL is known, not yet downloaded
    DOWNLOADING = "downloading"
    READY = "ready"  # the whole file is in the library
    FAILED = "failed"
    EXPIRED = "expired"  # its URL died before the download finished


_R = ResultState
_RESULT_MOVES: dict[ResultState, frozenset[ResultState]] = {
    _R.PENDING: frozenset({_R.AVAILABLE, _R.FAILED}),
    _R.AVAILABLE: frozenset({_R.DOWNLOADING, _R.EXPIRED, _R.FAILED}),
    _R.DOWNLOADING: frozenset({_R.AVAILABLE, _R.READY, _R.EXPIRED, _R.FAILED}),
    _R.READY: frozenset(),
    _R.FAILED: frozenset(),
    _R.EXPIRED: frozenset(),
}


@dataclass
class Result:
    """One generated video of a job."""

    index: int
    state: ResultState = ResultState.PENDING
    video_uuid: str | None = None
    video_url: str | None = None
    video_id: str | None = None
    seed: int | None = None
    cost: float | None = None
    local_path: str | None = None
    thumbnail_path: str | None = None
    error: str | None = None

    def _move(self, new: ResultState) -> None:
        if new not in _RESULT_MOVES[self.state]:
            raise IllegalTransition(f"result {self.index}", self.state, new)
        self.state = new

    def mark_available(
        self,
        *,
        video_uuid: str,
        video_url: str,
        video_id: str | None,
        seed: int | None,
        cost: float | None,
    ) -> None:
        if self.state is not ResultState.PENDING:  # a known video is never announced twice
            raise IllegalTransition(f"result {self.index}", self.state, ResultState.AVAILABLE)
        self._move(ResultState.AVAILABLE)
        self.video_uuid, self.video_url, self.video_id = video_uuid, video_url, video_id
        self.seed, self.cost = seed, cost

    def mark_downloading(self) -> None:
        self._move(ResultState.DOWNLOADING)

    def mark_download_interrupted(self) -> None:
        if self.state is not ResultState.DOWNLOADING:
            raise IllegalTransition(f"result {self.index}", self.state, ResultState.AVAILABLE)
        self._move(ResultState.AVAILABLE)

    def mark_ready(self, local_path: str) -> None:
        self._move(ResultState.READY)
        self.local_path = local_path

    def mark_failed(self, message: str) -> None:
        self._move(ResultState.FAILED)
        self.error = message

    def mark_expired(self, message: str) -> None:
        self._move(ResultState.EXPIRED)
        self.error = message


@dataclass(frozen=True)
class Lineage:
    """Where a job came from."""

    parent_job_id: str | None = None
    kind: LineageKind | None = None
    source_video_id: str | None = None
    source_image_hash: str | None = None


@dataclass
class Job:
    """One generation request and what became of it."""

    spec: JobSpec
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    task_uuid: str = field(default_factory=lambda: str(uuid.uuid4()))
    state: JobState = JobState.QUEUED
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)
    submitted_at: float | None = None
    finished_at: float | None = None
    error_code: str | None = None
    error_message: str | None = None
    error_retryable: bool = False
    possibly_billed: bool = False
    estimated_cost: float | None = None
    actual_cost: float | None = None
    lineage: Lineage = field(default_factory=Lineage)
    results: list[Result] = field(default_factory=list)
    favourite: bool = False

    # ---- transitions
    def _move(self, new: JobState) -> None:
        if new not in _MOVES[self.state]:
            raise IllegalTransition(f"job {self.id[:8]}", self.state, new)
        self.state = new
        self.updated_at = time.time()
        if new.is_final:
            self.finished_at = self.updated_at

    def mark_uploading(self) -> None:
        self._move(JobState.UPLOADING)

    def mark_requeued(self) -> None:
        """An upload was cut short (e.g. by a crash); it will be done again."""
        self._move(JobState.QUEUED)

    def mark_submitted(self) -> None:
        self._move(JobState.SUBMITTED)
        self.submitted_at = self.updated_at
        self.possibly_billed = True  # from here on Runware may charge for it

    def mark_processing(self) -> None:
        self._move(JobState.PROCESSING)

    def mark_downloading(self) -> None:
        self._move(JobState.DOWNLOADING)

    def mark_ready(self) -> None:
        if not self.results or any(r.state is not ResultState.READY for r in self.results):
            raise IllegalTransition(f"job {self.id[:8]}", self.state, "ready (results missing)")
        self._move(JobState.READY)
        costs = [r.cost for r in self.results if r.cost is not None]
        if costs:
            self.actual_cost = round(sum(costs), 6)

    def fail(self, code: str, message: str, *, retryable: bool = False) -> None:
        self._move(JobState.FAILED)
        self.error_code, self.error_message, self.error_retryable = code, message, retryable

    def cancel(self) -> None:
        self._move(JobState.CANCELLED)
        self.error_message = (
            "Stopped waiting. Runware has no cancel, so this job may still be billed."
            if self.possibly_billed
            else "Cancelled before it was sent; nothing was billed."
        )

    def expire(self, message: str) -> None:
        self._move(JobState.EXPIRED)
        self.error_code, self.error_message = "expired", message

    def can_move_to(self, new: JobState) -> bool:
        return new in _MOVES[self.state]

    # ---- derived
    def ensure_results(self) -> None:
        """One Result slot per requested video."""
        while len(self.results) < self.spec.number_results:
            self.results.append(Result(index=len(self.results)))

    @property
    def ready_results(self) -> list[Result]:
        return [r for r in self.results if r.state is ResultState.READY]

    def copy(self) -> Job:
        return replace(self, results=[replace(r) for r in self.results])


def prompt_excerpt(prompt: str, length: int = 40) -> str:
    """The prompt on one line, at most ``length`` characters, ending in "…" where it was cut:
    how a job is named in a label, a list, a dialog or a notification."""
    flat = " ".join(prompt.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"
