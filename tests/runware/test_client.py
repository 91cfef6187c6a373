"""The client against the real sandbox over 127.0.0.1: every path through real HTTP."""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import av
import pytest
from PIL import Image

from gui.runware.client import WRITEBACK_BYTES, RetryPolicy, RunwareClient, TaskPoll, Timeouts
from gui.runware.errors import (
    AuthError,
    ContentPolicyError,
    InputFileError,
    InsufficientCreditsError,
    NotFoundError,
    ProtocolError,
    ProviderError,
    RateLimitedError,
    ServerError,
    TransportError,
    ValidationError,
)
from gui.runware.models import FrameImage, VideoInferenceTask, VideoInputs

T = TypeVar("T")
FAST = RetryPolicy(attempts=4, base_delay=0.05, max_delay=0.2, jitter=0.1)
ONCE = RetryPolicy(attempts=1)


def run(coro: Awaitable[T]) -> T:
    return asyncio.run(coro)  # type: ignore[arg-type]


def client_for(sandbox: Any, retry: RetryPolicy = FAST, **kwargs: Any) -> RunwareClient:
    return RunwareClient(sandbox.api_key, sandbox.url, retry=retry, **kwargs)


def sora(air_index: int = 0, **fields: Any) -> VideoInferenceTask:
    from gui.runware.catalog import default_catalog

    model = list(default_catalog())[air_index]
    base: dict[str, Any] = {
        "model": model.air,
        "positive_prompt": "A lighthouse at dusk, waves rolling in",
        "width": 1280,
        "height": 720,
        "duration": 4,
        "include_cost": True,
    }
    return VideoInferenceTask(**{**base, **fields})


async def wait_for(
    client: RunwareClient, task_uuid: str, count: int, limit: float = 60
) -> TaskPoll:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while loop.time() < deadline:
        poll = (await client.poll([task_uuid]))[task_uuid]
        if poll.errors or sum(r.is_success for r in poll.results) >= count:
            return poll
        await asyncio.sleep(0.1)
    raise AssertionError("the task did not finish")


class ProgressLog(list[tuple[int, int | None]]):
    def append_progress(self, done: int, total: int | None) -> None:
        self.append((done, total))


def poll_requests(sandbox: Any) -> list[dict[str, Any]]:
    return [e for e in sandbox.requests() if "getResponse" in (e.get("task_types") or [])]


def submissions(sandbox: Any) -> list[dict[str, Any]]:
    return [e for e in sandbox.requests() if "videoInference" in (e.get("task_types") or [])]


# ------------------------------------------------------------------ the happy paths


@pytest.mark.parametrize("count", [1, 4])
def test_submit_poll_download(sandbox: Any, tmp_path: Path, count: int) -> None:
    async def go() -> None:
        async with client_for(sandbox) as client:
            task = sora(number_results=count)
            await client.submit(task)
            poll = await wait_for(client, task.task_uuid, count)
            done = [r for r in poll.results if r.is_success]
            assert len(done) == count
            assert len({r.uuid for r in done}) == count
            for result in done:
                assert result.cost is not None and result.cost > 0
                assert result.video_id and result.url
                seen = ProgressLog()
                dest = await client.download(
                    result.url, tmp_path / f"{result.uuid}.mp4", seen.append_progress
                )
                assert dest.exists() and not dest.with_name(dest.name + ".part").exists()
                assert seen and seen[-1][0] == seen[-1][1] == dest.stat().st_size
                with av.open(str(dest)) as container:
                    stream = container.streams.video[0]
                    assert (stream.width, stream.height) == (1280, 720)

    run(go())


def test_one_request_polls_twenty_tasks(sandbox: Any) -> None:
    async def go() -> None:
        async with client_for(sandbox) as client:
            tasks = [sora(positive_prompt=f"Shot number {i} of a city at night") for i in range(20)]
            for task in tasks:
                await client.submit(task)
            before = len(poll_requests(sandbox))
            sent_before = client.requests_sent
            polls = await client.poll([t.task_uuid for t in tasks])
            assert client.requests_sent - sent_before == 1
            assert set(polls) == {t.task_uuid for t in tasks}
            assert all(p.results and not p.errors for p in polls.values())
            after = poll_requests(sandbox)
            assert len(after) - before == 1
            assert sorted(after[-1]["task_uuids"]) == sorted(t.task_uuid for t in tasks)

    run(go())


