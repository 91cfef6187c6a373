"""Frame image files: checking, hashing, previews, pasted images, and fitting to the video's aspect.

The checks and the fitting are :mod:`gui.runware.images`' (the CLI and the engine use the same),
under the model's own rules. Nothing here touches a widget, so the panel can run any of it on a
worker thread. ``QImage`` is safe to use off the UI thread (``QPixmap`` is not).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from PIL import Image
from PySide6.QtCore import QBuffer, QIODevice, QMimeData, Qt, QUrl
from PySide6.QtGui import QImage

from gui.runware.errors import InputFileError
from gui.runware.images import (
    CheckedImage,
    FrameFit,
    ImageRules,
    decode_checked,
    fit_image,
    fitted_png,
    frees_in_steps,
    side_problem,
    source_rules,
)
from gui.ui.compose.form_rules import http_url_problem

__all__ = [
    "FrameFacts",
    "InputFileError",
    "aspect_differs",
    "fit_to_size",
    "frame_cache_dir",
    "frame_warning",
    "prepare_frame",
    "read_dropped",
    "save_pasted_image",
]

PREVIEW_SIDE = 720
_ASPECT_TOLERANCE = 0.01


def frame_cache_dir() -> Path:
    """Where pasted and fitted frame images are kept: the user's cache, not a temp dir, so a
    job that still refers to one after a restart can find it."""
    return platformdirs.user_cache_path("sora-studio") / "frames"


@dataclass(frozen=True)
class FrameFacts:
    """A checked frame image: the file, the hash of its bytes, its size and a preview."""

    path: str
    sha256: str
    width: int
    height: int
    format: str
    preview: QImage


def prepare_frame(
    path: str | Path,
    rules: ImageRules,
    fit: FrameFit,
    width: int,
    height: int,
    out_dir: Path | None = None,
) -> tuple[FrameFacts, tuple[Path, str] | None]:
    """The file checked as a frame image under the model's ``rules`` (any large side is fine:
    it is scaled to the video's size), hashed and previewed (raises InputFileError saying what
    is wrong) and, when the image's shape differs from ``width``×``height`` (a size the model
    takes), :func:`fit_to_size`'s file, all from one decode. For a worker
    thread: everything large (the 256 MB of an 8000×8000 image) is made and freed here, and only
    the facts, a preview of at most :data:`PREVIEW_SIDE` and a path go back. The fitted file is
    None when none is needed or it could not be made (the panel then fits the image again,
    and names the problem if there is one)."""
    with frees_in_steps():
        return _prepared(path, rules, fit, width, height, out_dir)


def _prepared(
    path: str | Path,
    rules: ImageRules,
    fit: FrameFit,
    width: int,
    height: int,
    out_dir: Path | None,
) -> tuple[FrameFacts, tuple[Path, str] | None]:
    checked, image = decode_checked(Path(path), source_rules(rules))
    try:
        fitted = None
        if aspect_differs(checked.width, checked.height, width, height) and not side_problem(
            width, height, rules
        ):
            with contextlib.suppress(Exception):  # fit_to_size tries again and says why
                fitted = _fitted_file(
                    checked.data,
                    fit,
                    width,
                    height,
                    out_dir,
                    lambda: fit_image(image, width, height, fit),
                )
        return _facts(path, checked, image), fitted
    finally:
        image.close()


def _facts(path: str | Path, checked: CheckedImage, image: Image.Image) -> FrameFacts:
    """The facts of a checked file, with its preview made from ``image`` (its decode), which
    it may shrink in place."""
    # from Pillow's decode, whatever the size: Pillow decodes and scales without holding the
    # GIL, where QImage.fromData holds it (a 64 MP decode on the worker froze the GUI thread
    # for 1.5 s; a 1280×720 PNG, 30 ms); Qt only gets the small preview
    preview = _pillow_preview(image)
    if preview.isNull():  # Pillow read it but cannot convert it: refuse rather than show nothing
        raise InputFileError(f"{Path(path).name} cannot be shown; save it as PNG or JPG.")
    if max(preview.width(), preview.height()) > PREVIEW_SIDE:
        preview = preview.scaled(
            PREVIEW_SIDE,
            PREVIEW_SIDE,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    return FrameFacts(
        path=str(path),
        sha256=hashlib.sha256(checked.data).hexdigest(),
        width=checked.width,
        height=checked.height,
        format=checked.format,
        preview=preview,
    )


def _pillow_preview(image: Image.Image) -> QImage:
    """At most PREVIEW_SIDE a side. Shrinks ``image`` in place: its full-size pixels are freed
    here, on the worker, and no full-size copy is made."""
    try:
        image.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
        small = image.convert("RGBA")
    except (OSError, ValueError):
        return QImage()
    raw = small.tobytes()
    width, height = small.size
    return QImage(raw, width, height, width * 4, QImage.Format.Format_RGBA8888).copy()


def aspect_differs(width: int, height: int, target_width: int, target_height: int) -> bool:
    if not (width and height and target_width and target_height):
        return False
    ratio = (width / height) / (target_width / target_height)
    return abs(ratio - 1.0) > _ASPECT_TOLERANCE


def frame_warning(facts: FrameFacts, target_width: int, target_height: int, fit: str) -> str | None:
    """What the user should know before this image becomes a frame of a target-sized video."""
    target = f"{target_width}×{target_height}"
    image = f"{facts.width}×{facts.height}"
    if aspect_differs(facts.width, facts.height, target_width, target_height):
        how = "cropped" if fit == "crop" else "padded with black bars"
        return f"{image} image: {how} to fit {target}."  # short: a zone is narrow
    if facts.width < target_width:
        return f"{image} image: scaled up to {target}; it may look soft."
    return None


def fit_to_size(
    source: str | Path,
    fit: FrameFit,
    width: int,
    height: int,
    rules: ImageRules,
    out_dir: Path | None = None,
) -> tuple[Path, str]:
    """Write ``source`` cropped or padded to exactly ``width``×``height``; return path and hash.

    The result is named by the source's content, the fit and the size, so it is made only once.
    Blocking (Pillow): the panel runs it on a worker thread.
    """
    data = Path(source).read_bytes()
    return _fitted_file(
        data,
        fit,
        width,
        height,
        out_dir,
        lambda: fitted_png(Path(source), width, height, fit, rules),
    )


def _fitted_file(
    data: bytes,
    fit: FrameFit,
    width: int,
    height: int,
    out_dir: Path | None,
    make: Callable[[], bytes],
) -> tuple[Path, str]:
    """The fitted file of the source ``data`` in the cache, made by ``make`` unless it is there."""
    key = hashlib.sha256(data).hexdigest()[:16]
    out_dir = out_dir or frame_cache_dir()
    out = out_dir / f"{key}-{fit}-{width}x{height}.png"
    if not out.exists():
        png = make()
        try:
            _write_once(out, png)
        except OSError as exc:
            raise InputFileError(f"The fitted image could not be written to {out.parent}.") from exc
    return out, hashlib.sha256(out.read_bytes()).hexdigest()


def save_pasted_image(image: QImage, out_dir: Path | None = None) -> Path:
    """Save a pasted image as PNG in the cache, named by its content; return the file."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # PySide6's stubs type the format as bytes, but it takes only str (bytes raises ValueError)
    image.save(buffer, "PNG")  # type: ignore[call-overload]
    data = bytes(buffer.data().data())
    out_dir = out_dir or frame_cache_dir()
    out = out_dir / f"pasted-{hashlib.sha256(data).hexdigest()[:16]}.png"
    if not out.exists():
        _write_once(out, data)
    return out


def _write_once(out: Path, data: bytes) -> None:
    """Write through a ``.part`` file, so a reader never sees half an image."""
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(out.name + ".part")
    part.write_bytes(data)
    part.replace(out)


def read_dropped(mime: QMimeData) -> tuple[str, object] | None:
    """What a drop or paste carries, best first: ("file", path), ("image", QImage), ("url", url)."""
    urls = list(mime.urls())
    for url in urls:
        if url.isLocalFile():
            return "file", url.toLocalFile()
    if mime.hasImage():
        image = mime.imageData()
        if isinstance(image, QImage) and not image.isNull():
            return "image", image
    text = mime.text().strip() if mime.hasText() else ""
    if text.startswith("file://") and "\n" not in text:
        return "file", QUrl(text).toLocalFile()
    for candidate in [u.toString() for u in urls] + ([text] if "\n" not in text else []):
        if candidate.lower().startswith(("http://", "https://")) and not http_url_problem(
            candidate
        ):
            return "url", candidate
    return None
