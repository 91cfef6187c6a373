"""Sandbox test fixtures: a module-wide sandbox, a receiver, and videos made once per session."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from gui.sandbox.process import SandboxProcess
from tests.sandbox.support import SORA, VEO, Receiver, post, video_task, wait_for


@pytest.fixture(scope="module")
def shared_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """One sandbox for a whole module, for tests that leave no state others could see."""
    process = SandboxProcess.start(
        tmp_path_factory.mktemp("shared-sandbox"), processing_seconds=0.2
    )
    yield process
    process.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@dataclass(frozen=True)
class MadeVideo:
    """A video the session sandbox made: its result item, its URL and a downloaded copy."""

    fmt: str
    model: str
    width: int
    height: int
    fps: int
    duration: float
    item: dict[str, Any]
    path: Path

    @property
    def url(self) -> str:
        return str(self.item["videoURL"])


# (name, model, format, width, height, fps from the catalogue)
MADE = [
    ("mp4", SORA, "MP4", 1280, 720, 30),
    ("webm", SORA, "WEBM", 1280, 720, 30),
    ("mov", SORA, "MOV", 1280, 720, 30),
    ("veo-portrait-mp4", VEO, "MP4", 720, 1280, 24),
]


@pytest.fixture(scope="session")
def video_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """A sandbox for the whole session, serving the videos of :func:`made_videos`."""
    process = SandboxProcess.start(tmp_path_factory.mktemp("video-sandbox"), processing_seconds=0)
    yield process
    process.stop()


@pytest.fixture(scope="session")
def made_videos(
    video_sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, MadeVideo]:
    """4-second videos in every format, made once per session through the real API."""
    folder = tmp_path_factory.mktemp("made-videos")
    tasks = {
        name: video_task(model=model, outputFormat=fmt, width=w, height=h, duration=4)
        for name, model, fmt, w, h, _ in MADE
    }
    assert post(video_sandbox, list(tasks.values())).status_code == 200
    made = {}
    for name, model, fmt, w, h, fps in MADE:
        item = wait_for(video_sandbox, tasks[name]["taskUUID"])["data"][0]
        assert item["status"] == "success", item
        path = folder / f"{name}.{fmt.lower()}"
        path.write_bytes(httpx.get(item["videoURL"], timeout=30).content)
        made[name] = MadeVideo(fmt, model, w, h, fps, 4.0, item, path)
    return made