def test_polling_one_task_per_request_when_batching_is_off(sandbox: Any) -> None:
    async def go() -> None:
        async with client_for(sandbox, batch_polls=False) as client:
            tasks = [sora() for _ in range(3)]
            for task in tasks:
                await client.submit(task)
            polls = await client.poll([t.task_uuid for t in tasks])
            assert len(polls) == 3 and client.requests_sent == 6

    run(go())


def test_upload_image_then_use_it_as_first_frame(sandbox: Any, tmp_path: Path) -> None:
    image = tmp_path / "frame.png"
    Image.new("RGB", (1280, 720), (10, 200, 90)).save(image)

    async def go() -> None:
        async with client_for(sandbox) as client:
            image_uuid = await client.upload_image(image)
            assert image_uuid
            frames: list[str | FrameImage] = [FrameImage(image=image_uuid, frame="first")]
            task = sora(inputs=VideoInputs(frame_images=frames))
            await client.submit(task)
            poll = await wait_for(client, task.task_uuid, 1)
            assert poll.results[0].is_success

    run(go())


def test_account_and_ping(sandbox: Any) -> None:
    async def go() -> None:
        async with client_for(sandbox) as client:
            assert await client.ping() is True
            before = (await client.account()).balance.amount
            await client.submit(sora(duration=8))
            after = (await client.account()).balance.amount
            assert round(before - after, 2) == 0.80  # the catalogue's Sora 2 price for 8 s

    run(go())


# ------------------------------------------------------------------ every error from real HTTP


def test_bad_key_is_an_auth_error(sandbox: Any) -> None:
    async def go() -> None:
        async with RunwareClient("wrong-key", sandbox.url, retry=FAST) as client:
            with pytest.raises(AuthError) as info:
                await client.submit(sora())
            assert info.value.code == "invalidApiKey" and info.value.status_code == 401
            assert "wrong-key" not in str(info.value) and "wrong-key" not in repr(client)

    run(go())
    assert submissions(sandbox)[-1]["status"] == 401


def test_validation_error_is_never_retried(sandbox: Any) -> None:
    async def go() -> None:
        async with client_for(sandbox) as client:
            task = sora(duration=5)
            with pytest.raises(ValidationError) as info:
                await client.submit(task)
            assert info.value.code == "unsupportedDuration"
            assert info.value.parameter == "duration" and info.value.allowed_values
            assert client.requests_sent == 1

    run(go())
    assert len(submissions(sandbox)) == 1


def test_insufficient_credits(sandbox_factory: Any) -> None:
    sandbox = sandbox_factory(balance=0.10)

    async def go() -> None:
        async with client_for(sandbox) as client:
            with pytest.raises(InsufficientCreditsError) as info:
                await client.submit(sora(duration=8))
            assert info.value.status_code == 402 and not info.value.retryable

    run(go())


@pytest.mark.parametrize(
    ("status", "cls"), [(429, RateLimitedError), (500, ServerError), (503, ServerError)]
)
def test_transient_statuses_raise_typed_errors_when_retries_run_out(
    sandbox_factory: Any, status: int, cls: type
) -> None:
    sandbox = sandbox_factory(
        faults={"faults": [{"kind": "http_error", "scope": "submit", "statuses": [status]}]}
    )

    async def go() -> None:
        async with client_for(sandbox, retry=ONCE) as client:
            with pytest.raises(cls) as info:
                await client.submit(sora())
            assert info.value.retryable and info.value.status_code == status

    run(go())


def test_a_503_is_retried_into_success(sandbox_factory: Any) -> None:
    sandbox = sandbox_factory(
        faults={
            "faults": [{"kind": "http_error", "scope": "submit", "statuses": [503], "times": 2}]
        }
    )

    async def go() -> None:
        async with client_for(sandbox) as client:
            task = sora()
            await client.submit(task)
            assert client.requests_sent == 3
            assert (await wait_for(client, task.task_uuid, 1)).results[0].is_success

    run(go())
    assert [e["status"] for e in submissions(sandbox)] == [503, 503, 200]


def test_lost_acknowledgement_becomes_accepted_via_conflict(sandbox_factory: Any) -> None:
    sandbox = sandbox_factory(
        faults={"faults": [{"kind": "lost_ack", "scope": "submit", "times": 1}]}
    )

    async def go() -> None:
        async with client_for(sandbox) as client:
            task = sora()
            await client.submit(task)  # first answer lost; the retry hears conflictTaskUUID
            assert (await wait_for(client, task.task_uuid, 1)).results[0].is_success

    run(go())
    charged = sandbox.state()["balances"][0]["spent"]
    assert round(charged, 2) == 0.40  # charged once, not twice


