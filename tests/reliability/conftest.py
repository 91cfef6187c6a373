"""Reliability and security tests: shared sizes, figures, request-log accounting and engines.

``make test`` runs every test here at a small size; ``make chaos`` (``SORA_CHAOS_FULL=1``) runs
the same tests at full size. Randomness is seeded (``SORA_CHAOS_SEED``), so a failure can be
replayed. Each test records its figures with the ``figures`` fixture; they are printed at the
end of the session (and at once with ``-s``), and appended to ``SORA_CHAOS_FIGURES`` if set.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

from gui.runware.catalog import default_catalog
from gui.runware.client import RetryPolicy, RunwareClient, Timeouts
from gui.studio.engine import Engine
from gui.studio.journal import Journal
from gui.studio.library import Library
from gui.studio.settings import Settings
from tests.studio.conftest import FAST, RecordedEvents, Studio, picture

__all__ = ["picture"]  # the studio tests' real-image fixture, shared

T = TypeVar("T")
FULL = os.environ.get("SORA_CHAOS_FULL", "") not in ("", "0")
SEED = int(os.environ.get("SORA_CHAOS_SEED", "20260611"))
FIGURES_FILE = os.environ.get("SORA_CHAOS_FIGURES")  # optional: append each test's figures here


def size(small: int, full: int) -> int:
    """The small figure for ``make test``, the full one for ``make chaos``."""
    return full if FULL else small


# --------------------------------------------------------------------------- figures
_FIGURES: dict[str, dict[str, Any]] = {}


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """A dict the test fills with what it measured; printed under the test's name."""
    found: dict[str, Any] = {}
    yield found
    if found:
        name = request.node.name
        _FIGURES[name] = found
        line = f"{name}: {json.dumps(found, sort_keys=True)}"
        print(f"\n[reliability] {line}")
        if FIGURES_FILE:  # kept as they come, so a later failure cannot lose them
            with open(FIGURES_FILE, "a", encoding="utf-8") as out:
                out.write(f"{'FULL' if FULL else 'small'} seed={SEED} {line}\n")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _FIGURES:
        return
    mode = "FULL" if FULL else "small"
    terminalreporter.section(f"reliability figures ({mode} size, seed {SEED})")
    for name, found in _FIGURES.items():
        terminalreporter.write_line(f"{name}: {json.dumps(found, sort_keys=True)}")


# --------------------------------------------------------------------------- request log
@dataclass
class Submission:
    """One videoInference request as the sandbox logged it."""

    status: int | None
    faults: list[str]
    processed: bool  # the server handled it (not dropped or refused before handling)
    accepted: bool  # the server answered (or meant to answer) with this task's acknowledgement


def submissions_by_task(entries: list[dict[str, Any]]) -> dict[str, list[Submission]]:
    """Every videoInference request in the sandbox's request log, per taskUUID, oldest first."""
    out: dict[str, list[Submission]] = {}
    for entry in entries:
        if "videoInference" not in (entry.get("task_types") or []):
            continue
        faults = list(entry.get("fault") or [])
        processed = not ({"drop", "http_error"} & set(faults))
        response = entry.get("response")
        envelope = response.get("unsent", response) if isinstance(response, dict) else {}
        acked = {
            item.get("taskUUID")
            for item in (envelope or {}).get("data") or []
            if isinstance(item, dict) and item.get("taskType") == "videoInference"
        }
        for uuid in entry.get("task_uuids") or []:
            out.setdefault(uuid, []).append(
                Submission(entry.get("status"), faults, processed, processed and uuid in acked)
            )
    return out


def server_videos(sandbox: Any) -> dict[str, str]:
    """videoUUID → URL of every finished video the sandbox holds."""
    urls = {}
    for task in sandbox.state()["tasks"]:
        for generation in task["generations"]:
            if generation.get("videoUUID") and generation.get("videoURL"):
                urls[generation["videoUUID"]] = generation["videoURL"]
    return urls


@dataclass
class ServerFiles:
    """The sandbox's bytes of each video, fetched once."""

    sandbox: Any
    cache: dict[str, bytes] = field(default_factory=dict)

    def bytes_of(self, video_uuid: str) -> bytes:
        if video_uuid not in self.cache:
            url = server_videos(self.sandbox)[video_uuid]
            with urllib.request.urlopen(url, timeout=30) as response:
                body = response.read()
                assert int(response.headers["Content-Length"]) == len(body)
            self.cache[video_uuid] = body
        return self.cache[video_uuid]


def tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``root`` (symlinks too) with its size and mtime: a before/after snapshot."""
    found = {}
    for path in root.rglob("*"):
        if path.is_file() or path.is_symlink():
            st = path.lstat()
            found[str(path)] = (st.st_size, st.st_mtime_ns)
    return found


# --------------------------------------------------------------------------- engines
@contextlib.asynccontextmanager
async def running_studio(
    url: str,
    api_key: str,
    data_dir: Path,
    *,
    retry: RetryPolicy | None = None,
    timeouts: Timeouts | None = None,
    settings: Settings | None = None,
    events: RecordedEvents | None = None,
    **engine_kwargs: Any,
) -> AsyncIterator[Studio]:
    """A started engine on ``data_dir`` against ``url``; stopped and closed on exit."""
    client = RunwareClient(
        api_key,
        url,
        retry=retry or RetryPolicy(attempts=4, base_delay=0.05, max_delay=0.2, jitter=0.1),
        timeouts=timeouts,
    )
    journal = Journal.in_folder(data_dir)
    library = Library(data_dir)
    events = events or RecordedEvents()
    engine = Engine(
        client,
        journal,
        library,
        default_catalog(),
        settings or Settings(library_folder=data_dir, poll=FAST),
        events,
        **engine_kwargs,
    )
    await engine.start()
    try:
        yield Studio(engine, client, journal, library, events, data_dir)
    finally:
        await engine.stop()
        await client.aclose()
        journal.close()


async def within(awaitable: Awaitable[T], seconds: float, what: str) -> T:
    """``await`` with a time limit that, when it runs out, shows where every task was waiting
    (before anything is cancelled), then gives up on it."""
    task = asyncio.ensure_future(awaitable)
    done, _ = await asyncio.wait({task}, timeout=seconds)
    if not done:
        stacks = io.StringIO()
        for other in asyncio.all_tasks():
            other.print_stack(file=stacks)
        task.cancel()
        raise AssertionError(f"{what} took over {seconds:.0f} s; tasks:\n{stacks.getvalue()}")
    return task.result()
