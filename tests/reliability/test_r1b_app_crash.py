"""R1b crash: the WHOLE app (window, engine and its embedded sandbox) SIGKILLed at random moments.

R1 kills the engine against a sandbox that lives on; a user kills the app, and with it the
sandbox the app started. Here the app is started the way ``make run`` starts it (the
``sora-studio`` entry point, offscreen, a fresh HOME, no API key: the default sandbox, in its
fixed folder under the app's data dir). A test hook (``SORA_STUDIO_TEST_WORKLOAD``, see
gui/app_probes.py) makes it submit the jobs of a workload that its journal does not hold yet;
each run's workload grows by a job or so, so kills land during uploads, submits, renders and
downloads alike. After each kill:

* no sandbox process (the sandbox or a render worker) is left: counted in /proc;
* the journal is sound and every file it marks ready is byte for byte the sandbox's copy.

A last run finishes the work; then every job is ready with files identical to the sandbox's,
no taskUUID was accepted twice (the sandbox's request log, which outlives its restarts), the
sandbox holds no task the journal does not know, and no sandbox process is left.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import random
import selectors
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from gui.studio.journal import Journal
from tests.sandbox.support import processes_serving

from .conftest import FULL, SEED, size, submissions_by_task

ROOT = Path(__file__).resolve().parents[2]
KILLS = size(3, 20)
JOBS = size(3, 12)
KILL_WINDOW = size(2, 4)  # seconds after the app says it has started
SCENES = (
    "a clockmaker repairs a pocket watch",
    "a heron lands on a frozen pond",
    "rain on a tin roof at dusk",
    "paper lanterns rise over a river",
)


def app_command() -> list[str]:
    """``make run`` runs the venv's ``sora-studio`` entry point; the same here."""
    script = Path(sys.executable).with_name("sora-studio")
    return [str(script)] if script.exists() else [sys.executable, "-m", "gui"]


def app_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "SORA_"))}
    env.pop("RUNWARE_API_KEY", None)
    env.update(
        HOME=str(home),
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
        QT_QPA_PLATFORM="offscreen",
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",  # no key: the sandbox
        SORA_STUDIO_TEST_EVENTS="1",
        SORA_STUDIO_SANDBOX_OPTIONS=json.dumps({"processing_seconds": 0.3}),
    )
    env.update(extra)
    return env