@pytest.mark.parametrize("kind", ["drop", "non_json", "truncate"])
def test_broken_answers_are_transport_or_protocol_errors(sandbox_factory: Any, kind: str) -> None:
    sandbox = sandbox_factory(faults={"faults": [{"kind": kind, "scope": "other"}]})

    async def go() -> None:
        async with client_for(sandbox, retry=ONCE) as client:
            with pytest.raises((TransportError, ProtocolError)) as info:
                await client.account()
            assert info.value.retryable

    run(go())


def test_hung_reply_times_out(sandbox_factory: Any) -> None:
    sandbox = sandbox_factory(
        faults={"faults": [{"kind": "hang", "scope": "poll", "times": 1, "seconds": 2}]}
    )

    async def go() -> None:
        timeouts = Timeouts(poll=0.5)
        async with client_for(sandbox, timeouts=timeouts) as client:
            task = sora()
            await client.submit(task)
            polls = await client.poll([task.task_uuid])  # first hangs, the retry answers
            assert polls[task.task_uuid].results

    run(go())


@pytest.mark.parametrize(
    ("code", "cls"),
    [("timeoutProvider", ProviderError), ("contentPolicyViolation", ContentPolicyError)],
)
def test_failed_generations_arrive_as_typed_errors(
    sandbox_factory: Any, code: str, cls: type
) -> None:
    sandbox = sandbox_factory(faults={"faults": [{"kind": "task_failure", "code": code}]})

    async def go() -> None:
        async with client_for(sandbox) as client:
            task = sora()
            await client.submit(task)
            poll = await wait_for(client, task.task_uuid, 1)
            (error,) = poll.errors
            assert isinstance(error, cls) and error.code == code

    run(go())


def test_nested_error_shape_is_understood(sandbox_factory: Any) -> None:
    sandbox = sandbox_factory(
        faults={
            "protocol": {"error_shape": "nested", "processing_status": "pending"},
            "faults": [{"kind": "task_failure", "code": "providerError"}],
        }
    )

    async def go() -> None:
        async with client_for(sandbox) as client:
            task = sora()
            await client.submit(task)
            first = (await client.poll([task.task_uuid]))[task.task_uuid]
            assert all(r.is_pending for r in first.results)
            poll = await wait_for(client, task.task_uuid, 1)
            assert isinstance(poll.errors[0], ProviderError)

    run(go())


def test_unknown_task_is_reported_as_not_known(sandbox: Any) -> None:
    async def go() -> None:
        async with client_for(sandbox) as client:
            task = sora()
            polls = await client.poll([task.task_uuid])
            assert polls[task.task_uuid].known is False
            assert isinstance(polls[task.task_uuid].errors[0], NotFoundError)

    run(go())


def test_a_bad_image_is_refused_before_anything_is_sent(sandbox: Any, tmp_path: Path) -> None:
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")

    async def go() -> None:
        async with client_for(sandbox) as client:
            with pytest.raises(InputFileError):
                await client.upload_image(bad)
            assert client.requests_sent == 0

    run(go())
    assert sandbox.requests() == []


# ------------------------------------------------------------------ downloads


def _mp4_bytes() -> bytes:
    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        for i in range(60):
            frame = av.VideoFrame.from_image(Image.new("RGB", (320, 240), (i * 4, 50, 90)))
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return buf.getvalue()


