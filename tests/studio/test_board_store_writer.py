"""The storyboard's tables are written by the journal's writer thread, never by the thread
that asks (the GUI's): structure only (which thread committed, how many commits, what a
separate connection sees when)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from gui.runware.catalog import default_catalog
from gui.studio.board import board_from_dict
from gui.studio.board_run import BoardRunner
from gui.studio.board_store import BoardStore, spec_key
from gui.studio.errors import StudioError
from gui.studio.jobs import JobSpec
from gui.studio.journal import Journal

SPEC = JobSpec(model="openai:3@1", prompt="rain on a roof", width=1280, height=720, duration=4)


def _held_journal(
    path: Path,
) -> tuple[Journal, threading.Event, threading.Event, threading.Event]:
    """A journal whose commits, once armed, wait until released (the writer is busy)."""
    armed, entered, release = threading.Event(), threading.Event(), threading.Event()

    def seam() -> None:
        if armed.is_set() and not release.is_set():
            entered.set()
            release.wait(30)

    return Journal(path, on_commit=seam), armed, entered, release


def _takes_on_disk(path: Path) -> list[tuple[Any, ...]]:
    """The takes as another connection (another process) reads them."""
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT id, job_id, spec_json FROM board_takes").fetchall()
    finally:
        db.close()


def test_every_write_of_the_store_is_committed_by_the_journals_writer(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    with Journal(path) as journal, BoardStore(path, journal) as store:
        before = journal.commits
        store.save_board("b1", "Rain", {"version": 1}, None, [("s1", {"prompt": "x"})])
        take = store.plan_take("b1", "s1", SPEC)
        store.set_job(take.id, "j1")
        store.choose(take.id, 0)
        other = store.add_take("b1", "s1", "j2")
        store.forget_take(other.id)  # has a job: stays
        assert journal.commits - before == 6  # one transaction each, all on the writer
        assert journal.commit_threads and threading.get_ident() not in journal.commit_threads
        assert store.chosen("b1", "s1") == store.takes("b1", "s1")[0]
        assert store.takes("b1", "s1")[0].job_id == "j1"
        with pytest.raises(sqlite3.OperationalError):  # its own connection only reads
            store._db.execute("DELETE FROM board_takes")


def test_a_store_without_a_journal_writes_through_one_of_its_own(tmp_path: Path) -> None:
    with BoardStore(tmp_path / "journal.sqlite3") as store:
        store.save_board("b1", "Rain", {"version": 1}, None, [("s1", {"prompt": "x"})])
        assert store.journal.commits == 1
        assert threading.get_ident() not in store.journal.commit_threads


@pytest.mark.asyncio
async def test_a_planned_take_resolves_only_once_it_is_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    journal, armed, entered, release = _held_journal(path)
    store = BoardStore(path, journal)
    try:
        store.save_board("b1", "Rain", {"version": 1}, None, [("s1", {"prompt": "x"})])
        armed.set()
        take, written = store.plan_take_soon("b1", "s1", SPEC)
        await asyncio.to_thread(entered.wait, 30)  # the writer is inside the take's commit
        await asyncio.sleep(0)  # the loop runs on meanwhile; nothing resolves
        assert not written.done()
        release.set()
        await written
        assert _takes_on_disk(path) == [(take.id, None, spec_key(SPEC))]
        assert threading.get_ident() not in journal.commit_threads
    finally:
        release.set()
        store.close()
        journal.close()


class _RefusingEngine:
    """Looks at the journal's file when asked to submit, then refuses (nothing is sent)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen: list[list[tuple[Any, ...]]] = []

    async def submit(self, spec: JobSpec, lineage: Any = None) -> Any:
        self.seen.append(_takes_on_disk(self.path))
        raise StudioError("refused for the test")

    def jobs(self) -> list[Any]:
        return []

    def get(self, job_id: str) -> Any:
        raise KeyError(job_id)


@pytest.mark.asyncio
async def test_a_take_is_on_disk_before_its_job_is_submitted(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    catalog = default_catalog()
    board = board_from_dict(
        {
            "version": 1,
            "name": "Rain",
            "size": "640x360",
            "fps": 24,
            "shots": [{"prompt": "rain on a roof", "duration": 2, "model": "PixVerse V6"}],
        },
        catalog,
    )
    entered, release = threading.Event(), threading.Event()
    commits = 0

    def seam() -> None:  # holds the second commit: the take's (the first is the board's)
        nonlocal commits
        commits += 1
        if commits == 2:
            entered.set()
            release.wait(30)

    engine = _RefusingEngine(path)
    journal = Journal(path, on_commit=seam)
    store = BoardStore(path, journal)
    try:
        runner = BoardRunner(engine, store, catalog)  # type: ignore[arg-type]
        run = asyncio.create_task(runner.generate(board))
        await asyncio.to_thread(entered.wait, 30)  # the take's commit is under way
        assert engine.seen == []  # nothing submitted before the take is durable
        assert not run.done()  # the loop was not blocked: this test ran meanwhile
        release.set()
        outcome = await asyncio.wait_for(run, 60)
        assert 0 in outcome.failed and "refused for the test" in outcome.failed[0]
        [[(_take, job_id, spec_json)]] = engine.seen  # on disk when the submit came
        assert job_id is None and spec_json.startswith("{")
        assert _takes_on_disk(path) == []  # refused: the planned take is forgotten
        assert threading.get_ident() not in journal.commit_threads
    finally:
        release.set()
        store.close()
        journal.close()
