"""R2 chaos: many jobs through a sandbox that fails a third of all requests, on a seeded plan.

About 20 % of requests get a 429 or 5xx, 5 % a dropped connection, 5 % a broken body (cut
short or not JSON), a few hang past the client's timeout, and some submits are processed but
their acknowledgement is lost. Every job must still complete, each exactly once: the sandbox's
spent balance equals the catalogue's price of the jobs, to the cent.

While it runs, a 5 ms asyncio timer measures how long the engine's event loop ever went
without a turn (the longest stall), beside the longest journal commit (SQLite with fsync, on
the loop's thread), which is where the long stalls come from. Both are reported, not checked (a
timed assert flakes on a busy machine; benchmark P2 holds stalls to a target).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from gui.runware.catalog import default_catalog
from gui.runware.client import RetryPolicy, Timeouts
from gui.studio.jobs import JobSpec, JobState
from gui.studio.journal_writer import JournalWriter
from gui.studio.settings import PollTimings, Settings
from tests.studio.conftest import frame_input, sora_spec

from .conftest import FULL, SEED, ServerFiles, running_studio, size, submissions_by_task

JOBS = size(15, 100)
HANG = 3.0  # longer than the client waits (below), so a hang is a timeout
TIMEOUTS = Timeouts(connect=2.0, api=1.5, poll=1.5, download_read=10.0)
RETRY = RetryPolicy(attempts=6, base_delay=0.05, max_delay=0.5, jitter=0.5)
TIMINGS = PollTimings(
    first_delay=0.05, max_interval=0.25, error_delay=0.1, error_max=0.5, download_retry=0.1
)


def chaos_scenario(seed: int) -> dict[str, Any]:
    """Rules are tried in order and one 'before' and one 'after' fault at most fire per request,
    so later rates are raised to keep each kind's share of all requests near its target. A few
    rules fire at fixed points (``skip``), so hangs and lost acknowledgements always happen."""
    return {
        "seed": seed,
        "faults": [
            {"kind": "http_error", "scope": "any", "rate": 0.20, "statuses": [429, 500, 502, 503]},
            {"kind": "drop", "scope": "poll", "skip": 3, "times": 1},  # at least one, whatever
            {"kind": "drop", "scope": "any", "rate": 0.05 / 0.80},  # the order of requests
            # a hung submit is processed after the client gave up on it, perhaps after the
            # studio sent it again: it must be recognised as the same task, not charged twice
            {"kind": "hang", "scope": "submit", "skip": 2, "times": size(1, 3), "seconds": HANG},
            {"kind": "hang", "scope": "poll", "skip": 5, "times": size(1, 3), "seconds": HANG},
            {"kind": "hang", "scope": "any", "rate": 0.01, "seconds": HANG},
            {"kind": "lost_ack", "scope": "submit", "skip": 1, "times": 1},
            {"kind": "lost_ack", "scope": "submit", "rate": 0.06},
            {"kind": "truncate", "scope": "any", "rate": 0.025 / 0.75},
            {"kind": "non_json", "scope": "any", "rate": 0.025 / 0.72},
        ],
    }


def _specs(frame: Path) -> list[JobSpec]:
    specs = []
    for index in range(JOBS):
        portrait = index % 3 == 1
        specs.append(
            sora_spec(
                f"chaos job {index}: a kite over the dunes",
                width=720 if portrait else 1280,
                height=1280 if portrait else 720,
                frames=(frame_input(frame),) if index % 5 == 4 else (),
            )
        )
    return specs


async def _watch_stalls(stop: asyncio.Event, gaps: list[float]) -> None:
    """How late each 5 ms timer fires: the time the loop could not run anything else."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        started = loop.time()
        await asyncio.sleep(0.005)
        gaps.append(max(0.0, loop.time() - started - 0.005))


