"""The command line and the SandboxProcess launcher."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from unittest import mock

import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from gui.sandbox.config import SandboxConfig
from gui.sandbox.process import SandboxProcess, SandboxStartError, _project_root
from gui.sandbox.render import RenderPool
from gui.sandbox.server import create_app
from gui.sandbox.state import Sandbox
from tests.sandbox.support import faults_fired

PING = [{"taskType": "ping", "ping": True}]


def run_cli(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "gui.sandbox", "--data-dir", str(tmp_path), *args],
        cwd=_project_root(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_cli_prints_one_line_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    proc = run_cli(tmp_path, "--processing-seconds", "0.1")
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        assert info["api_key"] == "sandbox-demo-key"
        assert info["url"].startswith("http://127.0.0.1:") and info["url"].endswith("/v1")
        headers = {"Authorization": f"Bearer {info['api_key']}"}
        assert httpx.post(info["url"], json=PING, headers=headers).json()["data"][0]["pong"]
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert out == ""  # the first line was the only one


def test_a_sigterm_while_it_is_already_stopping_still_ends_it_cleanly(tmp_path: Path) -> None:
    """The launcher closes stdin (a stop), then sends SIGTERM if the sandbox is still there: a
    SIGTERM that came while it was releasing its render processes and folder lock killed it
    (status -15, seen once in make stress). Here SIGTERMs rain on it from the moment stdin
    closes until it is gone; its exit is clean every time."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "gui.sandbox", "--data-dir", str(tmp_path), "--watch-stdin"],
        cwd=_project_root(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdin is not None
    json.loads(proc.stdout.readline())  # serving
    proc.stdin.close()  # stop
    signals = 0
    deadline = time.monotonic() + 30
    while proc.poll() is None and time.monotonic() < deadline:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
            signals += 1
        time.sleep(0.001)  # a signal a millisecond, not a wait for a condition
    proc.wait(10)
    assert proc.stderr is not None
    err = proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    assert proc.returncode == 0, f"status {proc.returncode} after {signals} SIGTERMs: {err}"


def test_cli_several_keys_and_a_bad_scenario(tmp_path: Path) -> None:
    proc = run_cli(
        tmp_path, "--api-key", "first-key-0001", "--api-key", "second-key-0002", "--balance", "5"
    )
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        assert info["api_key"] == "first-key-0001"
        for key in ("first-key-0001", "second-key-0002"):
            headers = {"Authorization": f"Bearer {key}"}
            assert httpx.post(info["url"], json=PING, headers=headers).status_code == 200
        state = httpx.get(info["origin"] + "/_sandbox/state").json()
        assert [b["balance"] for b in state["balances"]] == [5.0, 5.0]
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
    bad = tmp_path / "bad.json"
    bad.write_text('{"faults": [{"kind": "earthquake"}]}')
    proc = run_cli(tmp_path, "--faults", str(bad))
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 2 and out == ""
    assert "earthquake" in err


def test_launcher_attributes_helpers_and_stop(tmp_path: Path) -> None:
    with SandboxProcess.start(
        tmp_path / "sb", api_keys=["launch-key-0001"], balance=3, processing_seconds=0.1
    ) as sb:
        assert sb.api_key == "launch-key-0001"
        assert sb.url == f"{sb.origin}/v1" and sb.origin.startswith("http://127.0.0.1:")
        assert sb.data_dir == tmp_path / "sb" and sb.log_path.exists() and sb.pid > 0
        headers = {"Authorization": f"Bearer {sb.api_key}"}
        httpx.post(sb.url, json=PING, headers=headers)
        assert [e["task_types"] for e in sb.requests()] == [["ping"]]
        assert sb.state()["balances"][0]["balance"] == 3.0
        assert sb.set_balance(7)["balances"][0]["balance"] == 7.0
        assert sb.expire(video_uuid="none") == []
        # a request hanging on the server must not hold up a clean stop
        sb.set_faults({"faults": [{"kind": "hang", "scope": "other", "seconds": 3600}]})
        hung = threading.Thread(
            target=lambda: _swallow(lambda: httpx.post(sb.url, json=PING, headers=headers))
        )
        hung.start()
        deadline = time.monotonic() + 30  # the hung request has reached the server
        while faults_fired(sb) != {"hang": 1}:
            assert time.monotonic() < deadline, "the request never reached the sandbox"
            time.sleep(0.02)
    assert sb.returncode == 0  # it went at SIGTERM: a SIGKILL after stop()'s 10 s gives -9
    assert sb.stop() == 0  # stopping twice is harmless
    hung.join(10)


def _swallow(call) -> None:  # type: ignore[no-untyped-def]
    with contextlib.suppress(httpx.HTTPError):
        call()


def test_launcher_reports_why_it_did_not_start(tmp_path: Path) -> None:
    with pytest.raises(SandboxStartError, match="unrecognized arguments: --bogus"):
        SandboxProcess.start(tmp_path, extra_args=["--bogus"])
    with pytest.raises(SandboxStartError, match="no address within 1 s"):
        SandboxProcess.start(
            tmp_path, command=[sys.executable, "-c", "import time; time.sleep(30)"], timeout=1
        )  # "within 1 s": it gave up at its own limit, not when the child ended


def test_launcher_command_prefix_for_frozen_apps(tmp_path: Path) -> None:
    wrapper = tmp_path / "sora-studio-frozen.py"  # stands in for `sora-studio sandbox-serve`
    wrapper.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(_project_root())!r})\n"
        "assert sys.argv[1] == 'sandbox-serve'\n"
        "from gui.sandbox.__main__ import main\n"
        "sys.exit(main(sys.argv[2:]))\n"
    )
    with SandboxProcess.start(
        tmp_path / "data", command=[sys.executable, str(wrapper), "sandbox-serve"]
    ) as sb:
        headers = {"Authorization": f"Bearer {sb.api_key}"}
        assert httpx.post(sb.url, json=PING, headers=headers).status_code == 200


def test_admin_routes_answer_loopback_only(tmp_path: Path) -> None:
    sandbox = Sandbox(SandboxConfig(data_dir=tmp_path), pool=RenderPool(1, "thread"))
    app = create_app(sandbox)
    state_route = next(r for r in app.router.routes() if r.resource.canonical == "/_sandbox/state")

    async def call(peer: str) -> int:
        transport = mock.Mock()
        transport.get_extra_info.side_effect = lambda name, default=None: (
            (peer, 50000) if name == "peername" else default
        )
        request = make_mocked_request("GET", "/_sandbox/state", app=app, transport=transport)
        try:
            response = await state_route.handler(request)
        except web.HTTPException as exc:
            return exc.status
        return response.status

    assert asyncio.run(call("203.0.113.9")) == 403
    assert asyncio.run(call("127.0.0.1")) == 200
    sandbox.log.close()
