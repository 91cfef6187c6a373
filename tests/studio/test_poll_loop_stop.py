"""Stopping the poll loop: a stop always ends it, whatever else arrived in the same turn."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from gui.runware.client import RunwareClient
from gui.studio.downloads import Downloader
from gui.studio.events import EngineEvents
from gui.studio.job_book import JobBook
from gui.studio.journal import Journal
from gui.studio.library import Library
from gui.studio.poll_loop import PollLoop
from gui.studio.settings import PollTimings


def _poll_loop(journal: Journal, tmp_path: Path) -> PollLoop:
    book = JobBook(journal, EngineEvents())
    client = RunwareClient("never-used", "http://127.0.0.1:9/v1")  # no job: never asked
    downloader = Downloader(client, book, Library(tmp_path), limit=1, retry_delay=1)
    return PollLoop(
        client,
        book,
        downloader,
        PollTimings(first_delay=0.2),
        is_sending=lambda _job_id: False,
        resend=lambda _job: None,
        on_change=lambda: None,
    )


@pytest.mark.asyncio
async def test_a_stop_in_the_same_turn_as_a_kick_still_stops_the_loop(tmp_path: Path) -> None:
    """A kick (a send finishing) and the stop (the window closing) in one turn of the event
    loop: the kick woke the loop's sleep just as it was cancelled. Python 3.11's
    ``asyncio.wait_for`` then returned the wake-up and dropped the cancel, so the loop went on,
    parked with nothing due, and ``stop()`` (and the app's close) waited for ever."""
    journal = Journal.in_folder(tmp_path)
    try:
        poller = _poll_loop(journal, tmp_path)
        poller.start(first_in=30)  # asleep with a finite timeout, as while a job is due
        for _ in range(3):  # into its sleep
            await asyncio.sleep(0)
        poller.kick()
        stopping = asyncio.ensure_future(poller.stop())
        done, _ = await asyncio.wait([stopping], timeout=10)
        assert done, "stop() never returned: the poll loop went on after it was cancelled"
        await poller.client.aclose()
    finally:
        journal.close()
