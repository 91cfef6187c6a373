"""Studio fixtures: fast poll timings, an engine wired to a real sandbox, recorded events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from PIL import Image

from gui.runware.catalog import default_catalog
from gui.runware.client import RetryPolicy, RunwareClient
from gui.studio.engine import Engine
from gui.studio.events import EngineEvents
from gui.studio.jobs import FrameInput, Job, JobSpec, Result
from gui.studio.journal import Journal
from gui.studio.library import Library
from gui.studio.settings import PollTimings, Settings

FAST = PollTimings(
    first_delay=0.05,
    backoff=1.5,
    max_interval=0.25,
    error_delay=0.1,
    error_max=0.5,
    download_retry=0.1,
)
SORA = "openai:3@1"


def fast_settings(data_dir: Path, **changes: Any) -> Settings:
    return Settings(library_folder=data_dir, poll=FAST, **changes)


def sora_spec(prompt: str = "a lighthouse keeper feeds a seagull", **changes: Any) -> JobSpec:
    fields: dict[str, Any] = {
        "model": SORA,
        "prompt": prompt,
        "width": 1280,
        "height": 720,
        "duration": 4,
    }
    fields.update(changes)
    return JobSpec(**fields)


@dataclass
class RecordedEvents(EngineEvents):
    """Every event, in order, as (name, details)."""

    calls: list[tuple[str, Any]] = field(default_factory=list)

    def job_added(self, job: Job) -> None:
        self.calls.append(("job_added", job.id))

    def job_changed(self, job: Job) -> None:
        states = tuple(r.state.value for r in job.results)
        self.calls.append(("job_changed", (job.id, job.state.value, states)))

    def job_removed(self, job_id: str) -> None:
        self.calls.append(("job_removed", job_id))

    def result_ready(self, job: Job, result: Result) -> None:
        self.calls.append(("result_ready", (job.id, result.index)))

    def connection_changed(self, ok: bool, message: str, retry_in: float | None) -> None:
        self.calls.append(("connection_changed", (ok, message, retry_in)))

    def balance_changed(self, amount: float, currency: str) -> None:
        self.calls.append(("balance_changed", (amount, currency)))

    def spend_changed(self, today: float, budget: float | None) -> None:
        self.calls.append(("spend_changed", (today, budget)))

    def notice(self, message: str) -> None:
        self.calls.append(("notice", message))

    def named(self, name: str) -> list[Any]:
        return [details for n, details in self.calls if n == name]


@dataclass
class Studio:
    """An engine and its parts, on a data folder, against one sandbox."""

    engine: Engine
    client: RunwareClient
    journal: Journal
    library: Library
    events: RecordedEvents
    data_dir: Path


EngineFactory = Callable[..., Awaitable[Studio]]


@pytest_asyncio.fixture
async def studio_factory(tmp_path: Path) -> AsyncIterator[EngineFactory]:
    """``await studio_factory(sandbox, data_dir=None, settings=None, **engine_kwargs)``: a
    started engine; every one is stopped and closed at teardown."""
    made: list[Studio] = []

    async def make(
        sandbox: Any,
        data_dir: Path | None = None,
        settings: Settings | None = None,
        **engine_kwargs: Any,
    ) -> Studio:
        folder = data_dir or tmp_path / f"data-{len(made)}"
        client = RunwareClient(
            sandbox.api_key,
            sandbox.url,
            retry=RetryPolicy(attempts=4, base_delay=0.05, max_delay=0.2, jitter=0.1),
        )
        journal = Journal.in_folder(folder)
        library = Library(folder)
        events = RecordedEvents()
        engine = Engine(
            client,
            journal,
            library,
            default_catalog(),
            settings or fast_settings(folder),
            events,
            **engine_kwargs,
        )
        await engine.start()
        studio = Studio(engine, client, journal, library, events, folder)
        made.append(studio)
        return studio

    yield make
    for studio in made:
        await studio.engine.stop()
        await studio.client.aclose()
        studio.journal.close()


async def wait_final(engine: Engine, job: Job, timeout: float = 90) -> Job:
    return await asyncio.wait_for(engine.wait(job.id), timeout)


def submissions_in_log(sandbox: Any) -> dict[str, int]:
    """How many videoInference requests the sandbox received, per taskUUID."""
    counts: dict[str, int] = {}
    for entry in sandbox.requests():
        for task in entry.get("request") or []:
            if isinstance(task, dict) and task.get("taskType") == "videoInference":
                uuid = task.get("taskUUID")
                counts[uuid] = counts.get(uuid, 0) + 1
    return counts


def requests_of_type(sandbox: Any, task_type: str) -> list[dict[str, Any]]:
    return [e for e in sandbox.requests() if task_type in (e.get("task_types") or [])]


@pytest.fixture
def picture(tmp_path: Path) -> Callable[..., Path]:
    """``picture(name, width, height, colour)``: a real image file."""

    def make(
        name: str = "frame.png", width: int = 800, height: int = 600, colour: str = "teal"
    ) -> Path:
        path = tmp_path / name
        image = Image.new("RGB", (width, height), colour)
        for x in range(0, width, 40):  # some structure, so crop and pad differ
            image.paste("orange", (x, 0, x + 10, height))
        image.save(path)
        return path

    return make


def frame_input(path: Path) -> FrameInput:
    import hashlib

    return FrameInput(
        frame="first", path=str(path), sha256=hashlib.sha256(path.read_bytes()).hexdigest()
    )
