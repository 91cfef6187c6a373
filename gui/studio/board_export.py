"""A board's chosen takes as one film: MP4 or MOV, H.264 + AAC, the board's size and frame rate.

Each clip is decoded and re-timed to the board's rate (each output frame shows the source frame
nearest its time; a clip of ``n`` frames at ``r`` fps becomes ``round(n × fps / r)`` frames),
fitted to the board's size (``crop`` fills and trims, ``pad`` letterboxes in black; a clip of the
board's size passes through unscaled) and encoded. Audio is kept where a clip has it and is
silence where it has none, cut or padded to the clip's exact length, so picture and sound stay
together across every cut. An optional crossfade overlaps neighbouring clips by ``crossfade``
seconds (picture and sound), which shortens the film by that much per cut.

:func:`export_film` is plain blocking code; run it off the GUI thread: :class:`ExportWorker`
(a thread, with progress, cancel and a done callback) or ``await asyncio.to_thread(...)``.
The file is written under a temporary name and renamed when whole; a cancelled export leaves
nothing behind. A sidecar JSON (``FILM.json``) records what the film was made of.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import av
import av.audio.stream
import av.container
import av.video.stream
import numpy as np
from numpy.typing import NDArray

from gui.studio.atomic_files import write_atomic
from gui.studio.errors import StudioError

__all__ = [
    "SAMPLE_RATE",
    "ExportCancelled",
    "ExportClip",
    "ExportError",
    "ExportReport",
    "ExportSettings",
    "ExportWorker",
    "clip_frames",
    "export_film",
    "sidecar_path",
]

SAMPLE_RATE = 48_000
_AUDIO_CHUNK = 1024  # one AAC frame
Fit = Literal["crop", "pad"]
Progress = Callable[[float], None]


class ExportError(StudioError):
    """The film could not be written; the message says which clip or what went wrong."""


class ExportCancelled(ExportError):
    """The export was cancelled; no file was left."""


@dataclass(frozen=True)
class ExportClip:
    path: Path
    fit: Fit = "crop"
    label: str = ""  # how a message names it ("Shot 2")


@dataclass(frozen=True)
class ExportSettings:
    width: int
    height: int
    fps: int
    crossfade: float = 0.0  # seconds of overlap at each cut
    crf: int = 20
    preset: str = "veryfast"
    audio_bitrate: int = 128_000


@dataclass(frozen=True)
class ExportReport:
    path: Path
    frames: int
    seconds: float
    clip_frames: tuple[int, ...]  # each clip's length at the board's rate
    sidecar: Path | None = None


@dataclass
class _ClipInfo:
    frames: int  # at the board's rate
    has_audio: bool
    width: int
    height: int


def sidecar_path(out: Path) -> Path:
    return Path(out).with_suffix(".json")


def _probe(clip: ExportClip, fps: int) -> _ClipInfo:
    name = clip.label or clip.path.name
    try:
        with av.open(str(clip.path)) as container:
            if not container.streams.video:
                raise ExportError(f"{name}: {clip.path.name} has no picture.")
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate
            count = stream.frames
            if not count:
                count = sum(1 for _ in container.demux(stream))  # packets, not decoding
            if not rate or not count:
                raise ExportError(f"{name}: the length of {clip.path.name} cannot be read.")
            frames = max(1, round(count * fps / float(rate)))
            return _ClipInfo(
                frames=frames,
                has_audio=bool(container.streams.audio),
                width=stream.codec_context.width,
                height=stream.codec_context.height,
            )
    except av.FFmpegError as exc:
        raise ExportError(f"{name}: {clip.path.name} cannot be read ({exc}).") from exc
    except FileNotFoundError:
        raise ExportError(f"{name}: the file {clip.path} is not there.") from None


def clip_frames(path: Path, fps: int) -> int:
    """A clip's length in frames at ``fps`` (as the export counts it)."""
    return _probe(ExportClip(Path(path)), fps).frames


