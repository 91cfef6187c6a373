"""``sora-studio`` without a window: generate, jobs, resume, models, and bad arguments."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import pytest

from gui.cli import run

from .test_crash_recovery import _driver, _read_line

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fast_cli_settings(isolated_user_dirs: Path) -> Path:
    """The CLI reads its poll timings from the user's settings file, like the app."""
    path = isolated_user_dirs / "config" / "sora-studio" / "settings.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    fast = {"first_delay": 0.05, "max_interval": 0.25, "error_delay": 0.1, "download_retry": 0.1}
    path.write_text(json.dumps({"poll": fast}))
    return path


def cli(
    *args: str, key: str | None = None, timeout: float = 90
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("RUNWARE_API_KEY", None)
    if key is not None:
        env["RUNWARE_API_KEY"] = key
    return subprocess.run(
        [sys.executable, "-m", "gui.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        cwd=ROOT,
    )


def test_generate_prints_the_saved_videos(sandbox: Any, tmp_path: Path) -> None:
    data = tmp_path / "library"
    done = cli(
        "generate",
        "a paper plane crosses a classroom",
        "--duration",
        "4",
        "--results",
        "2",
        "--size",
        "720x1280",
        "--data-dir",
        str(data),
        "--api-url",
        sandbox.url,
        key=sandbox.api_key,
    )
    assert done.returncode == 0, done.stderr
    paths = [Path(line) for line in done.stdout.splitlines()]
    assert len(paths) == 2 and all(p.parent == data / "videos" for p in paths)
    for path in paths:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            assert (stream.width, stream.height) == (720, 1280)
    assert "Using Runware." in done.stderr and "ready (2/2 saved)" in done.stderr
    assert sandbox.api_key not in done.stdout + done.stderr

    listed = cli("jobs", "--search", "paper plane", "--data-dir", str(data))
    assert listed.returncode == 0 and "ready" in listed.stdout and "$0.80" in listed.stdout
    assert cli("jobs", "--search", "submarine", "--data-dir", str(data)).stdout == ""


def test_generate_without_a_key_starts_the_sandbox(
    tmp_path: Path, picture: Callable[..., Path]
) -> None:
    data = tmp_path / "library"
    image = picture("start.jpg", 1600, 900)
    done = cli(
        "generate",
        "a boat leaves the harbour",
        "--duration",
        "4",
        "--image",
        str(image),
        "--fit",
        "pad",
        "--data-dir",
        str(data),
    )
    assert done.returncode == 0, done.stderr
    assert "offline sandbox — videos are synthetic" in done.stderr
    (path,) = [Path(line) for line in done.stdout.splitlines()]
    assert path.exists() and path.parent == data / "videos"
    assert (data / "sandbox" / "requests.jsonl").exists()
    assert len(list((data / "frames").glob("*.png"))) == 1


def test_a_failed_job_exits_1(sandbox: Any, tmp_path: Path) -> None:
    sandbox.set_faults({"faults": [{"kind": "task_failure", "code": "contentPolicyViolation"}]})
    done = cli(
        "generate",
        "anything at all",
        "--duration",
        "4",
        "--data-dir",
        str(tmp_path),
        "--api-url",
        sandbox.url,
        key=sandbox.api_key,
    )
    assert done.returncode == 1 and done.stdout == ""
    assert "failed" in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "Sora 2", "--size", "640x480"], "Sora 2 makes 1280×720 or 720×1280, not"),
        (["--model", "Sora 2", "--duration", "5"], "makes videos of 4, 8, 12, 16 or 20 seconds"),
        (["--model", "dall-e"], "No model matches 'dall-e'; the models are Sora 2"),
        (["--model", "Sora 2", "--seed", "7"], "Sora 2 does not take a seed"),
        (["--results", "9"], "makes 1 to 4 videos per request"),
        (["--size", "big"], "--size must look like 1280x720"),
        (["--format", "gif"], "writes MP4, WEBM, MOV, not GIF"),
        (["--image", "/nonexistent/frame.png"], "frame.png does not exist"),
        (["--model", "Sora 2", "--last-image", "{image}"], "takes only the first frame"),
        (
            ["--model", "Sora 2 Pro", "--size", "1920x1080", "--remix", "video_1"],
            "leave out width and height",
        ),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_bad_arguments_exit_2_with_the_catalogue_message(
    args: list[str],
    message: str,
    tmp_path: Path,
    picture: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    image = str(picture("frame.png", 1280, 720))
    argv = ["generate", "a quiet street at dawn", "--data-dir", str(tmp_path / "d")]
    argv += [a.replace("{image}", image) for a in args]
    assert run(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert not (tmp_path / "d").exists()  # refused before anything was opened or sent


def test_a_frame_smaller_than_the_model_takes_is_refused_as_the_window_refuses_it(
    tmp_path: Path, picture: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # the same words as the window's drop zone (tests/ui/compose/test_frame_drop.py)
    tiny = picture("tiny.png", 10, 10)
    argv = ["generate", "a harbour at dawn", "--image", str(tiny), "--data-dir", str(tmp_path)]
    assert run(argv) == 2
    assert "tiny.png is 10×10 px; each side must be 300–16384 px." in capsys.readouterr().err


def test_models_lists_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    from gui.runware.catalog import default_catalog

    assert run(["models"]) == 0
    out = capsys.readouterr().out
    for model in default_catalog():
        assert model.air in out and model.name in out
    assert "$0.10/s" in out and "price not published" in out


def test_resume_finishes_what_a_killed_run_left(
    sandbox_factory: Callable[..., Any], tmp_path: Path
) -> None:
    sandbox = sandbox_factory(processing_seconds=0.5)
    data = tmp_path / "library"
    child = _driver(sandbox, data, "--hold", "processing", "--results", "1")
    assert _read_line(child, timeout=40)["held"] == "processing"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(10)
    done = cli("resume", "--data-dir", str(data), "--api-url", sandbox.url, key=sandbox.api_key)
    assert done.returncode == 0, done.stderr
    assert "1 unfinished job(s)." in done.stderr
    (path,) = [Path(line) for line in done.stdout.splitlines()]
    assert path.exists() and path.parent == data / "videos"
