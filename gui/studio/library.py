"""Where media lives under the data folder, and how it gets there safely.

::

    DATA_DIR/
      journal.sqlite3
      videos/<videoUUID>.<mp4|webm|mov>   the results; complete files only
      videos/<videoUUID>.json             sidecar: the request as sent (never the key) + the item
      videos/<videoUUID>.<ext>.part       a download in progress (see clean_partials)
      thumbnails/<videoUUID>.jpg          poster frame, ~320 px wide
      frames/<sha256>.png                 first/last frames, by the hash of the PNG's bytes

Every file is written to a temporary name, fsynced and renamed, so a crash leaves either the old
file or the new one, never half of one. Names that come from the server are checked before they
become paths: a videoUUID may hold only letters, digits, ``_`` and ``-``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import shutil
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gui.runware.images import FrameFit, ImageRules, fitted_png
from gui.studio.atomic_files import TMP_SUFFIX, write_atomic
from gui.studio.errors import UnsafeMediaName
from gui.studio.jobs import Result
from gui.studio.video_stills import first_frame_jpeg, last_frame_png

__all__ = ["Library", "StillImage"]

_SAFE_NAME = re.compile(r"[A-Za-z0-9_-]{1,200}")
_EXTENSIONS = {"MP4": "mp4", "WEBM": "webm", "MOV": "mov"}


@dataclass(frozen=True)
class StillImage:
    """A PNG in the library's frames folder, named by the sha256 of its bytes."""

    path: Path
    sha256: str
    width: int
    height: int


class Library:
    """The media folders under one data directory."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.videos = self.root / "videos"
        self.thumbnails = self.root / "thumbnails"
        self.frames = self.root / "frames"
        for folder in (self.videos, self.thumbnails, self.frames):
            folder.mkdir(parents=True, exist_ok=True)

    # ------------------------------------------------------------------ names
    @staticmethod
    def check_video_uuid(value: object) -> str:
        """The value if it is safe as a file name, else :class:`UnsafeMediaName`."""
        if not isinstance(value, str) or not _SAFE_NAME.fullmatch(value):
            shown = repr(value)[:80]
            raise UnsafeMediaName(
                f"Runware sent the video name {shown}, which is not a plain name (only letters, "
                "digits, _ and - are allowed). The file was not saved."
            )
        return value

    def _inside(self, folder: Path, name: str) -> Path:
        path = folder / name
        if path.resolve().parent != folder.resolve():
            raise UnsafeMediaName(f"{name!r} would be written outside {folder}.")
        return path

    def video_path(self, video_uuid: str, output_format: str = "MP4") -> Path:
        ext = _EXTENSIONS.get(output_format.upper(), "mp4")
        return self._inside(self.videos, f"{self.check_video_uuid(video_uuid)}.{ext}")

    def sidecar_path(self, video_uuid: str) -> Path:
        return self._inside(self.videos, f"{self.check_video_uuid(video_uuid)}.json")

    def thumbnail_path(self, video_uuid: str) -> Path:
        return self._inside(self.thumbnails, f"{self.check_video_uuid(video_uuid)}.jpg")

    # ------------------------------------------------------------------ writing
    def write_sidecar(
        self, video_uuid: str, request: dict[str, Any] | None, item: dict[str, Any] | None
    ) -> Path:
        """``videos/<videoUUID>.json``: the request as sent and the result item received."""
        body = {"request": request, "result": item}
        data = json.dumps(body, indent=2, sort_keys=True).encode("utf-8")
        return write_atomic(self.sidecar_path(video_uuid), data)

    async def make_thumbnail(self, video: Path, video_uuid: str) -> Path:
        """Decode the poster frame in a thread and write ``thumbnails/<videoUUID>.jpg``."""
        dest = self.thumbnail_path(video_uuid)
        data = await asyncio.to_thread(first_frame_jpeg, Path(video))
        await asyncio.to_thread(write_atomic, dest, data)
        return dest

    async def prepare_frame(
        self,
        source: Path,
        width: int,
        height: int,
        fit: FrameFit = "crop",
        rules: ImageRules | None = None,
    ) -> StillImage:
        """A PNG of exactly ``width``×``height`` from the user's image, kept by content hash.

        Raises :class:`~gui.runware.errors.InputFileError` with the specific reason for a file
        that cannot be used.
        """
        data = await asyncio.to_thread(fitted_png, Path(source), width, height, fit, rules)
        return await asyncio.to_thread(self._keep_png, data, width, height)

    async def last_frame(self, video: Path) -> StillImage:
        """The video's decoded last frame as a PNG in ``frames/``."""
        data = await asyncio.to_thread(last_frame_png, Path(video))
        return await asyncio.to_thread(self._keep_png, data, None, None)

    def _keep_png(self, data: bytes, width: int | None, height: int | None) -> StillImage:
        sha = hashlib.sha256(data).hexdigest()
        path = self.frames / f"{sha}.png"
        if not path.exists():
            write_atomic(path, data)
        if width is None or height is None:
            from PIL import Image

            with Image.open(path) as img:
                width, height = img.size
        return StillImage(path=path, sha256=sha, width=width, height=height)

    # ------------------------------------------------------------------ housekeeping
    def clean_partials(self, keep: Collection[str] = ()) -> list[Path]:
        """Delete leftovers of interrupted writes; returns what was removed.

        ``.tmp`` files (atomic writes cut short) always go. A ``.part`` download is kept when its
        videoUUID is in ``keep`` (a download the journal still means to finish: it resumes with
        a Range request) and removed otherwise.
        """
        removed: list[Path] = []
        for folder in (self.videos, self.thumbnails, self.frames):
            for path in folder.iterdir():
                stem = path.name.split(".", 1)[0]
                leftover = path.name.endswith(TMP_SUFFIX) or (
                    path.name.endswith(".part") and stem not in keep
                )
                if leftover and path.is_file():
                    path.unlink(missing_ok=True)
                    removed.append(path)
        return removed

    def remove_media(self, video_uuid: str) -> None:
        """Delete a result's video (any format), sidecar, partial download and thumbnail."""
        try:
            name = self.check_video_uuid(video_uuid)
        except UnsafeMediaName:
            return  # nothing with an unsafe name was ever written
        for path in self.videos.glob(f"{name}.*"):
            if path.name.split(".", 1)[0] == name:
                path.unlink(missing_ok=True)
        self.thumbnail_path(name).unlink(missing_ok=True)

    async def export(self, result: Result, folder: Path) -> list[Path]:
        """Copy a ready result's video and its sidecar into ``folder``; returns the new files.

        Existing files are never overwritten: a number is added to the name instead.
        """
        if not result.local_path or not result.video_uuid:
            raise FileNotFoundError("This result has no file in the library yet.")
        return await asyncio.to_thread(self._export, result, Path(folder))

    def _export(self, result: Result, folder: Path) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        assert result.local_path and result.video_uuid
        sources = [Path(result.local_path), self.sidecar_path(result.video_uuid)]
        copied = []
        for source in sources:
            if not source.exists():
                continue
            dest = folder / source.name
            n = 1
            while dest.exists():
                dest = folder / f"{source.stem} ({n}){source.suffix}"
                n += 1
            tmp = dest.with_name(f".{dest.name}{TMP_SUFFIX}")
            shutil.copyfile(source, tmp)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, dest)
            copied.append(dest)
        return copied
