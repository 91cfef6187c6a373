"""Submits that come together go out together: one POST carries up to :data:`TASKS_PER_REQUEST`.

Runware takes an array of tasks in every request and answers each by its ``taskUUID``
(:meth:`RunwareClient.submit_many`). A burst of 200 jobs sent one POST each spent most of the
event loop's time in the HTTP machinery (building, sending and reading 200 requests); here the
tasks waiting when a request slot is free leave in one request. A lone submit still leaves at
once (the next turn of the loop): batching never delays a task while a slot is free.

At most :data:`REQUESTS_AT_ONCE` submit requests are out at a time, below the HTTP pool's size,
so polls and downloads always find a connection. Each caller gets its own task's outcome: it
returns when its task was accepted and raises the error its task (or the whole request) got.
"""

from __future__ import annotations

import asyncio
import copy
import logging

from gui.runware.client import RunwareClient
from gui.runware.models import VideoInferenceTask

__all__ = ["REQUESTS_AT_ONCE", "TASKS_PER_REQUEST", "SubmitBatcher"]

log = logging.getLogger(__name__)
# Our choice, not a documented limit: a request of 20 video tasks is ~10 KB and one answer.
TASKS_PER_REQUEST = 20
REQUESTS_AT_ONCE = 8

_Waiting = tuple[VideoInferenceTask, "asyncio.Future[None]"]


class SubmitBatcher:
    """Queues submits and sends them in shared requests (see the module's text)."""

    def __init__(
        self,
        client: RunwareClient,
        *,
        tasks_per_request: int = TASKS_PER_REQUEST,
        requests_at_once: int = REQUESTS_AT_ONCE,
    ) -> None:
        self.client = client
        self.tasks_per_request = tasks_per_request
        self.requests_at_once = requests_at_once
        self.requests = 0  # submit requests sent, for tests and benchmarks
        self._waiting: list[_Waiting] = []
        self._in_flight = 0
        self._pump_due = False
        self._requests: set[asyncio.Task[None]] = set()

    async def submit(self, task: VideoInferenceTask) -> None:
        """Send ``task`` with whatever else is waiting; return once it is accepted."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((task, future))
        self._schedule_pump()
        try:
            await asyncio.shield(future)  # a cancelled caller leaves its request in flight
        except asyncio.CancelledError:
            if not future.done():
                # not sent yet: it never leaves; in flight: its outcome is read, and dropped
                self._waiting = [w for w in self._waiting if w[1] is not future]
                future.add_done_callback(_drop_outcome)
            raise

    async def close(self) -> None:
        """Cancel the requests in flight (the engine is stopping) and wait for them to end."""
        requests = list(self._requests)
        for request in requests:
            request.cancel()
        await asyncio.gather(*requests, return_exceptions=True)
        for _task, future in self._waiting:
            future.cancel()
        self._waiting = []

    def _schedule_pump(self) -> None:
        if not self._pump_due:
            self._pump_due = True
            asyncio.get_running_loop().call_soon(self._pump)

    def _pump(self) -> None:
        self._pump_due = False
        while self._waiting and self._in_flight < self.requests_at_once:
            part = self._waiting[: self.tasks_per_request]
            del self._waiting[: self.tasks_per_request]
            self._in_flight += 1
            request = asyncio.create_task(self._send(part), name=f"submit {len(part)} tasks")
            self._requests.add(request)
            request.add_done_callback(self._requests.discard)

    async def _send(self, part: list[_Waiting]) -> None:
        try:
            self.requests += 1
            outcomes = await self.client.submit_many([task for task, _ in part])
        except asyncio.CancelledError:
            for _task, future in part:
                future.cancel()
            raise
        except Exception as exc:  # the whole request's error: each caller gets its own copy
            for _task, future in part:
                if not future.done():
                    future.set_exception(copy.copy(exc))
        else:
            for (_task, future), outcome in zip(part, outcomes, strict=True):
                if future.done():
                    continue
                if outcome is None:
                    future.set_result(None)
                else:
                    future.set_exception(outcome)
        finally:
            self._in_flight -= 1
            if self._waiting:
                self._schedule_pump()


def _drop_outcome(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()  # read, so asyncio does not log it as never retrieved
