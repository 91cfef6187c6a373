"""Every setting takes effect without a restart: the session takes in what it can at once,
and the rest (backend, URL, library) are exactly the ones that open a new session."""

from __future__ import annotations

from pathlib import Path

import pytest

from gui.runware.catalog import default_catalog
from gui.runware.client import RunwareClient
from gui.studio.backend import Backend
from gui.studio.session import open_session, reopen_needed
from gui.studio.settings import PollTimings, Settings


async def _connect(settings: Settings) -> Backend:
    client = RunwareClient("key", "http://127.0.0.1:9/v1", batch_polls=settings.batch_polls)
    return Backend(client=client, label="test", is_sandbox=False)


@pytest.mark.asyncio
async def test_a_running_session_takes_in_edited_settings_at_once(tmp_path: Path) -> None:
    before = Settings(library_folder=tmp_path, concurrent_downloads=3, batch_polls=True)
    session = await open_session(
        _connect(before), data_dir=tmp_path, catalog=default_catalog(), settings=before
    )
    try:
        engine = session.engine
        assert engine.downloader.limit == 3
        polls = PollTimings(first_delay=0.5, max_interval=4.0, download_retry=1.0)
        after = before.model_copy(
            update={
                "concurrent_downloads": 1,
                "daily_budget": 2.5,
                "batch_polls": False,
                "poll": polls,
                "notifications": False,
            }
        )
        assert not reopen_needed(before, after)
        session.apply(after)
        assert engine.downloader.limit == 1
        assert engine.settings.daily_budget == 2.5  # read at the next submit
        assert engine.client.batch_polls is False
        assert engine.poller.schedule.timings == polls
        assert engine.downloader.retry_delay == 1.0
    finally:
        await session.close()


@pytest.mark.parametrize(
    "change",
    [
        {"backend": "sandbox"},
        {"api_url": "http://127.0.0.1:1/v1"},
        {"library_folder": Path("/elsewhere")},
    ],
)
def test_backend_url_and_library_open_a_new_session(change: dict[str, object]) -> None:
    before = Settings()
    assert reopen_needed(before, before.model_copy(update=change))


def test_every_setting_is_either_applied_live_or_reopens_the_session() -> None:
    live = {"concurrent_downloads", "daily_budget", "batch_polls", "poll", "notifications", "theme"}
    stored = {"last_compose", "presets"}  # read where they are used, never copied
    reopen = {"backend", "api_url", "library_folder"}
    assert set(Settings.model_fields) == live | stored | reopen


@pytest.mark.asyncio
async def test_a_lower_download_limit_holds_back_the_next_download() -> None:
    from gui.studio.downloads import _Slots

    slots = _Slots(2)
    await slots.__aenter__()
    await slots.__aenter__()
    slots.set_limit(3)
    await slots.__aenter__()  # room at once under the new limit
    slots.set_limit(1)
    import asyncio

    waiting = asyncio.ensure_future(slots.__aenter__())
    await asyncio.sleep(0)
    for _ in range(2):
        await slots.__aexit__()
        await asyncio.sleep(0)
        assert not waiting.done()
    await slots.__aexit__()
    await asyncio.wait_for(waiting, 1)
