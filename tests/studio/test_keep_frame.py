"""A still kept as a frame image: written whole and synced, off the event loop's thread."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

import pytest

from gui.runware.catalog import default_catalog
from gui.runware.client import RunwareClient
from gui.studio import session as session_module
from gui.studio.backend import Backend
from gui.studio.session import open_session
from gui.studio.settings import Settings
from tests.thread_calls import record_threads


async def _connect(settings: Settings) -> Backend:
    client = RunwareClient("key", "http://127.0.0.1:9/v1", batch_polls=settings.batch_polls)
    return Backend(client=client, label="test", is_sandbox=False)


@pytest.mark.asyncio
async def test_a_kept_frame_is_written_on_a_worker_thread(tmp_path: Path, monkeypatch: Any) -> None:
    settings = Settings(library_folder=tmp_path)
    session = await open_session(
        _connect(settings), data_dir=tmp_path, catalog=default_catalog(), settings=settings
    )
    threads = record_threads(monkeypatch, session_module, "write_atomic")
    png = b"\x89PNG\r\n\x1a\n" + b"a still" * 100
    try:
        path, sha = await session.keep_frame(png)
        again = await session.keep_frame(png)  # the same still: kept once
    finally:
        await session.close()
    assert sha == hashlib.sha256(png).hexdigest() and path.read_bytes() == png
    assert again == (path, sha)
    assert len(threads) == 1 and threads[0] is not threading.current_thread()
