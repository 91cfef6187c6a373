"""The journal: every job, result, request, answer and upload, in SQLite beside the library.

One file (``DATA_DIR/journal.sqlite3``) in WAL mode with ``synchronous=FULL``. Writes run on the
journal's own thread (one connection fed by a queue, :mod:`gui.studio.journal_writer`), so a
commit or an fsync never runs on the GUI thread; a write's future resolves only once its change
is on disk, which is what lets the engine promise that a job is written before its request
leaves the machine. Reads run on the caller's thread with their own connection. The API key is
never given to the journal, so it can never be stored in it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from gui.studio.jobs import Job, JobState
from gui.studio.journal_rows import JOB_COLUMNS, RESULT_COLUMNS, job_from_row, job_row, result_row
from gui.studio.journal_schema import migrate
from gui.studio.journal_writer import CommitSeam, JournalClosed, JournalWriter

__all__ = ["Journal", "JournalClosed", "Spend", "Submission", "fts_query"]

T = TypeVar("T")
_FINAL_STATES = tuple(s.value for s in JobState if s.is_final)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Spend:
    """Money spent: actual costs where Runware reported them, estimates otherwise."""

    today: float
    last_7_days: float
    all_time: float


@dataclass(frozen=True)
class Submission:
    """One attempt to send a job's ``videoInference`` request."""

    id: int
    job_id: str
    task_uuid: str
    attempted_at: float
    outcome: str | None  # "accepted", "rejected", "unknown" or None (no answer was recorded)


def fts_query(text: str) -> str | None:
    """A safe FTS5 query for what a person typed: each word quoted, the last one a prefix.

    Punctuation, quotes, ``*``, ``NEAR`` or ``AND`` in the input are only ever words or nothing,
    never query syntax. Returns None when no word is left.
    """
    words = _WORD.findall(text)[:32]
    if not words:
        return None
    terms = [f'"{w}"' for w in words]
    terms[-1] += "*"
    return " ".join(terms)


