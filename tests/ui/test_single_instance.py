"""One studio per library, the CLI beside the window, and the command line's errors.

Real processes, started as ``make run`` starts the app (see tests/reliability/test_r1b_app_crash.py
for the helpers): a second launch on the same data folder brings the first window forward and
exits 0; ``sora-studio generate`` run beside the window uses the window's sandbox and its job
shows up in the window; a mistyped command is an error, not a second window.
"""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

from gui.cli import run
from gui.sandbox.guard import read_info
from gui.studio.jobs import Job, JobSpec, JobState
from gui.studio.journal import Journal
from gui.ui.labels import cost_text
from tests.reliability.test_r1b_app_crash import (
    app_command,
    app_env,
    launch,
    read_event,
    wait_until_gone,
)


def test_second_launch_raises_the_first_and_the_cli_works_beside_it(tmp_path: Path) -> None:
    home, library = tmp_path / "home", tmp_path / "library"
    home.mkdir()
    log = tmp_path / "first.log"
    first = launch(home, log, "--data-dir", str(library))
    try:
        assert read_event(first, log, timeout=90)["event"] == "started"
        second = launch(home, tmp_path / "second.log", "--data-dir", str(library))
        out, _ = second.communicate(timeout=60)
        assert second.returncode == 0, (tmp_path / "second.log").read_text()
        assert "already open" in out
        assert read_event(first, log, timeout=30)["event"] == "raised"

        sandbox = read_info(library / "sandbox")
        assert sandbox is not None
        made = subprocess.run(
            [*app_command(), "generate", "a fox crossing fresh snow", "--data-dir", str(library)],
            capture_output=True,
            text=True,
            env=app_env(home),
            timeout=180,
        )
        assert made.returncode == 0, made.stderr
        assert read_info(library / "sandbox") == sandbox  # the window's sandbox, reused
        seen = read_event(first, log, timeout=30)
        assert seen["event"] == "journal-changed" and seen["jobs"] == ["a fox crossing fresh snow"]
        listed = subprocess.run(
            [*app_command(), "jobs", "--data-dir", str(library)],
            capture_output=True,
            text=True,
            env=app_env(home),
            timeout=60,
        )
        assert "a fox crossing fresh snow" in listed.stdout and "ready" in listed.stdout
        first.send_signal(signal.SIGTERM)
        assert first.wait(30) == 0
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(10)
        if first.stdout is not None:
            first.stdout.close()
    assert not wait_until_gone(library / "sandbox", timeout=15)


def test_a_mistyped_command_is_an_error_listing_the_commands(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    wrong = subprocess.run(
        [*app_command(), "frobnicate"],
        capture_output=True,
        text=True,
        env=app_env(home),
        timeout=60,
    )
    assert wrong.returncode == 2 and wrong.stdout == ""
    for command in ("generate", "jobs", "resume", "models"):
        assert command in wrong.stderr
    assert not (home / ".local" / "share" / "sora-studio").exists()  # no window, no sandbox
    helped = subprocess.run(
        [*app_command(), "--help"], capture_output=True, text=True, env=app_env(home), timeout=60
    )
    assert helped.returncode == 0
    lines = helped.stdout.splitlines()
    for command in ("generate", "jobs", "resume", "models"):
        assert any(line.split()[:1] == [command] and len(line.split()) > 1 for line in lines)


def test_a_failed_job_costs_the_same_in_the_cli_and_the_window(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from gui.runware.catalog import default_catalog

    catalog = default_catalog()
    model = catalog.default
    spec = JobSpec(model=model.air, prompt="a failed job", duration=model.default_duration)
    job = Job(spec=spec, estimated_cost=2.40)
    job.ensure_results()
    job.mark_uploading()
    job.mark_submitted()  # sent: Runware may bill it
    job.fail("providerError", "The provider could not make this video.")
    assert job.state is JobState.FAILED
    with Journal.in_folder(tmp_path) as journal:
        journal.insert_job(job)
    assert run(["jobs", "--data-dir", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "a failed job" in printed and "$2.40" not in printed
    assert cost_text(job, catalog) in printed  # "—" in both
