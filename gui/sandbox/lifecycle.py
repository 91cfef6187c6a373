"""Accepted videoInference tasks and their generations, from acceptance to a served file.

Each generation stays ``processing`` for ``processing_seconds`` (result *i* a stagger longer
than result *i-1*), then renders (at most two renders run at once) and becomes ``success`` only
when its file is complete. Rendering waits for the processing time so a task nobody waits for
(a test's, or one whose server stops first) costs no CPU. Finished videos are listed in
``DATA_DIR/videos.jsonl`` so their URLs and remixes outlive a restart; each accepted task is
kept in ``DATA_DIR/tasks/`` (see store.py) so a restarted sandbox still answers for it and
finishes it if it was still rendering.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from gui.runware.catalog import ModelSpec
from gui.sandbox.accounts import Account
from gui.sandbox.render import CONTAINERS, RenderPool, RenderSpec
from gui.sandbox.store import SandboxStore, StoredGeneration, StoredTask, key_fingerprint

__all__ = ["Generation", "Job", "Lifecycle", "VideoFile"]

log = logging.getLogger("gui.sandbox")


@dataclass
class VideoFile:
    """A finished video: where it lives, until when, and how it was drawn (for remixes)."""

    video_uuid: str
    video_id: str
    task_uuid: str
    path: str
    mime: str
    created: float
    expires_at: float | None
    look: dict[str, Any]

    def expired(self, now: float | None = None) -> bool:
        return self.expires_at is not None and (now or time.time()) >= self.expires_at


@dataclass
class Generation:
    index: int
    seed: int
    cost: Decimal
    video_uuid: str
    video_id: str
    ready_at: float  # monotonic time its rendering may start
    status: str = "processing"  # processing | success | error
    failure: tuple[str, str] | None = None  # injected (code, message), decided at acceptance
    error: tuple[str, str] | None = None
    url: str | None = None
    render_seconds: float | None = None
    finished: float | None = None


@dataclass
class Job:
    """One accepted videoInference task."""

    task: dict[str, Any]
    request: list[Any]  # the whole request array, apiKey redacted, for getTaskDetails
    account: Account
    model: ModelSpec
    width: int
    height: int
    duration: float
    container: str
    quality: int
    frames: dict[str, str]  # position ("first"/"last") → image file
    source: VideoFile | None
    generations: list[Generation]
    price: Decimal
    session_uuid: str | None = None
    created: float = field(default_factory=time.time)
    started: float = field(default_factory=time.monotonic)
    done: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def task_uuid(self) -> str:
        return str(self.task["taskUUID"])

    @property
    def prompt(self) -> str:
        return str(self.task.get("positivePrompt", ""))

    @property
    def finished(self) -> bool:
        return all(g.status != "processing" for g in self.generations)

    def render_spec(self, generation: Generation, path: Path) -> RenderSpec:
        look: dict[str, Any] = {}
        if self.source is not None:
            src = self.source.look
            look = {  # a remix of a remix still looks like the first source
                "look_prompt": src.get("look_prompt") or src["prompt"],
                "look_seed": src["seed"] if src.get("look_seed") is None else src["look_seed"],
                "tint": (255, 170, 60),
                "badge": f"REMIX of {self.source.video_id[:14]}",
            }
        return RenderSpec(
            path=str(path),
            width=self.width,
            height=self.height,
            fps=self.model.fps,
            duration=self.duration,
            frames=self.model.frame_count(self.duration),
            container=self.container,  # type: ignore[arg-type]
            quality=self.quality,
            prompt=self.prompt,
            seed=generation.seed,
            first_frame=self.frames.get("first"),
            last_frame=self.frames.get("last"),
            **look,
        )


Notify = Callable[[Job, Generation], Awaitable[None]]
Upload = Callable[[Job, Generation, Path, str], Awaitable[bool]]


class Lifecycle:
    def __init__(
        self,
        data_dir: Path,
        pool: RenderPool,
        *,
        base_url: Callable[[], str],
        default_ttl: Callable[[], int | None],
        scrub: Callable[[str], str] = lambda text: text,
    ) -> None:
        self.videos_dir = data_dir / "videos"
        self.videos_dir.mkdir(parents=True, exist_ok=True)
        self._index = data_dir / "videos.jsonl"
        self.pool = pool
        self.base_url = base_url
        self.default_ttl = default_ttl
        self.scrub = scrub  # keeps API keys (say, pasted into a prompt) out of the index
        self.jobs: dict[str, Job] = {}
        self.videos: dict[str, VideoFile] = {}
        self.by_video_id: dict[str, VideoFile] = {}
        self.notify: list[Notify] = []
        self.upload: Upload | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.renders = 0
        self.store = SandboxStore(data_dir)
        self.on_accept: list[Callable[[Job], None]] = []  # e.g. keep the balances
        self._load()

    # ---- persistence
    def _load(self) -> None:
        if not self._index.exists():
            return
        for line in self._index.read_text("utf-8").splitlines():
            try:
                video = VideoFile(**json.loads(line))
            except (ValueError, TypeError):
                continue
            if Path(video.path).exists():
                self.videos[video.video_uuid] = video
                self.by_video_id[video.video_id] = video

    def _save(self, video: VideoFile) -> None:
        with self._index.open("a", encoding="utf-8") as fh:
            fh.write(self.scrub(json.dumps(asdict(video))) + "\n")

    def _keep(self, job: Job) -> None:
        """Write the job's file; a sandbox that cannot keep a task says so in its log."""
        wall = time.time() - time.monotonic()
        stored = StoredTask(
            task=job.task,
            request=job.request,
            account=key_fingerprint(job.account.key),
            model=job.model.air,
            width=job.width,
            height=job.height,
            duration=job.duration,
            container=job.container,
            quality=job.quality,
            frames=dict(job.frames),
            source=job.source.video_uuid if job.source is not None else None,
            price=str(job.price),
            session_uuid=job.session_uuid,
            created=job.created,
            generations=[
                StoredGeneration(
                    index=g.index,
                    seed=g.seed,
                    cost=str(g.cost),
                    video_uuid=g.video_uuid,
                    video_id=g.video_id,
                    ready_wall=g.ready_at + wall,
                    status=g.status,
                    failure=list(g.failure) if g.failure else None,
                    error=list(g.error) if g.error else None,
                    render_seconds=g.render_seconds,
                    finished=g.finished,
                )
                for g in job.generations
            ],
        )
        try:
            self.store.save_task(job.task_uuid, stored, self.scrub)
        except OSError:
            log.exception("the task %s could not be kept on disk", job.task_uuid)

    def restore(
        self,
        find_account: Callable[[str], Account | None],
        find_model: Callable[[str], ModelSpec | None],
    ) -> int:
        """Take back the tasks an earlier run accepted; unfinished generations carry on.

        Call once, with the event loop running and the server's address known. Returns the
        number of tasks restored."""
        restored = 0
        wall = time.time() - time.monotonic()
        for stored in self.store.load_tasks():
            task_uuid = str(stored.task.get("taskUUID"))
            account, model = find_account(stored.account), find_model(stored.model)
            if account is None or model is None or task_uuid in self.jobs:
                continue
            generations = []
            for g in stored.generations:
                generation = Generation(
                    index=g.index,
                    seed=g.seed,
                    cost=Decimal(g.cost),
                    video_uuid=g.video_uuid,
                    video_id=g.video_id,
                    ready_at=g.ready_wall - wall,
                    status=g.status,
                    failure=(g.failure[0], g.failure[1]) if g.failure else None,
                    error=(g.error[0], g.error[1]) if g.error else None,
                    render_seconds=g.render_seconds,
                    finished=g.finished,
                )
                if generation.status == "success":
                    video = self.videos.get(generation.video_uuid)
                    if video is None:  # its file is gone: render it again
                        generation.status = "processing"
                    else:
                        extension = CONTAINERS[stored.container].extension
                        generation.url = f"{self.base_url()}/video/{video.video_uuid}.{extension}"
                generations.append(generation)
            job = Job(
                task=stored.task,
                request=stored.request,
                account=account,
                model=model,
                width=stored.width,
                height=stored.height,
                duration=stored.duration,
                container=stored.container,
                quality=stored.quality,
                frames=dict(stored.frames),
                source=self.videos.get(stored.source) if stored.source else None,
                generations=generations,
                price=Decimal(stored.price),
                session_uuid=stored.session_uuid,
                created=stored.created,
            )
            self.jobs[task_uuid] = job
            if job.finished:
                job.done.set()
            for generation in generations:
                if generation.status == "processing":
                    self._start(job, generation)
            restored += 1
        return restored

    # ---- jobs
    def accept(self, job: Job) -> None:
        self.jobs[job.task_uuid] = job
        self._keep(job)  # before the acknowledgement leaves: an accepted task is never lost
        for hook in self.on_accept:
            hook(job)
        for generation in job.generations:
            self._start(job, generation)

    def _start(self, job: Job, generation: Generation) -> None:
        task = asyncio.create_task(self._run(job, generation))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, job: Job, generation: Generation) -> None:
        try:
            if generation.failure is not None:
                await _sleep_until(generation.ready_at)
                generation.error = generation.failure
                generation.status = "error"
            else:
                await self._render(job, generation)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("generation %s of %s failed", generation.index, job.task_uuid)
            generation.error = ("providerError", "The sandbox could not render this video.")
            generation.status = "error"
        generation.finished = time.time()
        self._keep(job)
        if job.finished:
            job.done.set()
        for notify in self.notify:
            try:
                await notify(job, generation)
            except Exception:
                log.exception("notifying about %s failed", job.task_uuid)

    async def _render(self, job: Job, generation: Generation) -> None:
        info = CONTAINERS[job.container]
        path = self.videos_dir / f"{generation.video_uuid}.{info.extension}"
        spec = job.render_spec(generation, path)
        await _sleep_until(generation.ready_at)
        result = await self.pool.render(spec)
        self.renders += 1
        generation.render_seconds = result.seconds
        if job.task.get("uploadEndpoint") and self.upload is not None:
            uploaded = await self.upload(job, generation, path, info.mime)
            if not uploaded:
                generation.error = (
                    "uploadFailed",
                    "The video could not be uploaded to the uploadEndpoint.",
                )
                generation.status = "error"
                return
        ttl = job.task.get("ttl") or self.default_ttl()
        now = time.time()
        look = {
            k: v
            for k, v in asdict(spec).items()
            if k not in ("path", "first_frame", "last_frame", "frames")
        }
        video = VideoFile(
            video_uuid=generation.video_uuid,
            video_id=generation.video_id,
            task_uuid=job.task_uuid,
            path=str(path),
            mime=info.mime,
            created=now,
            expires_at=now + ttl if ttl else None,
            look=look,
        )
        self.videos[video.video_uuid] = video
        self.by_video_id[video.video_id] = video
        self._save(video)
        generation.url = f"{self.base_url()}/video/{video.video_uuid}.{info.extension}"
        generation.status = "success"

    def expire(self, *, video_uuid: str | None = None, task_uuid: str | None = None) -> list[str]:
        """End the life of a video (or of every video of a task) now."""
        now = time.time()
        chosen = [
            v
            for v in self.videos.values()
            if (video_uuid and v.video_uuid == video_uuid)
            or (task_uuid and v.task_uuid == task_uuid)
        ]
        for video in chosen:
            video.expires_at = now
            self._save(video)
        return [v.video_uuid for v in chosen]

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def describe(self) -> list[dict[str, Any]]:
        out = []
        for job in self.jobs.values():
            out.append(
                {
                    "taskUUID": job.task_uuid,
                    "model": job.model.air,
                    "apiKeyIndex": job.account.index,
                    "price": float(job.price),
                    "created": job.created,
                    "session": job.session_uuid,
                    "generations": [
                        {
                            "index": g.index,
                            "status": g.status,
                            "videoUUID": g.video_uuid,
                            "videoId": g.video_id,
                            "videoURL": g.url,
                            "error": g.error[0] if g.error else None,
                            "renderSeconds": g.render_seconds,
                            "expiresAt": (
                                v.expires_at if (v := self.videos.get(g.video_uuid)) else None
                            ),
                        }
                        for g in job.generations
                    ],
                }
            )
        return out


async def _sleep_until(deadline: float) -> None:
    delay = deadline - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)
