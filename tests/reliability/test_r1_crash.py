"""R1 crash: the engine, in a child process, SIGKILLed at random moments over a mixed workload.

The child is the crash-safety driver of tests/studio (``engine_driver.py --workload``): it
recovers whatever its journal holds, submits the workload's jobs the journal does not hold yet,
and works until every job is final. This test kills it at a seeded random moment after it has
started, checks the data folder as the kill left it, starts it again, and so on; a last run
finishes the work. Then:

* every job of every workload is ``ready`` (a loss is one that is not);
* no taskUUID was accepted twice, and none was sent again after a request of it reached the
  server (a resend is allowed only when the first attempt never arrived, with the same
  taskUUID); the sandbox holds no task that is not a journalled job (a job sent twice under
  two ids would show there);
* no file was ever marked ready, or put under its final name, before it was whole: after every
  kill each such file is byte for byte the server's file; at the end each decodes fully.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import pytest

from gui.runware.catalog import default_catalog
from gui.studio.journal import Journal
from tests.studio.test_crash_recovery import _driver, _read_line

from .conftest import FULL, SEED, ServerFiles, size, submissions_by_task

KILLS = size(3, 20)
KILLS_PER_RUN = size(3, 4)
JOBS_PER_RUN = size(3, 4)
KILL_WINDOW = 3.0  # seconds after the driver says it has started
SCENES = (
    "a clockmaker repairs a pocket watch",
    "a heron lands on a frozen pond",
    "rain on a tin roof at dusk",
    "a cyclist crosses a bridge at dawn",
    "paper lanterns rise over a river",
)


def _workload(rng: random.Random, run: int, frame: Path) -> list[dict[str, Any]]:
    items = []
    for index in range(JOBS_PER_RUN):
        with_frame = index == 0 or (index > 1 and rng.random() < 0.4)  # both kinds in each run
        results = rng.randint(1, 4) if FULL else (1, 4, 2)[index % 3]
        items.append(
            {
                "prompt": f"run {run} job {index}: {rng.choice(SCENES)}",
                "results": results,
                "frame": str(frame) if with_frame else None,
            }
        )
    return items


def _kill_delay(rng: random.Random) -> float:
    """Often within the first moments (uploads and submits), otherwise anywhere in the window."""
    if rng.random() < 0.35:
        return rng.uniform(0.0, 0.25)
    return rng.uniform(0.0, KILL_WINDOW)


def _close(child: subprocess.Popen[str]) -> None:
    for stream in (child.stdout, child.stderr):
        if stream is not None:
            stream.close()


def _check_what_the_kill_left(data: Path, server: ServerFiles) -> Counter[str]:
    """Everything ready, or under a final name, is whole; returns the job states at the kill."""
    journal = data / "journal.sqlite3"
    states: Counter[str] = Counter()
    if journal.exists():
        db = sqlite3.connect(journal)
        try:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            states.update(row[0] for row in db.execute("SELECT state FROM jobs"))
            ready = db.execute(
                "SELECT video_uuid, local_path FROM results WHERE state = 'ready'"
            ).fetchall()
        finally:
            db.close()
        for video_uuid, local_path in ready:
            assert Path(local_path).read_bytes() == server.bytes_of(video_uuid), local_path
    videos = data / "videos"
    for path in videos.glob("*.mp4") if videos.exists() else ():
        if not path.name.startswith("."):  # a final name: must be the whole file
            assert path.read_bytes() == server.bytes_of(path.stem), path.name
    return states


def _frames(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


@pytest.mark.timeout(1200 if FULL else 240)
def test_r1_engine_killed_at_random_moments_loses_nothing_and_sends_nothing_twice(
    sandbox_factory: Callable[..., Any],
    tmp_path: Path,
    picture: Callable[..., Path],
    figures: dict[str, Any],
) -> None:
    rng = random.Random(SEED)
    sandbox = sandbox_factory(processing_seconds=0.5)
    server = ServerFiles(sandbox)
    frame = picture("first.png", 1280, 720)
    kills, runs, restarts = 0, 0, 0
    at_kill: Counter[str] = Counter()
    folders: list[tuple[Path, list[dict[str, Any]]]] = []

    while kills < KILLS:
        data = tmp_path / f"run-{runs}"
        workload = _workload(rng, runs, frame)
        plan = tmp_path / f"workload-{runs}.json"
        plan.write_text(json.dumps(workload))
        folders.append((data, workload))
        runs += 1
        for _ in range(KILLS_PER_RUN):
            if kills >= KILLS:
                break
            child = _driver(sandbox, data, "--workload", str(plan))
            restarts += 1
            assert "started" in _read_line(child, timeout=60)
            try:
                child.wait(_kill_delay(rng))
            except subprocess.TimeoutExpired:
                os.kill(child.pid, signal.SIGKILL)
            status = child.wait(10)
            _close(child)
            if status != -signal.SIGKILL:  # it finished before the kill came: nothing to kill
                assert status == 0
                break
            kills += 1
            at_kill.update(_check_what_the_kill_left(data, server))
        final = _driver(sandbox, data, "--workload", str(plan))
        _read_line(final, timeout=60)  # started
        summary = _read_line(final, timeout=180)
        assert final.wait(30) == 0
        _close(final)
        assert all(j["state"] == "ready" for j in summary["jobs"]), summary

    # ---- nothing lost
    jobs_total, losses, resent_after_crash = 0, 0, 0
    journalled: set[str] = set()
    ready_files: list[tuple[str, Path]] = []
    for data, workload in folders:
        with Journal.in_folder(data) as journal:
            jobs = journal.load_jobs()
            by_prompt = Counter(j.spec.prompt for j in jobs)
            attempts = Counter(s.task_uuid for s in journal.submissions())
        assert all(n == 1 for n in by_prompt.values()), by_prompt  # no job made twice
        for item in workload:
            jobs_total += 1
            job = next((j for j in jobs if j.spec.prompt == item["prompt"]), None)
            if job is None or job.state.value != "ready":
                losses += 1
                continue
            assert len(job.results) == item["results"]
            ready_files += [(r.video_uuid or "", Path(r.local_path or "")) for r in job.results]
        journalled |= {j.task_uuid for j in jobs}
        resent_after_crash += sum(n - 1 for n in attempts.values())
        assert not list((data / "videos").glob("*.part"))

    # ---- nothing sent twice
    log = submissions_by_task(sandbox.requests())
    duplicates = 0
    for task_uuid in journalled:
        sent = log.get(task_uuid, [])
        processed = [s for s in sent if s.processed]
        accepted = [s for s in sent if s.accepted]
        duplicates += max(0, len(processed) - 1) + max(0, len(accepted) - 1)
        assert len(processed) == 1 and len(accepted) == 1, (task_uuid, sent)
    held_by_server = {t["taskUUID"] for t in sandbox.state()["tasks"]}
    strangers = held_by_server - journalled  # a job sent again under a new taskUUID
    duplicates += len(strangers)

    # ---- every ready file is whole: the server's size and bytes, decodable to the last frame
    for video_uuid, path in ready_files:
        assert path.parent.parent in {d for d, _ in folders}
        served = server.bytes_of(video_uuid)
        assert path.stat().st_size == len(served) and path.read_bytes() == served
        assert _frames(path) == 4 * default_catalog().default.fps  # the driver's model

    figures.update(
        seed=SEED,
        runs=runs,
        kills=kills,
        restarts=restarts,
        jobs=jobs_total,
        videos=len(ready_files),
        losses=losses,
        duplicates=duplicates,
        resent_after_crash_same_task_uuid=resent_after_crash,
        job_states_at_kills=dict(at_kill),
    )
    assert kills == KILLS
    assert losses == 0
    assert duplicates == 0 and not strangers
