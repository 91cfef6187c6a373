"""Choosing the backend: Runware with a key, the sandbox without one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gui.sandbox_host import open_studio_backend as open_backend
from gui.studio.backend import RUNWARE_LABEL, SANDBOX_LABEL, NoApiKey
from gui.studio.settings import SecretStore, Settings
from tests.thread_calls import record_threads


@pytest.mark.asyncio
async def test_with_a_key_runware_is_used(sandbox: Any, tmp_path: Path) -> None:
    secrets = SecretStore(environ={})
    secrets.set(sandbox.api_key)
    settings = Settings(api_url=sandbox.url, library_folder=tmp_path)  # stands in for Runware
    backend = await open_backend(settings, secrets)
    try:
        assert backend.label == RUNWARE_LABEL == "Runware" and not backend.is_sandbox
        assert backend.url == sandbox.url and backend.sandbox is None
        assert await backend.client.ping()
    finally:
        await backend.close()
    assert not (tmp_path / "sandbox").exists()


@pytest.mark.asyncio
async def test_without_a_key_the_sandbox_is_started_and_stopped(tmp_path: Path) -> None:
    settings = Settings(library_folder=tmp_path)
    backend = await open_backend(
        settings, SecretStore(environ={}), sandbox_options={"processing_seconds": 0.1}
    )
    sandbox = backend.sandbox
    try:
        assert backend.is_sandbox and backend.label == SANDBOX_LABEL
        assert "synthetic" in backend.label
        assert sandbox is not None and sandbox.data_dir == tmp_path / "sandbox"
        assert backend.url == sandbox.url and await backend.client.ping()
    finally:
        await backend.close()
    assert sandbox.returncode is not None  # the sandbox process has ended


@pytest.mark.asyncio
async def test_runware_without_a_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NoApiKey, match="No Runware API key"):
        await open_backend(Settings(backend="runware"), SecretStore(environ={}))


@pytest.mark.asyncio
async def test_the_sandbox_can_be_forced_even_with_a_key(tmp_path: Path) -> None:
    secrets = SecretStore(environ={"RUNWARE_API_KEY": "a-real-key"})
    backend = await open_backend(
        Settings(library_folder=tmp_path), secrets, force_sandbox=True, data_dir=tmp_path / "d"
    )
    try:
        assert backend.is_sandbox and backend.sandbox is not None
        assert backend.sandbox.data_dir == tmp_path / "d" / "sandbox"
        assert backend.sandbox.api_key != "a-real-key"
    finally:
        await backend.close()


@pytest.mark.asyncio
async def test_the_clients_tls_context_is_made_off_the_event_loop(
    sandbox: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    import threading

    import httpx

    threads = record_threads(monkeypatch, httpx, "create_ssl_context")
    secrets = SecretStore(environ={})
    secrets.set(sandbox.api_key)
    backend = await open_backend(Settings(api_url=sandbox.url, library_folder=tmp_path), secrets)
    try:
        assert await backend.client.ping()
    finally:
        await backend.close()
    assert threads and threading.current_thread() not in threads


@pytest.mark.asyncio
async def test_the_key_is_read_off_the_event_loop(
    sandbox: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """A keyring can be slow, or wait while the user unlocks it: the window must not."""
    import threading

    secrets = SecretStore(environ={})
    secrets.set(sandbox.api_key)
    threads = record_threads(monkeypatch, secrets, "get")
    backend = await open_backend(Settings(api_url=sandbox.url, library_folder=tmp_path), secrets)
    try:
        assert backend.label == RUNWARE_LABEL
    finally:
        await backend.close()
    assert threads and threading.current_thread() not in threads
