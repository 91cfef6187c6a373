"""Webhook calls and uploads to a local aiohttp receiver: shape, retries, and no API key."""

from __future__ import annotations

import json
import random
import time

from gui.sandbox.webhooks import backoff_delay
from tests.sandbox.support import Receiver, http, post, video_task, wait_for


def finished_deliveries(sb, receiver: Receiver, count: int, timeout: float = 20) -> list:  # type: ignore[no-untyped-def,type-arg]
    """Every webhook attempt to ``receiver``, once ``count`` deliveries succeeded or gave up."""
    deadline = time.monotonic() + timeout
    while True:
        attempts = [
            d
            for d in sb.state()["deliveries"]
            if d["kind"] == "webhook" and d["url"].startswith(receiver.url)
        ]
        if sum(d["final"] for d in attempts) >= count:
            return attempts
        assert time.monotonic() < deadline, attempts
        time.sleep(0.05)


def _no_key(sb, call) -> None:  # type: ignore[no-untyped-def]
    assert "Authorization" not in call.headers
    assert sb.api_key not in json.dumps(call.headers)
    assert sb.api_key.encode() not in call.body


def test_each_result_is_posted_flat_with_the_url_untouched(shared, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    sandbox = shared
    task = video_task(
        numberResults=2,
        includeCost=True,
        webhookURL=f"{receiver.url}/hooks/sora?token=s3cr%2Bt&job=7",
    )
    post(sandbox, [task])
    calls = receiver.wait(2)
    assert len(finished_deliveries(sandbox, receiver, 2)) == 2  # one call per result, no more
    polled = wait_for(sandbox, task["taskUUID"], count=2)["data"]
    bodies = [json.loads(c.body) for c in calls]
    assert sorted(bodies, key=lambda b: b["videoUUID"]) == sorted(
        polled, key=lambda b: b["videoUUID"]
    )
    for call, body in zip(calls, bodies, strict=True):
        assert call.method == "POST" and call.path == "/hooks/sora"
        assert call.query == "token=s3cr%2Bt&job=7"
        assert call.headers["Content-Type"] == "application/json"
        assert body["status"] == "success" and body["taskUUID"] == task["taskUUID"]
        assert "data" not in body
        _no_key(sandbox, call)


def test_failed_deliveries_are_retried_with_backoff(shared) -> None:  # type: ignore[no-untyped-def]
    receiver = Receiver(respond=lambda n: [500, 503, 200][min(n, 2)])
    try:
        sb = shared
        post(sb, [video_task(webhookURL=f"{receiver.url}/hook")])
        attempts = finished_deliveries(sb, receiver, 1)
        calls = receiver.received
        assert len(calls) == 3  # delivered on the third attempt, then done
        assert calls[0].at <= calls[1].at <= calls[2].at  # the waits are the courier's
        assert calls[0].body == calls[2].body  # (backoff_delay, checked below, not timed here)
        assert [(d["attempt"], d["status"]) for d in attempts] == [(1, 500), (2, 503), (3, 200)]
    finally:
        receiver.close()


def test_slow_receivers_time_out_and_attempts_are_limited(shared) -> None:  # type: ignore[no-untyped-def]
    receiver = Receiver(respond=lambda n: (200, 1.5) if n == 0 else 500)
    try:
        sb = shared
        sb.set_faults({"protocol": {"webhook_timeout": 0.4, "webhook_max_attempts": 3}})
        post(sb, [video_task(webhookURL=f"{receiver.url}/slow")])
        attempts = finished_deliveries(sb, receiver, 1)
        assert len(attempts) == 3 and attempts[-1]["final"]
        assert len(receiver.received) == 3
        assert attempts[0]["status"] is None and attempts[0]["error"]  # timed out
        assert [d["status"] for d in attempts[1:]] == [500, 500]
    finally:
        receiver.close()


def test_envelope_duplicates_and_failures(shared, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    sb = shared
    sb.set_faults(
        {
            "protocol": {"webhook_envelope": "data", "webhook_duplicates": True},
            "faults": [
                {"kind": "task_failure", "prompt_contains": "doomed", "code": "providerError"}
            ],
        }
    )
    ok, doomed = (
        video_task(webhookURL=f"{receiver.url}/a"),
        video_task(positivePrompt="A doomed ship", webhookURL=f"{receiver.url}/b"),
    )
    post(sb, [ok, doomed])
    calls = receiver.wait(4)
    by_path = {c.path: json.loads(c.body) for c in calls}
    assert sorted(c.path for c in calls) == ["/a", "/a", "/b", "/b"]  # each delivered twice
    assert by_path["/a"]["data"][0]["status"] == "success"
    error = by_path["/b"]["errors"][0]
    assert (error["code"], error["status"], error["taskUUID"]) == (
        "providerError",
        "error",
        doomed["taskUUID"],
    )


def test_upload_endpoint_gets_the_raw_file(shared, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    sandbox = shared
    task = video_task(
        outputFormat="WEBM", uploadEndpoint=f"{receiver.url}/bucket/out.webm?X-Sig=abc"
    )
    post(sandbox, [task])
    item = wait_for(sandbox, task["taskUUID"])["data"][0]
    assert item["status"] == "success"
    assert len(receiver.received) == 1  # uploaded before success was reported
    call = receiver.received[0]
    assert (call.method, call.path, call.query) == ("PUT", "/bucket/out.webm", "X-Sig=abc")
    assert call.headers["Content-Type"] == "video/webm"
    assert call.body == http.get(item["videoURL"]).content
    assert int(call.headers["Content-Length"]) == len(call.body)
    _no_key(sandbox, call)


def test_upload_failure_policy(shared) -> None:  # type: ignore[no-untyped-def]
    receiver = Receiver(respond=lambda n: 403)
    try:
        sb = shared
        sb.set_faults({"protocol": {"upload_failure": "fail", "upload_max_attempts": 2}})
        failing = video_task(uploadEndpoint=f"{receiver.url}/denied")
        post(sb, [failing])
        error = wait_for(sb, failing["taskUUID"])["errors"][0]
        assert error["code"] == "uploadFailed" and error["status"] == "error"
        assert len(receiver.received) == 2
        sb.set_faults({"protocol": {"upload_failure": "ignore", "upload_max_attempts": 1}})
        ignored = video_task(uploadEndpoint=f"{receiver.url}/denied")
        post(sb, [ignored])
        assert wait_for(sb, ignored["taskUUID"])["data"][0]["status"] == "success"
    finally:
        receiver.close()


def test_retry_delays_double_from_250_ms_with_a_quarter_of_jitter() -> None:
    rng = random.Random(7)
    for _ in range(200):
        assert 0.1875 <= backoff_delay(0, rng) <= 0.3125
        assert 0.375 <= backoff_delay(1, rng) <= 0.625
        assert 6.0 <= backoff_delay(5, rng) <= 8.0  # 8 s at most
    assert backoff_delay(0, random.Random(3)) == backoff_delay(0, random.Random(3))