# ---------------------------------------------------------------------- picture
class _Fitter:
    """Makes decoded frames the board's size: pass-through, or scale + crop/pad."""

    def __init__(self, info: _ClipInfo, width: int, height: int, fit: Fit) -> None:
        self.width, self.height, self.fit = width, height, fit
        self.same = (info.width, info.height) == (width, height)
        sw, sh = info.width, info.height
        scale = max(width / sw, height / sh) if fit == "crop" else min(width / sw, height / sh)
        self.scaled = (max(2, round(sw * scale)), max(2, round(sh * scale)))
        self.canvas: NDArray[np.uint8] | None = None

    def __call__(self, frame: av.VideoFrame) -> av.VideoFrame:
        if self.same:
            return frame
        sw, sh = self.scaled
        pixels = frame.reformat(width=sw, height=sh, format="rgb24").to_ndarray()
        if self.fit == "crop":
            top, left = (sh - self.height) // 2, (sw - self.width) // 2
            out: NDArray[np.uint8] = np.ascontiguousarray(
                pixels[top : top + self.height, left : left + self.width], dtype=np.uint8
            )
        else:
            if self.canvas is None:
                self.canvas = np.zeros((self.height, self.width, 3), dtype=np.uint8)
            out = self.canvas.copy()
            top, left = (self.height - sh) // 2, (self.width - sw) // 2
            out[top : top + sh, left : left + sw] = pixels[: self.height, : self.width]
        return av.VideoFrame.from_ndarray(out, format="rgb24")


def _retimed(
    clip: ExportClip, info: _ClipInfo, settings: ExportSettings
) -> Iterator[av.VideoFrame]:
    """The clip's ``info.frames`` frames at the board's rate and size."""
    fitter = _Fitter(info, settings.width, settings.height, clip.fit)
    step = 1.0 / settings.fps
    emitted = 0
    shown: av.VideoFrame | None = None
    with av.open(str(clip.path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        rate = float(stream.average_rate or stream.guessed_rate or settings.fps)
        half = 0.5 / rate
        start: float | None = None
        for frame in container.decode(stream):
            when = float(frame.time) if frame.time is not None else 0.0
            if start is None:
                start = when
            when -= start
            # output frames whose time is nearer the previous source frame than this one
            while shown is not None and emitted < info.frames and emitted * step < when - half:
                yield shown
                emitted += 1
            shown = fitter(frame)
            if emitted >= info.frames:
                break
    while shown is not None and emitted < info.frames:
        yield shown
        emitted += 1


# ---------------------------------------------------------------------- sound
def _clip_audio(clip: ExportClip, info: _ClipInfo, samples: int) -> NDArray[np.float32]:
    """The clip's sound as stereo float at 48 kHz, exactly ``samples`` long (silence if none)."""
    out = np.zeros((2, samples), dtype=np.float32)
    if not info.has_audio:
        return out
    parts: list[NDArray[np.float32]] = []
    got = 0
    with av.open(str(clip.path)) as container:
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=SAMPLE_RATE)
        for frame in container.decode(stream):
            for chunk in resampler.resample(frame):
                parts.append(chunk.to_ndarray().astype(np.float32, copy=False))
                got += parts[-1].shape[1]
            if got >= samples:
                break
        else:
            for chunk in resampler.resample(None):
                parts.append(chunk.to_ndarray().astype(np.float32, copy=False))
    if parts:
        sound = np.concatenate(parts, axis=1)[:, :samples]
        out[:, : sound.shape[1]] = sound
    return out


class _AudioOut:
    """Sound waiting to be encoded, given out in AAC-frame chunks as the picture advances."""

    def __init__(self, stream: av.audio.stream.AudioStream, out: av.container.OutputContainer):
        self.stream, self.out = stream, out
        self.pending: list[NDArray[np.float32]] = []
        self.buffered = 0
        self.written = 0

    def add(self, sound: NDArray[np.float32]) -> None:
        if sound.shape[1]:
            self.pending.append(sound)
            self.buffered += sound.shape[1]

    def write_until(self, sample: int, *, final: bool = False) -> None:
        while self.buffered and (
            self.written + _AUDIO_CHUNK <= sample or (final and self.written < sample)
        ):
            size = min(_AUDIO_CHUNK, self.buffered, sample - self.written)
            if size < _AUDIO_CHUNK and not final:
                break
            self._encode(self._take(size))
        if final:
            for packet in self.stream.encode(None):
                self.out.mux(packet)

    def _take(self, size: int) -> NDArray[np.float32]:
        joined = np.concatenate(self.pending, axis=1) if len(self.pending) > 1 else self.pending[0]
        chunk, rest = joined[:, :size], joined[:, size:]
        self.pending = [rest] if rest.shape[1] else []
        self.buffered = rest.shape[1]
        return chunk

    def _encode(self, chunk: NDArray[np.float32]) -> None:
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(chunk), format="fltp", layout="stereo"
        )
        frame.sample_rate = SAMPLE_RATE
        frame.pts = self.written
        frame.time_base = Fraction(1, SAMPLE_RATE)
        self.written += chunk.shape[1]
        for packet in self.stream.encode(frame):
            self.out.mux(packet)


# ---------------------------------------------------------------------- the film
@dataclass
class _Writer:
    out: av.container.OutputContainer
    video: av.video.stream.VideoStream
    audio: _AudioOut
    fps: int
    total: int
    progress: Progress | None
    cancel: threading.Event | None
    index: int = 0
    _reported: float = field(default=-1.0)

    def frame(self, frame: av.VideoFrame) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise ExportCancelled("The export was cancelled.")
        frame.pts = self.index
        frame.time_base = Fraction(1, self.fps)
        for packet in self.video.encode(frame):
            self.out.mux(packet)
        self.index += 1
        self.audio.write_until(self.index * SAMPLE_RATE // self.fps)
        share = self.index / self.total
        if self.progress is not None and (share - self._reported >= 0.01 or share >= 1.0):
            self._reported = share
            self.progress(share)


def _blend(a: av.VideoFrame, b: av.VideoFrame, k: float) -> av.VideoFrame:
    x = a.to_ndarray(format="rgb24").astype(np.float32)
    y = b.to_ndarray(format="rgb24").astype(np.float32)
    mixed = np.clip(x * (1.0 - k) + y * k + 0.5, 0, 255).astype(np.uint8)
    return av.VideoFrame.from_ndarray(mixed, format="rgb24")


def _open_output(path: Path, suffix: str) -> av.container.OutputContainer:
    fmt = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov"}.get(suffix.lower())
    if fmt is None:
        raise ExportError(f"A film is written as .mp4 or .mov, not {suffix or 'no extension'}.")
    return av.open(str(path), "w", format=fmt, options={"movflags": "+faststart"})


def export_film(
    clips: Sequence[ExportClip],
    out: Path,
    settings: ExportSettings,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    sidecar: dict[str, Any] | None = None,
) -> ExportReport:
    """Write the clips as one film at ``out`` (see the module docstring); blocking."""
    if not clips:
        raise ExportError("There is nothing to export: the board has no shots.")
    out = Path(out)
    if settings.width % 2 or settings.height % 2:
        raise ExportError(f"{settings.width}×{settings.height}: H.264 needs even sizes.")
    infos = [_probe(c, settings.fps) for c in clips]
    overlap = round(settings.crossfade * settings.fps)
    if overlap and any(i.frames < 2 * overlap for i in infos):
        raise ExportError("The crossfade is longer than half of a shot.")
    total = sum(i.frames for i in infos) - overlap * (len(clips) - 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.{os.getpid()}.part")
    container = _open_output(partial, out.suffix)
    try:
        video = container.add_stream(
            "libx264",
            rate=settings.fps,
            options={"preset": settings.preset, "crf": str(settings.crf)},
        )
        video.width, video.height, video.pix_fmt = settings.width, settings.height, "yuv420p"
        video.codec_context.time_base = Fraction(1, settings.fps)
        video.thread_type = "AUTO"
        audio = container.add_stream("aac", rate=SAMPLE_RATE)
        audio.layout = "stereo"
        audio.bit_rate = settings.audio_bitrate
        sound = _AudioOut(audio, container)
        writer = _Writer(container, video, sound, settings.fps, total, progress, cancel)
        samples_per = Fraction(SAMPLE_RATE, settings.fps)
        overlap_samples = int(overlap * samples_per)
        tail: list[av.VideoFrame] = []  # the last clip's closing frames, awaiting the next one
        tail_sound: NDArray[np.float32] | None = None
        position = 0  # frames of the film so far, counting the held tail
        for number, (clip, info) in enumerate(zip(clips, infos, strict=True)):
            last = number == len(clips) - 1
            start_sample = int(position * samples_per)
            end_sample = int((position + info.frames) * samples_per)
            clip_sound = _clip_audio(clip, info, end_sample - start_sample)
            if tail_sound is not None:  # overlap-add the cut, fading out and in
                ramp = np.linspace(0.0, 1.0, overlap_samples, dtype=np.float32)
                head = clip_sound[:, :overlap_samples]
                clip_sound[:, :overlap_samples] = tail_sound * (1 - ramp) + head * ramp
            hold = 0 if last else overlap_samples
            sound.add(clip_sound[:, : clip_sound.shape[1] - hold])
            tail_sound = clip_sound[:, clip_sound.shape[1] - hold :] if hold else None
            held: list[av.VideoFrame] = []
            for k, frame in enumerate(_retimed(clip, info, settings)):
                if k < len(tail):
                    writer.frame(_blend(tail[k], frame, (k + 1) / (overlap + 1)))
                elif not last and overlap and k >= info.frames - overlap:
                    held.append(_copy(frame))
                else:
                    writer.frame(frame)
            tail = held
            position += info.frames - overlap
        sound.write_until(int(total * samples_per), final=True)
        for packet in video.encode(None):
            container.mux(packet)
        container.close()
    except BaseException:
        container.close()
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, out)
    side = None
    if sidecar is not None:
        body = {
            **sidecar,
            "film": {
                "file": out.name,
                "frames": total,
                "fps": settings.fps,
                "seconds": total / settings.fps,
                "size": f"{settings.width}x{settings.height}",
                "crossfade": settings.crossfade,
                "clip_frames": [i.frames for i in infos],
            },
        }
        side = write_atomic(
            sidecar_path(out), (json.dumps(body, indent=2, ensure_ascii=False) + "\n").encode()
        )
    return ExportReport(
        path=out,
        frames=total,
        seconds=total / settings.fps,
        clip_frames=tuple(i.frames for i in infos),
        sidecar=side,
    )


def _copy(frame: av.VideoFrame) -> av.VideoFrame:
    """A frame that stays valid after the decoder moves on."""
    return av.VideoFrame.from_ndarray(frame.to_ndarray(format="rgb24"), format="rgb24")


# ---------------------------------------------------------------------- off the GUI thread
class ExportWorker:
    """:func:`export_film` on its own thread, with progress, cancel and one done callback.

    ``on_progress(share)`` and ``on_done(report, error)`` are called on the worker thread: a
    window forwards them to its own thread (a queued signal). ``error`` is an
    :class:`ExportCancelled` after :meth:`cancel`."""

    def __init__(
        self,
        clips: Sequence[ExportClip],
        out: Path,
        settings: ExportSettings,
        *,
        sidecar: dict[str, Any] | None = None,
        on_progress: Progress | None = None,
        on_done: Callable[[ExportReport | None, BaseException | None], None] | None = None,
    ) -> None:
        self._args = (list(clips), Path(out), settings)
        self._sidecar = sidecar
        self._on_progress = on_progress
        self._on_done = on_done
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name="board export", daemon=True)
        self.report: ExportReport | None = None
        self.error: BaseException | None = None

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        self._cancel.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the worker; True once it has finished."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        clips, out, settings = self._args
        try:
            self.report = export_film(
                clips,
                out,
                settings,
                progress=self._on_progress,
                cancel=self._cancel,
                sidecar=self._sidecar,
            )
        except BaseException as exc:  # handed to on_done: the thread must not die silently
            self.error = exc
        if self._on_done is not None:
            self._on_done(self.report, self.error)
