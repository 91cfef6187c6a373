"""R5 secrets: a distinctive API key is used for real jobs (in the engine and through the command
line), then looked for everywhere it could have ended up. It must be found nowhere.

Searched: every file under the test's folders and the temporary home (data, config, cache and
state folders, journals, sidecars, thumbnails, exports, the sandbox's request log and its log,
crash output), the journal's rows as SQL dumps them, every log record (with tracebacks) from
DEBUG up, the command line's stdout and stderr, a forced crash's traceback, and this test's own
captured output. Also looked for: the key base64-encoded and UTF-16, and its distinctive middle.

The hosts that are not the API (webhook, upload endpoint, file host) are one real local
receiver that records every header and body: none carries the key or any Authorization.
TLS verification stays on for Runware: the client's transports verify, a self-signed server is
refused, and no code turns verification off.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import re
import sqlite3
import ssl
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from gui.runware.catalog import default_catalog
from gui.runware.client import RetryPolicy, RunwareClient
from gui.runware.errors import RunwareError, TransportError
from gui.studio.backend import open_backend
from gui.studio.engine import Engine
from gui.studio.jobs import Job, JobState
from gui.studio.journal import Journal
from gui.studio.library import Library
from gui.studio.settings import SecretStore, Settings, SettingsStore
from tests.studio.conftest import FAST, RecordedEvents, frame_input, sora_spec

from .receiver import ReceiverForTests

KEY = "sk-test-SECRET-4d1f9c2e7b5a4e0f8d3c6b1a"
ROOT = Path(__file__).resolve().parents[2]


def _needles(secret: str) -> list[bytes]:
    """The key as bytes, as UTF-16, its distinctive middle, and base64 at each alignment."""
    raw = secret.encode()
    found = [raw, secret.encode("utf-16-le"), b"SECRET-4d1f"]
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw)
        found.append(encoded[4:-4])  # the part that does not depend on what surrounds it
    return found


NEEDLES = _needles(KEY)


def _hits(blob: bytes, where: str) -> list[str]:
    return [f"{where}: {needle!r}" for needle in NEEDLES if needle in blob]


def _sql_dump(path: Path) -> bytes:
    db = sqlite3.connect(path)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        rows = [repr(row) for t in tables for row in db.execute(f'SELECT * FROM "{t}"')]
    finally:
        db.close()
    return "\n".join(rows).encode("utf-8", "surrogateescape")


def _search_files(roots: Iterable[Path]) -> tuple[list[str], int]:
    leaks, files = [], 0
    for root in roots:
        for path in root.rglob("*"):
            if not path.is_file() or path.is_symlink():
                continue
            files += 1
            leaks += _hits(path.read_bytes(), str(path))
            if path.name.endswith(".sqlite3"):
                leaks += _hits(_sql_dump(path), f"rows of {path}")
    return leaks, files


class ListenerWithABugForTests(RecordedEvents):
    """An event listener that raises once: the engine logs the traceback and carries on."""

    def job_changed(self, job: Job) -> None:
        super().job_changed(job)
        if len(self.named("job_changed")) == 1:
            raise RuntimeError(f"listener bug while showing {job!r}")


def _cli(*args: str, key: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), RUNWARE_API_KEY=key)
    return subprocess.run(
        [sys.executable, "-m", "gui.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=ROOT,
    )


async def _until(check: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)


async def _engine_job(
    settings: Settings, data: Path, frame: Path, receiver: ReceiverForTests, exports: Path
) -> tuple[Job, RunwareClient]:
    """A real job with a frame image, a webhook and an upload endpoint, then an export."""
    backend = await open_backend(settings, SecretStore())  # the key comes from the environment
    assert backend.label == "Runware" and not backend.is_sandbox
    journal = Journal.in_folder(data)
    engine = Engine(
        backend.client,
        journal,
        Library(data),
        default_catalog(),
        settings,
        ListenerWithABugForTests(),
    )
    await engine.start()
    try:
        spec = sora_spec(
            "a lighthouse keeper winds the lamp",
            frames=(frame_input(frame),),
            webhook_url=f"{receiver.url}/hook?token=t0k3n",
            upload_endpoint=f"{receiver.url}/upload/result.mp4",
        )
        job = await engine.submit(spec)
        job = await asyncio.wait_for(engine.wait(job.id), 60)
        assert job.state is JobState.READY, job.error_message
        await engine.library.export(job.results[0], exports)
        await _until(lambda: bool(receiver.of_kind("POST", "/hook")))
    finally:
        await engine.stop()
        journal.close()
        await backend.close()

    # a crash with the key in hand: its traceback is written where a crash report would go
    dead = RunwareClient(KEY, "http://127.0.0.1:9/v1", retry=RetryPolicy(attempts=1))
    try:
        await dead.ping()
    except RunwareError:
        logging.getLogger("tests.reliability").exception("forced crash with %r", dead)
        (data.parent / "crash-report.txt").write_text(traceback.format_exc())
    finally:
        await dead.aclose()
    return job, backend.client


@pytest.mark.timeout(300)
def test_r5_the_api_key_is_found_nowhere_and_sent_only_to_the_api(
    sandbox_factory: Callable[..., Any],
    tmp_path: Path,
    isolated_user_dirs: Path,
    picture: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    figures: dict[str, Any],
) -> None:
    caplog.set_level(logging.DEBUG)  # httpx and httpcore too
    monkeypatch.setenv("RUNWARE_API_KEY", KEY)
    frame = picture("first.png", 1280, 720)
    data, cli_data, exports = tmp_path / "library", tmp_path / "cli-library", tmp_path / "exports"

    with ReceiverForTests() as receiver:
        sandbox = sandbox_factory(
            api_keys=[KEY], processing_seconds=0.3, extra_args=["--public-host", receiver.url]
        )
        receiver.upstream = sandbox.origin
        settings = Settings(backend="runware", api_url=sandbox.url, library_folder=data, poll=FAST)
        SettingsStore().save(settings)  # the CLI reads the same settings file
        job, client = asyncio.run(_engine_job(settings, data, frame, receiver, exports))

        made = _cli(
            "generate",
            "a paper boat on a puddle",
            "--duration",
            "4",
            "--api-url",
            sandbox.url,
            "--data-dir",
            str(cli_data),
            key=KEY,
        )
        assert made.returncode == 0, made.stderr
        assert "Using Runware." in made.stderr and len(made.stdout.splitlines()) == 1

        stranger = sandbox_factory(processing_seconds=0.3)  # a server that does not know the key
        refused = _cli(
            "generate",
            "a paper boat on a puddle",
            "--duration",
            "4",
            "--api-url",
            stranger.url,
            "--data-dir",
            str(tmp_path / "refused-library"),
            key=KEY,
        )
        assert refused.returncode == 1 and "API key" in refused.stderr, refused.stderr

        not_a_folder = tmp_path / "a-file"
        not_a_folder.write_text("not a folder")
        crashed = _cli(
            "generate", "a crash", "--duration", "4", "--api-url", sandbox.url,
            "--data-dir", str(not_a_folder / "library"), key=KEY,
        )  # fmt: skip
        assert crashed.returncode != 0 and "Traceback" in crashed.stderr

    # ---- the key went only to the API: the other hosts got neither it nor any Authorization
    hooks, uploads = receiver.of_kind("POST", "/hook"), receiver.of_kind("PUT", "/upload/")
    downloads = receiver.of_kind("GET", "/video/")
    assert hooks and uploads and len(downloads) >= 2
    for request in receiver.received:
        names = {name.lower() for name, _ in request.headers}
        assert "authorization" not in names, request.path_qs
        assert not _hits(repr(request.headers).encode() + request.body, request.path_qs)
    api_logged = [e for e in sandbox.requests() if e["path"] == "/v1" and e.get("headers")]
    assert api_logged and all(e["headers"].get("Authorization") == "***" for e in api_logged)

    # ---- and it was written or printed nowhere
    assert job.results[0].local_path and list(exports.iterdir())
    leaks, files = _search_files([tmp_path, isolated_user_dirs])
    records = "\n".join(logging.Formatter().format(r) for r in caplog.records)
    assert "Traceback" in records and "listener bug" in records  # the crashes were logged
    captured = capsys.readouterr()
    for text, where in (
        (records, "log records"),
        (caplog.text, "caplog"),
        (captured.out + captured.err, "this test's output"),
        (made.stdout + made.stderr, "CLI output"),
        (refused.stdout + refused.stderr, "CLI output (refused key)"),
        (crashed.stdout + crashed.stderr, "CLI crash output"),
        (repr(client) + repr(job), "reprs"),
    ):
        leaks += _hits(text.encode(), where)
    figures.update(
        files_searched=files,
        log_records=len(caplog.records),
        webhook_calls=len(hooks),
        upload_puts=len(uploads),
        downloads=len(downloads),
        leaks_found=len(leaks),
    )
    assert leaks == []


# --------------------------------------------------------------------------- TLS
def _self_signed(folder: Path) -> ssl.SSLContext:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


@pytest.mark.asyncio
async def test_r5_tls_is_verified_for_runware(tmp_path: Path, isolated_user_dirs: Path) -> None:
    # the transports of a client made the way the app makes it
    backend = await open_backend(
        Settings(backend="runware", library_folder=tmp_path), SecretStore({"RUNWARE_API_KEY": KEY})
    )
    client = backend.client
    try:
        transports = [client._http._transport, *client._http._mounts.values()]
        for transport in transports:
            if transport is None:
                continue
            context = transport._pool._ssl_context  # type: ignore[attr-defined]
            assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    finally:
        await backend.close()

    # a server with a certificate nobody vouches for is refused before a byte of the request
    hits: list[str] = []

    async def api(request: web.Request) -> web.Response:
        hits.append(request.headers.get("Authorization", ""))
        return web.json_response({"data": [{"taskType": "ping", "pong": True}]})

    app = web.Application()
    app.router.add_post("/v1", api)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=_self_signed(tmp_path))
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with RunwareClient(
            KEY, f"https://127.0.0.1:{port}/v1", retry=RetryPolicy(attempts=1)
        ) as tls_client:
            with pytest.raises(TransportError):
                await tls_client.ping()
    finally:
        await runner.cleanup()
    assert hits == []


VERIFY_OFF = re.compile(
    r"verify\s*=\s*False|CERT_NONE|check_hostname\s*=\s*False|_create_unverified_context"
    r"|ssl\s*=\s*False|PYTHONHTTPSVERIFY|SSL_CERT_FILE"
)


def test_r5_no_code_turns_tls_verification_off() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for folder in ("gui", "packaging")
        for path in (ROOT / folder).rglob("*.py")
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if VERIFY_OFF.search(line)
    ]
    assert found == []


def test_r5_the_search_would_find_a_planted_key(tmp_path: Path) -> None:
    """The search above is only worth its zero if it finds the key where it was put."""
    (tmp_path / "plain.log").write_text(f"Authorization: Bearer {KEY}\n")
    (tmp_path / "wide.txt").write_bytes(f"key={KEY}".encode("utf-16-le"))
    (tmp_path / "b64.cfg").write_bytes(b"api_key = " + base64.b64encode(b"x" + KEY.encode()))
    (tmp_path / "middle.txt").write_text("…" + KEY[5:30] + "…")
    db = sqlite3.connect(tmp_path / "journal.sqlite3")
    db.execute("CREATE TABLE t (v TEXT)")
    db.execute("INSERT INTO t VALUES (?)", (f"request with {KEY}",))
    db.commit()
    db.close()
    (tmp_path / "clean.txt").write_text("sk-test-…6b1a (masked)")
    leaks, files = _search_files([tmp_path])
    where = {line.split(": b", 1)[0].replace(f"{tmp_path}/", "") for line in leaks}
    assert files == 6
    assert where == {
        "plain.log",
        "wide.txt",
        "b64.cfg",
        "middle.txt",
        "journal.sqlite3",
        "rows of journal.sqlite3",
    }
