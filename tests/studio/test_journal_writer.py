"""The journal's writer thread: structure only (counts of commits, which thread ran them)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from gui.studio.jobs import Job, JobSpec
from gui.studio.journal import Journal


def _job(n: int) -> Job:
    job = Job(
        spec=JobSpec(model="openai:3@1", prompt=f"burst {n}", width=1280, height=720, duration=4)
    )
    job.ensure_results()
    return job


def _held_journal(path: Path) -> tuple[Journal, threading.Event, threading.Event]:
    """A journal whose first commit waits until released (the writer is busy meanwhile)."""
    entered, release = threading.Event(), threading.Event()

    def seam() -> None:
        if not release.is_set():
            entered.set()
            release.wait(30)

    return Journal(path, on_commit=seam), entered, release


@pytest.mark.asyncio
async def test_a_burst_of_200_writes_is_one_commit_on_the_writer_thread(tmp_path: Path) -> None:
    journal, entered, release = _held_journal(tmp_path / "j.sqlite3")
    try:
        first = journal.insert_job_soon(_job(-1))
        await asyncio.to_thread(entered.wait, 30)  # the writer is inside its first commit
        jobs = [_job(n) for n in range(200)]
        burst = [journal.insert_job_soon(job) for job in jobs]
        before = journal.commits
        release.set()
        await asyncio.gather(first, *burst)
        assert journal.commits - before == 1  # the 200 queued inserts: one transaction
        assert journal.commit_threads and threading.get_ident() not in journal.commit_threads
        assert len(journal.load_jobs()) == 201  # durable and readable once resolved
    finally:
        release.set()
        journal.close()


@pytest.mark.asyncio
async def test_a_future_resolves_only_after_its_commit(tmp_path: Path) -> None:
    journal, entered, release = _held_journal(tmp_path / "j.sqlite3")
    try:
        written = journal.insert_job_soon(_job(0))
        await asyncio.to_thread(entered.wait, 30)
        await asyncio.sleep(0)  # a loop turn: nothing may resolve while the commit is held
        assert not written.done()
        release.set()
        await written
        assert [j.spec.prompt for j in journal.load_jobs()] == ["burst 0"]
    finally:
        release.set()
        journal.close()


@pytest.mark.asyncio
async def test_one_failing_write_leaves_the_others_of_its_batch_whole(tmp_path: Path) -> None:
    journal, entered, release = _held_journal(tmp_path / "j.sqlite3")
    try:
        first = journal.insert_job_soon(_job(0))
        await asyncio.to_thread(entered.wait, 30)
        ghost = _job(1)
        saved = journal.save_job_soon(ghost)  # never inserted: fails alone
        kept = journal.insert_job_soon(_job(2))
        release.set()
        await first
        results = await asyncio.gather(saved, kept, return_exceptions=True)
        assert isinstance(results[0], KeyError) and results[1] is None
        assert sorted(j.spec.prompt for j in journal.load_jobs()) == ["burst 0", "burst 2"]
    finally:
        release.set()
        journal.close()


def test_reads_never_write_and_close_writes_what_is_queued(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    try:
        journal._db.execute("INSERT INTO uploads VALUES ('x', 'y', 0, 1, 1)")
        raise AssertionError("the reading connection wrote")
    except sqlite3.OperationalError:
        pass
    journal.insert_job(_job(0))
    journal.close()
    with Journal(tmp_path / "j.sqlite3") as again:
        assert len(again.load_jobs()) == 1


def test_another_process_commit_changes_data_version_ours_do_not(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    with Journal(path) as journal:
        journal.data_version()
        journal.flush()
        mine = journal.data_version()
        journal.insert_job(_job(0))  # our own commit
        journal.flush()
        assert journal.data_version() == mine
        with Journal(path) as other:  # the CLI, say
            other.insert_job(_job(1))
        journal.data_version()  # asks the writer to look again
        journal.flush()
        assert journal.data_version() != mine


@pytest.mark.asyncio
async def test_a_commit_of_200_wakes_its_waiters_a_few_at_a_time(tmp_path: Path) -> None:
    """Each settled future wakes its waiters in the next turn (the job's announcement, the send
    that goes on): the 200 of one commit are settled a few a turn (16), so no turn of the
    window's loop runs 200 wake-ups."""
    few = 32  # what "a few" may mean here, whatever the constant is tuned to

    journal, entered, release = _held_journal(tmp_path / "j.sqlite3")
    loop = asyncio.get_running_loop()
    turn = 0
    ticking = True

    def tick() -> None:
        nonlocal turn
        if ticking:
            turn += 1
            loop.call_soon(tick)

    woke: dict[int, int] = {}  # turn → waiters woken in it
    try:
        first = journal.insert_job_soon(_job(-1))
        await asyncio.to_thread(entered.wait, 30)
        burst = [journal.insert_job_soon(_job(n)) for n in range(200)]
        for future in burst:
            future.add_done_callback(lambda _f: woke.__setitem__(turn, woke.get(turn, 0) + 1))
        loop.call_soon(tick)
        release.set()
        await asyncio.gather(first, *burst)
        ticking = False
        assert sum(woke.values()) == 200
        assert max(woke.values()) <= few
        assert len(woke) >= 200 // few
    finally:
        release.set()
        journal.close()
