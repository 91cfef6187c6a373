"""The journal: every job, result, request, answer and upload, in SQLite beside the library.

One file (``DATA_DIR/journal.sqlite3``) in WAL mode with ``synchronous=FULL``: a method returns
only once its change is on disk, which is what lets the engine promise that a job is written
before its request leaves the machine. The API key is never given to the journal, so it can
never be stored in it. All methods run on the caller's thread and are quick (one transaction).
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from gui.studio.jobs import Job, JobState
from gui.studio.journal_rows import JOB_COLUMNS, RESULT_COLUMNS, job_from_row, job_row, result_row
from gui.studio.journal_schema import migrate

__all__ = ["Journal", "Spend", "Submission", "fts_query"]

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
    """The studio's SQLite store. Open one per data folder; close it when done."""

    FILE_NAME = "journal.sqlite3"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None, timeout=10.0)
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = FULL")
        self._db.execute("PRAGMA foreign_keys = ON")
        self.migrated_from = migrate(self._db)

    @classmethod
    def in_folder(cls, data_dir: Path) -> Journal:
        return cls(Path(data_dir) / cls.FILE_NAME)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # ------------------------------------------------------------------ jobs
    def insert_job(self, job: Job) -> None:
        """Write a new job and its result slots; committed when this returns."""
        self.insert_jobs([job])

    def insert_jobs(self, jobs: Iterable[Job]) -> None:
        marks = ", ".join("?" for _ in JOB_COLUMNS)
        result_marks = ", ".join("?" for _ in RESULT_COLUMNS)
        with self._transaction() as db:
            for job in jobs:
                db.execute(
                    f"INSERT INTO jobs ({', '.join(JOB_COLUMNS)}) VALUES ({marks})", job_row(job)
                )
                db.executemany(
                    f"INSERT INTO results ({', '.join(RESULT_COLUMNS)}) VALUES ({result_marks})",
                    [result_row(job.id, r) for r in job.results],
                )

    def save_job(self, job: Job) -> None:
        """Write a job's current state and all its results in one transaction."""
        columns = [c for c in JOB_COLUMNS if c != "id"]
        assignments = ", ".join(f"{c} = ?" for c in columns)
        row = job_row(job)
        values = (*row[1:], row[0])
        result_marks = ", ".join("?" for _ in RESULT_COLUMNS)
        updates = ", ".join(f"{c} = excluded.{c}" for c in RESULT_COLUMNS[2:])
        with self._transaction() as db:
            cursor = db.execute(f"UPDATE jobs SET {assignments} WHERE id = ?", values)
            if cursor.rowcount != 1:
                raise KeyError(f"job {job.id} is not in the journal")
            db.executemany(
                f"INSERT INTO results ({', '.join(RESULT_COLUMNS)}) VALUES ({result_marks}) "
                f"ON CONFLICT (job_id, idx) DO UPDATE SET {updates}",
                [result_row(job.id, r) for r in job.results],
            )

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
        with self._transaction() as db:
            self._delete(db, [job_id])

    @staticmethod
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

    def set_favourite(self, job_id: str, favourite: bool) -> None:
        with self._transaction() as db:
            db.execute("UPDATE jobs SET favourite = ? WHERE id = ?", (int(favourite), job_id))

    def clear_history(self) -> list[str]:
        """Delete every finished job that is not a favourite; returns their ids."""
        marks = ", ".join("?" for _ in _FINAL_STATES)
        with self._transaction() as db:
            ids = [
                row[0]
                for row in db.execute(
                    f"SELECT id FROM jobs WHERE favourite = 0 AND state IN ({marks})",
                    _FINAL_STATES,
                )
            ]
            self._delete(db, ids)
        return ids

    # ------------------------------------------------------------------ requests as sent
    def record_request(self, job_id: str, request: dict[str, Any]) -> None:
        """The exact ``videoInference`` object about to be sent (it never holds the key)."""
        with self._transaction() as db:
            db.execute(
                "UPDATE jobs SET request_json = ? WHERE id = ?",
                (json.dumps(request, separators=(",", ":")), job_id),
            )

    def request_of(self, job_id: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT request_json FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None or row[0] is None:
            return None
        value: dict[str, Any] = json.loads(row[0])
        return value

    # ------------------------------------------------------------------ submissions
    def record_submission(self, job_id: str, task_uuid: str) -> int:
        """Note an attempt to send a job, before it is sent. Returns the attempt's id."""
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO submissions (job_id, task_uuid, attempted_at) VALUES (?, ?, ?)",
                (job_id, task_uuid, time.time()),
            )
            return int(cursor.lastrowid or 0)

    def set_submission_outcome(self, attempt_id: int, outcome: str) -> None:
        with self._transaction() as db:
            db.execute("UPDATE submissions SET outcome = ? WHERE id = ?", (outcome, attempt_id))

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
        now = time.time()
        rows = []
        for task_uuid, items in answers:
            for item in items:
                text = json.dumps(item, sort_keys=True, separators=(",", ":"))
                rows.append((task_uuid, now, hashlib.sha256(text.encode()).hexdigest(), text))
        if not rows:
            return 0
        with self._transaction() as db:
            before = db.total_changes
            db.executemany(
                "INSERT OR IGNORE INTO response_items (task_uuid, received_at, digest, item_json) "
                "VALUES (?, ?, ?, ?)",
                rows,
            )
            return db.total_changes - before

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
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO uploads (sha256, image_uuid, uploaded_at, width, height) "
                "VALUES (?, ?, ?, ?, ?)",
                (sha256, image_uuid, time.time(), width, height),
            )

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
        """SQLite's ``PRAGMA data_version``: changes when another connection (another process,
        say the CLI) commits to the journal; this connection's own commits leave it alone."""
        return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    def spend(self, now: float | None = None) -> Spend:
        """Spend today (since local midnight), over the last 7 days (today included), all time.

        Counted as :func:`gui.studio.spending.job_cost` counts: the actual cost once known (the
        job's, else its results' so far), else the estimate of a job Runware may bill; jobs
        that failed or were never sent count as nothing.
        """
        local = datetime.fromtimestamp(time.time() if now is None else now).astimezone()
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        today, week = midnight.timestamp(), (midnight - timedelta(days=6)).timestamp()
        row = self._db.execute(
            "SELECT TOTAL(CASE WHEN created_at >= ? THEN c END), "
            "TOTAL(CASE WHEN created_at >= ? THEN c END), TOTAL(c) FROM ("
            " SELECT created_at, COALESCE(actual_cost,"
            "  (SELECT SUM(r.cost) FROM results AS r WHERE r.job_id = jobs.id),"
            "  CASE WHEN possibly_billed = 1 AND state != 'failed' THEN estimated_cost END) AS c"
            " FROM jobs)",
            (today, week),
        ).fetchone()
        return Spend(
            today=round(row[0], 6), last_7_days=round(row[1], 6), all_time=round(row[2], 6)
        )
