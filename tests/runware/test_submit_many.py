"""Several video tasks in one request: each task gets its own answer (real sandbox over HTTP).

Runware takes an array of tasks in every request and scopes each error to its task by
``taskUUID`` (docs: platform/introduction, utilities/task-responses). A task the answer says
nothing about while it names errors for others is neither accepted nor failed: its fate is
unknown, and only a stand-in server (aiohttp on loopback) answers that way.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp import web

from gui.runware.client import RunwareClient
from gui.runware.errors import AuthError, ProtocolError, ValidationError
from tests.stand_in_server import serve

from .test_client import ONCE, client_for, sora, submissions


def test_three_tasks_go_in_one_request_and_a_bad_one_fails_alone(sandbox: Any) -> None:
    async def go() -> None:
        async with client_for(sandbox) as client:
            good = [sora(positive_prompt=f"Take {i} of a harbour at dawn") for i in range(2)]
            bad = sora(duration=5)  # not a length the model takes
            outcomes = await client.submit_many([good[0], bad, good[1]])
            assert client.requests_sent == 1
            assert outcomes[0] is None and outcomes[2] is None
            assert isinstance(outcomes[1], ValidationError)
            assert outcomes[1].code == "unsupportedDuration"
            assert outcomes[1].task_uuid == bad.task_uuid
            polls = await client.poll([t.task_uuid for t in good])
            assert all(p.results and not p.errors for p in polls.values())  # they are there

    asyncio.run(go())
    sent = submissions(sandbox)
    assert len(sent) == 1 and len(sent[0]["request"]) == 3


def test_an_error_of_the_whole_request_is_every_tasks_error(sandbox: Any) -> None:
    async def go() -> None:
        async with RunwareClient("not-the-key", sandbox.url, retry=ONCE) as client:
            outcome = client.submit_many([sora(), sora()])
            with pytest.raises(AuthError):
                await outcome

    asyncio.run(go())


async def _answers_for_one_of_two(bad_uuid: str) -> tuple[web.AppRunner, str]:
    async def api(request: web.Request) -> web.Response:
        await request.json()
        error = {"code": "invalidPrompt", "message": "No.", "taskUUID": bad_uuid}
        return web.json_response({"errors": [error]}, status=400)  # the other: not a word

    app = web.Application()
    app.router.add_post("/v1", api)
    runner, origin = await serve(app)
    return runner, f"{origin}/v1"


def test_a_task_the_answer_says_nothing_about_is_unknown_not_accepted() -> None:
    async def go() -> None:
        bad, silent = sora(), sora()
        runner, url = await _answers_for_one_of_two(bad.task_uuid)
        try:
            async with RunwareClient("key-for-the-stand-in", url, retry=ONCE) as client:
                outcomes = await client.submit_many([bad, silent])
        finally:
            await runner.cleanup()
        assert outcomes[0] is not None and outcomes[0].code == "invalidPrompt"
        assert isinstance(outcomes[1], ProtocolError) and outcomes[1].retryable
        assert outcomes[1].task_uuid == silent.task_uuid

    asyncio.run(go())


async def _refuses_mixed_requests_unscoped(
    bad_uuid: str, *, kept_the_others: bool
) -> tuple[web.AppRunner, str, list[int]]:
    """A stand-in that refuses a request holding ``bad_uuid`` among others with an error that
    names no task (400), and otherwise answers each task as Runware does. ``kept_the_others``:
    it had kept the other tasks of the refused request (a resend is a conflictTaskUUID)."""
    sizes: list[int] = []
    kept: set[str] = set()

    async def api(request: web.Request) -> web.Response:
        tasks = await request.json()
        sizes.append(len(tasks))
        uuids = [t["taskUUID"] for t in tasks]
        if bad_uuid in uuids and len(tasks) > 1:
            if kept_the_others:
                kept.update(u for u in uuids if u != bad_uuid)
            return web.json_response(
                {"errors": [{"code": "invalidDuration", "message": "Duration not allowed."}]},
                status=400,
            )
        if bad_uuid in uuids:
            error = {"code": "invalidDuration", "message": "No.", "taskUUID": bad_uuid}
            return web.json_response({"errors": [error]}, status=400)
        if uuids[0] in kept:
            conflict = {"code": "conflictTaskUUID", "message": "Known.", "taskUUID": uuids[0]}
            return web.json_response({"errors": [conflict]}, status=409)
        return web.json_response(
            {"data": [{"taskType": "videoInference", "taskUUID": u} for u in uuids]}
        )

    app = web.Application()
    app.router.add_post("/v1", api)
    runner, origin = await serve(app)
    return runner, f"{origin}/v1", sizes


@pytest.mark.parametrize("kept_the_others", [False, True])
def test_a_refusal_that_names_no_task_sends_each_again_alone(kept_the_others: bool) -> None:
    async def go() -> None:
        good, bad, other = sora(), sora(), sora()
        runner, url, sizes = await _refuses_mixed_requests_unscoped(
            bad.task_uuid, kept_the_others=kept_the_others
        )
        try:
            async with RunwareClient("key-for-the-stand-in", url, retry=ONCE) as client:
                outcomes = await client.submit_many([good, bad, other])
        finally:
            await runner.cleanup()
        assert sizes == [3, 1, 1, 1]  # the shared request, then each task alone
        # the good ones are not failed; a conflict on the resend means it was kept: accepted
        assert outcomes[0] is None and outcomes[2] is None
        assert isinstance(outcomes[1], ValidationError) and outcomes[1].task_uuid == bad.task_uuid

    asyncio.run(go())
