"""Boards, their shots and every take, in the journal (schema v3, gui/studio/journal_schema.py).

Every write goes through the journal's writer (:meth:`Journal.write`, one connection on its own
thread, :mod:`gui.studio.journal_writer`), so no commit or fsync of the store runs on the GUI
thread. Each write is one transaction: the plain methods return once it is on disk (the thread
asking waits for it), the ``*_soon`` ones return an asyncio future that resolves then, so the
storyboard's run (:mod:`gui.studio.board_run`) never blocks its loop. Reads use the store's own
read-only connection, on the caller's thread.

A take is written *before* its job is submitted, with the spec it will send and no job id; the
id is filled in once the engine holds the job. A take found later without a job id was cut short
by a crash: :meth:`BoardStore.adopt` ties it to the journal's job with the same spec (the engine
then finishes that job with its own taskUUID), or, if none was written, the take is sent afresh.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gui.studio.atomic_files import write_atomic
from gui.studio.jobs import Job, JobSpec
from gui.studio.journal import Journal

__all__ = ["VIEW_FILE", "BoardMembership", "BoardStore", "BoardView", "StoredTake", "spec_key"]

VIEW_FILE = "storyboard-view.json"  # beside the journal: the board open last, and where


def spec_key(spec: JobSpec) -> str:
    """A spec as canonical JSON: equal specs, equal keys."""
    return json.dumps(spec.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class StoredTake:
    id: str
    board_id: str
    shot_id: str
    job_id: str | None  # None: written, its job perhaps not (a crash came between)
    result: int
    spec_json: str
    chosen: bool
    created_at: float


@dataclass(frozen=True)
class BoardMembership:
    """A job is a take of a board's shot (what the library and the family say about it)."""

    board_id: str
    board_name: str
    shot_number: int | None  # 1-based; None once the shot has left the board
    chosen: bool  # the take in the film

    @property
    def label(self) -> str:
        """ "Rain · shot 2" (or "Rain" for a shot no longer on it)."""
        if self.shot_number is None:
            return self.board_name
        return f"{self.board_name} · shot {self.shot_number}"


@dataclass(frozen=True)
class BoardView:
    """The board the Storyboard tab showed last, scrolled how far, which card selected."""

    board_id: str
    scroll: int = 0
    selected: int | None = None


_TAKE_COLUMNS = "id, board_id, shot_id, job_id, result_idx, spec_json, chosen, created_at"


def _take(row: tuple[Any, ...]) -> StoredTake:
    return StoredTake(
        id=row[0],
        board_id=row[1],
        shot_id=row[2],
        job_id=row[3],
        result=int(row[4]),
        spec_json=row[5],
        chosen=bool(row[6]),
        created_at=float(row[7]),
    )


