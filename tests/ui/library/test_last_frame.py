"""The extracted last frame is the video's decoded last frame, pixel for pixel."""

from __future__ import annotations

import av
import numpy as np
import pytest
from PIL import Image

from gui.studio.frames import FrameError, last_frame


def full_decode_last(path) -> np.ndarray:
    with av.open(str(path)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    return frames[-1], frames[-2]


@pytest.mark.parametrize("which", ["mp4", "webm", "long_mp4"])
def test_last_frame_png_equals_decoded_last_frame(clips, tmp_path, which):
    video = getattr(clips, which)
    out = last_frame(video, tmp_path / "frames" / "last.png")
    png = np.asarray(Image.open(out).convert("RGB"))
    expected, before = full_decode_last(video)
    assert png.shape == expected.shape
    assert np.array_equal(png, expected)
    assert not np.array_equal(png, before)  # the clips change every frame: a near miss shows


def test_a_file_without_video_is_refused(tmp_path):
    bogus = tmp_path / "noise.mp4"
    bogus.write_bytes(b"not a video at all")
    with pytest.raises((FrameError, av.FFmpegError)):
        last_frame(bogus, tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("which", ["mp4", "webm", "long_mp4"])
def test_the_library_keeps_the_same_exact_last_frame(clips, tmp_path, which):
    """What "continue from the last frame" sends: the library's PNG, built on the same decode."""
    import asyncio

    from gui.studio.library import Library

    video = getattr(clips, which)
    still = asyncio.run(Library(tmp_path / "data").last_frame(video))
    expected, _ = full_decode_last(video)
    assert np.array_equal(np.asarray(Image.open(still.path).convert("RGB")), expected)
    assert (still.width, still.height) == (expected.shape[1], expected.shape[0])
