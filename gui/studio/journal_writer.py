"""The journal's writer: one SQLite connection on its own thread, fed by a queue.

Every change to the journal is an *op* (a function of the writer's connection) put on the queue.
The writer takes whatever is waiting, runs it in one transaction (each op in its own savepoint,
so one failing op leaves the others whole) and commits: a burst of 200 changes costs one commit,
one fsync, and none of it runs on the thread that asked. Each op then settles its waiter: an
asyncio future on the asking thread's loop (resolved through ``call_soon_threadsafe``, once per
batch and loop) or, for a caller without a loop, a ``threading.Event``.

A future resolves only after the COMMIT has returned, that is once the change is on disk
(``synchronous=FULL``); ops are committed in the order they were queued, so when one op's future
resolves, every op queued before it is durable too. Futures are resolved in that order, a time
slice per turn of the asking loop: a batch of 200 wakes its waiters over a few turns, not in one
long one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Generic, TypeVar

__all__ = ["CommitSeam", "JournalClosed", "JournalWriter"]

log = logging.getLogger(__name__)

T = TypeVar("T")
CommitSeam = Callable[[], None]  # called on the writer thread after each COMMIT (tests, P10)
MAX_BATCH = 2000  # ops in one transaction at most
RESOLVE_SLICE = 0.004  # seconds of a loop's turn spent resolving futures, at most
# futures settled in one turn, at most: settling one is cheap, but each wakes its waiters in the
# next turn (a job's announcement, the submit that goes on), about 0.1 ms each; a commit of 200
# jobs settled at once made a turn of 200 such wake-ups (15-20 ms of the window's time)
RESOLVE_AT_MOST = 16


class JournalClosed(sqlite3.ProgrammingError):
    """A write was asked of a journal that is closed."""


class _Op(Generic[T]):
    __slots__ = ("apply", "error", "event", "future", "loop", "result")

    def __init__(
        self,
        apply: Callable[[sqlite3.Connection], T] | None,
        loop: asyncio.AbstractEventLoop | None,
    ) -> None:
        self.apply = apply  # None: a barrier, nothing to write
        self.loop = loop
        self.future: asyncio.Future[T] | None = loop.create_future() if loop else None
        self.event = None if loop else threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None


_STOP = object()


class JournalWriter:
    """Owns the writing connection once started; the only thread that ever uses it."""

    def __init__(self, db: sqlite3.Connection, *, on_commit: CommitSeam | None = None) -> None:
        self._db = db
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._on_commit = on_commit
        self._closed = False
        self._lock = threading.Lock()  # makes "closed" and "queued" one step
        self.commits = 0  # transactions committed (each one fsync of the WAL)
        self.ops_written = 0
        self.commit_threads: set[int] = set()  # thread ids that ran a COMMIT (tests)
        self.version = self._data_version()
        self.peek_due = False
        self._resolvers: dict[asyncio.AbstractEventLoop, _Resolver] = {}
        self._thread = threading.Thread(target=self._run, name="journal writer", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ asking
    def soon(self, apply: Callable[[sqlite3.Connection], T] | None) -> asyncio.Future[T]:
        """Queue an op; the future (on the running loop) resolves once it is durable."""
        op: _Op[T] = _Op(apply, asyncio.get_running_loop())
        self._put(op)
        assert op.future is not None
        return op.future

    def now(self, apply: Callable[[sqlite3.Connection], T] | None) -> T:
        """Queue an op and wait, blocking this thread, until it is durable."""
        op: _Op[T] = _Op(apply, None)
        self._put(op)
        assert op.event is not None
        op.event.wait()
        if op.error is not None:
            raise op.error
        result: T = op.result
        return result

    def peek(self) -> None:
        """Have the writer read ``data_version`` again soon (nothing is written)."""
        if not self.peek_due and not self._closed:
            self.peek_due = True
            self._put(_Op(None, None))

    def _put(self, op: _Op[Any]) -> None:
        with self._lock:
            if self._closed:
                raise JournalClosed("the journal is closed")
            self._queue.put(op)

    def close(self) -> None:
        """Write what is queued, then stop the thread and close the connection."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._queue.put(_STOP)
        self._thread.join()

    # ------------------------------------------------------------------ the thread
    def _run(self) -> None:
        stop = False
        while not stop:
            first = self._queue.get()
            if first is _STOP:
                break
            batch: list[_Op[Any]] = [first]
            while len(batch) < MAX_BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    stop = True
                    break
                batch.append(more)
            try:
                self._write(batch)
            except BaseException as exc:  # never leave a waiter hanging
                log.exception("the journal writer failed")
                for op in batch:
                    op.error = op.error or exc
            self._settle(batch)
        self._db.close()

    def _write(self, batch: list[_Op[Any]]) -> None:
        writes = [op for op in batch if op.apply is not None]
        if writes:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for op in writes:
                    self._db.execute("SAVEPOINT op")
                    try:
                        assert op.apply is not None
                        op.result = op.apply(self._db)
                    except Exception as exc:  # this op only: the others still commit
                        self._db.execute("ROLLBACK TO op")
                        op.error = exc
                    self._db.execute("RELEASE op")
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
            self.commits += 1
            self.ops_written += len(writes)
            self.commit_threads.add(threading.get_ident())
            if self._on_commit is not None:
                self._on_commit()
        self.peek_due = False
        self.version = self._data_version()

    def _data_version(self) -> int:
        return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    def _settle(self, batch: list[_Op[Any]]) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list[_Op[Any]]] = {}
        for op in batch:
            if op.loop is None:
                assert op.event is not None
                op.event.set()
            else:
                by_loop.setdefault(op.loop, []).append(op)
        for loop, ops in by_loop.items():
            resolver = self._resolvers.get(loop)
            if resolver is None:
                resolver = self._resolvers[loop] = _Resolver(loop)
            resolver.add(ops)


class _Resolver:
    """Settles one loop's futures on that loop's thread, in the order their ops were queued,
    at most :data:`RESOLVE_AT_MOST` of them and :data:`RESOLVE_SLICE` of each turn (every
    settled future schedules its waiters for the next turn)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._lock = threading.Lock()
        self._ops: deque[_Op[Any]] = deque()
        self._scheduled = False

    def add(self, ops: list[_Op[Any]]) -> None:
        """On the writer's thread."""
        with self._lock:
            self._ops.extend(ops)
            if self._scheduled:
                return
            self._scheduled = True
        # a closed loop raises RuntimeError: nobody is waiting there any more
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._resolve)

    def _resolve(self) -> None:
        """On the loop's thread. Counts this thread's CPU time (a busy machine stretches the
        wall clock, not the work)."""
        started = time.thread_time()
        settled = 0
        while True:
            with self._lock:
                if not self._ops:
                    self._scheduled = False
                    return
                if settled >= RESOLVE_AT_MOST or time.thread_time() - started >= RESOLVE_SLICE:
                    break
                op = self._ops.popleft()
            settled += _resolve(op)
        self._loop.call_soon(self._resolve)  # the rest in the next turn, after the others


def _resolve(op: _Op[Any]) -> int:
    """Settle ``op``'s future; 1 if that woke anyone (a future nobody had cancelled), else 0."""
    future = op.future
    if future is None or future.done():
        return 0
    if op.error is not None:
        future.set_exception(op.error)
    else:
        future.set_result(op.result)
    return 1
