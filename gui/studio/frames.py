"""Frames taken out of a result: its last frame, to continue a story from where it ended.

The frame is written as PNG, losslessly, so the picture sent on is exactly the decoded frame
(RGB24). Decoding starts at the last keyframe a couple of seconds before the end rather than
at the beginning; a long 1080p result then costs a fraction of a second, not a full decode.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import av
import av.video.stream
import numpy as np
from numpy.typing import NDArray
from PIL import Image

__all__ = ["FrameError", "decode_last_frame", "last_frame"]

_TAIL_SECONDS = 2.0


class FrameError(RuntimeError):
    """The file holds no decodable video frame."""


def _decode_from(path: Path, seek_seconds: float | None) -> NDArray[np.uint8] | None:
    with av.open(str(path)) as container:
        if not container.streams.video:
            raise FrameError(f"{path.name} has no video stream")
        stream: av.video.stream.VideoStream = container.streams.video[0]
        stream.thread_type = "AUTO"
        if seek_seconds is not None and seek_seconds > 0 and stream.time_base is not None:
            offset = int(seek_seconds / stream.time_base)
            container.seek(offset, stream=stream, backward=True, any_frame=False)
        last = None
        for frame in container.decode(stream):
            last = frame
        if last is None:
            return None
        return np.asarray(last.to_ndarray(format="rgb24"), dtype=np.uint8)


def _duration_seconds(path: Path) -> float | None:
    with av.open(str(path)) as container:
        if not container.streams.video:
            raise FrameError(f"{path.name} has no video stream")
        stream = container.streams.video[0]
        if stream.duration is not None and stream.time_base is not None:
            return float(stream.duration * stream.time_base)
        if container.duration is not None:
            return container.duration / av.time_base
    return None


def decode_last_frame(video: Path | str) -> NDArray[np.uint8]:
    """The video's last frame in presentation order, as an RGB24 array (height × width × 3)."""
    path = Path(video)
    duration = _duration_seconds(path)
    frame = None
    if duration is not None and duration > _TAIL_SECONDS:
        frame = _decode_from(path, duration - _TAIL_SECONDS)
    if frame is None:  # short clip, unknown length, or a seek that found nothing
        frame = _decode_from(path, None)
    if frame is None:
        raise FrameError(f"{path.name} has no decodable frames")
    return frame


def last_frame(video: Path | str, out: Path | str) -> Path:
    """Write the video's last frame to ``out`` as PNG (atomically) and return ``out``."""
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    pixels = decode_last_frame(video)
    fd, tmp = tempfile.mkstemp(prefix=".frame-", suffix=".png", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            Image.fromarray(pixels, "RGB").save(handle, format="PNG")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
