"""The WHOLE app (window, engine, its embedded sandbox) SIGKILLed mid-board, then started again
on the same data: the board finishes, and no taskUUID reaches the sandbox twice.

The app is started as ``make run`` starts it (see test_r1b_app_crash.py); a probe
(``SORA_STUDIO_TEST_BOARD``, gui/board_probe.py) opens a board of three shots linked by their
last frames in the Storyboard tab and generates it through the tab's view-model, as Generate
does. The kill comes once the sandbox has received shot 2's request (its request log, which
outlives the sandbox's restarts), while shot 2 renders (5 s). The second start opens and
generates the same board again, as the user would: shot 1 is reused, shot 2's job is waited
for (the engine resumed it), shot 3 is sent once.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from gui.studio.journal import Journal

from .conftest import submissions_by_task
from .test_r1b_app_crash import _close, data_dir, launch, read_event, wait_until_gone

PIXVERSE = "PixVerse V6"  # 640×360 and 1 s: the cheapest real render
RENDER_SECONDS = 5.0  # shot 2 is still rendering when the kill comes, even on a starved CPU


def log_entries(folder: Path) -> list[dict[str, Any]]:
    """The sandbox's request log so far (a line being written is skipped)."""
    path = folder / "requests.jsonl"
    if not path.exists():
        return []
    entries = []
    for line in path.read_text("utf-8", errors="replace").splitlines():
        with contextlib.suppress(ValueError):
            entries.append(json.loads(line))
    return entries


def wait_for(condition: Any, timeout: float, what: str, app: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert app.poll() is None, f"the app ended ({app.returncode}) before {what}"
        assert time.monotonic() < deadline, f"no {what} in {timeout} s"
        time.sleep(0.05)  # polling a file another process writes: nothing to wait on


def read_until(app: subprocess.Popen[str], log: Path, event: str, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        found = read_event(app, log, timeout=max(1.0, deadline - time.monotonic()))
        if found["event"] == event:
            return found
        assert found["event"] not in ("start-failed", "board-failed"), found


@pytest.mark.slow
@pytest.mark.timeout(420)
def test_the_app_killed_mid_board_finishes_it_on_restart_and_sends_nothing_twice(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    log = tmp_path / "app.log"
    data = data_dir(home)
    folder = data / "sandbox"
    board = tmp_path / "storm.board.json"
    shots = [
        {"prompt": "clouds gather over a field", "duration": 1, "model": PIXVERSE},
        {"prompt": "lightning", "duration": 1, "link": "last-frame", "model": PIXVERSE},
        {"prompt": "rain on the barn", "duration": 1, "link": "last-frame", "model": PIXVERSE},
    ]
    document = {"version": 1, "name": "Storm", "size": "640x360", "fps": 24, "shots": shots}
    board.write_text(json.dumps(document))
    extra = {
        "SORA_STUDIO_TEST_BOARD": str(board),
        "SORA_STUDIO_SANDBOX_OPTIONS": json.dumps({"processing_seconds": RENDER_SECONDS}),
    }

    def sent() -> dict[str, list[Any]]:
        return submissions_by_task(log_entries(folder))

    # ---- first run: killed once the sandbox holds shot 2's request
    app = launch(home, log, **extra)
    try:
        assert read_event(app, log, timeout=120)["event"] == "started"
        read_until(app, log, "board-opened", timeout=60)
        wait_for(lambda: len(sent()) >= 2, 180, "request for shot 2", app)
        os.kill(app.pid, signal.SIGKILL)
        assert app.wait(30) == -signal.SIGKILL
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(10)
        _close(app)
    assert not wait_until_gone(folder, timeout=30), "sandbox processes outlived the app"
    before = set(sent())
    assert len(before) == 2  # shots 1 and 2; shot 3 waits for shot 2's last frame
    db = sqlite3.connect(data / "journal.sqlite3")
    try:
        states = dict(db.execute("SELECT task_uuid, state FROM jobs").fetchall())
    finally:
        db.close()
    assert sorted(states.values()) != ["ready", "ready"], "shot 2 was done before the kill"

    # ---- second run: the same board again; it finishes
    app = launch(home, log, **extra)
    try:
        assert read_event(app, log, timeout=120)["event"] == "started"
        done = read_until(app, log, "board-done", timeout=240)
        app.send_signal(signal.SIGTERM)
        assert app.wait(60) == 0
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(10)
        _close(app)
    assert done["message"] is None, done
    assert [s["status"] for s in done["shots"]] == ["ready"] * 3, done

    # ---- the film's takes: one job per shot, chained by last frames, each sent once
    with Journal.in_folder(data) as journal:
        jobs = {job.id: job for job in journal.load_jobs()}
    takes = [jobs[s["chosen"]] for s in done["shots"]]
    assert len(jobs) == 3 and [j.state.value for j in takes] == ["ready"] * 3
    assert takes[1].lineage.parent_job_id == takes[0].id
    assert takes[2].lineage.parent_job_id == takes[1].id
    by_task = sent()
    assert set(by_task) == {j.task_uuid for j in takes}
    assert before <= set(by_task)
    for task_uuid, requests in by_task.items():
        assert sum(r.processed for r in requests) == 1, (task_uuid, requests)
        assert sum(r.accepted for r in requests) == 1, (task_uuid, requests)
    assert not wait_until_gone(folder, timeout=30)
