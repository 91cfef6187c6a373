"""The async Runware client: one ``httpx.AsyncClient``, typed results, typed errors.

Only calls to the API carry the API key; downloads and every other host never see it. Transient
failures (408, 429, 5xx, dropped or broken answers) are retried with exponential backoff and
jitter; a submit retried after an unknown outcome treats ``conflictTaskUUID`` as "already
accepted", so a lost acknowledgement never costs a second job.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import random
import ssl
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import ValidationError as PydanticValidationError

from gui.runware.errors import (
    AuthError,
    ConflictTaskUUIDError,
    InsufficientCreditsError,
    NotFoundError,
    ProtocolError,
    RunwareError,
    TransportError,
    error_from_object,
    error_from_status,
    means_unknown_task,
)
from gui.runware.images import ImageRules, check_image
from gui.runware.models import (
    AccountDetails,
    AccountManagementTask,
    Envelope,
    GetResponseTask,
    ImageUploadResult,
    ImageUploadTask,
    PingResult,
    PingTask,
    ProtocolShapeError,
    Task,
    VideoInferenceTask,
    VideoResult,
    parse_envelope,
    tasks_to_wire,
)

__all__ = [
    "DownloadProgress",
    "RetryPolicy",
    "RunwareClient",
    "TaskPoll",
    "Timeouts",
    "verified_tls",
]

RUNWARE_URL = "https://api.runware.ai/v1"
# An API answer (not a download) larger than this is not Runware's: refuse it unread.
MAX_API_RESPONSE_BYTES = 16 * 1024 * 1024
USER_AGENT = "sora-studio/0.1 (+httpx)"
DownloadProgress = Callable[[int, int | None], None]
T = TypeVar("T")
WRITEBACK_BYTES = 8 * 1024 * 1024  # a download is written to disk as it arrives, 8 MB at a time

# httpcore runs ``import sniffio`` on every request to learn which async library it runs under.
# sniffio is not installed here, and a failed import is not remembered: each one searches the
# whole sys.path again (about 1 ms; over a second of the event loop's time for a 200-job burst).
# Remembering the absence once gives httpcore the same answer (asyncio) at once.
if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
    sys.modules["sniffio"] = None  # type: ignore[assignment]


def _import_transport() -> None:
    """Import what httpx loads lazily on its first request (httpcore, anyio's asyncio backend,
    h11: about 70 modules, 50-150 ms), so it happens when a client is made, not in the middle
    of the first burst of requests."""
    import anyio._backends._asyncio
    import anyio.lowlevel
    import anyio.streams.tls  # noqa: F401
    import h11  # noqa: F401
    import httpcore  # noqa: F401


@dataclass(frozen=True)
class Timeouts:
    connect: float = 10.0
    api: float = 60.0  # submit, upload, account
    poll: float = 30.0
    download_read: float = 60.0


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 8.0
    jitter: float = 0.5

    def delay(self, attempt: int) -> float:
        backoff: float = min(self.max_delay, self.base_delay * (2**attempt))
        return backoff + random.uniform(0, self.jitter * backoff)


@dataclass
class TaskPoll:
    """What one poll said about one task: its generations and any errors scoped to it."""

    task_uuid: str
    results: list[VideoResult] = field(default_factory=list)
    errors: list[RunwareError] = field(default_factory=list)
    raw_items: list[dict[str, Any]] = field(default_factory=list)

    @property
    def known(self) -> bool:
        """False when the server says it never heard of this task."""
        return not any(means_unknown_task(e) for e in self.errors)


_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


async def verified_tls() -> ssl.SSLContext:
    """The TLS context a client verifies Runware's certificate with (httpx's default: the
    certifi bundle, or the one the environment names), made on a worker thread, where the
    transport httpx imports lazily (:func:`_import_transport`) is imported as well: each takes
    50-150 ms, a stall if the event loop runs the window."""

    def make() -> ssl.SSLContext:
        _import_transport()
        return httpx.create_ssl_context()

    return await asyncio.to_thread(make)


class RunwareClient:
    """Talks to Runware (or the sandbox) over HTTP. Create one and reuse it."""

    def __init__(
        self,
        api_key: str,
        base_url: str = RUNWARE_URL,
        *,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        batch_polls: bool = True,
        max_connections: int = 16,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        """``tls``: a context from :func:`verified_tls` (made off the event loop); without
        one, the client makes its own here, 50-100 ms of reading certificates."""
        if urlsplit(base_url).scheme not in {"http", "https"}:
            raise ValueError("the API URL must be http(s)")
        if tls is not None and not (tls.check_hostname and tls.verify_mode == ssl.CERT_REQUIRED):
            raise ValueError("the TLS context must verify the server's certificate and name")
        self._api_key = api_key
        self.base_url = base_url
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()
        self.batch_polls = batch_polls
        self._sleep = sleep
        self.requests_sent = 0
        _import_transport()
        # TLS verification is never turned off for Runware (a given context is checked above)
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(self.timeouts.api, connect=self.timeouts.connect),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=8),
            headers={"User-Agent": USER_AGENT},
            verify=tls if tls is not None else True,
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"RunwareClient(base_url={self.base_url!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> RunwareClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ------------------------------------------------------------------ the one POST
    async def _post_once(self, tasks: Sequence[Task], timeout: float) -> Envelope:
        body = tasks_to_wire(tasks)
        self.requests_sent += 1
        try:
            async with self._http.stream(
                "POST",
                self.base_url,
                json=body,
                headers={"Authorization": f"Bearer {self._api_key}"},
                timeout=httpx.Timeout(timeout, connect=self.timeouts.connect),
            ) as response:
                status = response.status_code
                content = await _read_capped(response, MAX_API_RESPONSE_BYTES)
        except httpx.TimeoutException as exc:
            raise TransportError(
                f"Runware did not answer in time ({type(exc).__name__})."
            ) from None
        except httpx.TransportError as exc:
            raise TransportError(f"Could not reach Runware ({type(exc).__name__}).") from None
        try:
            envelope = parse_envelope(content)
        except ProtocolShapeError as exc:
            if 200 <= status < 300:
                raise ProtocolError(
                    f"Runware sent a broken answer: {exc}.", status_code=status
                ) from None
            raise error_from_status(status) from None
        if 200 <= status < 300:
            return envelope
        if status in _RETRY_STATUSES or status >= 500:
            first = envelope.errors[0] if envelope.errors else None
            raise error_from_object(first, status) if first else error_from_status(status)
        uuids = {getattr(t, "task_uuid", None) for t in tasks}
        scoped = envelope.errors and all(e.task_uuid in uuids for e in envelope.errors)
        if status in {400, 404, 409} and scoped:
            return envelope  # per-task errors: the caller sorts them out
        if envelope.errors:
            raise error_from_object(envelope.errors[0], status)
        raise error_from_status(status)

    async def _with_retries(
        self, call: Callable[[], Awaitable[T]], on_retry: Callable[[], None] | None = None
    ) -> T:
        attempt = 0
        while True:
            try:
                return await call()
            except RunwareError as exc:
                if not exc.retryable or attempt + 1 >= self.retry.attempts:
                    raise
                if on_retry:
                    on_retry()
                await self._sleep(self.retry.delay(attempt))
                attempt += 1

    async def send(self, tasks: Sequence[Task], *, timeout: float | None = None) -> Envelope:
        """POST a batch of tasks with retries; per-task errors stay in the envelope."""
        return await self._with_retries(
            lambda: self._post_once(tasks, timeout or self.timeouts.api)
        )

    # ------------------------------------------------------------------ tasks
    async def submit(self, task: VideoInferenceTask) -> None:
        """Submit one video task and wait for its acknowledgement (see :meth:`submit_many`)."""
        outcome = (await self.submit_many([task]))[0]
        if outcome is not None:
            raise outcome

    async def submit_many(self, tasks: Sequence[VideoInferenceTask]) -> list[RunwareError | None]:
        """Submit video tasks in ONE request; each task's outcome, in order: None when it was
        accepted, else the error it alone got.

        Runware takes an array of tasks in every request and scopes an error to its task by
        ``taskUUID`` (docs: platform/introduction, utilities/task-responses). An error of the
        whole request (no answer, a bad key, a server error after the retries) is raised for
        all of them. After a retry whose first attempt may have arrived, ``conflictTaskUUID``
        means the task is already there: that counts as accepted. When the answer names errors
        for some tasks and neither an error nor an acknowledgement for another, that one's fate
        is unknown (a retryable :class:`ProtocolError`): it is asked about before it is sent again.
        A refusal of several tasks that names none of them (a 4xx whose error has no
        ``taskUUID``, other than the key's or the account's) cannot be pinned on one: each task
        is then sent again alone, with its own taskUUID, where ``conflictTaskUUID`` means it had
        arrived after all; one bad task never fails the others.
        """
        return await self._submit(tasks, sent_before=False)

    async def _submit(
        self, tasks: Sequence[VideoInferenceTask], *, sent_before: bool
    ) -> list[RunwareError | None]:
        retried = sent_before

        def note_retry() -> None:
            nonlocal retried
            retried = True

        try:
            envelope = await self._with_retries(
                lambda: self._post_once(tasks, self.timeouts.api), on_retry=note_retry
            )
        except RunwareError as exc:
            if len(tasks) == 1 or exc.retryable or isinstance(exc, _ACCOUNT):
                raise
            return [(await self._submit([task], sent_before=True))[0] for task in tasks]
        unscoped = [error_from_object(e) for e in envelope.unscoped_errors()]
        acknowledged = {item.get("taskUUID") for item in envelope.data}
        outcomes: list[RunwareError | None] = []
        for task in tasks:
            errors = [error_from_object(e) for e in envelope.errors_for(task.task_uuid)]
            errors += unscoped
            if errors and not (
                retried and all(isinstance(e, ConflictTaskUUIDError) for e in errors)
            ):
                outcomes.append(errors[0])
            elif len(tasks) > 1 and envelope.errors and task.task_uuid not in acknowledged:
                outcomes.append(
                    ProtocolError(
                        "Runware answered for other tasks of the request but not for this one.",
                        task_uuid=task.task_uuid,
                    )
                )
            else:
                outcomes.append(None)
        return outcomes

    async def poll(self, task_uuids: Sequence[str]) -> dict[str, TaskPoll]:
        """``getResponse`` for every task, in ONE request (or one each, if batching is off)."""
        if not task_uuids:
            return {}
        if self.batch_polls:
            envelopes = [await self._poll_request(list(task_uuids))]
        else:
            envelopes = await asyncio.gather(*(self._poll_request([u]) for u in task_uuids))
        out: dict[str, TaskPoll] = {u: TaskPoll(task_uuid=u) for u in task_uuids}
        for envelope in envelopes:
            for item in envelope.data:
                uuid = item.get("taskUUID")
                if uuid in out:
                    out[uuid].raw_items.append(item)
                    try:
                        out[uuid].results.append(VideoResult.model_validate(item))
                    except PydanticValidationError as exc:
                        first = exc.errors()[0]
                        where = ".".join(str(p) for p in first["loc"])
                        out[uuid].errors.append(
                            ProtocolError(
                                f"Runware sent a result that cannot be read "
                                f"({where}: {first['msg']}).",
                                task_uuid=uuid,
                            )
                        )
            for error in envelope.errors:
                if error.task_uuid in out:
                    out[error.task_uuid].errors.append(error_from_object(error))
        return out

    async def _poll_request(self, task_uuids: list[str]) -> Envelope:
        tasks = [GetResponseTask(task_uuid=u) for u in task_uuids]
        return await self.send(tasks, timeout=self.timeouts.poll)

    async def upload_image(self, source: Path | bytes, rules: ImageRules | None = None) -> str:
        """Check the image, upload it, and return its imageUUID. Nothing is sent if the check
        fails."""
        checked = await asyncio.to_thread(check_image, source, rules)
        task = ImageUploadTask(image=checked.data_uri())
        envelope = await self.send([task])
        errors = envelope.errors_for(task.task_uuid) or envelope.errors
        if errors:
            raise error_from_object(errors[0])
        items = envelope.items_for(task.task_uuid) or envelope.data
        try:
            return ImageUploadResult.model_validate(items[0]).image_uuid
        except (IndexError, ValueError):
            raise ProtocolError("The upload answer carries no imageUUID.") from None

    async def account(self) -> AccountDetails:
        task = AccountManagementTask()
        envelope = await self.send([task])
        if envelope.errors:
            raise error_from_object(envelope.errors[0])
        try:
            return AccountDetails.model_validate(envelope.data[0])
        except (IndexError, ValueError):
            raise ProtocolError("The account answer has the wrong shape.") from None

    async def ping(self) -> bool:
        envelope = await self.send([PingTask()])
        return any(PingResult.model_validate(i).pong for i in envelope.data)

    # ------------------------------------------------------------------ downloads
    async def download(
        self, url: str, dest: Path, progress: DownloadProgress | None = None
    ) -> Path:
        """Stream ``url`` to ``dest`` through ``dest.part``; resume with Range after a cut.

        The file appears under its final name only when it is whole (length checked, fsynced).
        A wrong length leaves nothing behind. The API key is never sent.
        """
        scheme = urlsplit(url).scheme.lower()
        if scheme not in {"http", "https"}:
            refused = ProtocolError(
                f"Refusing to download from a {scheme or 'schemeless'}: URL; "
                "the link is not a web address."
            )
            refused.retryable = False  # the same link never becomes one
            raise refused
        part = dest.with_name(dest.name + ".part")
        attempt = 0
        while True:
            try:
                await self._download_once(url, part, progress)
                break
            except (TransportError, ProtocolError) as exc:
                if isinstance(exc, ProtocolError) and not exc.retryable:
                    part.unlink(missing_ok=True)
                    raise
                if attempt + 1 >= self.retry.attempts:
                    raise
                await self._sleep(self.retry.delay(attempt))
                attempt += 1
            except RunwareError:
                part.unlink(missing_ok=True)
                raise
        await asyncio.to_thread(_fsync_and_rename, part, dest)
        return dest

    async def _download_once(self, url: str, part: Path, progress: DownloadProgress | None) -> None:
        have = part.stat().st_size if part.exists() else 0
        headers = {"Range": f"bytes={have}-"} if have else {}
        timeout = httpx.Timeout(self.timeouts.download_read, connect=self.timeouts.connect)
        try:
            async with self._http.stream("GET", url, headers=headers, timeout=timeout) as response:
                status = response.status_code
                if status in {404, 410}:
                    raise NotFoundError(
                        "The result's URL has expired or no longer exists.",
                        code="expired",
                        status_code=status,
                    )
                if status == 416 and have:
                    part.unlink(missing_ok=True)
                    raise ProtocolError("The partial download no longer matches; starting over.")
                if status in _RETRY_STATUSES or status >= 500:
                    raise TransportError(
                        f"The file server answered HTTP {status}.", status_code=status
                    )
                if status not in {200, 206}:
                    raise ProtocolError(
                        f"The file server answered HTTP {status}.", status_code=status
                    )
                total = _expected_total(response, have)
                mode = "ab" if status == 206 else "wb"
                done = have if status == 206 else 0
                syncing: list[asyncio.Future[None]] = []
                with open(part, mode) as fh:
                    unsynced = 0
                    async for chunk in response.aiter_raw():
                        fh.write(chunk)
                        done += len(chunk)
                        unsynced += len(chunk)
                        if unsynced >= WRITEBACK_BYTES:  # so the final fsync has little left
                            fh.flush()
                            fd = os.dup(fh.fileno())
                            syncing.append(asyncio.ensure_future(asyncio.to_thread(_datasync, fd)))
                            unsynced = 0
                        if progress:
                            progress(done, total)
                await asyncio.gather(*syncing)
        except httpx.TimeoutException:
            raise TransportError("The download stalled.") from None
        except httpx.TransportError as exc:
            raise TransportError(f"The download was cut ({type(exc).__name__}).") from None
        if total is not None and done != total:
            if done < total:
                raise TransportError(f"The download stopped at {done} of {total} bytes.")
            part.unlink(missing_ok=True)
            err = ProtocolError(f"The server sent {done} bytes but announced {total}.")
            err.retryable = False
            raise err


async def _read_capped(response: httpx.Response, limit: int) -> bytes:
    """The body, or :class:`ProtocolError` as soon as it is known to exceed ``limit`` bytes."""

    def too_large() -> ProtocolError:
        return ProtocolError(
            f"Runware sent an answer larger than {limit // 2**20} MB; it was not read.",
            status_code=response.status_code,
        )

    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > limit:
        raise too_large()
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > limit:
            raise too_large()
    return bytes(body)


# Errors about the key or the account: every task of a request shares them.
_ACCOUNT = (AuthError, InsufficientCreditsError)


def _expected_total(response: httpx.Response, have: int) -> int | None:
    if response.status_code == 206:
        content_range = response.headers.get("Content-Range", "")
        try:
            start = int(content_range.split(" ", 1)[1].split("-", 1)[0])
            total = content_range.rsplit("/", 1)[1]
        except (IndexError, ValueError):
            raise ProtocolError("A resumed download has no valid Content-Range.") from None
        if start != have:
            raise ProtocolError("A resumed download started at the wrong byte.")
        return int(total) if total.isdigit() else None
    length = response.headers.get("Content-Length")
    return int(length) if length and length.isdigit() else None


def _datasync(fd: int) -> None:
    """Write a download's bytes so far to disk, in a thread, while the rest arrives: the fsync
    before the rename then waits for the last few MB only, not for the whole file."""
    try:
        os.fdatasync(fd)
    except OSError:
        pass  # the fsync before the rename reports what matters
    finally:
        os.close(fd)


def _fsync_and_rename(part: Path, dest: Path) -> None:
    with open(part, "rb+") as fh:
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(part, dest)
    try:
        dir_fd = os.open(dest.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass
