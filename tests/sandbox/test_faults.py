"""Every fault kind, set at runtime through /_sandbox/faults, seen from a plain HTTP client."""

from __future__ import annotations

import httpx
import pytest

from gui.sandbox.process import SandboxProcess
from tests.sandbox.support import (
    faults_fired,
    http,
    new_uuid,
    poll_task,
    post,
    video_task,
    wait_for,
)

PING = {"taskType": "ping", "ping": True}


@pytest.fixture
def faulty(idle: SandboxProcess) -> SandboxProcess:
    """Faults need no finished videos: the idle sandbox, reset after each test."""
    return idle


def test_latency_only_where_scoped(faulty: SandboxProcess) -> None:
    faulty.set_faults({"faults": [{"kind": "latency", "scope": "poll", "seconds": 0.2}]})
    post(faulty, [poll_task(new_uuid())])
    assert faults_fired(faulty) == {"latency": 1}
    assert post(faulty, [PING]).status_code == 200
    assert faults_fired(faulty) == {"latency": 1}  # no latency outside its scope
    post(faulty, [poll_task(new_uuid())])
    assert faults_fired(faulty) == {"latency": 2}


@pytest.mark.parametrize(
    ("status", "scope", "code"),
    [
        (429, "submit", "rateLimitExceeded"),
        (500, "poll", "internalServerError"),
        (503, "other", "serviceUnavailable"),
        (504, "submit", "gatewayTimeout"),
    ],
)
def test_http_errors_by_scope(faulty: SandboxProcess, status: int, scope: str, code: str) -> None:
    faulty.set_faults({"faults": [{"kind": "http_error", "scope": scope, "status": status}]})
    task = video_task()
    requests = {"submit": [task], "poll": [poll_task(task["taskUUID"])], "other": [PING]}
    hit = post(faulty, requests[scope])
    assert hit.status_code == status
    assert [e["code"] for e in hit.json()["errors"]] == [code]
    for other, body in requests.items():
        if other != scope and not (other == "poll" and scope == "submit"):
            assert post(faulty, body).status_code in (200, 400), other
    if scope == "submit":  # refused before processing: nothing was stored
        assert (
            post(faulty, [poll_task(task["taskUUID"])]).json()["errors"][0]["code"]
            == "taskNotFound"
        )


def test_rates_are_repeatable_for_a_seed(faulty: SandboxProcess) -> None:
    scenario = {"seed": 11, "faults": [{"kind": "http_error", "scope": "other", "rate": 0.5}]}

    def run() -> list[int]:
        faulty.set_faults(scenario)
        headers = {"Authorization": f"Bearer {faulty.api_key}"}
        with httpx.Client(headers=headers) as client:
            return [client.post(faulty.url, json=[PING]).status_code for _ in range(16)]

    first, second = run(), run()
    assert first == second
    assert set(first) == {200, 503}
    scenario["seed"] = 12
    assert run() != first


def test_skip_and_times_bound_a_rule(faulty: SandboxProcess) -> None:
    faulty.set_faults(
        {"faults": [{"kind": "http_error", "scope": "other", "status": 500, "skip": 1, "times": 2}]}
    )
    assert [post(faulty, [PING]).status_code for _ in range(5)] == [200, 500, 500, 200, 200]
    fired = faulty.set_faults({"faults": []})
    assert fired["fired"] == {}


def test_hung_reply_outlasts_the_client_timeout(faulty: SandboxProcess) -> None:
    faulty.set_faults({"faults": [{"kind": "hang", "scope": "poll", "seconds": 2.0, "times": 1}]})
    with pytest.raises(httpx.ReadTimeout):
        post(faulty, [poll_task(new_uuid())], timeout=0.5)
    assert post(faulty, [poll_task(new_uuid())]).status_code == 400  # the next one answers
    assert faults_fired(faulty) == {"hang": 1}  # it was not hung: the rule fired once only


def test_dropped_connection_processes_nothing(faulty: SandboxProcess) -> None:
    faulty.set_faults({"faults": [{"kind": "drop", "scope": "submit", "times": 1}]})
    task = video_task()
    with pytest.raises(httpx.RemoteProtocolError):
        post(faulty, [task])
    assert post(faulty, [poll_task(task["taskUUID"])]).status_code == 400  # never arrived
    assert post(faulty, [task]).status_code == 200  # so resending is no conflict


def test_lost_ack_keeps_the_task(faulty: SandboxProcess) -> None:
    faulty.set_faults({"faults": [{"kind": "lost_ack", "scope": "submit", "times": 1}]})
    before = faulty.state()["balances"][0]["spent"]
    task = video_task()
    with pytest.raises(httpx.RemoteProtocolError):
        post(faulty, [task])
    retry = post(faulty, [task])  # what a client does after an unknown outcome
    assert retry.status_code == 400
    assert retry.json()["errors"][0]["code"] == "conflictTaskUUID"
    assert post(faulty, [poll_task(task["taskUUID"])]).json()["data"][0]["status"] == "processing"
    assert faulty.state()["balances"][0]["spent"] == pytest.approx(before + 0.4)  # charged once


def test_truncated_body(faulty: SandboxProcess) -> None:
    faulty.set_faults({"faults": [{"kind": "truncate", "scope": "poll", "times": 1}]})
    with pytest.raises(httpx.RemoteProtocolError):
        post(faulty, [poll_task(new_uuid())])
    assert post(faulty, [poll_task(new_uuid())]).json()["errors"][0]["code"] == "taskNotFound"


def test_non_json_success_body(faulty: SandboxProcess) -> None:
    faulty.set_faults({"faults": [{"kind": "non_json", "scope": "submit", "times": 1}]})
    task = video_task()
    response = post(faulty, [task])
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    with pytest.raises(ValueError):
        response.json()
    assert post(faulty, [poll_task(task["taskUUID"])]).status_code == 200  # it was accepted


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("timeoutProvider", "did not respond within the timeout window"),
        ("contentPolicyViolation", "content policy"),
        ("providerError", "provider returned an error"),
    ],
)
def test_task_failures(shared: SandboxProcess, code: str, words: str) -> None:
    faulty = shared
    faulty.set_faults({"faults": [{"kind": "task_failure", "code": code, "rate": 1.0}]})
    task = video_task()
    post(faulty, [task])
    body = wait_for(faulty, task["taskUUID"])
    assert "data" not in body or not body["data"]
    error = body["errors"][0]
    assert (error["code"], error["status"], error["taskUUID"]) == (code, "error", task["taskUUID"])
    assert words in error["message"]


def test_faults_are_logged_and_reported(faulty: SandboxProcess) -> None:
    faulty.set_faults(
        {"faults": [{"kind": "http_error", "scope": "other", "status": 429, "times": 1}]}
    )
    post(faulty, [PING])
    entry = faulty.requests()[-1]
    assert entry["fault"] == ["http_error"] and entry["status"] == 429
    described = http.get(f"{faulty.origin}/_sandbox/faults").json()
    assert described["fired"] == {"http_error": 1}
    assert described["scenario"]["faults"][0]["status"] == 429


def test_bad_scenarios_are_refused(faulty: SandboxProcess) -> None:
    response = http.post(f"{faulty.origin}/_sandbox/faults", json={"faults": [{"kind": "nope"}]})
    assert response.status_code == 400
    response = http.post(
        f"{faulty.origin}/_sandbox/faults", json={"faults": [{"kind": "drop", "rate": 2}]}
    )
    assert response.status_code == 400