class Journal:
    """The studio's SQLite store. Open one per data folder; close it when done.

    Writes go to one writer connection on its own thread (:mod:`gui.studio.journal_writer`);
    reads use this object's own connection, on the caller's thread (WAL: a reader never waits
    for the writer). Each write comes in two forms: ``save_job(job)`` waits until the change is
    durable (the CLI, tests, rare actions), ``save_job_soon(job)`` returns an asyncio future that
    resolves once it is, without blocking the loop (the engine). Changes queued together are
    committed together: a burst costs one transaction and one fsync.
    """

    FILE_NAME = "journal.sqlite3"

    def __init__(self, path: Path, *, on_commit: CommitSeam | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        writer = sqlite3.connect(
            self.path, isolation_level=None, timeout=10.0, check_same_thread=False
        )
        writer.execute("PRAGMA journal_mode = WAL")
        writer.execute("PRAGMA synchronous = FULL")
        writer.execute("PRAGMA foreign_keys = ON")
        self.migrated_from = migrate(writer)
        self._writer = JournalWriter(writer, on_commit=on_commit)
        self._db = sqlite3.connect(self.path, isolation_level=None, timeout=10.0)
        self._db.execute("PRAGMA query_only = ON")  # every write goes through the writer

    @classmethod
    def in_folder(cls, data_dir: Path, *, on_commit: CommitSeam | None = None) -> Journal:
        return cls(Path(data_dir) / cls.FILE_NAME, on_commit=on_commit)

    def close(self) -> None:
        """Write whatever is queued, then close both connections."""
        self._writer.close()
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ the writer
    @property
    def commits(self) -> int:
        """Transactions the writer has committed (one WAL fsync each)."""
        return self._writer.commits

    @property
    def commit_threads(self) -> set[int]:
        """Ids of the threads that ran a COMMIT: the writer's only."""
        return set(self._writer.commit_threads)

    def flushed(self) -> asyncio.Future[None]:
        """Resolves once everything queued before it is durable (writes nothing itself)."""
        return self._writer.soon(None)

    def flush(self) -> None:
        """Block until everything queued so far is durable."""
        self._writer.now(None)

    def write(self, apply: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``apply`` on the writer's connection in its transaction; returns its result once
        that is durable (this thread waits; the commit runs on the writer's). For the tables
        other modules keep in the journal's file (the storyboards'), so every write to the file
        goes through one writer."""
        return self._writer.now(apply)

    def write_soon(self, apply: Callable[[sqlite3.Connection], T]) -> asyncio.Future[T]:
        """:meth:`write` without waiting: the future resolves once the change is durable."""
        return self._writer.soon(apply)

    # ------------------------------------------------------------------ jobs
    def insert_job(self, job: Job) -> None:
        """Write a new job and its result slots; committed when this returns."""
        self._writer.now(_insert_jobs([job]))

    def insert_jobs(self, jobs: Iterable[Job]) -> None:
        self._writer.now(_insert_jobs(jobs))

    def insert_job_soon(self, job: Job) -> asyncio.Future[None]:
        return self._writer.soon(_insert_jobs([job]))

    def save_job(self, job: Job) -> None:
        """Write a job's current state and all its results in one transaction."""
        self._writer.now(_save_job(job))

    def save_job_soon(self, job: Job) -> asyncio.Future[None]:
        """:meth:`save_job` as the job is now (its rows are taken at once), written soon."""
        return self._writer.soon(_save_job(job))

    def load_jobs(self) -> list[Job]:
        """Every job with its results, oldest first: one query per table."""
        results: dict[str, list[tuple[Any, ...]]] = {}
        for row in self._db.execute(
            f"SELECT {', '.join(RESULT_COLUMNS)} FROM results ORDER BY job_id, idx"
        ):
            results.setdefault(row[0], []).append(row)
        cursor = self._db.execute(
            f"SELECT {', '.join(JOB_COLUMNS)} FROM jobs ORDER BY created_at, rowid"
        )
        return [job_from_row(row, results.get(row[0], ())) for row in cursor]

    def delete_job(self, job_id: str) -> None:
        self._writer.now(_delete_op([job_id]))

    def delete_job_soon(self, job_id: str) -> asyncio.Future[None]:
        return self._writer.soon(_delete_op([job_id]))

    def set_favourite(self, job_id: str, favourite: bool) -> None:
        def apply(db: sqlite3.Connection) -> None:
            db.execute("UPDATE jobs SET favourite = ? WHERE id = ?", (int(favourite), job_id))

        self._writer.now(apply)

    def clear_history(self) -> list[str]:
        """Delete every finished job that is not a favourite; returns their ids."""
        marks = ", ".join("?" for _ in _FINAL_STATES)

        def apply(db: sqlite3.Connection) -> list[str]:
            ids = [
                row[0]
                for row in db.execute(
                    f"SELECT id FROM jobs WHERE favourite = 0 AND state IN ({marks})",
                    _FINAL_STATES,
                )
            ]
            _delete(db, ids)
            return ids

        return self._writer.now(apply)

    # ------------------------------------------------------------------ requests as sent
    def record_request(self, job_id: str, request: dict[str, Any]) -> None:
        """The exact ``videoInference`` object about to be sent (it never holds the key)."""
        self._writer.now(_record_request(job_id, request))

    def record_request_soon(self, job_id: str, request: dict[str, Any]) -> asyncio.Future[None]:
        return self._writer.soon(_record_request(job_id, request))

    def request_of(self, job_id: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT request_json FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None or row[0] is None:
            return None
        value: dict[str, Any] = json.loads(row[0])
        return value

    def sent_and_answered(
        self, job_id: str, task_uuid: str
    ) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """A job's request as sent and its raw answers, read on a connection of its own: for a
        worker thread (a result's sidecar), so the loop's thread never waits on the disk."""
        db = sqlite3.connect(self.path, isolation_level=None, timeout=10.0)
        try:
            db.execute("PRAGMA query_only = ON")
            row = db.execute("SELECT request_json FROM jobs WHERE id = ?", (job_id,)).fetchone()
            items = db.execute(
                "SELECT item_json FROM response_items WHERE task_uuid = ? ORDER BY id",
                (task_uuid,),
            ).fetchall()
        finally:
            db.close()
        request = None if row is None or row[0] is None else dict(json.loads(row[0]))
        return request, [json.loads(item[0]) for item in items]

    # ------------------------------------------------------------------ submissions
    def record_submission(self, job_id: str, task_uuid: str) -> int:
        """Note an attempt to send a job, before it is sent. Returns the attempt's id."""
        return self._writer.now(_record_submission(job_id, task_uuid))

    def record_submission_soon(self, job_id: str, task_uuid: str) -> asyncio.Future[int]:
        return self._writer.soon(_record_submission(job_id, task_uuid))

    def set_submission_outcome(self, attempt_id: int, outcome: str) -> None:
        self._writer.now(_set_outcome(attempt_id, outcome))

    def set_submission_outcome_soon(self, attempt_id: int, outcome: str) -> asyncio.Future[None]:
        return self._writer.soon(_set_outcome(attempt_id, outcome))

    def submissions(self, task_uuid: str | None = None) -> list[Submission]:
        sql = "SELECT id, job_id, task_uuid, attempted_at, outcome FROM submissions"
        args: tuple[str, ...] = ()
        if task_uuid is not None:
            sql, args = sql + " WHERE task_uuid = ?", (task_uuid,)
        return [Submission(*row) for row in self._db.execute(sql + " ORDER BY id", args)]

    # ------------------------------------------------------------------ raw answers
    def record_items(self, task_uuid: str, items: Sequence[dict[str, Any]]) -> int:
        """Keep every distinct raw response item (polls repeat them); returns how many were new."""
        return self.record_answers([(task_uuid, items)])

    def record_answers(self, answers: Iterable[tuple[str, Sequence[dict[str, Any]]]]) -> int:
        """:meth:`record_items` for many tasks in one transaction: a poll round of 200 tasks
        costs one commit (one fsync), not 200."""
        apply = _record_answers(answers)
        return 0 if apply is None else self._writer.now(apply)

    def record_answers_soon(
        self, answers: Iterable[tuple[str, Sequence[dict[str, Any]]]]
    ) -> asyncio.Future[int]:
        return self._writer.soon(_record_answers(answers) or _nothing)

    def response_items(self, task_uuid: str) -> list[dict[str, Any]]:
        cursor = self._db.execute(
            "SELECT item_json FROM response_items WHERE task_uuid = ? ORDER BY id", (task_uuid,)
        )
        return [json.loads(row[0]) for row in cursor]

    # ------------------------------------------------------------------ uploads
    def find_upload(self, sha256: str, max_age: float | None = None) -> str | None:
        """The imageUUID of an image with these bytes uploaded before (and recently enough)."""
        row = self._db.execute(
            "SELECT image_uuid, uploaded_at FROM uploads WHERE sha256 = ?", (sha256,)
        ).fetchone()
        if row is None or (max_age is not None and time.time() - row[1] > max_age):
            return None
        return str(row[0])

    def record_upload(
        self, sha256: str, image_uuid: str, width: int | None = None, height: int | None = None
    ) -> None:
        self._writer.now(_record_upload(sha256, image_uuid, width, height))

    def record_upload_soon(
        self, sha256: str, image_uuid: str, width: int | None = None, height: int | None = None
    ) -> asyncio.Future[None]:
        return self._writer.soon(_record_upload(sha256, image_uuid, width, height))

    # ------------------------------------------------------------------ search and spend
    def search(self, query: str, limit: int = 50) -> list[str]:
        """Ids of jobs whose prompt matches, best match (bm25) first. Never raises on odd input."""
        match = fts_query(query)
        if match is None or limit <= 0:
            return []
        try:
            cursor = self._db.execute(
                "SELECT f.job_id FROM jobs_fts AS f JOIN jobs AS j ON j.id = f.job_id "
                "WHERE jobs_fts MATCH ? ORDER BY bm25(jobs_fts), j.created_at DESC LIMIT ?",
                (match, limit),
            )
            return [row[0] for row in cursor]
        except sqlite3.OperationalError:
            return []

    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version`` on the writer's connection: changes when another
        process (say the CLI) commits to the journal; this journal's own commits leave it
        alone. Never waits for the writer: the value is the one it read after its last batch,
        and a fresh read is asked for, so a change shows at the latest on the next call."""
        self._writer.peek()
        return self._writer.version

    def spend(self, now: float | None = None) -> Spend:
        """Spend today (since local midnight), over the last 7 days (today included), all time.

        Counted as :func:`gui.studio.spending.job_cost` counts: the actual cost once known (the
        job's, else its results' so far), else the estimate of a job Runware may bill; jobs
        that failed or were never sent count as nothing.
        """
        today, week = _day_starts(now)
        row = self._db.execute(
            f"SELECT TOTAL(CASE WHEN created_at >= ? THEN c END), "
            f"TOTAL(CASE WHEN created_at >= ? THEN c END), TOTAL(c) FROM ("
            f" SELECT created_at, {_JOB_COST_SQL} AS c FROM jobs)",
            (today, week),
        ).fetchone()
        return Spend(
            today=round(row[0], 6), last_7_days=round(row[1], 6), all_time=round(row[2], 6)
        )

    def spend_today(self, now: float | None = None) -> float:
        """:meth:`spend`'s ``today`` alone, from today's jobs only (the ``created_at`` index):
        what the window shows after every burst and poll round, whatever the journal's size."""
        today, _week = _day_starts(now)
        row = self._db.execute(
            f"SELECT TOTAL({_JOB_COST_SQL}) FROM jobs WHERE created_at >= ?", (today,)
        ).fetchone()
        return round(float(row[0]), 6)


# What a job costs, as spending.job_cost counts it: the actual cost once known (the job's, else
# its results' so far), else the estimate of a job Runware may bill; failed or unsent: nothing.
_JOB_COST_SQL = (
    "COALESCE(actual_cost,"
    " (SELECT SUM(r.cost) FROM results AS r WHERE r.job_id = jobs.id),"
    " CASE WHEN possibly_billed = 1 AND state != 'failed' THEN estimated_cost END)"
)


def _day_starts(now: float | None) -> tuple[float, float]:
    """Local midnight today, and six days before it (the last 7 days, today included)."""
    local = datetime.fromtimestamp(time.time() if now is None else now).astimezone()
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.timestamp(), (midnight - timedelta(days=6)).timestamp()


# --------------------------------------------------------------------------- writer ops
# Each builds its rows at once, on the caller's thread (a job may change right after), and
# returns what the writer thread runs inside its transaction.
def _nothing(db: sqlite3.Connection) -> int:
    return 0


def _insert_jobs(jobs: Iterable[Job]) -> Callable[[sqlite3.Connection], None]:
    marks = ", ".join("?" for _ in JOB_COLUMNS)
    result_marks = ", ".join("?" for _ in RESULT_COLUMNS)
    rows = [(job_row(job), [result_row(job.id, r) for r in job.results]) for job in jobs]

    def apply(db: sqlite3.Connection) -> None:
        for row, results in rows:
            db.execute(f"INSERT INTO jobs ({', '.join(JOB_COLUMNS)}) VALUES ({marks})", row)
            db.executemany(
                f"INSERT INTO results ({', '.join(RESULT_COLUMNS)}) VALUES ({result_marks})",
                results,
            )

    return apply


def _save_job(job: Job) -> Callable[[sqlite3.Connection], None]:
    columns = [c for c in JOB_COLUMNS if c != "id"]
    assignments = ", ".join(f"{c} = ?" for c in columns)
    row = job_row(job)
    values = (*row[1:], row[0])
    result_marks = ", ".join("?" for _ in RESULT_COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in RESULT_COLUMNS[2:])
    results = [result_row(job.id, r) for r in job.results]
    job_id = job.id

    def apply(db: sqlite3.Connection) -> None:
        cursor = db.execute(f"UPDATE jobs SET {assignments} WHERE id = ?", values)
        if cursor.rowcount != 1:
            raise KeyError(f"job {job_id} is not in the journal")
        db.executemany(
            f"INSERT INTO results ({', '.join(RESULT_COLUMNS)}) VALUES ({result_marks}) "
            f"ON CONFLICT (job_id, idx) DO UPDATE SET {updates}",
            results,
        )

    return apply


def _delete_op(job_ids: Sequence[str]) -> Callable[[sqlite3.Connection], None]:
    ids = list(job_ids)
    return lambda db: _delete(db, ids)


def _delete(db: sqlite3.Connection, job_ids: Sequence[str]) -> None:
    for start in range(0, len(job_ids), 500):
        chunk = list(job_ids[start : start + 500])
        marks = ", ".join("?" for _ in chunk)
        db.execute(
            "DELETE FROM response_items WHERE task_uuid IN "
            f"(SELECT task_uuid FROM jobs WHERE id IN ({marks}))",
            chunk,
        )
        db.execute(f"DELETE FROM results WHERE job_id IN ({marks})", chunk)
        db.execute(f"DELETE FROM jobs WHERE id IN ({marks})", chunk)


def _record_request(job_id: str, request: dict[str, Any]) -> Callable[[sqlite3.Connection], None]:
    text = json.dumps(request, separators=(",", ":"))

    def apply(db: sqlite3.Connection) -> None:
        db.execute("UPDATE jobs SET request_json = ? WHERE id = ?", (text, job_id))

    return apply


def _record_submission(job_id: str, task_uuid: str) -> Callable[[sqlite3.Connection], int]:
    at = time.time()

    def apply(db: sqlite3.Connection) -> int:
        cursor = db.execute(
            "INSERT INTO submissions (job_id, task_uuid, attempted_at) VALUES (?, ?, ?)",
            (job_id, task_uuid, at),
        )
        return int(cursor.lastrowid or 0)

    return apply


def _set_outcome(attempt_id: int, outcome: str) -> Callable[[sqlite3.Connection], None]:
    def apply(db: sqlite3.Connection) -> None:
        db.execute("UPDATE submissions SET outcome = ? WHERE id = ?", (outcome, attempt_id))

    return apply


def _record_answers(
    answers: Iterable[tuple[str, Sequence[dict[str, Any]]]],
) -> Callable[[sqlite3.Connection], int] | None:
    now = time.time()
    rows = []
    for task_uuid, items in answers:
        for item in items:
            text = json.dumps(item, sort_keys=True, separators=(",", ":"))
            rows.append((task_uuid, now, hashlib.sha256(text.encode()).hexdigest(), text))
    if not rows:
        return None

    def apply(db: sqlite3.Connection) -> int:
        before = db.total_changes
        db.executemany(
            "INSERT OR IGNORE INTO response_items (task_uuid, received_at, digest, item_json) "
            "VALUES (?, ?, ?, ?)",
            rows,
        )
        return db.total_changes - before

    return apply


def _record_upload(
    sha256: str, image_uuid: str, width: int | None, height: int | None
) -> Callable[[sqlite3.Connection], None]:
    at = time.time()

    def apply(db: sqlite3.Connection) -> None:
        db.execute(
            "INSERT OR REPLACE INTO uploads (sha256, image_uuid, uploaded_at, width, height) "
            "VALUES (?, ?, ?, ?, ?)",
            (sha256, image_uuid, at, width, height),
        )

    return apply
