"""``sora-studio board generate`` SIGKILLed mid-board, then run again: the board finishes, and no
taskUUID reaches the sandbox twice (its request log counts every videoInference request).

The kill comes right after the CLI reports shot 2 (linked to shot 1 by its last frame) as
submitted: shot 1 is made, shot 2 is in flight, shot 3 (independent) is in flight or done.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import av
import pytest

from gui.studio.journal import Journal

from .conftest import submissions_by_task

ROOT = Path(__file__).resolve().parents[2]
PIXVERSE = "PixVerse V6"


@pytest.fixture(autouse=True)
def fast_cli_settings(isolated_user_dirs: Path) -> Path:
    path = isolated_user_dirs / "config" / "sora-studio" / "settings.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    fast = {"first_delay": 0.05, "max_interval": 0.25, "error_delay": 0.1, "download_retry": 0.1}
    path.write_text(json.dumps({"poll": fast}))
    return path


def _command(board: Path, data: Path, sandbox: Any) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gui.board_cli",
        "generate",
        str(board),
        "--data-dir",
        str(data),
        "--api-url",
        sandbox.url,
    ]


def _env(sandbox: Any) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT), RUNWARE_API_KEY=sandbox.api_key)


@pytest.mark.slow
def test_a_killed_board_run_resumes_and_sends_nothing_twice(
    sandbox_factory: Any, tmp_path: Path
) -> None:
    sandbox = sandbox_factory(processing_seconds=1.0)  # shot 2 is still running at the kill
    board = tmp_path / "storm.board.json"
    shots = [
        {"prompt": "clouds gather over a field", "duration": 1, "model": PIXVERSE},
        {"prompt": "lightning", "duration": 1, "link": "last-frame", "model": PIXVERSE},
        {"prompt": "a farmhouse window", "duration": 1, "model": PIXVERSE},
    ]
    board.write_text(json.dumps({"version": 1, "size": "640x360", "fps": 24, "shots": shots}))
    data = tmp_path / "library"

    child = subprocess.Popen(
        _command(board, data, sandbox),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(sandbox),
        cwd=ROOT,
    )
    seen = []
    assert child.stderr is not None
    for line in child.stderr:
        seen.append(line)
        if line.startswith("[board] shot 2: submitted"):
            child.send_signal(signal.SIGKILL)
            break
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL, "".join(seen)
    for stream in (child.stdout, child.stderr):
        assert stream is not None
        stream.close()

    again = subprocess.run(
        _command(board, data, sandbox),
        capture_output=True,
        text=True,
        env=_env(sandbox),
        cwd=ROOT,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr
    assert "shot 2: resumed" in again.stderr  # waited for, not sent again
    files = [Path(line) for line in again.stdout.splitlines()]
    assert len(files) == 3 and all(f.is_file() for f in files)

    saved = json.loads(board.read_text())
    jobs = {job.id: job for job in Journal.in_folder(data).load_jobs()}
    takes = [jobs[s["take"]["job"]] for s in saved["shots"]]
    assert [j.state.value for j in takes] == ["ready"] * 3
    assert takes[1].lineage.parent_job_id == takes[0].id  # the chain survived the kill
    # every taskUUID the sandbox received, it received once; and only the board's three
    sent = submissions_by_task(sandbox.requests())
    assert {uuid: len(s) for uuid, s in sent.items()} == {j.task_uuid: 1 for j in takes}
    assert len(jobs) == 3

    # and the CLI exports the finished board as one film, with its sidecar
    film = tmp_path / "storm.mp4"
    data_args = ("--data-dir", str(data))
    exported = subprocess.run(
        [sys.executable, "-m", "gui.cli", "board", "export", str(board), str(film), *data_args],
        capture_output=True,
        text=True,
        env=_env(sandbox),
        cwd=ROOT,
        timeout=120,
    )
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.strip() == str(film)
    with av.open(str(film)) as container:
        assert sum(1 for _ in container.decode(video=0)) == 3 * 24
    sidecar = json.loads(film.with_suffix(".json").read_text())
    assert [s["take"]["task_uuid"] for s in sidecar["shots"]] == [j.task_uuid for j in takes]
