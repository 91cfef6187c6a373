"""A sandbox keeps its tasks across a restart, serves one folder at a time, and dies with its app.

Real processes on loopback: a task accepted before a stop (or a SIGKILL) is answered, finished
and served by the next sandbox on the same folder; balances carry over; a second sandbox on a
held folder refuses to start; a sandbox (and its render workers) ends when the process that
started it is killed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from gui.sandbox.guard import INFO_FILE, read_info
from gui.sandbox.process import SandboxProcess, SandboxStartError, _project_root
from tests.sandbox.support import poll_task, post, processes_serving, video_task, wait_for

_processes_serving = processes_serving


def _wait_until(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not within {timeout} s")
        time.sleep(0.05)


@pytest.mark.parametrize("how", ["sigterm", "sigkill"])
def test_a_restarted_sandbox_answers_finishes_and_serves_earlier_tasks(
    tmp_path: Path, how: str
) -> None:
    folder = tmp_path / "sb"
    first = SandboxProcess.start(folder, processing_seconds=1.0, balance=100)
    try:
        done, pending = video_task(), video_task(positivePrompt="a kite over dunes")
        assert post(first, [done]).status_code == 200
        finished = wait_for(first, done["taskUUID"])["data"][0]
        assert finished["status"] == "success"
        served = httpx.get(finished["videoURL"]).content
        assert post(first, [pending]).status_code == 200  # accepted, still processing
        balance = first.state()["balances"][0]["balance"]
        assert balance < 100
    finally:
        if how == "sigkill":
            os.kill(first.pid, signal.SIGKILL)
        first.stop()
    assert first.returncode in (0, -signal.SIGKILL)

    with SandboxProcess.start(folder, processing_seconds=0.2, balance=100) as second:
        again = post(second, [poll_task(done["taskUUID"])]).json()["data"][0]
        assert again["status"] == "success" and again["videoUUID"] == finished["videoUUID"]
        assert again["videoURL"].startswith(second.origin)  # served by this sandbox
        assert httpx.get(again["videoURL"]).content == served
        later = wait_for(second, pending["taskUUID"])["data"][0]
        assert later["status"] == "success", later
        assert httpx.get(later["videoURL"]).status_code == 200
        assert second.state()["balances"][0]["balance"] == balance  # not reset to 100
        conflict = post(second, [done]).json()["errors"][0]
        assert conflict["code"] == "conflictTaskUUID"


def test_one_sandbox_per_folder(tmp_path: Path) -> None:
    folder = tmp_path / "sb"
    with SandboxProcess.start(folder, processing_seconds=0.2) as first:
        info = read_info(folder)
        assert info is not None and info["pid"] == first.pid and info["url"] == first.url
        with pytest.raises(SandboxStartError, match="another sandbox"):
            SandboxProcess.start(folder, timeout=20)
        assert post(first, [{"taskType": "ping"}]).status_code == 200
    assert not (folder / INFO_FILE).exists()  # a clean stop takes its notice away


PARENT = """
import sys, threading, time
sys.path.insert(0, {root!r})
from gui.sandbox.process import SandboxProcess
folder, where = sys.argv[1], sys.argv[2]
if where == "main":
    pending = SandboxProcess.launch(folder, processing_seconds=600)
else:  # from a worker thread: only the stdin watch ties the sandbox to this process
    box = []
    worker = threading.Thread(target=lambda: box.append(SandboxProcess.launch(folder)))
    worker.start(); worker.join()
    pending = box[0]
sandbox = pending.ready(30)
print(sandbox.pid, flush=True)
time.sleep(600)
"""


@pytest.mark.parametrize("where", ["main", "thread"])
def test_the_sandbox_and_its_workers_end_when_their_parent_is_killed(
    tmp_path: Path, where: str
) -> None:
    folder = tmp_path / "sb"
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent(PARENT.format(root=str(_project_root()))))
    parent = subprocess.Popen(
        [sys.executable, str(script), str(folder), where], stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout is not None
        sandbox_pid = int(parent.stdout.readline())
        _wait_until(lambda: len(_processes_serving(folder)) >= 2, 20, "the render workers")
        assert sandbox_pid in _processes_serving(folder)
    finally:
        parent.kill()
        parent.wait(10)
        if parent.stdout is not None:
            parent.stdout.close()
    _wait_until(lambda: not _processes_serving(folder), 20, "every sandbox process ending")
