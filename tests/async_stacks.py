"""Where a pending coroutine waits: for a test that timed out waiting on one.

A thread dump shows an idle event loop when a coroutine hangs on a future nobody completes;
what the coroutine awaits is only in its ``cr_await`` chain. :func:`where_it_waits` follows
that chain (coroutines, tasks, gathers) down to the futures at its ends, and
:func:`pending_tasks` lists every unfinished task on the loop with the same chain.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

__all__ = ["pending_tasks", "where_it_waits"]


def _frames(awaitable: Any, depth: int = 0, seen: set[int] | None = None) -> Iterator[str]:
    seen = set() if seen is None else seen
    pad = "  " * depth
    if awaitable is None or id(awaitable) in seen or depth > 40:
        return
    seen.add(id(awaitable))
    if isinstance(awaitable, asyncio.Task):
        yield f"{pad}task {awaitable.get_name()}: {'done' if awaitable.done() else 'pending'}"
        waiter = getattr(awaitable, "_fut_waiter", None)  # the future its step waits on
        if waiter is not None:
            yield f"{pad}  waits on {waiter!r}"
        yield from _frames(awaitable.get_coro(), depth + 1, seen)
        return
    frame = getattr(awaitable, "cr_frame", None) or getattr(awaitable, "gi_frame", None)
    if frame is not None:
        code = frame.f_code
        yield f"{pad}{code.co_qualname} at {code.co_filename}:{frame.f_lineno}"
        inner = getattr(awaitable, "cr_await", None) or getattr(awaitable, "gi_yieldfrom", None)
        yield from _frames(inner, depth + 1, seen)
        return
    if isinstance(awaitable, asyncio.Future):
        yield f"{pad}{awaitable!r}"
        for child in getattr(awaitable, "_children", ()) or ():  # a gather's parts
            yield from _frames(child, depth + 1, seen)
        return
    yield f"{pad}{awaitable!r}"


def where_it_waits(awaitable: Any) -> str:
    """The chain of awaits a pending coroutine, task or future is suspended in, innermost last."""
    return "\n".join(_frames(awaitable)) or repr(awaitable)


def pending_tasks(loop: asyncio.AbstractEventLoop | None = None) -> str:
    """Every unfinished task on the loop, each with :func:`where_it_waits`."""
    try:
        loop = loop or asyncio.get_event_loop()
        tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
    except RuntimeError as exc:
        return f"(no tasks: {exc})"
    return "\n".join(where_it_waits(task) for task in tasks) or "(no pending tasks)"
