"""A task Runware never received is recognised by the meaning of the answer, not by a list of
codes: Runware says codes "may vary between models and providers". Each answer below comes from
the sandbox over real HTTP; each must read as "unknown" (so the engine resends the same
taskUUID, as tests/studio/test_engine.py's unconfirmed-submit test shows end to end)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from gui.runware.client import RetryPolicy, RunwareClient
from gui.runware.models import new_task_uuid

UNKNOWN_TASK_ANSWERS = [
    {"unknown_task_code": "taskNotFound"},
    {"unknown_task_code": "invalidTaskUUID", "unknown_task_message": "Task {uuid} does not exist."},
    {"unknown_task_code": "resourceNotFound", "unknown_task_status": 404},
    {"unknown_task_code": "unknownTask", "unknown_task_parameter": None},
    {
        "unknown_task_code": "invalidParameter",
        "unknown_task_message": "Invalid value for taskUUID.",
        "unknown_task_parameter": "taskUUID",
    },
    {"unknown_task_code": "error", "unknown_task_message": "No results found for this task UUID"},
]


@pytest.mark.parametrize("answer", UNKNOWN_TASK_ANSWERS, ids=lambda a: a["unknown_task_code"])
def test_an_unknown_task_is_read_as_unknown_whatever_the_words(
    sandbox: Any, answer: dict[str, Any]
) -> None:
    sandbox.set_faults({"faults": [], "protocol": answer})

    async def go() -> None:
        client = RunwareClient(sandbox.api_key, sandbox.url, retry=RetryPolicy(attempts=1))
        async with client:
            uuid = new_task_uuid()
            poll = (await client.poll([uuid]))[uuid]
            assert poll.errors, "the sandbox answered without an error"
            assert poll.known is False, [(e.code, e.message) for e in poll.errors]

    asyncio.run(go())


def test_a_failed_generation_is_not_an_unknown_task(sandbox: Any) -> None:
    """A known task whose generation failed is not "never received": nothing is resent."""
    sandbox.set_faults(
        {"faults": [{"kind": "task_failure", "code": "providerError"}], "protocol": {}}
    )

    async def go() -> None:
        from gui.runware.catalog import default_catalog
        from gui.studio.jobs import JobSpec

        model = default_catalog().find("Sora 2")
        spec = JobSpec(
            model=model.air, prompt="a quiet harbour", width=1280, height=720, duration=4
        )
        task = spec.to_task(new_task_uuid())
        async with RunwareClient(sandbox.api_key, sandbox.url) as client:
            await client.submit(task)
            for _ in range(300):
                poll = (await client.poll([task.task_uuid]))[task.task_uuid]
                if poll.errors:
                    assert poll.known is True
                    return
                await asyncio.sleep(0.05)  # a poll loop: the server decides when it fails
            raise AssertionError("the generation never failed")

    asyncio.run(go())
