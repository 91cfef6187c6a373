"""Frame images: the model's rules for them, checking a file against those rules, and fitting it
to the video's size.

Everything here runs before a byte is sent, and each refusal says exactly what is wrong.
Pillow reads only the header to learn the dimensions, so a decompression bomb is refused
before it is decoded. The window, the CLI and the engine all check and fit with these functions
(plain blocking code: callers on an event loop or a GUI thread run them on a worker), so they
accept and refuse the same images.
"""

from __future__ import annotations

import base64
import io
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError
from PIL import _imaging as _pillow_core  # Image.core: its block cache (frees_in_steps)

from gui.runware.errors import InputFileError

if TYPE_CHECKING:
    from gui.runware.model_spec import ModelSpec

__all__ = [
    "SOURCE_MAX_SIDE",
    "CheckedImage",
    "FrameFit",
    "ImageRules",
    "check_image",
    "decode_checked",
    "fit_image",
    "fitted_png",
    "frame_rules",
    "frees_in_steps",
    "side_problem",
    "source_rules",
]

_MIME = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
FrameFit = Literal["crop", "pad"]
# EXIF orientations that ImageOps.exif_transpose turns (1 and anything else: upright already)
_TURNED = frozenset(range(2, 9))
# Pillow blocks (16 MB each) kept in its cache inside frees_in_steps: no real bound
_CACHED_BLOCKS = 4096
# the pause between two freed blocks, in which other threads (the GUI's) take the GIL
_FREE_PAUSE = 0.002
_arena_lock = threading.Lock()
_arena_users = 0
_arena_kept = 0
# A source image is scaled to the output size, so it may be larger than what Runware takes.
SOURCE_MAX_SIDE = 16384


@dataclass(frozen=True)
class ImageRules:
    formats: tuple[str, ...] = ("PNG", "JPEG", "WEBP")
    min_side: int = 300
    max_side: int = 2048
    max_bytes: int = 20 * 1024 * 1024


@dataclass(frozen=True)
class CheckedImage:
    data: bytes
    format: str
    width: int
    height: int

    @property
    def mime(self) -> str:
        return _MIME[self.format]

    def data_uri(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"


def _read(source: Path | bytes, rules: ImageRules) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray):
        data, name = bytes(source), "the image"
    else:
        path = Path(source)
        name = path.name
        if path.is_symlink() and not path.exists():
            raise InputFileError(f"{name} is a link to a file that no longer exists.")
        if not path.exists():
            raise InputFileError(f"{name} does not exist.")
        if not path.is_file():
            raise InputFileError(f"{name} is not a file.")
        size = os.stat(path).st_size
        if size > rules.max_bytes:
            raise InputFileError(
                f"{name} is {size / 2**20:.1f} MB; frame images may be at most "
                f"{rules.max_bytes / 2**20:.0f} MB."
            )
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputFileError(f"{name} cannot be read ({exc.strerror}).") from exc
    if not data:
        raise InputFileError(f"{name} is empty (0 bytes).")
    if len(data) > rules.max_bytes:
        raise InputFileError(
            f"{name} is {len(data) / 2**20:.1f} MB; frame images may be at most "
            f"{rules.max_bytes / 2**20:.0f} MB."
        )
    return data, name


def check_image(source: Path | bytes, rules: ImageRules | None = None) -> CheckedImage:
    """Return the image's bytes and facts, or raise :class:`InputFileError` saying why not."""
    checked, image = decode_checked(source, rules)
    image.close()
    return checked


def decode_checked(
    source: Path | bytes, rules: ImageRules | None = None
) -> tuple[CheckedImage, Image.Image]:
    """:func:`check_image`, keeping what it decoded, so a caller that needs the pixels (a fit, a
    preview) does not decode the file again. The caller closes the image when done: an
    8000×8000 one holds 256 MB, and ``close()`` frees it at once, on the caller's thread."""
    rules = rules or ImageRules()
    data, name = _read(source, rules)
    allowed = ", ".join(f.replace("JPEG", "JPG") for f in rules.formats)
    if data.lstrip()[:5].lower() in (b"<?xml", b"<svg ") or b"<svg" in data[:512].lower():
        raise InputFileError(f"{name} is an SVG drawing; use a {allowed} image.")
    img: Image.Image | None = None
    decoded = False
    try:
        img = Image.open(io.BytesIO(data))
        fmt = (img.format or "").upper()
        width, height = img.size
        if fmt not in rules.formats:
            kind = fmt or "unknown"
            raise InputFileError(f"{name} is a {kind} image; use {allowed}.")
        if (why := side_problem(width, height, rules)) is not None:
            raise InputFileError(f"{name} is {width}×{height} px; {why}.")
        # the pixels' memory, zeroed with the GIL let go (core.fill). load() would make it
        # with core.new, a calloc under the GIL: once the C heap has taken back freed blocks,
        # that zeroes 256 MB for an 8000×8000 image while no other thread runs Python
        img.im = _pillow_core.fill(img.mode, img.size, 0)
        img.load()  # decodes fully: a truncated or corrupt file fails here
        decoded = True
    except InputFileError:
        raise
    except Image.DecompressionBombError as exc:
        raise InputFileError(f"{name} has too many pixels to be a frame image.") from exc
    except UnidentifiedImageError as exc:
        raise InputFileError(f"{name} is not an image ({allowed} are accepted).") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise InputFileError(f"{name} is damaged or truncated and cannot be decoded.") from exc
    finally:
        if img is not None and not decoded:
            img.close()
    return CheckedImage(data=data, format=fmt, width=width, height=height), img


