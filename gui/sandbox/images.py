"""Images the sandbox was given: by imageUpload, or inline as a frame image.

An image may arrive as an imageUUID from an earlier upload, a data URI, raw base64 or an http(s)
URL. Each is decoded with Pillow (through :func:`gui.runware.images.check_image`, the same check
the client runs) and kept under ``DATA_DIR/images`` so a later task can name it by UUID.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

import aiohttp

from gui.runware.errors import InputFileError
from gui.runware.images import ImageRules, check_image

__all__ = ["ImageProblem", "ImageStore", "StoredImage"]

UPLOAD_MAX_BYTES = 50 * 1024 * 1024
_DATA_URI = re.compile(r"^data:([\w/+.-]+)?(;[\w=.-]+)*;base64,", re.IGNORECASE)
_EXTENSIONS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}


class ImageProblem(Exception):
    """The image cannot be used; ``str()`` says why in words fit for an error message."""


@dataclass(frozen=True)
class StoredImage:
    image_uuid: str
    path: str
    format: str
    width: int
    height: int
    size: int

    @property
    def mime(self) -> str:
        return {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}[self.format]


def looks_like_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


class ImageStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._index_path = folder / "index.jsonl"
        self._images: dict[str, StoredImage] = {}
        self._load()

    def _load(self) -> None:
        if not self._index_path.exists():
            return
        for line in self._index_path.read_text("utf-8").splitlines():
            try:
                record = json.loads(line)
                if record.get("deleted"):
                    self._images.pop(str(record.get("image_uuid")), None)
                    continue
                image = StoredImage(**record)
            except (ValueError, TypeError, AttributeError):
                continue
            if Path(image.path).exists():
                self._images[image.image_uuid] = image

    def get(self, image_uuid: str) -> StoredImage | None:
        return self._images.get(image_uuid)

    def delete(self, image_uuid: str) -> bool:
        """Forget an image and remove its file; False when there was none."""
        image = self._images.pop(image_uuid, None)
        if image is None:
            return False
        Path(image.path).unlink(missing_ok=True)
        with self._index_path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"image_uuid": image_uuid, "deleted": True}) + "\n")
        return True

    def __len__(self) -> int:
        return len(self._images)

    async def fetch_bytes(self, value: str, session: aiohttp.ClientSession) -> bytes:
        """The raw bytes behind a data URI, base64 text or URL."""
        text = value.strip()
        if text.lower().startswith(("http://", "https://")):
            try:
                timeout = aiohttp.ClientTimeout(total=15)
                async with session.get(text, timeout=timeout) as response:
                    if response.status != 200:
                        raise ImageProblem(f"The image URL answered HTTP {response.status}.")
                    data = await response.content.read(UPLOAD_MAX_BYTES + 1)
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise ImageProblem(
                    f"The image URL could not be fetched ({type(exc).__name__})."
                ) from None
            if len(data) > UPLOAD_MAX_BYTES:
                raise ImageProblem("The image at the URL is too large.")
            return data
        match = _DATA_URI.match(text)
        payload = text[match.end() :] if match else text
        try:
            return base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise ImageProblem(
                "The image is neither an imageUUID, a URL, a data URI nor valid base64."
            ) from None

    async def ingest(
        self, value: str, session: aiohttp.ClientSession, rules: ImageRules
    ) -> StoredImage:
        """Decode, check and keep an image; raises :class:`ImageProblem`."""
        if looks_like_uuid(value.strip()):
            known = self.get(value.strip())
            if known is None:
                raise ImageProblem(f"No uploaded image has the UUID {value.strip()}.")
            await asyncio.to_thread(self._check_file, known, rules)
            return known
        data = await self.fetch_bytes(value, session)
        try:
            checked = await asyncio.to_thread(check_image, data, rules)
        except InputFileError as exc:
            raise ImageProblem(str(exc)) from None
        image_uuid = str(uuid.uuid4())
        path = self.folder / f"{image_uuid}.{_EXTENSIONS[checked.format]}"
        await asyncio.to_thread(path.write_bytes, checked.data)
        image = StoredImage(
            image_uuid=image_uuid,
            path=str(path),
            format=checked.format,
            width=checked.width,
            height=checked.height,
            size=len(checked.data),
        )
        self._images[image_uuid] = image
        with self._index_path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(asdict(image)) + "\n")
        return image

    @staticmethod
    def _check_file(image: StoredImage, rules: ImageRules) -> None:
        try:
            check_image(Path(image.path), rules)
        except InputFileError as exc:
            raise ImageProblem(str(exc).replace(Path(image.path).name, "the image")) from None


def upload_rules(formats: tuple[str, ...]) -> ImageRules:
    """imageUpload has no size limit in the docs, only formats."""
    return ImageRules(formats=formats, min_side=1, max_side=100_000, max_bytes=UPLOAD_MAX_BYTES)