class BoardStore:
    """Boards and takes in the journal at ``path`` (``DATA_DIR/journal.sqlite3``).

    Give it the open :class:`Journal` of that file (the app, the CLI): its writes then go
    through that journal's writer. Without one it opens its own (and closes it with itself)."""

    def __init__(self, path: Path, journal: Journal | None = None) -> None:
        self.path = Path(path)
        self._owns_journal = journal is None
        self.journal = Journal(self.path) if journal is None else journal  # migrates the file
        self._db = sqlite3.connect(self.path, isolation_level=None, timeout=10.0)
        self._db.execute("PRAGMA query_only = ON")  # every write goes through the writer

    def close(self) -> None:
        self._db.close()
        if self._owns_journal:
            self.journal.close()

    def __enter__(self) -> BoardStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self, apply: Callable[[sqlite3.Connection], Any]) -> None:
        """One transaction on the journal's writer thread; returns once it is durable."""
        self.journal.write(apply)

    # ------------------------------------------------------------------ boards and shots
    def save_board(
        self,
        board_id: str,
        name: str,
        document: dict[str, Any],
        path: Path | None,
        shots: Iterable[tuple[str, dict[str, Any]]],
    ) -> None:
        """The board as it is now, with its shots in order (shots no longer in it are
        forgotten; their takes stay, as jobs in the library)."""
        rows = [
            (board_id, shot_id, position, json.dumps(shot, sort_keys=True))
            for position, (shot_id, shot) in enumerate(shots)
        ]
        board_row = (
            board_id,
            None if path is None else str(path),
            name,
            json.dumps(document, sort_keys=True),
            time.time(),
        )

        def apply(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO boards (id, path, name, document_json, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET path = excluded.path, "
                "name = excluded.name, document_json = excluded.document_json, "
                "updated_at = excluded.updated_at",
                board_row,
            )
            db.execute("DELETE FROM board_shots WHERE board_id = ?", (board_id,))
            db.executemany(
                "INSERT INTO board_shots (board_id, shot_id, position, shot_json) "
                "VALUES (?, ?, ?, ?)",
                rows,
            )

        self._write(apply)

    def boards(self) -> list[tuple[str, str, str | None]]:
        """(id, name, path) of every board, most recently changed first."""
        rows = self._db.execute("SELECT id, name, path FROM boards ORDER BY updated_at DESC")
        return [(r[0], r[1], r[2]) for r in rows]

    def document(self, board_id: str) -> dict[str, Any] | None:
        row = self._db.execute(
            "SELECT document_json FROM boards WHERE id = ?", (board_id,)
        ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def shot_ids(self, board_id: str) -> list[str]:
        rows = self._db.execute(
            "SELECT shot_id FROM board_shots WHERE board_id = ? ORDER BY position", (board_id,)
        )
        return [r[0] for r in rows]

    def path_of(self, board_id: str) -> Path | None:
        row = self._db.execute("SELECT path FROM boards WHERE id = ?", (board_id,)).fetchone()
        return Path(row[0]) if row and row[0] else None

    # ------------------------------------------------------------------ the tab's last view
    def remember_view(self, view: BoardView) -> None:
        data = {"board": view.board_id, "scroll": view.scroll, "selected": view.selected}
        # on the GUI thread, and a crash may lose a scroll position: not synced
        write_atomic(self.path.parent / VIEW_FILE, json.dumps(data).encode("utf-8"), durable=False)

    def last_view(self) -> BoardView | None:
        """The view last remembered, if its board is still in the journal."""
        try:
            raw = json.loads((self.path.parent / VIEW_FILE).read_text("utf-8"))
            board_id, scroll, selected = raw["board"], raw.get("scroll", 0), raw.get("selected")
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not isinstance(board_id, str) or self.document(board_id) is None:
            return None
        return BoardView(
            board_id,
            scroll if isinstance(scroll, int) else 0,
            selected if isinstance(selected, int) else None,
        )

    # ------------------------------------------------------------------ the library's view
    def memberships(self, job_ids: Iterable[str] | None = None) -> dict[str, list[BoardMembership]]:
        """The boards (and shot numbers) each job is a take of; every job's, or ``job_ids``'."""
        sql = (
            "SELECT t.job_id, b.id, b.name, s.position, t.chosen FROM board_takes AS t "
            "JOIN boards AS b ON b.id = t.board_id "
            "LEFT JOIN board_shots AS s ON s.board_id = t.board_id AND s.shot_id = t.shot_id "
            "WHERE t.job_id IS NOT NULL"
        )
        args: list[str] = []
        if job_ids is not None:
            args = list(dict.fromkeys(job_ids))
            if not args:
                return {}
            sql += f" AND t.job_id IN ({', '.join('?' * len(args))})"
        found: dict[str, list[BoardMembership]] = {}
        for job_id, board_id, name, position, chosen in self._db.execute(
            sql + " ORDER BY b.name, s.position", args
        ):
            number = None if position is None else int(position) + 1
            found.setdefault(job_id, []).append(
                BoardMembership(board_id, name, number, bool(chosen))
            )
        return found

    def search(self, text: str) -> list[str]:
        """Jobs that are takes of a shot whose board name or prompt holds every word of
        ``text`` (any case)."""
        words = text.lower().split()
        if not words:
            return []
        shots: list[tuple[str, str]] = []
        rows = self._db.execute(
            "SELECT s.board_id, s.shot_id, b.name, s.shot_json FROM board_shots AS s "
            "JOIN boards AS b ON b.id = s.board_id"
        )
        for board_id, shot_id, name, shot_json in rows:
            try:
                prompt = str(json.loads(shot_json).get("prompt", ""))
            except (ValueError, AttributeError):
                prompt = ""
            haystack = f"{name}\n{prompt}".lower()
            if all(w in haystack for w in words):
                shots.append((board_id, shot_id))
        found: list[str] = []
        for board_id, shot_id in shots:
            for take in self.takes(board_id, shot_id):
                if take.job_id and take.job_id not in found:
                    found.append(take.job_id)
        return found

    # ------------------------------------------------------------------ takes
    def plan_take(self, board_id: str, shot_id: str, spec: JobSpec) -> StoredTake:
        """Write a take before its job is submitted; returns once it is durable."""
        take, apply = _planned(board_id, shot_id, spec)
        self._write(apply)
        return take

    def plan_take_soon(
        self, board_id: str, shot_id: str, spec: JobSpec
    ) -> tuple[StoredTake, asyncio.Future[None]]:
        """:meth:`plan_take` without blocking the loop: await the future before the job is
        submitted (it resolves once the take is durable)."""
        take, apply = _planned(board_id, shot_id, spec)
        return take, self.journal.write_soon(apply)

    def set_job(self, take_id: str, job_id: str) -> None:
        self._write(_set_job(take_id, job_id))

    def set_job_soon(self, take_id: str, job_id: str) -> asyncio.Future[None]:
        return self.journal.write_soon(_set_job(take_id, job_id))

    def add_take(self, board_id: str, shot_id: str, job_id: str, result: int = 0) -> StoredTake:
        """A take made elsewhere (a result of the library's) for this shot."""
        take = StoredTake(
            id=uuid.uuid4().hex,
            board_id=board_id,
            shot_id=shot_id,
            job_id=job_id,
            result=result,
            spec_json="",
            chosen=False,
            created_at=time.time(),
        )
        self._write(_insert_take(take))
        return take

    def forget_take(self, take_id: str) -> None:
        """A planned take whose job was never made (refused before anything was sent)."""
        self._write(_forget(take_id))

    def forget_take_soon(self, take_id: str) -> asyncio.Future[None]:
        return self.journal.write_soon(_forget(take_id))

    def takes(self, board_id: str, shot_id: str | None = None) -> list[StoredTake]:
        """Every take of the board (or of one shot), oldest first."""
        sql = f"SELECT {_TAKE_COLUMNS} FROM board_takes WHERE board_id = ?"
        args: tuple[str, ...] = (board_id,)
        if shot_id is not None:
            sql, args = sql + " AND shot_id = ?", (board_id, shot_id)
        return [_take(r) for r in self._db.execute(sql + " ORDER BY created_at, rowid", args)]

    def chosen(self, board_id: str, shot_id: str) -> StoredTake | None:
        row = self._db.execute(
            f"SELECT {_TAKE_COLUMNS} FROM board_takes "
            "WHERE board_id = ? AND shot_id = ? AND chosen = 1",
            (board_id, shot_id),
        ).fetchone()
        return None if row is None else _take(row)

    def choose(self, take_id: str, result: int | None = None) -> None:
        """Make this take (and result) the one in the film; its shot's other takes stay."""
        self._write(_choose(take_id, result))

    def choose_soon(self, take_id: str, result: int | None = None) -> asyncio.Future[None]:
        return self.journal.write_soon(_choose(take_id, result))

    def adopt(self, take: StoredTake, jobs: Iterable[Job]) -> str | None:
        """For a take written without a job id: the journal's job with its spec, made after it
        and not already another take's, is its job (recorded and returned); None if there is
        none (the crash came before the job was written)."""
        job_id = self._orphan_job(take, jobs)
        if job_id is not None:
            self.set_job(take.id, job_id)
        return job_id

    async def adopt_soon(self, take: StoredTake, jobs: Iterable[Job]) -> str | None:
        """:meth:`adopt`, waiting for the write without blocking the loop."""
        job_id = self._orphan_job(take, jobs)
        if job_id is not None:
            await self.set_job_soon(take.id, job_id)
        return job_id

    def _orphan_job(self, take: StoredTake, jobs: Iterable[Job]) -> str | None:
        claimed = {
            r[0]
            for r in self._db.execute("SELECT job_id FROM board_takes WHERE job_id IS NOT NULL")
        }
        for job in jobs:
            if (
                job.id not in claimed
                and job.created_at >= take.created_at - 1.0
                and spec_key(job.spec) == take.spec_json
            ):
                return job.id
        return None


# --------------------------------------------------------------------------- writer ops
# Each is built on the caller's thread and run by the journal's writer, in its transaction.
def _planned(
    board_id: str, shot_id: str, spec: JobSpec
) -> tuple[StoredTake, Callable[[sqlite3.Connection], None]]:
    take = StoredTake(
        id=uuid.uuid4().hex,
        board_id=board_id,
        shot_id=shot_id,
        job_id=None,
        result=0,
        spec_json=spec_key(spec),
        chosen=False,
        created_at=time.time(),
    )
    return take, _insert_take(take)


def _insert_take(take: StoredTake) -> Callable[[sqlite3.Connection], None]:
    row = (
        take.id,
        take.board_id,
        take.shot_id,
        take.job_id,
        take.result,
        take.spec_json,
        int(take.chosen),
        take.created_at,
    )

    def apply(db: sqlite3.Connection) -> None:
        db.execute(
            f"INSERT INTO board_takes ({_TAKE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row
        )

    return apply


def _set_job(take_id: str, job_id: str) -> Callable[[sqlite3.Connection], None]:
    def apply(db: sqlite3.Connection) -> None:
        db.execute("UPDATE board_takes SET job_id = ? WHERE id = ?", (job_id, take_id))

    return apply


def _forget(take_id: str) -> Callable[[sqlite3.Connection], None]:
    def apply(db: sqlite3.Connection) -> None:
        db.execute("DELETE FROM board_takes WHERE id = ? AND job_id IS NULL", (take_id,))

    return apply


def _choose(take_id: str, result: int | None) -> Callable[[sqlite3.Connection], None]:
    def apply(db: sqlite3.Connection) -> None:
        row = db.execute(
            "SELECT board_id, shot_id FROM board_takes WHERE id = ?", (take_id,)
        ).fetchone()
        if row is None:
            raise KeyError(take_id)
        db.execute("UPDATE board_takes SET chosen = 0 WHERE board_id = ? AND shot_id = ?", row)
        db.execute("UPDATE board_takes SET chosen = 1 WHERE id = ?", (take_id,))
        if result is not None:
            db.execute("UPDATE board_takes SET result_idx = ? WHERE id = ?", (result, take_id))

    return apply
