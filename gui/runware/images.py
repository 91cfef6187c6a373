"""Checking an image before it is uploaded: format, readability, size and dimensions.

Everything here runs before a byte is sent, and each refusal says exactly what is wrong.
Pillow reads only the header to learn the dimensions, so a decompression bomb is refused
before it is decoded.
"""

from __future__ import annotations

import base64
import io
import os
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from gui.runware.errors import InputFileError

__all__ = ["CheckedImage", "ImageRules", "check_image"]

_MIME = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


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
    rules = rules or ImageRules()
    data, name = _read(source, rules)
    allowed = ", ".join(f.replace("JPEG", "JPG") for f in rules.formats)
    if data.lstrip()[:5].lower() in (b"<?xml", b"<svg ") or b"<svg" in data[:512].lower():
        raise InputFileError(f"{name} is an SVG drawing; use a {allowed} image.")
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = (img.format or "").upper()
            width, height = img.size
            if fmt not in rules.formats:
                kind = fmt or "unknown"
                raise InputFileError(f"{name} is a {kind} image; use {allowed}.")
            if max(width, height) > rules.max_side or min(width, height) < rules.min_side:
                raise InputFileError(
                    f"{name} is {width}×{height} px; each side must be "
                    f"{rules.min_side}–{rules.max_side} px."
                )
            img.load()  # decodes fully: a truncated or corrupt file fails here
    except InputFileError:
        raise
    except Image.DecompressionBombError as exc:
        raise InputFileError(f"{name} has too many pixels to be a frame image.") from exc
    except UnidentifiedImageError as exc:
        raise InputFileError(f"{name} is not an image ({allowed} are accepted).") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise InputFileError(f"{name} is damaged or truncated and cannot be decoded.") from exc
    return CheckedImage(data=data, format=fmt, width=width, height=height)
