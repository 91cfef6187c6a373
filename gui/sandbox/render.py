"""Real, playable synthetic videos with PyAV: MP4 and MOV (H.264 + AAC), WEBM (VP9 + Opus).

A render is a pure function of a :class:`RenderSpec`, so it can run in a worker process.
The file is written beside its final name and renamed only when complete, so a reader never
sees half a video. :class:`RenderPool` runs at most two renders at once off the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, InvalidStateError, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Literal, cast

import av
import numpy as np

from gui.sandbox.picture import Look, Picture, fit_image, look_for

__all__ = [
    "CONTAINERS",
    "RenderPool",
    "RenderResult",
    "RenderSpec",
    "render_video",
    "x264_crf",
]

Container = Literal["MP4", "WEBM", "MOV"]


@dataclass(frozen=True)
class ContainerInfo:
    format: str
    extension: str
    mime: str
    video_codec: str
    audio_codec: str


CONTAINERS: dict[str, ContainerInfo] = {
    "MP4": ContainerInfo("mp4", "mp4", "video/mp4", "libx264", "aac"),
    "MOV": ContainerInfo("mov", "mov", "video/quicktime", "libx264", "aac"),
    "WEBM": ContainerInfo("webm", "webm", "video/webm", "libvpx-vp9", "libopus"),
}

SAMPLE_RATE = 48_000
PENTATONIC = (0, 2, 4, 7, 9, 12, 14, 16)


@dataclass(frozen=True)
class RenderSpec:
    """Everything a render needs; plain values only, so it pickles to a worker process."""

    path: str
    width: int
    height: int
    fps: int
    duration: float
    container: Container = "MP4"
    quality: int = 95
    prompt: str = ""
    seed: int = 0
    first_frame: str | None = None
    last_frame: str | None = None
    # a remix takes its source's look (prompt and seed) with a tint and a badge
    look_prompt: str | None = None
    look_seed: int | None = None
    tint: tuple[int, int, int] | None = None
    badge: str | None = None
    frames: int | None = None  # the model's frame count for this duration, when known

    @property
    def frame_count(self) -> int:
        return self.frames or max(1, round(self.duration * self.fps))

    @property
    def info(self) -> ContainerInfo:
        return CONTAINERS[self.container]

    def look(self) -> Look:
        prompt = self.look_prompt if self.look_prompt is not None else self.prompt
        seed = self.look_seed if self.look_seed is not None else self.seed
        return look_for(prompt, seed, self.tint)


@dataclass(frozen=True)
class RenderResult:
    path: str
    size: int
    frames: int
    seconds: float


def x264_crf(quality: int) -> int:
    """outputQuality 20–99 → H.264 CRF (99 ≈ 16, 95 ≈ 18, 20 ≈ 44)."""
    return max(0, min(51, round(51 - 0.35 * quality)))


def vp9_crf(quality: int) -> int:
    """outputQuality 20–99 → VP9 CRF on its 0–63 scale."""
    return max(4, min(63, round(63 - 0.45 * quality)))


def _video_options(spec: RenderSpec) -> dict[str, str]:
    if spec.info.video_codec == "libvpx-vp9":
        return {
            "deadline": "realtime",
            "cpu-used": "8",
            "row-mt": "1",
            "tile-columns": "2",
            "lag-in-frames": "0",
            "crf": str(vp9_crf(spec.quality)),
            "b": "0",
            "threads": "2",
        }
    return {
        "preset": "ultrafast",
        "tune": "zerolatency",
        "crf": str(x264_crf(spec.quality)),
        "threads": "2",
    }


def tone_pattern(prompt: str, seconds: float) -> np.ndarray:
    """A stereo float32 melody derived from the prompt: notes of a pentatonic scale."""
    digest = hashlib.sha256(prompt.encode()).digest()
    total = round(seconds * SAMPLE_RATE)
    note_len = SAMPLE_RATE // 4
    base = 220.0 * 2 ** ((digest[0] % 12) / 12)
    t = np.arange(note_len, dtype=np.float32) / SAMPLE_RATE
    envelope = np.minimum(1.0, t * 80) * np.exp(-t * 6)
    notes = []
    for i in range(math.ceil(total / note_len)):
        step = PENTATONIC[digest[(i % 31) + 1] % len(PENTATONIC)]
        freq = base * 2 ** (step / 12)
        tone = np.sin(math.tau * freq * t) + 0.3 * np.sin(math.tau * 2 * freq * t)
        notes.append(0.25 * envelope * tone)
    mono = np.concatenate(notes)[:total].astype(np.float32)
    pan = 0.5 + 0.4 * np.sin(np.linspace(0, math.tau, total, dtype=np.float32))
    return np.stack([mono * (1 - pan) * 1.4, mono * pan * 1.4]).astype(np.float32)


def _encode_audio(
    out: av.container.OutputContainer, stream: av.AudioStream, audio: np.ndarray
) -> None:
    size = stream.codec_context.frame_size or 1024
    for start in range(0, audio.shape[1], size):
        chunk = audio[:, start : start + size]
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(chunk), format="fltp", layout="stereo"
        )
        frame.sample_rate = SAMPLE_RATE
        frame.pts = start
        frame.time_base = Fraction(1, SAMPLE_RATE)
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode(None):
        out.mux(packet)


def render_video(spec: RenderSpec) -> RenderResult:
    """Write the video described by ``spec``; returns when the file is complete at spec.path."""
    started = time.perf_counter()
    info = spec.info
    first = fit_image(spec.first_frame, spec.width, spec.height) if spec.first_frame else None
    last = fit_image(spec.last_frame, spec.width, spec.height) if spec.last_frame else None
    picture = Picture(
        spec.width,
        spec.height,
        spec.look(),
        spec.prompt,
        first_image=first,
        last_image=last,
        badge=spec.badge,
    )
    final = Path(spec.path)
    final.parent.mkdir(parents=True, exist_ok=True)
    partial = final.with_name(f".{final.name}.part")
    options = {"movflags": "+faststart"} if info.format in ("mp4", "mov") else {}
    count = spec.frame_count
    with av.open(str(partial), "w", format=info.format, options=options) as out:
        video = cast(
            av.VideoStream,
            out.add_stream(info.video_codec, rate=spec.fps, options=_video_options(spec)),
        )
        video.width, video.height, video.pix_fmt = spec.width, spec.height, "yuv420p"
        video.codec_context.time_base = Fraction(1, spec.fps)
        audio_stream = cast(av.AudioStream, out.add_stream(info.audio_codec, rate=SAMPLE_RATE))
        audio_stream.layout = "stereo"
        if info.audio_codec == "aac":
            audio_stream.bit_rate = 96_000
        for index in range(count):
            frame = av.VideoFrame.from_ndarray(picture.frame(index, count), format="yuv420p")
            frame.pts = index
            frame.time_base = Fraction(1, spec.fps)
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode(None):
            out.mux(packet)
        _encode_audio(out, audio_stream, tone_pattern(spec.prompt, count / spec.fps))
    os.replace(partial, final)
    return RenderResult(
        path=str(final),
        size=final.stat().st_size,
        frames=count,
        seconds=time.perf_counter() - started,
    )


def _ignore_cancelled_future_errors() -> None:
    """Python 3.11's process pool, when its workers are terminated, tries to fail futures that
    asyncio has already cancelled and prints an InvalidStateError from its manager thread.
    That is shutdown noise, not a fault: keep it out of the log."""
    previous = threading.excepthook

    def hook(args: threading.ExceptHookArgs) -> None:
        if not isinstance(args.exc_value, InvalidStateError):
            previous(args)

    threading.excepthook = hook


def _warm_up() -> int:
    return os.getpid()


def _worker_init() -> None:
    """A render worker ends with the sandbox that forked it, even a killed one."""
    from gui.sandbox.guard import set_death_signal

    set_death_signal()


class RenderPool:
    """Runs renders off the event loop, at most ``workers`` at a time.

    ``kind="process"`` forks worker processes up front (call :meth:`start` before the event loop
    starts threads); ``"thread"`` uses threads, for hosts where forking is not wanted.
    """

    def __init__(self, workers: int = 2, kind: Literal["process", "thread"] = "process") -> None:
        self.workers = workers
        self.kind = kind
        self._executor: Executor | None = None

    def start(self) -> None:
        if self._executor is not None:
            return
        if self.kind == "process":
            context = multiprocessing.get_context("fork")
            pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_worker_init)
            # with "fork", every worker is started at the first submit: do it now, while the
            # process has a single thread
            pool.submit(_warm_up).result()
            self._executor = pool
        else:
            self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="render")

    async def render(self, spec: RenderSpec) -> RenderResult:
        return await self.run(render_video, spec)

    async def run(self, fn: Callable[[RenderSpec], RenderResult], spec: RenderSpec) -> RenderResult:
        if self._executor is None:
            self.start()
        assert self._executor is not None
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, fn, spec)

    def shutdown(self) -> None:
        executor, self._executor = self._executor, None
        if executor is None:
            return
        if isinstance(executor, ProcessPoolExecutor):
            processes = list(getattr(executor, "_processes", {}).values())
            manager = getattr(executor, "_executor_manager_thread", None)
            _ignore_cancelled_future_errors()
            executor.shutdown(wait=False, cancel_futures=True)
            for process in processes:  # a render in progress is not worth waiting for
                process.terminate()
            # let the pool's manager thread finish its clean-up before the interpreter's
            # exit hook pokes its (then closed) wake-up pipe
            if manager is not None:
                manager.join(timeout=5)
        else:
            executor.shutdown(wait=False, cancel_futures=True)
