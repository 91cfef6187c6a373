"""The client's TLS context: always verifying, and made off the event loop."""

from __future__ import annotations

import asyncio
import ssl
import threading
from typing import Any

import httpx
import pytest

from gui.runware.client import RunwareClient, verified_tls
from tests.thread_calls import record_threads


def test_a_tls_context_that_does_not_verify_is_refused() -> None:
    loose = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    loose.check_hostname = False
    loose.verify_mode = ssl.CERT_NONE
    with pytest.raises(ValueError, match="must verify the server's certificate and name"):
        RunwareClient("key", "https://api.runware.ai/v1", tls=loose)
    no_names = ssl.create_default_context()
    no_names.check_hostname = False  # the certificate, but any name
    with pytest.raises(ValueError, match="must verify"):
        RunwareClient("key", "https://api.runware.ai/v1", tls=no_names)


def test_the_verified_context_is_made_on_a_worker_thread(monkeypatch: Any) -> None:
    """Reading the CA bundle takes 50-100 ms: on the event loop's thread it stalls the window."""
    threads = record_threads(monkeypatch, httpx, "create_ssl_context")

    async def make() -> tuple[ssl.SSLContext, threading.Thread]:
        return await verified_tls(), threading.current_thread()

    context, loop_thread = asyncio.run(make())
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert len(threads) == 1 and threads[0] is not loop_thread
    client = RunwareClient("key", "https://api.runware.ai/v1", tls=context)
    asyncio.run(client.aclose())
    assert len(threads) == 1  # the client used it and made none of its own


_IMPORT_PROBE = """
import asyncio, sys, threading
from gui.runware.client import verified_tls

assert "httpcore" not in sys.modules, "imported before the client is made"
seen = []

class RecordingFinder:
    def find_spec(self, name, path=None, target=None):
        if name == "httpcore":
            seen.append(threading.current_thread() is threading.main_thread())
        return None

sys.meta_path.insert(0, RecordingFinder())
asyncio.run(verified_tls())
print("httpcore imported on the main thread:", seen)
"""


def test_httpx_transport_is_imported_with_the_tls_context_off_the_loop() -> None:
    """httpx imports its transport (httpcore, anyio's backend, h11: 50-150 ms) on its first
    request; the client imports it when made. verified_tls does that on its worker thread."""
    import subprocess
    import sys
    from pathlib import Path

    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_PROBE],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "httpcore imported on the main thread: [False]" in done.stdout, done.stdout