def launch(home: Path, log: Path, *args: str, **extra: str) -> subprocess.Popen[str]:
    with log.open("a") as stderr:
        return subprocess.Popen(
            [*app_command(), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=app_env(home, **extra),
            cwd=home,
        )


def data_dir(home: Path) -> Path:
    """Where ``make run`` keeps the library on Linux (platformdirs' user data dir)."""
    return home / ".local" / "share" / "sora-studio"


def sandbox_processes(folder: Path) -> list[int]:
    """Live processes serving ``folder``: the sandbox and its forked render workers."""
    return processes_serving(folder, word=b"sandbox")


def wait_until_gone(folder: Path, timeout: float) -> list[int]:
    """The sandbox processes still alive once they had ``timeout`` seconds to end."""
    deadline = time.monotonic() + timeout
    while (left := sandbox_processes(folder)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def sandbox_copy(folder: Path, video_uuid: str) -> bytes:
    return (folder / "videos" / f"{video_uuid}.mp4").read_bytes()


def check_what_the_kill_left(data: Path) -> Counter[str]:
    journal = data / "journal.sqlite3"
    states: Counter[str] = Counter()
    if not journal.exists():
        return states
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
        assert Path(local_path).read_bytes() == sandbox_copy(data / "sandbox", video_uuid)
    return states


def workload(rng: random.Random, jobs: int) -> list[dict[str, Any]]:
    return [
        {
            "prompt": f"job {index}: {rng.choice(SCENES)}",
            "results": rng.randint(1, 2) if FULL else 1,
        }
        for index in range(jobs)
    ]


def read_event(app: subprocess.Popen[str], log: Path, timeout: float) -> dict[str, Any]:
    """The app's next event line (gui/app_probes.py), or a failure that shows its log."""
    assert app.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(app.stdout, selectors.EVENT_READ)
        ready = selector.select(timeout)
    line = app.stdout.readline() if ready else ""
    if not line:
        tail = log.read_text("utf-8", errors="replace")[-3000:]
        what = "ended" if app.poll() is not None else f"said nothing in {timeout} s"
        raise AssertionError(f"the app {what} (status {app.returncode}); its log:\n{tail}")
    return dict(json.loads(line))


def _close(child: subprocess.Popen[str]) -> None:
    if child.stdout is not None:
        child.stdout.close()


@pytest.mark.timeout(1500 if FULL else 240)
def test_r1b_the_whole_app_killed_at_random_moments_loses_nothing_and_leaves_no_sandbox(
    tmp_path: Path, figures: dict[str, Any]
) -> None:
    rng = random.Random(SEED)
    home = tmp_path / "home"
    home.mkdir()
    log = tmp_path / "app.log"
    plan = workload(rng, JOBS)
    data = data_dir(home)
    folder = data / "sandbox"
    kills, leftovers, started_with = 0, 0, []
    at_kill: Counter[str] = Counter()

    for run in range(KILLS):
        count = min(JOBS, math.ceil((run + 1) * JOBS / KILLS))
        file = tmp_path / f"workload-{run}.json"
        file.write_text(json.dumps(plan[:count]))
        app = launch(home, log, SORA_STUDIO_TEST_WORKLOAD=str(file))
        try:
            started = read_event(app, log, timeout=90)
            assert started["event"] == "started", started
            started_with.append(started["jobs"])
            delay = rng.uniform(0, 0.3) if rng.random() < 0.35 else rng.uniform(0, KILL_WINDOW)
            with contextlib.suppress(subprocess.TimeoutExpired):  # the kill's random moment
                app.wait(delay)
            assert app.poll() is None, f"the app ended by itself ({app.returncode}); see {log}"
            os.kill(app.pid, signal.SIGKILL)
            assert app.wait(10) == -signal.SIGKILL
        finally:
            if app.poll() is None:
                app.kill()
                app.wait(10)
            _close(app)
        kills += 1
        left = wait_until_gone(folder, timeout=15)
        leftovers += len(left)
        assert not left, f"sandbox processes outlived the killed app: {left}"
        at_kill.update(check_what_the_kill_left(data))

    # ---- a last run finishes everything, and closes as a user closes it
    file = tmp_path / "workload-final.json"
    file.write_text(json.dumps(plan))
    app = launch(home, log, SORA_STUDIO_TEST_WORKLOAD=str(file))
    try:
        assert read_event(app, log, timeout=90)["event"] == "started"
        done = read_event(app, log, timeout=240 if FULL else 120)
        assert done["event"] == "done", done
        app.send_signal(signal.SIGTERM)
        assert app.wait(30) == 0
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(10)
        _close(app)
    left = wait_until_gone(folder, timeout=15)
    leftovers += len(left)

    # ---- nothing lost: every job ready, every file the sandbox's bytes
    losses = sum(1 for job in done["jobs"] if job["state"] != "ready")
    assert {j["prompt"] for j in done["jobs"]} == {item["prompt"] for item in plan}
    videos = 0
    for job, item in zip(
        sorted(done["jobs"], key=lambda j: j["prompt"]),
        sorted(plan, key=lambda i: i["prompt"]),
        strict=True,
    ):
        assert len(job["results"]) == item["results"], job
        for result in job["results"]:
            if job["state"] == "ready":
                local = Path(result["path"]).read_bytes()
                assert local == sandbox_copy(folder, result["video_uuid"]), result
                videos += 1
    with Journal.in_folder(data) as journal:
        jobs = journal.load_jobs()
        attempts = Counter(s.task_uuid for s in journal.submissions())
    assert len(jobs) == len(plan)  # no job made twice
    assert all(n == 1 for n in Counter(j.spec.prompt for j in jobs).values())
    journalled = {j.task_uuid for j in jobs}
    assert not list((data / "videos").glob("*.part"))

    # ---- nothing sent twice: the sandbox's request log spans all its restarts
    log_entries = [
        json.loads(line)
        for line in (folder / "requests.jsonl").read_text("utf-8").splitlines()
        if line.strip()
    ]
    by_task = submissions_by_task(log_entries)
    duplicates = 0
    for task_uuid in journalled:
        sent = by_task.get(task_uuid, [])
        duplicates += max(0, sum(s.processed for s in sent) - 1)
        duplicates += max(0, sum(s.accepted for s in sent) - 1)
    held = {path.stem for path in (folder / "tasks").glob("*.json")}
    strangers = held - journalled  # a job sent again under a new taskUUID would show here
    missing = journalled - held  # a job the sandbox forgot
    duplicates += len(strangers)

    figures.update(
        seed=SEED,
        kills=kills,
        restarts=kills + 1,
        jobs=len(plan),
        videos=videos,
        losses=losses,
        duplicates=duplicates,
        forgotten_by_sandbox=len(missing),
        resent_same_task_uuid=sum(n - 1 for n in attempts.values()),
        leftover_sandbox_processes=leftovers,
        jobs_known_at_each_start=started_with,
        job_states_at_kills=dict(at_kill),
    )
    assert kills == KILLS
    assert losses == 0, done
    assert duplicates == 0, (strangers, by_task)
    assert not missing
    assert leftovers == 0 and not left
