"""Studio.run, the app's own lifecycle: show, start, serve until the window closes, stop."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

from gui.app import LaunchOptions, Studio
from gui.studio.settings import SecretStore
from tests.ui.conftest import await_in_qt


def test_run_keeps_start_up_objects_out_of_full_collections(  # type: ignore[no-untyped-def]
    qtbot, qloop_running, tmp_path: Path
) -> None:
    """After start-up, a full garbage collection walks only what came later (benchmark P2: it
    walked every widget, module and job, a 30-60 ms stall each time)."""
    studio = Studio(
        LaunchOptions(
            sandbox=True, data_dir=tmp_path / "data", sandbox_options={"processing_seconds": 0.3}
        ),
        secrets=SecretStore(environ={}),
    )
    before = gc.get_freeze_count()

    async def run_until_started() -> int:
        running = asyncio.ensure_future(studio.run())
        await asyncio.wait_for(studio.started.wait(), 60)

        async def frozen_after_start() -> None:  # run() freezes right after start() returns
            while gc.get_freeze_count() <= before and not running.done():
                await asyncio.sleep(0.01)

        await asyncio.wait_for(frozen_after_start(), 30)
        frozen = gc.get_freeze_count()
        studio.window.close()
        await running
        return frozen

    try:
        frozen = await_in_qt(qtbot, run_until_started(), timeout=90_000)
    finally:
        gc.unfreeze()  # the test session's objects go back to the collector
        studio.window.deleteLater()
    assert studio.session is None  # stopped when the window closed
    assert frozen > before
