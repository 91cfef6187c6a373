"""Sandbox test fixtures: a session-wide sandbox, a receiver, and videos made once per session."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gui.sandbox.process import SandboxProcess
from tests.sandbox.support import SORA, VEO, Receiver, http, post, video_task, wait_for


@pytest.fixture(scope="session")
def shared_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """One sandbox for the session (starting one costs most of a second of CPU). Tests using it
    look only at their own tasks, and leave no fault rules behind (see ``shared``)."""
    process = SandboxProcess.start(
        tmp_path_factory.mktemp("shared-sandbox"), processing_seconds=0.2
    )
    yield process
    process.stop()


@pytest.fixture(scope="session")
def idle_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """A session sandbox whose tasks stay processing for ten minutes: nothing ever renders,
    for tests that need only acknowledgements, errors and faults."""
    process = SandboxProcess.start(tmp_path_factory.mktemp("idle-sandbox"), processing_seconds=600)
    yield process
    process.stop()


@pytest.fixture
def idle(idle_sandbox: SandboxProcess) -> Iterator[SandboxProcess]:
    """The idle sandbox, with its fault rules and protocol switches reset after the test."""
    yield idle_sandbox
    idle_sandbox.set_faults({"faults": [], "protocol": {}})


@pytest.fixture
def shared(shared_sandbox: SandboxProcess) -> Iterator[SandboxProcess]:
    """The session's sandbox; its fault rules and protocol switches go back to the defaults
    after the test."""
    yield shared_sandbox
    shared_sandbox.set_faults({"faults": [], "protocol": {}})


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
def made_videos(
    shared_sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, MadeVideo]:
    """4-second videos in every format, made once per session through the real API."""
    folder = tmp_path_factory.mktemp("made-videos")
    tasks = {
        name: video_task(model=model, outputFormat=fmt, width=w, height=h, duration=4)
        for name, model, fmt, w, h, _ in MADE
    }
    assert post(shared_sandbox, list(tasks.values())).status_code == 200
    made = {}
    for name, model, fmt, w, h, fps in MADE:
        item = wait_for(shared_sandbox, tasks[name]["taskUUID"])["data"][0]
        assert item["status"] == "success", item
        path = folder / f"{name}.{fmt.lower()}"
        path.write_bytes(http.get(item["videoURL"], timeout=30).content)
        made[name] = MadeVideo(fmt, model, w, h, fps, 4.0, item, path)
    return made
