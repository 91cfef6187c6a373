"""Crash safety: the engine is SIGKILLed in each state, restarted, and loses nothing.

A child process (engine_driver.py) runs the engine on a data folder against a real sandbox and
stops at a chosen stage; it is killed there with SIGKILL and a fresh child recovers the folder.
Afterwards every job is ready, no taskUUID reached the server twice, and every ready file is
exactly the file the server holds and decodes to the end.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import av
import pytest

from gui.runware.catalog import default_catalog
from gui.sandbox.process import SandboxProcess

from .conftest import requests_of_type

DRIVER = Path(__file__).with_name("engine_driver.py")
ROOT = Path(__file__).resolve().parents[2]

# the job's state in the journal while the engine is held at each stage
HELD_STATE = {
    "queued": "queued",
    "uploading": "uploading",
    "submitting": "uploading",  # the request is about to leave (the job has a frame image)
    "submitted": "submitted",
    "processing": "processing",
    "downloading": "downloading",
    "downloading-partial": "downloading",
}
SENT_BEFORE_KILL = {"queued": 0, "uploading": 0, "submitting": 0}


def _driver(sandbox: Any, data: Path, *extra: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    command = [sys.executable, str(DRIVER), "--data", str(data), "--url", sandbox.url]
    return subprocess.Popen(
        [*command, "--key", sandbox.api_key, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _read_line(process: subprocess.Popen[str], timeout: float) -> dict[str, Any]:
    import selectors

    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            process.kill()
            raise AssertionError(f"the driver said nothing in {timeout} s: {process.stderr}")
    line = process.stdout.readline()
    if not line:
        raise AssertionError(f"the driver ended: {process.wait()} {process.stderr.read()}")  # type: ignore[union-attr]
    return dict(json.loads(line))


def _processed_submissions(sandbox: Any) -> dict[str, int]:
    """videoInference requests the server handled (a dropped connection is not handled)."""
    counts: dict[str, int] = {}
    for entry in requests_of_type(sandbox, "videoInference"):
        if {"drop", "http_error"} & set(entry.get("fault") or []):
            continue
        for uuid in entry["task_uuids"]:
            counts[uuid] = counts.get(uuid, 0) + 1
    return counts


@pytest.fixture(scope="module")
def shared_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """One sandbox for every crash: each test's job has its own taskUUID to count by."""
    sandbox = SandboxProcess.start(tmp_path_factory.mktemp("crash-sandbox"), processing_seconds=0.5)
    yield sandbox
    sandbox.stop()


@pytest.mark.parametrize("hold", list(HELD_STATE))
def test_killed_in_each_state_then_restarted_loses_nothing(
    hold: str,
    shared_sandbox: SandboxProcess,
    tmp_path: Path,
    picture: Callable[..., Path],
) -> None:
    sandbox = shared_sandbox
    data = tmp_path / "data"
    frame = picture("first.png", 1280, 720)
    results = "2" if hold.startswith("downloading") else "1"
    extra = ["--hold", hold, "--results", results]
    if hold in ("uploading", "submitting"):
        extra += ["--frame", str(frame)]

    child = _driver(sandbox, data, *extra)
    held = _read_line(child, timeout=40)
    assert held["held"] == hold
    os.kill(child.pid, signal.SIGKILL)
    assert child.wait(10) == -signal.SIGKILL

    db = sqlite3.connect(data / "journal.sqlite3")
    state, task_uuid = db.execute(
        "SELECT state, task_uuid FROM jobs WHERE id = ?", (held["job"],)
    ).fetchone()
    db.close()
    assert state == HELD_STATE[hold]
    if hold in SENT_BEFORE_KILL:  # journalled, yet nothing of it left the machine
        assert _processed_submissions(sandbox).get(task_uuid, 0) == 0
    if hold == "downloading-partial":  # cut mid-stream: a .part with some of the bytes
        assert 0 < held["done"] < held["total"]
        # the held download's file; its sibling (2 results) may be anywhere from 0 bytes on
        part = data / "videos" / f"{held['video']}.mp4.part"
        assert 0 < part.stat().st_size < held["total"]

    again = _driver(sandbox, data)
    summary = _read_line(again, timeout=60)
    assert again.wait(20) == 0
    (job,) = summary["jobs"]
    assert job["id"] == held["job"] and job["state"] == "ready", job["error"]

    # no taskUUID reached the server twice; a second send only after the first never left
    assert _processed_submissions(sandbox)[task_uuid] == 1
    db = sqlite3.connect(data / "journal.sqlite3")
    attempts = [
        row[0]
        for row in db.execute(
            "SELECT outcome FROM submissions WHERE task_uuid = ? ORDER BY id", (task_uuid,)
        )
    ]
    assert attempts[-1] == "accepted"
    if hold == "submitting":
        assert attempts == [None, "accepted"]  # the first attempt was journalled, never sent
    else:
        assert len(attempts) == 1

    # every ready file is whole: the server's exact bytes, decodable to the last frame
    for result in job["results"]:
        path = Path(result["path"])
        with urllib.request.urlopen(result["url"], timeout=10) as response:
            served = response.read()
            announced = int(response.headers["Content-Length"])
        assert path.stat().st_size == announced == len(served)
        assert path.read_bytes() == served
        with av.open(str(path)) as container:
            frames = sum(1 for _ in container.decode(video=0))
        assert frames == 4 * default_catalog().default.fps  # 4 s at the model's rate
    assert not list((data / "videos").glob("*.part"))
    if hold == "downloading-partial":  # the cut download resumed where it stopped
        mine = {Path(r["url"]).name for r in job["results"]}
        ranges = [
            (e.get("response") or {}).get("range")
            for e in sandbox.requests()
            if Path(e["path"]).name in mine
        ]
        assert any(r and r != "bytes=0-" for r in ranges)


def test_a_link_that_died_while_the_studio_was_down_is_marked_expired(
    shared_sandbox: SandboxProcess, tmp_path: Path
) -> None:
    sandbox = shared_sandbox
    data = tmp_path / "data"
    child = _driver(sandbox, data, "--hold", "downloading", "--results", "1")
    held = _read_line(child, timeout=40)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(10)
    db = sqlite3.connect(data / "journal.sqlite3")
    (task_uuid,) = db.execute("SELECT task_uuid FROM jobs WHERE id = ?", (held["job"],)).fetchone()
    assert sandbox.expire(task_uuid=task_uuid)  # the URL dies before the studio comes back

    again = _driver(sandbox, data)
    (job,) = _read_line(again, timeout=60)["jobs"]
    assert again.wait(20) == 0
    assert job["state"] == "expired" and "expired before it was saved" in job["error"]
    assert [r["state"] for r in job["results"]] == ["expired"]
    assert _processed_submissions(sandbox)[task_uuid] == 1  # nothing was generated again
    assert not list((data / "videos").glob("*.mp4*"))
    row = db.execute("SELECT state, error FROM results WHERE job_id = ?", (held["job"],)).fetchone()
    assert row[0] == "expired" and "Runware no longer has the file" in row[1]
