"""Outbound calls: results POSTed to a task's ``webhookURL`` and files PUT to its
``uploadEndpoint``.

Each completed generation is one webhook call (a flat task object, or ``{"data":[…]}`` when
the scenario says so). A non-2xx answer or no answer within the timeout is retried after 250 ms,
doubling up to 8 s, each delay with ±25 % jitter, up to a limited number of attempts. These
calls go to hosts the task named, so they never carry the API key: only Content-Type and a
User-Agent are sent, and the URL (with any query-string token) is used exactly as given.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from gui.sandbox.config import ProtocolSwitches

__all__ = ["Attempt", "Courier", "backoff_delay"]

log = logging.getLogger("gui.sandbox")
USER_AGENT = "runware-sandbox/1 (sora-studio)"


def backoff_delay(attempt: int, rng: random.Random) -> float:
    """Delay before retry number ``attempt`` (0-based): 0.25 s doubling, capped at 8 s, jittered."""
    base = min(8.0, 0.25 * 2.0**attempt)
    return min(8.0, base * rng.uniform(0.75, 1.25))


@dataclass
class Attempt:
    kind: str  # "webhook" or "upload"
    url: str
    task_uuid: str
    attempt: int
    status: int | None
    error: str | None
    at: float
    final: bool = False  # delivered, or the last attempt there will be

    def describe(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "url": self.url,
            "taskUUID": self.task_uuid,
            "attempt": self.attempt,
            "status": self.status,
            "error": self.error,
            "at": self.at,
            "final": self.final,
        }


class Courier:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        protocol: Callable[[], ProtocolSwitches],
        rng: random.Random | None = None,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self.session = session
        self.protocol = protocol
        self.rng = rng or random.Random()
        self.sleep = sleep
        self.attempts: list[Attempt] = []

    async def post_result(
        self, url: str, task_uuid: str, item: dict[str, Any], is_error: bool
    ) -> bool:
        switches = self.protocol()
        if switches.webhook_envelope == "data":
            body: dict[str, Any] = {"errors" if is_error else "data": [item]}
        else:
            body = item
        payload = json.dumps(body).encode()
        copies = 2 if switches.webhook_duplicates else 1
        delivered = False
        for _ in range(copies):
            delivered = await self._send(
                "webhook",
                "POST",
                url,
                task_uuid,
                payload,
                "application/json",
                attempts=switches.webhook_max_attempts,
                timeout=switches.webhook_timeout,
            )
        return delivered

    async def put_file(self, url: str, task_uuid: str, path: Path, mime: str) -> bool:
        switches = self.protocol()
        data = await asyncio.to_thread(path.read_bytes)
        return await self._send(
            "upload",
            "PUT",
            url,
            task_uuid,
            data,
            mime,
            attempts=switches.upload_max_attempts,
            timeout=max(30.0, switches.webhook_timeout),
        )

    async def _send(
        self,
        kind: str,
        method: str,
        url: str,
        task_uuid: str,
        body: bytes,
        content_type: str,
        *,
        attempts: int,
        timeout: float,
    ) -> bool:
        headers = {"Content-Type": content_type, "User-Agent": USER_AGENT}
        for attempt in range(attempts):
            status: int | None = None
            error: str | None = None
            try:
                async with self.session.request(
                    method,
                    url,
                    data=body,
                    headers=headers,
                    timeout=aiohttp.ClientTimeout(total=timeout),
                    allow_redirects=False,
                ) as response:
                    status = response.status
                    await response.read()
            except (aiohttp.ClientError, TimeoutError) as exc:
                error = type(exc).__name__
            ok = status is not None and 200 <= status < 300
            final = ok or attempt + 1 == attempts
            self.attempts.append(
                Attempt(kind, url, task_uuid, attempt + 1, status, error, time.time(), final)
            )
            if ok:
                return True
            if attempt + 1 < attempts:
                await self.sleep(backoff_delay(attempt, self.rng))
        log.warning("%s to %s failed after %d attempts", kind, url.split("?")[0], attempts)
        return False
