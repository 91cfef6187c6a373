"""Frame images are checked before a byte is sent, and every refusal says what is wrong."""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageFile
from PIL import _imaging as pillow_core

from gui.runware.errors import InputFileError
from gui.runware.images import ImageRules, check_image, fitted_png, frees_in_steps


def png_bytes(width: int = 640, height: int = 360, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(buf, fmt)
    return buf.getvalue()


def test_a_good_png_jpeg_and_webp_pass(tmp_path: Path) -> None:
    for fmt, mime in (("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")):
        path = tmp_path / f"ok.{fmt.lower()}"
        path.write_bytes(png_bytes(fmt=fmt))
        checked = check_image(path)
        assert (checked.format, checked.width, checked.height, checked.mime) == (
            fmt,
            640,
            360,
            mime,
        )
        assert checked.data_uri().startswith(f"data:{mime};base64,")


def test_non_ascii_path_works(tmp_path: Path) -> None:
    path = tmp_path / "Ünïcødé 画像.png"
    path.write_bytes(png_bytes())
    assert check_image(path).width == 640


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("just some notes"), "is not an image"),
        (lambda p: p.write_bytes(b""), "is empty"),
        (lambda p: p.write_bytes(png_bytes()[:400]), "damaged or truncated"),
        (
            lambda p: p.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="400"/>'),
            "SVG",
        ),
        (lambda p: p.write_bytes(png_bytes(fmt="GIF")), "is a GIF image"),
        (lambda p: p.write_bytes(png_bytes(200, 200)), "each side must be 300–2048 px"),
        (lambda p: p.write_bytes(png_bytes(2100, 400)), "each side must be 300–2048 px"),
    ],
    ids=["text", "empty", "truncated", "svg", "gif", "small", "large"],
)
def test_bad_files_get_specific_messages(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "input.png"
    make(path)
    with pytest.raises(InputFileError, match=message):
        check_image(path)


def test_oversized_file_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    with open(path, "wb") as fh:  # 200 MB sparse file: refused by its size alone
        fh.seek(200 * 1024 * 1024)
        fh.write(b"\0")
    with pytest.raises(InputFileError, match=r"200\.0 MB; frame images may be at most 20 MB"):
        check_image(path)


def test_decompression_bomb_refused_before_decoding(tmp_path: Path) -> None:
    # a 20000×20000 PNG header on a tiny body: the header alone must be enough to refuse it
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0)
    body = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 100))
    path = tmp_path / "bomb.png"
    path.write_bytes(body + chunk(b"IEND", b""))
    with pytest.raises(InputFileError, match=r"20000×20000|too many pixels"):
        check_image(path)


def test_broken_symlink_and_missing_file(tmp_path: Path) -> None:
    link = tmp_path / "link.png"
    os.symlink(tmp_path / "gone.png", link)
    with pytest.raises(InputFileError, match="no longer exists"):
        check_image(link)
    with pytest.raises(InputFileError, match="does not exist"):
        check_image(tmp_path / "nothing.png")
    with pytest.raises(InputFileError, match="is not a file"):
        check_image(tmp_path)


def test_rules_come_from_the_caller() -> None:
    rules = ImageRules(formats=("PNG",), min_side=10, max_side=100, max_bytes=10_000)
    assert check_image(png_bytes(50, 50), rules).width == 50
    with pytest.raises(InputFileError, match="use PNG"):
        check_image(png_bytes(50, 50, fmt="JPEG"), rules)


def _count_decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every decode of an image file's pixels from now on (a load with tiles left to read)."""
    decodes: list[str] = []
    real_load = ImageFile.ImageFile.load

    def counting_load(self: ImageFile.ImageFile) -> object:
        if self.tile:
            decodes.append(self.format or "?")
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting_load)
    return decodes


def test_fitting_decodes_the_file_once_and_gives_what_the_check_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "square.png"
    path.write_bytes(png_bytes(900, 900))
    decodes = _count_decodes(monkeypatch)
    png = fitted_png(path, 1280, 720, "crop")
    assert decodes == ["PNG"]  # the check's decode is the one fitted (it was decoded twice)
    with Image.open(io.BytesIO(png)) as fitted:
        assert fitted.size == (1280, 720) and fitted.getpixel((640, 360)) == (200, 80, 40)
    with pytest.raises(InputFileError, match="damaged or truncated"):
        (tmp_path / "cut.png").write_bytes(png_bytes(900, 900)[:300])
        fitted_png(tmp_path / "cut.png", 1280, 720, "crop")


def test_images_dropped_inside_frees_in_steps_are_freed_one_block_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Pillow frees an image holding the GIL (tens of ms for 256 MB: the window stalls); inside
    # frees_in_steps it keeps the blocks, and leaving frees them one at a time
    kept = pillow_core.get_blocks_max()
    steps: list[int] = []
    real_clear = pillow_core.clear_cache

    def clear_cache(size: int) -> None:
        steps.append(pillow_core.get_stats()["blocks_cached"] - size)
        real_clear(size)

    monkeypatch.setattr(pillow_core, "clear_cache", clear_cache)
    with frees_in_steps():
        Image.new("RGB", (4000, 4000)).close()  # 64 MB: four blocks of 16 MB
        assert pillow_core.get_stats()["blocks_cached"] >= 4  # kept, not freed yet
    assert len(steps) >= 4 and set(steps) == {1}
    assert pillow_core.get_stats()["blocks_cached"] == 0
    assert pillow_core.get_blocks_max() == kept
