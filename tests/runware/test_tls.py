"""The client's TLS context: always verifying, and made off the event loop."""

from __future__ import annotations

import asyncio
import ssl
import threading
from typing import Any

import httpx
import pytest

from gui.runware.client import RunwareClient, verified_tls


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
    threads: list[threading.Thread] = []
    real = httpx.create_ssl_context

    def recording_create_ssl_context(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(httpx, "create_ssl_context", recording_create_ssl_context)

    async def make() -> tuple[ssl.SSLContext, threading.Thread]:
        return await verified_tls(), threading.current_thread()

    context, loop_thread = asyncio.run(make())
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert len(threads) == 1 and threads[0] is not loop_thread
    client = RunwareClient("key", "https://api.runware.ai/v1", tls=context)
    asyncio.run(client.aclose())
    assert len(threads) == 1  # the client used it and made none of its own
