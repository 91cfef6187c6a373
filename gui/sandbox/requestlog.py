"""The request log: one JSON line per request (or WebSocket frame) at ``DATA_DIR/requests.jsonl``.

Entry::

    {"ts": 1767225600.123,          # Unix time the request arrived
     "method": "POST",              # "WS" for a WebSocket frame, "WS-PUSH" for a pushed result
     "path": "/v1",
     "status": 200,                 # null when the connection was dropped or for WS frames
     "transport": "http",           # or "ws"
     "task_types": ["getResponse", "getResponse"],
     "task_uuids": ["…", "…"],
     "fault": null,                 # or the injected fault kinds, e.g. ["lost_ack"]
     "duration_ms": 3.1,
     "request": [...],              # the parsed JSON body, or null
     "response": {...}}             # the JSON body sent, or a summary such as {"bytes": n}

API keys never reach the file: ``apiKey`` values and the Authorization header become ``***``,
and every configured key is replaced wherever else it might appear. Strings longer than 300
characters (data URIs) are shortened.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["RequestLog", "redact", "task_summary"]

REDACTED = "***"
LONG = 300


def redact(value: Any, *, shorten: bool = True) -> Any:
    """A copy with apiKey values hidden and (unless ``shorten`` is off) long strings cut."""
    if isinstance(value, dict):
        return {
            k: (
                REDACTED
                if k in ("apiKey", "authorization", "Authorization")
                else redact(v, shorten=shorten)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v, shorten=shorten) for v in value]
    if shorten and isinstance(value, str) and len(value) > LONG:
        return f"{value[:80]}…({len(value)} chars)"
    return value


def task_summary(body: Any) -> tuple[list[str], list[str]]:
    """The task types and task UUIDs named in a request body."""
    types: list[str] = []
    uuids: list[str] = []
    if isinstance(body, list):
        for item in body:
            if isinstance(item, dict):
                if isinstance(item.get("taskType"), str):
                    types.append(item["taskType"])
                if isinstance(item.get("taskUUID"), str):
                    uuids.append(item["taskUUID"])
    return types, uuids


class RequestLog:
    def __init__(self, path: Path, secrets: Iterable[str]) -> None:
        self.path = path
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("a", encoding="utf-8")
        self.count = 0

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def write(
        self,
        *,
        started: float,
        method: str,
        path: str,
        status: int | None,
        request: Any,
        response: Any,
        transport: str = "http",
        fault: list[str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        types, uuids = task_summary(request)
        entry = {
            "ts": round(started, 6),
            "method": method,
            "path": path,
            "status": status,
            "transport": transport,
            "task_types": types,
            "task_uuids": uuids,
            "fault": fault or None,
            "duration_ms": round((time.time() - started) * 1000, 2),
            "headers": redact(headers) if headers else None,
            "request": redact(request),
            "response": redact(response),
        }
        line = self.scrub(json.dumps(entry, ensure_ascii=False, default=str))
        self._file.write(line + "\n")
        self._file.flush()
        self.count += 1

    def close(self) -> None:
        self._file.close()
