"""Fixtures for the library, lineage, compare and spending views: real clips, real jobs."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import pytest

from gui.runware.catalog import default_catalog
from gui.studio.jobs import Job, JobSpec, JobState, Lineage, Result, ResultState

FPS = 30


@dataclass(frozen=True)
class Clips:
    """Small real videos, rendered once per session; every frame has its own colour."""

    mp4: Path  # 2 s, 30 fps, H.264
    mp4_b: Path  # 2 s, 30 fps, H.264, other colours
    webm: Path  # 1 s, 30 fps, VP9
    long_mp4: Path  # 3 s, keyframe every second, so a last-frame seek skips frames

    @property
    def all(self) -> list[Path]:
        return [self.mp4, self.mp4_b, self.webm, self.long_mp4]


def frame_pixels(index: int, width: int, height: int, hue: int) -> np.ndarray:
    """A picture that changes every frame: a moving bar over a colour ramp."""
    y, x = np.mgrid[0:height, 0:width]
    img = np.zeros((height, width, 3), np.uint8)
    img[..., 0] = (x * 255 // max(width - 1, 1) + hue) % 256
    img[..., 1] = (y * 255 // max(height - 1, 1) + index * 7) % 256
    img[..., 2] = (index * 9 + hue) % 256
    bar = (index * 5) % width
    img[:, bar : bar + 6] = (255, 255, 255)
    return img


def render_clip(
    path: Path, *, seconds: float, codec: str, hue: int, size=(160, 96), gop: int | None = None
) -> Path:
    width, height = size
    fmt = "webm" if path.suffix == ".webm" else "mp4"
    with av.open(str(path), "w", format=fmt) as container:
        stream = container.add_stream(codec, rate=FPS)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        if gop:
            stream.codec_context.gop_size = gop
        for i in range(round(seconds * FPS)):
            frame = av.VideoFrame.from_ndarray(frame_pixels(i, width, height, hue), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Clips:
    folder = tmp_path_factory.mktemp("clips")
    return Clips(
        mp4=render_clip(folder / "sunrise.mp4", seconds=2, codec="libx264", hue=0),
        mp4_b=render_clip(folder / "harbour b.mp4", seconds=2, codec="libx264", hue=120),
        webm=render_clip(folder / "forest.webm", seconds=1, codec="libvpx-vp9", hue=60),
        long_mp4=render_clip(folder / "long.mp4", seconds=3, codec="libx264", hue=200, gop=30),
    )


@pytest.fixture(scope="session")
def model_airs() -> list[str]:
    """The catalogue's models, so no test spells a model identifier."""
    return [m.air for m in default_catalog()]


JobFactory = Callable[..., Job]


@pytest.fixture
def make_job(model_airs: list[str]) -> Iterator[JobFactory]:
    """Build a finished job around a clip (or without one), ready for the views."""
    counter = iter(range(1_000_000))

    def make(
        prompt: str = "a lighthouse at dusk",
        *,
        video: Path | None = None,
        model: str | None = None,
        state: JobState = JobState.READY,
        created_at: float | None = None,
        duration: float = 4,
        cost: float | None = 1.2,
        estimate: float | None = 1.2,
        favourite: bool = False,
        parent: Job | None = None,
        kind: str | None = None,
        results: int = 1,
        job_id: str | None = None,
    ) -> Job:
        n = next(counter)
        spec = JobSpec(
            model=model or model_airs[0],
            prompt=prompt,
            width=1280,
            height=720,
            duration=duration,
            number_results=results,
        )
        job = Job(spec=spec, state=state, favourite=favourite)
        if job_id:
            job.id = job_id
        job.created_at = created_at if created_at is not None else time.time() - 1000 + n
        job.estimated_cost, job.possibly_billed = estimate, True
        if parent is not None:
            job.lineage = Lineage(parent_job_id=parent.id, kind=kind or "remix")
        ready = state is JobState.READY
        for i in range(results):
            job.results.append(
                Result(
                    index=i,
                    state=ResultState.READY if ready else ResultState.PENDING,
                    video_uuid=f"vid-{job.id[:8]}-{i}",
                    video_id=f"video-{job.id}-{i}" if ready else None,
                    cost=(cost / results if cost is not None else None) if ready else None,
                    local_path=str(video) if (video and ready) else None,
                )
            )
        if ready and cost is not None:
            job.actual_cost = cost
        return job

    yield make


@pytest.fixture
def journal(tmp_path):
    """The studio's real journal (SQLite, FTS5 prompt search) in a temporary folder."""
    from gui.studio.journal import Journal

    with Journal(tmp_path / "journal.sqlite3") as opened:
        yield opened


@pytest.fixture
def thumbnails(tmp_path, qapp):
    from gui.ui.library.thumbnail_cache import ThumbnailCache
    from gui.ui.library.thumbnails import ThumbnailLoader

    loader = ThumbnailLoader(ThumbnailCache(tmp_path / "thumbcache", cap_mb=20))
    yield loader
    loader.wait_idle()


@pytest.fixture
def library_view(qtbot, thumbnails):
    """A factory: LibraryView over the given jobs, shown offscreen at a fixed size."""
    from gui.ui.library.library_view import LibraryView

    made = []

    def make(jobs, search=None, size=(1000, 640), **kwargs):
        view = LibraryView(jobs=lambda: list(jobs), search=search, thumbnails=thumbnails, **kwargs)
        qtbot.addWidget(view)
        view.resize(*size)
        view.show()
        qtbot.waitExposed(view)
        made.append(view)
        return view

    yield make
    for view in made:
        view.preview.stop()
