"""Still images from videos: thumbnails and last frames.

Plain blocking functions (PyAV decodes, Pillow encodes); the library runs them in a thread so the
event loop never waits on a decoder. Each returns encoded bytes; the library decides where they
are written. Frame images for videos are checked and fitted in :mod:`gui.runware.images`.
"""

from __future__ import annotations

import io
from pathlib import Path

import av
from PIL import Image

from gui.runware.images import source_rules  # re-exported: the storyboard reads it from here
from gui.studio.frames import FrameError, decode_last_frame

__all__ = ["VideoDecodeError", "first_frame_jpeg", "last_frame_png", "source_rules"]

THUMBNAIL_WIDTH = 320


class VideoDecodeError(ValueError):
    """The video holds no decodable picture."""


def _to_image(frame: av.VideoFrame) -> Image.Image:
    image: Image.Image = frame.to_image()  # type: ignore[no-untyped-call]
    return image


def _decode_first(path: Path) -> Image.Image:
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            # One frame needs no decoder threads, and starting them is what hurts: PyAV opens
            # the codec holding the GIL, and a threaded decoder starts its threads and waits
            # until they run; on a busy machine that wait (308 ms seen with perf sched while
            # 50 downloads were thumbnailed) is a wait of the event loop's thread for the GIL.
            stream.codec_context.thread_count = 1
            for frame in container.decode(stream):
                return _to_image(frame)
    except (av.FFmpegError, IndexError, OSError) as exc:
        raise VideoDecodeError(f"{path.name} cannot be decoded: {exc}") from exc
    raise VideoDecodeError(f"{path.name} has no video frames.")


def first_frame_jpeg(path: Path, width: int = THUMBNAIL_WIDTH) -> bytes:
    """A JPEG thumbnail of the first (poster) frame, ``width`` pixels wide."""
    image = _decode_first(path).convert("RGB")
    height = max(1, round(image.height * width / image.width))
    image = image.resize((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def last_frame_png(path: Path) -> bytes:
    """The decoded last frame (see :mod:`gui.studio.frames`) as a lossless PNG."""
    try:
        pixels = decode_last_frame(path)
    except (FrameError, av.FFmpegError, OSError) as exc:
        raise VideoDecodeError(f"{path.name} cannot be decoded: {exc}") from exc
    out = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(out, "PNG")
    return out.getvalue()
