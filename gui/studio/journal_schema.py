"""The journal's schema, one migration step per version (``PRAGMA user_version``).

Steps are append-only: a released step is never edited, a change is a new step. Each step runs in
its own transaction together with the bump of ``user_version``, so a crash mid-migration leaves
the database at the previous version, ready to try again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "migrate", "schema_version"]

_V1 = """
CREATE TABLE jobs (
    id                TEXT PRIMARY KEY,
    task_uuid         TEXT NOT NULL UNIQUE,
    model             TEXT NOT NULL,
    prompt            TEXT NOT NULL,
    spec_json         TEXT NOT NULL,
    request_json      TEXT,
    state             TEXT NOT NULL,
    created_at        REAL NOT NULL,
    updated_at        REAL NOT NULL,
    submitted_at      REAL,
    finished_at       REAL,
    error_code        TEXT,
    error_message     TEXT,
    error_retryable   INTEGER NOT NULL DEFAULT 0,
    possibly_billed   INTEGER NOT NULL DEFAULT 0,
    estimated_cost    REAL,
    actual_cost       REAL,
    parent_job_id     TEXT,
    lineage_kind      TEXT,
    source_video_id   TEXT,
    source_image_hash TEXT
);
CREATE TABLE results (
    job_id         TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    idx            INTEGER NOT NULL,
    state          TEXT NOT NULL,
    video_uuid     TEXT,
    video_url      TEXT,
    video_id       TEXT,
    seed           INTEGER,
    cost           REAL,
    local_path     TEXT,
    thumbnail_path TEXT,
    error          TEXT,
    PRIMARY KEY (job_id, idx)
);
CREATE TABLE submissions (
    id           INTEGER PRIMARY KEY,
    job_id       TEXT NOT NULL,
    task_uuid    TEXT NOT NULL,
    attempted_at REAL NOT NULL,
    outcome      TEXT
);
CREATE INDEX submissions_task ON submissions(task_uuid);
CREATE TABLE response_items (
    id          INTEGER PRIMARY KEY,
    task_uuid   TEXT NOT NULL,
    received_at REAL NOT NULL,
    digest      TEXT NOT NULL,
    item_json   TEXT NOT NULL,
    UNIQUE (task_uuid, digest)
);
"""

# v2: favourites, reusable uploads, prompt search and the indexes the spend queries use.
# The search index keeps its own copy of each prompt, keyed by the job row's rowid; search
# results are joined back to jobs by id, so a stale entry can never show a deleted job.
_V2 = """
ALTER TABLE jobs ADD COLUMN favourite INTEGER NOT NULL DEFAULT 0;
CREATE TABLE uploads (
    sha256      TEXT PRIMARY KEY,
    image_uuid  TEXT NOT NULL,
    uploaded_at REAL NOT NULL,
    width       INTEGER,
    height      INTEGER
);
CREATE INDEX jobs_state ON jobs(state);
CREATE INDEX jobs_created ON jobs(created_at);
CREATE VIRTUAL TABLE jobs_fts USING fts5(
    job_id UNINDEXED, prompt, tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO jobs_fts(rowid, job_id, prompt) SELECT rowid, id, prompt FROM jobs;
CREATE TRIGGER jobs_fts_insert AFTER INSERT ON jobs BEGIN
    INSERT INTO jobs_fts(rowid, job_id, prompt) VALUES (new.rowid, new.id, new.prompt);
END;
CREATE TRIGGER jobs_fts_delete AFTER DELETE ON jobs BEGIN
    DELETE FROM jobs_fts WHERE rowid = old.rowid;
END;
CREATE TRIGGER jobs_fts_update AFTER UPDATE OF prompt ON jobs BEGIN
    DELETE FROM jobs_fts WHERE rowid = old.rowid;
    INSERT INTO jobs_fts(rowid, job_id, prompt) VALUES (new.rowid, new.id, new.prompt);
END;
"""

# v3: storyboards (gui/studio/board_store.py). A board's shots in order, and every take a shot
# produced: a take row is written before its job is submitted (job_id NULL until the engine
# holds the job), so a crash between the two is found again by the take's spec, never re-sent.
_V3 = """
CREATE TABLE boards (
    id            TEXT PRIMARY KEY,
    path          TEXT,
    name          TEXT NOT NULL,
    document_json TEXT NOT NULL,
    updated_at    REAL NOT NULL
);
CREATE TABLE board_shots (
    board_id  TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    shot_id   TEXT NOT NULL,
    position  INTEGER NOT NULL,
    shot_json TEXT NOT NULL,
    PRIMARY KEY (board_id, shot_id)
);
CREATE TABLE board_takes (
    id          TEXT PRIMARY KEY,
    board_id    TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    shot_id     TEXT NOT NULL,
    job_id      TEXT,
    result_idx  INTEGER NOT NULL DEFAULT 0,
    spec_json   TEXT NOT NULL,
    chosen      INTEGER NOT NULL DEFAULT 0,
    created_at  REAL NOT NULL
);
CREATE INDEX board_takes_shot ON board_takes(board_id, shot_id);
CREATE INDEX board_takes_job ON board_takes(job_id);
"""


def _script(sql: str) -> Callable[[sqlite3.Connection], None]:
    def step(conn: sqlite3.Connection) -> None:
        for statement in _statements(sql):
            conn.execute(statement)

    return step


def _statements(sql: str) -> list[str]:
    """Split a script on ``;`` at line ends, keeping trigger bodies whole."""
    out: list[str] = []
    buffer: list[str] = []
    for line in sql.strip().splitlines():
        buffer.append(line)
        text = "\n".join(buffer).strip()
        if text.endswith(";") and sqlite3.complete_statement(text):
            out.append(text)
            buffer = []
    if "".join(buffer).strip():
        out.append("\n".join(buffer))
    return out


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _script(_V1),
    _script(_V2),
    _script(_V3),
]
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int | None = None) -> int:
    """Bring the database up to ``target`` (default: the newest); returns the version it
    started at. A database newer than this program is refused rather than guessed at.
    """
    known = len(MIGRATIONS)
    target = known if target is None else target
    start = schema_version(conn)
    if start > known:
        raise RuntimeError(
            f"The journal was written by a newer Sora Studio (schema {start}; this one knows "
            f"{known}). Update the app to open it."
        )
    for version in range(start, target):
        # Explicit transactions: executescript would commit on its own.
        conn.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return start
