"""R6 disk: the library's disk fills up, or a folder of it turns read-only, while jobs run.

A full disk cannot be made here (no tmpfs), and a read-only folder cannot either: these tests
run as root, and root ignores ``chmod 0o500``. So :class:`DiskTroubleForTests` plays both at the
one seam every library file goes through, ``open`` in the modules that write them
(``gui.runware.client`` for downloads, ``gui.studio.atomic_files`` for everything else):

* ``ENOSPC`` — a full disk: files open, and writing fails once a few kilobytes went in, leaving
  a partial file, as a real full disk does;
* ``EACCES`` — ``chmod 0o500`` on the folder: opening a file for writing there is refused.

Each time: the studio says clearly what happened, sends nothing twice, keeps its journal whole
(``integrity_check`` ok, every row there), and once space returns a restarted engine finishes
the job.
"""

from __future__ import annotations

import asyncio
import builtins
import errno
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import av
import pytest

from gui.studio.jobs import Job, JobState
from gui.studio.journal import Journal
from tests.studio.conftest import frame_input, sora_spec

from .conftest import ServerFiles, running_studio, submissions_by_task, within

ROOM_BYTES = 1024  # what still fits on the "full" disk


class DiskTroubleForTests:
    """``open`` for the writing modules: writes into ``folder`` fail with ``code`` while active."""

    def __init__(self, folder: Path, code: int) -> None:
        self.folder = folder.resolve()
        self.code = code
        self.active = True
        self.refused: list[str] = []
        self.room = ROOM_BYTES

    def _error(self, path: Path) -> OSError:
        self.refused.append(path.name)
        return OSError(self.code, os.strerror(self.code), str(path))

    def open(self, file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> IO[Any]:
        path = Path(file)
        writing = any(c in mode for c in "wax+")
        if not (self.active and writing and path.resolve().parent == self.folder):
            return builtins.open(file, mode, *args, **kwargs)
        if self.code != errno.ENOSPC:
            raise self._error(path)  # a read-only folder refuses the file itself
        return _FillingFile(builtins.open(file, mode, *args, **kwargs), path, self)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        for module in ("gui.runware.client", "gui.studio.atomic_files"):
            monkeypatch.setattr(f"{module}.open", self.open, raising=False)


class _FillingFile:
    """A real file whose writes stop with ENOSPC once the disk's last bytes are used."""

    def __init__(self, fh: IO[Any], path: Path, disk: DiskTroubleForTests) -> None:
        self._fh, self._path, self._disk = fh, path, disk

    def write(self, data: bytes) -> int:
        if self._disk.active and len(data) > self._disk.room:
            self._fh.write(data[: self._disk.room])
            self._disk.room = 0
            raise self._disk._error(self._path)
        self._disk.room -= len(data) if self._disk.active else 0
        return int(self._fh.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fh, name)

    def __enter__(self) -> _FillingFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._fh.close()


def _check_journal(data: Path, job_id: str, task_uuid: str) -> str:
    """The journal is whole and holds the job: returns the job's state there."""
    db = sqlite3.connect(data / "journal.sqlite3")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        state, request = db.execute(
            "SELECT state, request_json FROM jobs WHERE id = ?", (job_id,)
        ).fetchone()
        (rows,) = db.execute("SELECT COUNT(*) FROM results WHERE job_id = ?", (job_id,)).fetchone()
        assert rows == 1
        outcomes = [
            row[0]
            for row in db.execute(
                "SELECT outcome FROM submissions WHERE task_uuid = ?", (task_uuid,)
            )
        ]
    finally:
        db.close()
    if state in ("queued", "uploading"):  # never sent: nothing recorded as sent
        assert request is None and outcomes == []
    else:  # sent: the request as sent and its accepted submission are kept
        assert request is not None and task_uuid in request
        assert outcomes == ["accepted"]
    return str(state)


async def _until(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    async def wait() -> None:
        while not check():
            await asyncio.sleep(0.02)

    try:
        await asyncio.wait_for(wait(), timeout)
    except TimeoutError:
        raise AssertionError(f"no {what} within {timeout:.0f} s") from None


def _frames(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


CASES = {
    "videos folder full": ("videos", errno.ENOSPC, "No space left on device"),
    "videos folder read-only": ("videos", errno.EACCES, "Permission denied"),
    "frames folder full": ("frames", errno.ENOSPC, "No space left on device"),
}


@pytest.mark.asyncio
@pytest.mark.timeout(300)
@pytest.mark.parametrize("case", list(CASES))
async def test_r6_a_full_or_read_only_library_is_told_kept_and_resumed(
    case: str,
    sandbox: Any,
    tmp_path: Path,
    picture: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    figures: dict[str, Any],
) -> None:
    folder, code, words = CASES[case]
    data = tmp_path / "library"
    disk = DiskTroubleForTests(data / folder, code)
    disk.install(monkeypatch)
    frames = (frame_input(picture("first.png", 1280, 720)),) if folder == "frames" else ()

    async def while_full() -> tuple[Job, list[str]]:
        async with running_studio(sandbox.url, sandbox.api_key, data) as studio:
            job = await studio.engine.submit(sora_spec(frames=frames))  # no raw OSError escapes
            notices = studio.events.named
            await _until(lambda: any(words in n for n in notices("notice")), "a notice")
            await _until(lambda: len(disk.refused) >= 2, "a second try")  # it keeps trying
            assert not job.state.is_final, job.error_message  # nothing lost: it waits for space
            return job, [n for n in notices("notice") if words in n]
        # the user quits with the disk still full

    job, told = await within(while_full(), 150, "the run with the disk full")
    # the notice names what could not be written: the video, or the frame image being prepared
    named = job.results[0].video_uuid if folder == "videos" else "first.png"
    assert named and named in told[0], told
    state = _check_journal(data, job.id, job.task_uuid)
    if folder == "frames":  # the frame image could not be prepared: nothing left the machine
        assert job.task_uuid not in submissions_by_task(sandbox.requests())
        assert not [e for e in sandbox.requests() if "imageUpload" in e["task_types"]]

    disk.active = False  # space returns (or the folder is made writable again)

    async def after_space_returns() -> Job:
        async with running_studio(sandbox.url, sandbox.api_key, data) as studio:
            return await studio.engine.wait(job.id)

    job = await within(after_space_returns(), 120, "the restart once space returned")
    assert job.state is JobState.READY, job.error_message
    (result,) = job.results
    video = Path(result.local_path or "")
    assert video.read_bytes() == ServerFiles(sandbox).bytes_of(result.video_uuid or "")
    assert _frames(video) == 4 * 30
    assert not list((data / "videos").glob("*.part"))
    assert (data / "videos" / f"{result.video_uuid}.json").exists()
    assert _check_journal(data, job.id, job.task_uuid) == "ready"
    with Journal.in_folder(data) as journal:
        assert [s.outcome for s in journal.submissions(job.task_uuid)][-1] == "accepted"
    accepted = submissions_by_task(sandbox.requests())[job.task_uuid]
    assert sum(s.accepted for s in accepted) == 1  # sent once, whatever the disk did
    figures.update(
        case=case, refused_writes=len(disk.refused), state_while_full=state, told=told[0]
    )