def _time_journal_commits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The longest journal write (a batch and its one fsync, on the journal's writer thread)."""
    longest = [0.0]
    original = JournalWriter._write

    def timed(self: JournalWriter, batch: Any) -> None:
        started = time.perf_counter()
        try:
            original(self, batch)
        finally:
            longest[0] = max(longest[0], time.perf_counter() - started)

    monkeypatch.setattr(JournalWriter, "_write", timed)
    return longest


@pytest.mark.asyncio
@pytest.mark.timeout(1500 if FULL else 240)
async def test_r2_chaos_every_job_completes_once_and_is_charged_once(
    sandbox_factory: Callable[..., Any],
    tmp_path: Path,
    picture: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    figures: dict[str, Any],
) -> None:
    sandbox = await asyncio.to_thread(
        sandbox_factory,
        processing_seconds=0.5,
        faults=chaos_scenario(SEED),
        extra_args=["--stagger-seconds", "0"],
    )
    frame = picture("first.png", 1280, 720)
    specs = _specs(frame)
    data = tmp_path / "library"
    longest_commit = _time_journal_commits(monkeypatch)
    stop, gaps = asyncio.Event(), [0.0]
    watcher = asyncio.create_task(_watch_stalls(stop, gaps))

    async with running_studio(
        sandbox.url,
        sandbox.api_key,
        data,
        retry=RETRY,
        timeouts=TIMEOUTS,
        settings=Settings(library_folder=data, poll=TIMINGS, concurrent_downloads=4),
    ) as studio:
        jobs = []
        for start in range(0, JOBS, 10):  # people press Generate in bursts
            jobs += await asyncio.gather(
                *(studio.engine.submit(s) for s in specs[start : start + 10])
            )
        finished = await asyncio.wait_for(
            asyncio.gather(*(studio.engine.wait(j.id) for j in jobs)), 1200 if FULL else 200
        )
        stop.set()
        await watcher
        connection_lost = sum(1 for ok, *_ in studio.events.named("connection_changed") if not ok)

    state = await asyncio.to_thread(sandbox.state)
    log = await asyncio.to_thread(sandbox.requests)

    completed = [j for j in finished if j.state is JobState.READY]
    ours = {j.task_uuid for j in finished}
    sent = submissions_by_task(log)
    duplicates = sum(max(0, sum(s.accepted for s in sent.get(u, [])) - 1) for u in ours)
    strangers = {t["taskUUID"] for t in state["tasks"]} - ours
    duplicates += len(strangers)
    catalog = default_catalog()
    expected = sum((s.estimate(catalog) or Decimal(0) for s in specs), Decimal(0))
    spent = Decimal(str(state["balances"][0]["spent"]))

    api = [e for e in log if e["path"] == "/v1" and e["method"] == "POST"]
    kinds = Counter(k for e in api for k in (e.get("fault") or []))
    figures.update(
        seed=SEED,
        jobs=JOBS,
        completed=len(completed),
        lost=JOBS - len(completed),
        duplicates=duplicates,
        charge_expected=float(expected),
        charge_difference=float(spent - expected),
        max_loop_stall_ms=round(max(gaps) * 1000, 1),
        p99_loop_stall_ms=round(sorted(gaps)[int(len(gaps) * 0.99)] * 1000, 1),
        longest_journal_commit_ms=round(longest_commit[0] * 1000, 1),
        api_requests=len(api),
        faults_share={k: round(n / len(api), 3) for k, n in sorted(kinds.items())},
        connection_lost_announcements=connection_lost,
    )
    problems = [(j.id[:8], j.state.value, j.error_message) for j in finished if j not in completed]
    assert problems == []
    assert duplicates == 0, strangers
    assert spent == expected
    assert {"http_error", "drop", "hang", "lost_ack"} <= set(kinds)  # the chaos did happen
    assert kinds["truncate"] + kinds["non_json"] > 0

    # every saved video is the server's whole file
    server = ServerFiles(sandbox)
    for job in completed:
        for result in job.results:
            served = await asyncio.to_thread(server.bytes_of, result.video_uuid or "")
            assert Path(result.local_path or "").read_bytes() == served
    assert not list((data / "videos").glob("*.part"))
    # the stalls are figures (reported above), never asserted: a timed assert depends on the
    # machine. Journal commits fsync on the loop's thread and take hundreds of ms on a busy
    # disk; benchmark P2 (make bench) holds the window's stalls to a target.
