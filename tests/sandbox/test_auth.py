"""Authentication (header and payload), bad keys, request framing and HTTP methods."""

from __future__ import annotations

import pytest

from gui.sandbox.process import SandboxProcess
from tests.sandbox.support import http, poll_task, post, video_task

INVALID_KEY = {
    "errors": [
        {
            "code": "invalidApiKey",
            "message": "Invalid API key. Get one at https://my.runware.ai/signup",
            "parameter": "apiKey",
            "taskType": "authentication",
        }
    ]
}
PING = {"taskType": "ping", "ping": True}


def test_bearer_header_authenticates(shared_sandbox: SandboxProcess) -> None:
    response = post(shared_sandbox, [PING])
    assert response.status_code == 200
    assert response.json() == {"data": [{"taskType": "ping", "pong": True}]}
    assert response.headers["Content-Type"].startswith("application/json")


def test_payload_authentication_adds_a_session_item(shared_sandbox: SandboxProcess) -> None:
    auth = {"taskType": "authentication", "apiKey": shared_sandbox.api_key}
    response = post(shared_sandbox, [auth, PING], key=None)
    assert response.status_code == 200
    data = response.json()["data"]
    assert data[0]["taskType"] == "authentication"
    assert len(data[0]["connectionSessionUUID"]) == 36
    assert data[1:] == [{"taskType": "ping", "pong": True}]
    alone = post(shared_sandbox, [auth], key=None).json()
    assert [d["taskType"] for d in alone["data"]] == ["authentication"]


@pytest.mark.parametrize(
    ("key", "payload_key"),
    [(None, None), ("wrong-key", None), (None, "wrong-key"), ("default", "wrong")],
    ids=["no-key", "bad-bearer", "bad-payload", "payload-overrides-header"],
)
def test_bad_or_missing_key_is_401(
    shared_sandbox: SandboxProcess, key: str | None, payload_key: str | None
) -> None:
    tasks = [PING]
    if payload_key is not None:
        tasks = [{"taskType": "authentication", "apiKey": payload_key}, PING]
    response = post(shared_sandbox, tasks, key=key)
    assert response.status_code == 401
    assert response.json() == INVALID_KEY


def test_other_bearer_schemes_are_not_keys(shared_sandbox: SandboxProcess) -> None:
    headers = {"Authorization": f"Basic {shared_sandbox.api_key}"}
    assert post(shared_sandbox, [PING], key=None, headers=headers).status_code == 401
    bare = {"Authorization": "Bearer"}
    assert post(shared_sandbox, [PING], key=None, headers=bare).status_code == 401


@pytest.mark.parametrize(
    "content",
    [b"{not json", b'{"taskType": "ping"}', b"[]", b"[1, 2]", b'"ping"', b""],
    ids=["invalid-json", "object", "empty-array", "not-objects", "string", "empty"],
)
def test_body_must_be_an_array_of_tasks(shared_sandbox: SandboxProcess, content: bytes) -> None:
    response = http.post(
        shared_sandbox.url,
        content=content,
        headers={"Authorization": f"Bearer {shared_sandbox.api_key}"},
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["code"] for e in errors] == ["invalidRequest"]
    assert "data" not in response.json()


def test_invalid_request_code_is_configurable(shared: SandboxProcess) -> None:
    sb = shared
    sb.set_faults(
        {"protocol": {"invalid_request_code": "badRequest", "invalid_request_status": 422}}
    )
    response = http.post(sb.url, content=b"{}", headers={"Authorization": f"Bearer {sb.api_key}"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "badRequest"


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_methods_other_than_post_are_405(shared_sandbox: SandboxProcess, method: str) -> None:
    response = http.request(method, shared_sandbox.url)
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


def test_several_keys_each_work_and_have_their_own_balance(sandbox_factory) -> None:  # type: ignore[no-untyped-def]
    sb = sandbox_factory(api_keys=["key-alpha-0001", "key-beta-0002"], balance=25)
    assert sb.api_key == "key-alpha-0001"
    for key in ("key-alpha-0001", "key-beta-0002"):
        assert post(sb, [PING], key=key).status_code == 200
    assert post(sb, [PING], key="sandbox-demo-key").status_code == 401  # default off now
    assert [b["balance"] for b in sb.state()["balances"]] == [25.0, 25.0]
    # and each key sees only its own tasks
    task = video_task()
    post(sb, [task], key="key-alpha-0001")
    assert post(sb, [poll_task(task["taskUUID"])], key="key-beta-0002").status_code == 400
    assert post(sb, [poll_task(task["taskUUID"])], key="key-alpha-0001").status_code == 200
