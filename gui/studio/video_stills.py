"""Still images from and for videos: thumbnails, last frames and prepared first frames.

Plain blocking functions (PyAV decodes, Pillow encodes); the library runs them in a thread so the
event loop never waits on a decoder. Each returns encoded bytes; the library decides where they
are written.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Literal

import av
from PIL import Image, ImageOps

from gui.runware.errors import InputFileError
from gui.runware.images import ImageRules, check_image
from gui.studio.frames import FrameError, decode_last_frame

__all__ = [
    "FrameFit",
    "VideoDecodeError",
    "first_frame_jpeg",
    "last_frame_png",
    "prepared_frame_png",
    "source_rules",
]

FrameFit = Literal["crop", "pad"]
THUMBNAIL_WIDTH = 320
# A source image is scaled to the output size, so it may be larger than what Runware takes.
_SOURCE_MAX_SIDE = 16384


class VideoDecodeError(ValueError):
    """The video holds no decodable picture."""


def _to_image(frame: av.VideoFrame) -> Image.Image:
    image: Image.Image = frame.to_image()  # type: ignore[no-untyped-call]
    return image


def _decode_first(path: Path) -> Image.Image:
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
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


def source_rules(rules: ImageRules | None) -> ImageRules:
    """Rules for the user's file: the model's formats, sizes and byte limit, but any large side,
    since it is scaled to the output size before it is uploaded."""
    base = rules or ImageRules()
    return ImageRules(
        formats=base.formats,
        min_side=base.min_side,
        max_side=max(base.max_side, _SOURCE_MAX_SIDE),
        max_bytes=base.max_bytes,
    )


def prepared_frame_png(
    source: Path, width: int, height: int, fit: FrameFit, rules: ImageRules | None = None
) -> bytes:
    """The source image as a PNG of exactly ``width``×``height``.

    ``crop`` fills the frame and trims the overflow (centred); ``pad`` fits the whole image and
    fills the rest with black. The source is checked first, so a bad file gets its own message.
    """
    if fit not in ("crop", "pad"):
        raise ValueError(f"fit must be 'crop' or 'pad', not {fit!r}")
    checked = check_image(Path(source), source_rules(rules))
    try:
        with Image.open(io.BytesIO(checked.data)) as opened:
            image = ImageOps.exif_transpose(opened).convert("RGB")
    except (OSError, ValueError) as exc:  # pragma: no cover - check_image decoded it already
        raise InputFileError(f"{Path(source).name} cannot be decoded.") from exc
    size = (width, height)
    if fit == "crop":
        image = ImageOps.fit(image, size, Image.Resampling.LANCZOS)
    else:
        image = ImageOps.pad(image, size, Image.Resampling.LANCZOS, color=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