class FileServer:
    """A real HTTP file server on 127.0.0.1 that can cut or lie about a file."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.cut_first_at: int | None = None
        self.announce: int | None = None
        self.gone = False
        self.requests: list[dict[str, str]] = []

    async def handle(self, request: Any) -> Any:
        from aiohttp import web

        self.requests.append(dict(request.headers))
        if self.gone:
            return web.Response(status=404)
        start = 0
        if "Range" in request.headers:
            start = int(request.headers["Range"].split("=")[1].split("-")[0])
        chunk = self.body[start:]
        status = 206 if start else 200
        headers = {"Content-Length": str(self.announce or len(chunk))}
        if start:
            headers["Content-Range"] = f"bytes {start}-{len(self.body) - 1}/{len(self.body)}"
        response = web.StreamResponse(status=status, headers=headers)
        await response.prepare(request)
        if self.cut_first_at is not None:
            cut, self.cut_first_at = self.cut_first_at, None
            await response.write(chunk[:cut])
            request.transport.close()
            return response
        await response.write(chunk)
        await response.write_eof()
        return response

    async def start(self) -> str:
        from aiohttp import web

        app = web.Application()
        app.router.add_get("/{name}", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = self.runner.addresses[0][1]
        return f"http://127.0.0.1:{port}/video.mp4"

    async def stop(self) -> None:
        await self.runner.cleanup()


def with_server(
    body: bytes, test: Callable[[FileServer, str, RunwareClient], Awaitable[None]]
) -> None:
    async def go() -> None:
        server = FileServer(body)
        url = await server.start()
        try:
            timeouts = Timeouts(download_read=0.5)
            async with RunwareClient(
                "the-api-key", "http://127.0.0.1:9/v1", retry=FAST, timeouts=timeouts
            ) as client:
                await test(server, url, client)
        finally:
            await server.stop()

    run(go())


def test_download_resumes_with_range_after_a_cut(tmp_path: Path) -> None:
    body = _mp4_bytes()

    async def test(server: FileServer, url: str, client: RunwareClient) -> None:
        server.cut_first_at = len(body) // 3
        dest = await client.download(url, tmp_path / "v.mp4")
        assert dest.read_bytes() == body
        assert server.requests[1]["Range"] == f"bytes={len(body) // 3}-"
        assert all("Authorization" not in h for h in server.requests)  # the key stays home

    with_server(body, test)


def test_a_large_download_is_written_to_disk_as_it_arrives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Benchmark P4: with one fsync at the end, a 50 MB download waited for all 50 MB to reach
    the disk before its rename; now the bytes go to disk every 8 MB while the rest arrives."""
    body = os.urandom(3 * WRITEBACK_BYTES + 1024 * 1024)
    synced: list[int] = []
    datasync = os.fdatasync

    def counting(fd: int) -> None:
        synced.append(fd)
        datasync(fd)

    monkeypatch.setattr(os, "fdatasync", counting)

    async def test(server: FileServer, url: str, client: RunwareClient) -> None:
        dest = await client.download(url, tmp_path / "v.mp4")
        assert dest.read_bytes() == body
        assert not (tmp_path / "v.mp4.part").exists()

    with_server(body, test)
    assert len(synced) == 3  # about every 8 MB; the last one goes with the final fsync


def test_download_with_a_wrong_length_leaves_no_file(tmp_path: Path) -> None:
    body = _mp4_bytes()

    async def test(server: FileServer, url: str, client: RunwareClient) -> None:
        server.announce = len(body) + 1000  # the server promises more than it sends
        with pytest.raises((TransportError, ProtocolError)):
            await client.download(url, tmp_path / "v.mp4")
        assert not (tmp_path / "v.mp4").exists()

    with_server(body, test)


def test_expired_url_is_not_found(tmp_path: Path) -> None:
    async def test(server: FileServer, url: str, client: RunwareClient) -> None:
        server.gone = True
        with pytest.raises(NotFoundError):
            await client.download(url, tmp_path / "v.mp4")
        assert not list(tmp_path.iterdir())

    with_server(b"x", test)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "javascript:alert(1)", "ftp://x/y.mp4"])
def test_only_http_urls_are_downloaded(tmp_path: Path, url: str) -> None:
    async def go() -> None:
        async with RunwareClient("k", "http://127.0.0.1:9/v1") as client:
            with pytest.raises(ProtocolError, match="Refusing"):
                await client.download(url, tmp_path / "v.mp4")
            assert client.requests_sent == 0

    run(go())
    assert not list(tmp_path.iterdir())


def test_ttl_expiry_in_the_sandbox_is_a_not_found(sandbox: Any, tmp_path: Path) -> None:
    async def go() -> None:
        async with client_for(sandbox) as client:
            task = sora(ttl=60)
            await client.submit(task)
            poll = await wait_for(client, task.task_uuid, 1)
            result = poll.results[0]
            assert result.uuid and result.url
            import httpx

            async with httpx.AsyncClient() as http:
                await http.post(
                    f"{sandbox.origin}/_sandbox/expire", json={"videoUUID": result.uuid}
                )
            with pytest.raises(NotFoundError):
                await client.download(result.url, tmp_path / "v.mp4")

    run(go())
