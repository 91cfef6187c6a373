"""The library: safe names, atomic writes, leftovers, frames, thumbnails, last frames, export."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from PIL import Image

from gui.runware.errors import InputFileError
from gui.studio import atomic_files
from gui.studio.atomic_files import write_atomic
from gui.studio.errors import UnsafeMediaName
from gui.studio.jobs import Result, ResultState
from gui.studio.library import Library


@pytest.fixture
def library(tmp_path: Path) -> Library:
    return Library(tmp_path / "data")


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def render_video(path: Path, frames: int = 20, size: tuple[int, int] = (192, 108)) -> Path:
    """A real H.264 MP4 whose every frame differs (a moving bar over a gradient)."""
    width, height = size
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for i in range(frames):
            pixels = np.zeros((height, width, 3), np.uint8)
            pixels[..., 0] = np.linspace(0, 255, width, dtype=np.uint8)[None, :]
            pixels[..., 1] = (i * 12) % 256
            pixels[:, (i * 9) % width : (i * 9) % width + 8] = 255
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


# ---------------------------------------------------------------------- names from the server
@pytest.mark.parametrize(
    "name", ["0f8fad5b-d9cb-469f-a165-70867728950e", "video_01", "ABC-def_123"]
)
def test_plain_video_names_are_accepted(library: Library, name: str) -> None:
    assert library.video_path(name, "WEBM") == library.videos / f"{name}.webm"
    assert library.sidecar_path(name).parent == library.videos
    assert library.thumbnail_path(name) == library.thumbnails / f"{name}.jpg"


@pytest.mark.parametrize(
    "name",
    [
        "../escape",
        "../../../../tmp/escape",
        "..",
        ".",
        "a/b",
        "a\\b",
        "/etc/passwd",
        "",
        "x" * 201,
        "name.mp4",
        "nul\x00byte",
        "ünïcode",
        " spaced",
        None,
        42,
    ],
)
def test_names_that_could_escape_are_refused_and_nothing_is_written(
    tmp_path: Path, library: Library, name: object
) -> None:
    before = _files(tmp_path)
    with pytest.raises(UnsafeMediaName, match="not a plain name"):
        library.video_path(name, "MP4")  # type: ignore[arg-type]
    with pytest.raises(UnsafeMediaName):
        library.write_sidecar(name, {"a": 1}, {"b": 2})  # type: ignore[arg-type]
    with pytest.raises(UnsafeMediaName):
        library.thumbnail_path(name)  # type: ignore[arg-type]
    library.remove_media(name)  # type: ignore[arg-type]  # a no-op, never an escape
    assert _files(tmp_path) == before


# ---------------------------------------------------------------------- writing
def test_sidecar_holds_the_request_and_the_item(library: Library) -> None:
    request = {"taskType": "videoInference", "positivePrompt": "a cat"}
    item = {"videoUUID": "v1", "cost": 0.4}
    path = library.write_sidecar("v1", request, item)
    assert json.loads(path.read_text()) == {"request": request, "result": item}
    assert [p.name for p in library.videos.iterdir()] == ["v1.json"]


def test_an_interrupted_atomic_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "file.json"
    write_atomic(target, b"old")

    def power_cut(src: object, dst: object) -> None:
        raise OSError("power cut")

    monkeypatch.setattr(atomic_files.os, "replace", power_cut)
    with pytest.raises(OSError, match="power cut"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.json"]


def test_leftovers_are_cleaned_but_resumable_downloads_kept(library: Library) -> None:
    keep = library.videos / "resume-me.mp4.part"
    stale = library.videos / "forgotten.mp4.part"
    torn = library.thumbnails / ".abc.jpg.1234.tmp"
    whole = library.videos / "done.mp4"
    for path in (keep, stale, torn, whole):
        path.write_bytes(b"x")
    removed = library.clean_partials(keep={"resume-me"})
    assert set(removed) == {stale, torn}
    assert keep.exists() and whole.exists() and not stale.exists() and not torn.exists()


def test_remove_media_deletes_every_file_of_a_result(library: Library) -> None:
    for name in ("v1.mp4", "v1.json", "v1.mp4.part", "v10.mp4"):
        (library.videos / name).write_bytes(b"x")
    library.thumbnail_path("v1").write_bytes(b"x")
    library.remove_media("v1")
    assert sorted(p.name for p in library.videos.iterdir()) == ["v10.mp4"]
    assert not library.thumbnail_path("v1").exists()


# ---------------------------------------------------------------------- first frames
@pytest.mark.asyncio
@pytest.mark.parametrize("fit", ["crop", "pad"])
@pytest.mark.parametrize(("width", "height"), [(1280, 720), (720, 1280)])
async def test_a_frame_is_prepared_at_exactly_the_output_size(
    library: Library, picture: Callable[..., Path], fit: str, width: int, height: int
) -> None:
    source = picture("wide.jpg", 1600, 600)
    still = await library.prepare_frame(source, width, height, fit)  # type: ignore[arg-type]
    with Image.open(still.path) as img:
        assert img.format == "PNG" and img.size == (width, height) == (still.width, still.height)
        top = img.convert("RGB").getpixel((width // 2, 0))
    # the source is wider than either frame: padding puts black above it, cropping never does
    assert (top == (0, 0, 0)) == (fit == "pad")
    assert still.path.parent == library.frames and still.path.stem == still.sha256
    again = await library.prepare_frame(source, width, height, fit)  # type: ignore[arg-type]
    assert again == still  # kept by content hash: the same picture is the same file


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("not a picture"), "is not an image"),
        (lambda p: p.write_bytes(b""), "is empty"),
        (lambda p: Image.new("RGB", (120, 90)).save(p, "PNG"), "each side must be 300"),
        (lambda p: Image.new("RGB", (400, 400)).save(p, "GIF"), "is a GIF image"),
        (lambda p: None, "does not exist"),
    ],
)
async def test_a_bad_frame_file_gets_its_own_message(
    tmp_path: Path, library: Library, make: Callable[[Path], object], message: str
) -> None:
    path = tmp_path / "input.png"
    make(path)
    with pytest.raises(InputFileError, match=message):
        await library.prepare_frame(path, 1280, 720, "crop")
    assert list(library.frames.iterdir()) == []


@pytest.mark.asyncio
async def test_a_large_source_is_scaled_rather_than_refused(
    library: Library, picture: Callable[..., Path]
) -> None:
    still = await library.prepare_frame(picture("huge.png", 4000, 2250), 1280, 720, "crop")
    assert (still.width, still.height) == (1280, 720)


# ---------------------------------------------------------------------- from videos
@pytest.mark.asyncio
async def test_the_last_frame_is_pixel_exact(tmp_path: Path, library: Library) -> None:
    video = render_video(tmp_path / "clip.mp4", frames=30)
    still = await library.last_frame(video)
    with av.open(str(video)) as container:
        decoded = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    with Image.open(still.path) as img:
        assert img.format == "PNG"
        pixels = np.asarray(img.convert("RGB"))
    assert np.array_equal(pixels, decoded[-1])
    assert not np.array_equal(pixels, decoded[-2])  # really the last one, not a neighbour


@pytest.mark.asyncio
async def test_a_thumbnail_is_the_poster_frame_320_wide(tmp_path: Path, library: Library) -> None:
    video = render_video(tmp_path / "clip.mp4", size=(640, 360))
    path = await library.make_thumbnail(video, "clip-1")
    with Image.open(path) as img:
        assert img.format == "JPEG" and img.size == (320, 180)
    assert path == library.thumbnail_path("clip-1")


def test_a_thumbnail_is_decoded_without_decoder_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A threaded decoder starts its threads while PyAV holds the GIL (the event loop then
    waits for them too): the poster frame is decoded on the worker's thread alone."""
    from gui.studio import video_stills

    video = render_video(tmp_path / "clip.mp4", size=(640, 360))
    opened: list[Any] = []
    real_open = av.open

    def spy(*args: Any, **kwargs: Any) -> Any:
        container = real_open(*args, **kwargs)
        opened.append(container.streams.video[0])  # the stream the stills decode
        return container

    monkeypatch.setattr(av, "open", spy)
    assert video_stills.first_frame_jpeg(video)
    assert len(opened) == 1
    assert opened[0].codec_context.thread_count == 1


@pytest.mark.asyncio
async def test_export_copies_video_and_sidecar_without_overwriting(
    tmp_path: Path, library: Library
) -> None:
    video = library.video_path("v1")
    video.write_bytes(b"movie")
    library.write_sidecar("v1", {"model": "m"}, {"videoUUID": "v1"})
    result = Result(index=0, state=ResultState.READY, video_uuid="v1", local_path=str(video))
    out = tmp_path / "export"
    first = await library.export(result, out)
    second = await library.export(result, out)
    assert [p.name for p in first] == ["v1.mp4", "v1.json"]
    assert [p.name for p in second] == ["v1 (1).mp4", "v1 (1).json"]
    assert (out / "v1.mp4").read_bytes() == b"movie"
    assert not [p for p in os.listdir(out) if p.endswith(".tmp")]
    with pytest.raises(FileNotFoundError):
        await library.export(Result(index=1), out)