def side_problem(width: int, height: int, rules: ImageRules) -> str | None:
    """Why an image of ``width``×``height`` px cannot be a frame image under ``rules`` ("each
    side must be 300–2048 px"), or None. The one size rule: :func:`check_image` applies it to a
    file before upload, the window to the size a frame will be fitted to before sending."""
    if max(width, height) > rules.max_side or min(width, height) < rules.min_side:
        return f"each side must be {rules.min_side}–{rules.max_side} px"
    return None


def frame_rules(model: ModelSpec) -> ImageRules:
    """What Runware takes as a frame image for ``model``: the catalogue's formats (its "JPG" is
    Pillow's "JPEG"), sides and bytes; the defaults for a model that names none."""
    rules = model.frame_images
    if rules is None:
        return ImageRules()
    return ImageRules(
        formats=tuple(f.upper().replace("JPG", "JPEG") for f in rules.formats),
        min_side=rules.min_side,
        max_side=rules.max_side,
        max_bytes=rules.max_bytes,
    )


def source_rules(rules: ImageRules | None) -> ImageRules:
    """Rules for the user's file: the model's formats, smallest side and byte limit, but any large
    side up to :data:`SOURCE_MAX_SIDE`, since it is scaled to the output size before upload."""
    base = rules or ImageRules()
    return ImageRules(
        formats=base.formats,
        min_side=base.min_side,
        max_side=max(base.max_side, SOURCE_MAX_SIDE),
        max_bytes=base.max_bytes,
    )


def fitted_png(
    source: Path, width: int, height: int, fit: FrameFit, rules: ImageRules | None = None
) -> bytes:
    """The source image as a PNG of exactly ``width``×``height``.

    ``crop`` fills the frame and trims the overflow (centred); ``pad`` fits the whole image and
    fills the rest with black. The source is checked first (:func:`source_rules` of ``rules``),
    so a bad file gets its own message; the check's decode is the one fitted. Blocking, and
    it pauses between the blocks it frees (:func:`frees_in_steps`): callers on an event loop
    or a GUI thread run it on a worker, as they do.
    """
    if fit not in ("crop", "pad"):
        raise ValueError(f"fit must be 'crop' or 'pad', not {fit!r}")
    with frees_in_steps():  # for a worker: an 8000×8000 image frees 256 MB, not in one go
        _checked, image = decode_checked(Path(source), source_rules(rules))
        try:
            return fit_image(image, width, height, fit)
        finally:
            image.close()


def fit_image(image: Image.Image, width: int, height: int, fit: FrameFit) -> bytes:
    """A decoded image (as :func:`decode_checked` gives it) turned upright by its EXIF
    orientation, then cropped or padded to a PNG of exactly ``width``×``height`` (see
    :func:`fitted_png`). No full-size copy is made when the image is upright RGB already: an
    8000×8000 copy is 256 MB to fill and, worse, to free while holding the GIL."""
    if fit not in ("crop", "pad"):
        raise ValueError(f"fit must be 'crop' or 'pad', not {fit!r}")
    upright = image
    if image.getexif().get(ExifTags.Base.Orientation, 1) in _TURNED:
        upright = ImageOps.exif_transpose(image)
    rgb = upright if upright.mode == "RGB" else upright.convert("RGB")
    size = (width, height)
    try:
        if fit == "crop":
            fitted = ImageOps.fit(rgb, size, Image.Resampling.LANCZOS)
        else:
            fitted = ImageOps.pad(rgb, size, Image.Resampling.LANCZOS, color=(0, 0, 0))
    finally:
        for made in {id(upright): upright, id(rgb): rgb}.values():
            if made is not image:  # full-size copies: freed now, on this (worker) thread
                made.close()
    out = io.BytesIO()
    fitted.save(out, "PNG")
    return out.getvalue()


@contextmanager
def frees_in_steps() -> Iterator[None]:
    """Free the pixels of the images dropped inside this block a piece at a time, on leaving it.

    Pillow frees an image while holding the GIL, and the 256 MB of an 8000×8000 image take
    50–100 ms to give back: however much of the work a worker thread does, the GUI thread
    cannot run Python meanwhile, so the window stalls. Inside this block Pillow keeps the blocks
    of closed or dropped images in its cache (its ``blocks_max``) instead; on leaving, the
    cache is freed one block (16 MB, a few ms) at a time, with a pause between blocks for
    other threads to run. The last of several threads inside frees what all of them dropped.
    For worker threads: leaving it takes a few ms per 16 MB.
    """
    global _arena_users, _arena_kept
    with _arena_lock:
        if _arena_users == 0:
            _arena_kept = _pillow_core.get_blocks_max()
            _pillow_core.set_blocks_max(_arena_kept + _CACHED_BLOCKS)
        _arena_users += 1
    try:
        yield
    finally:
        with _arena_lock:
            _arena_users -= 1
            if _arena_users == 0:
                while (cached := _pillow_core.get_stats()["blocks_cached"]) > _arena_kept:
                    _pillow_core.clear_cache(cached - 1)  # frees one block
                    time.sleep(_FREE_PAUSE)
                _pillow_core.set_blocks_max(_arena_kept)
