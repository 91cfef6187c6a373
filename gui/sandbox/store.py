"""What a sandbox keeps across a restart: its accepted tasks and its accounts' balances.

A real Runware never forgets a task because a client (or the server process) went away; the
sandbox keeps each accepted ``videoInference`` task as one JSON file in ``DATA_DIR/tasks/``,
rewritten (atomically: a temporary file, fsynced, then renamed) when the task is accepted and
each time one of its generations ends. Balances live in ``DATA_DIR/accounts.json``, keyed by a
fingerprint of the API key (never the key itself). A restarted sandbox reads both back; a task
that was still rendering is rendered again (the render is a pure function of the task) and
answers ``getResponse`` as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

__all__ = ["SandboxStore", "StoredGeneration", "StoredTask", "key_fingerprint"]

log = logging.getLogger("gui.sandbox")


def key_fingerprint(key: str) -> str:
    """A stable name for an API key that does not reveal it."""
    return hashlib.sha256(f"sora-sandbox:{key}".encode()).hexdigest()[:24]


@dataclass
class StoredGeneration:
    index: int
    seed: int
    cost: str
    video_uuid: str
    video_id: str
    ready_wall: float  # wall-clock time its rendering may start
    status: str
    failure: list[str] | None
    error: list[str] | None
    render_seconds: float | None
    finished: float | None


@dataclass
class StoredTask:
    task: dict[str, Any]
    request: list[Any]
    account: str  # key fingerprint
    model: str  # AIR
    width: int
    height: int
    duration: float
    container: str
    quality: int
    frames: dict[str, str]
    source: str | None  # videoUUID of a remix's source
    price: str
    session_uuid: str | None
    created: float
    generations: list[StoredGeneration]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StoredTask:
        generations = [StoredGeneration(**g) for g in data.pop("generations")]
        return cls(**data, generations=generations)


def write_atomically(path: Path, text: str) -> None:
    """``path`` holds either its old text or all of ``text``, whatever happens meanwhile."""
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


class SandboxStore:
    """The files under a sandbox's data folder that make its tasks outlive the process."""

    def __init__(self, data_dir: Path) -> None:
        self.tasks_dir = data_dir / "tasks"
        self.tasks_dir.mkdir(parents=True, exist_ok=True)
        self.accounts_path = data_dir / "accounts.json"
        for stale in self.tasks_dir.glob(".*.tmp"):  # a write the last process did not finish
            with contextlib.suppress(OSError):
                stale.unlink()

    # ---- tasks
    def save_task(self, task_uuid: str, stored: StoredTask, scrub: Any = None) -> None:
        from dataclasses import asdict

        text = json.dumps(asdict(stored), ensure_ascii=False, default=str)
        if scrub is not None:
            text = scrub(text)
        write_atomically(self.tasks_dir / f"{task_uuid}.json", text)

    def load_tasks(self) -> list[StoredTask]:
        found = []
        for path in sorted(self.tasks_dir.glob("*.json")):
            try:
                found.append(StoredTask.from_json(json.loads(path.read_text("utf-8"))))
            except (OSError, ValueError, TypeError, KeyError) as exc:
                log.warning("ignoring the unreadable task file %s: %s", path.name, exc)
        found.sort(key=lambda t: t.created)
        return found

    # ---- balances
    def save_accounts(self, accounts: list[dict[str, Any]]) -> None:
        write_atomically(
            self.accounts_path, json.dumps({"saved": time.time(), "accounts": accounts})
        )

    def load_accounts(self) -> dict[str, dict[str, Decimal | int]]:
        """Fingerprint → {"balance", "spent", "tasks"} as the last run left them."""
        try:
            data = json.loads(self.accounts_path.read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        out: dict[str, dict[str, Decimal | int]] = {}
        for item in data.get("accounts") or []:
            try:
                out[str(item["fingerprint"])] = {
                    "balance": Decimal(str(item["balance"])),
                    "spent": Decimal(str(item["spent"])),
                    "tasks": int(item.get("tasks", 0)),
                }
            except (KeyError, TypeError, ValueError, InvalidOperation):
                continue
        return out
