"""R4 bad input, from the server: answers that are broken, mistyped, huge or dangerous.

A real engine talks to :class:`HostileServerForTests` over loopback HTTP. Whatever the server
says, the studio gives a clear message, sends nothing it should not (the task is never sent
again, no file is fetched from a link that is not a web address, nothing but the API gets the
key), and writes nothing outside its library folder.

Answers the studio cannot read at all (broken JSON, a huge body) say nothing about the job: the
job stays where it was (its money is not lost) and the message goes on the connection, which
the window shows in its status bar. An answer that reads but holds a bad result fails that
result with a message saying what was wrong.
"""

from __future__ import annotations

import asyncio
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gui.runware.client import MAX_API_RESPONSE_BYTES
from gui.studio.jobs import Job, JobState, ResultState
from tests.studio.conftest import sora_spec

from .conftest import running_studio, tree
from .hostile_server import HostileServerForTests, HugeBody

VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 1000
HUGE_MB = 50


def _success(task_uuid: str, video_uuid: Any, video_url: Any, **extra: Any) -> dict[str, Any]:
    item = {
        "taskType": "videoInference",
        "taskUUID": task_uuid,
        "status": "success",
        "videoUUID": video_uuid,
        "videoURL": video_url,
        "cost": 0.4,
    }
    item.update(extra)
    return {"data": [item]}


# answer to every getResponse: (task_uuid, server origin) -> body
ANSWERS: dict[str, Callable[[str, str], Any]] = {
    "broken_json": lambda u, o: b'{"data": [{"taskType": "videoInference", "taskUUID": ',
    "not_an_envelope": lambda u, o: b"[1, 2, 3]",
    "video_url_is_a_number": lambda u, o: _success(u, "vid-1", 5),
    "status_is_a_list": lambda u, o: {
        "data": [
            {
                "taskType": "videoInference",
                "taskUUID": u,
                "status": [],
                "videoUUID": "vid-1",
                "videoURL": f"{o}/files/vid-1.mp4",
            }
        ]
    },
    "huge_body": lambda u, o: HugeBody(u, HUGE_MB),
    "file_url": lambda u, o: _success(u, "vid-1", "file:///etc/passwd"),
    "javascript_url": lambda u, o: _success(u, "vid-1", "javascript:alert(document.cookie)"),
    "video_uuid_climbs_out": lambda u, o: _success(u, "../../escaped", f"{o}/files/escaped.mp4"),
}

# what the job says (or, when its answers cannot be read, the connection)
JOB_FAILS_WITH = {
    "video_url_is_a_number": ("protocol", "videoURL"),
    "status_is_a_list": ("protocol", "status"),
    "file_url": ("downloadFailed", "not a web address"),
    "javascript_url": ("downloadFailed", "not a web address"),
    "video_uuid_climbs_out": ("unsafeVideoName", "not a plain name"),
}
CONNECTION_SAYS = {
    "broken_json": "broken answer",
    "not_an_envelope": "broken answer",
    "huge_body": f"larger than {MAX_API_RESPONSE_BYTES // 2**20} MB",
}


async def _until(check: Callable[[], bool], timeout: float = 30) -> None:
    async def wait() -> None:
        while not check():
            await asyncio.sleep(0.02)

    await asyncio.wait_for(wait(), timeout)


@pytest.mark.asyncio
@pytest.mark.parametrize("answer", list(ANSWERS))
async def test_r4_a_hostile_answer_gets_a_clear_message_and_nothing_else(
    answer: str, tmp_path: Path, figures: dict[str, Any]
) -> None:
    key = "sk-test-hostile-only"
    library = tmp_path / "library"
    outside_before = tree(tmp_path)
    huge = answer == "huge_body"
    if huge:
        tracemalloc.start()
    try:
        async with (
            HostileServerForTests(ANSWERS[answer], {"vid-1.mp4": VIDEO}) as server,
            running_studio(server.url, key, library) as studio,
        ):
            job: Job = await studio.engine.submit(sora_spec())
            if answer in JOB_FAILS_WITH:
                job = await asyncio.wait_for(studio.engine.wait(job.id), 30)
            else:
                events = studio.events
                await _until(lambda: any(not c[0] for c in events.named("connection_changed")))
                for _ in range(2):  # two more poll rounds end: still nothing sent again
                    await asyncio.wait_for(studio.engine.poller.next_pass(), 30)
            peak = tracemalloc.get_traced_memory()[1] if huge else 0
    finally:
        if huge:
            tracemalloc.stop()

    if answer in JOB_FAILS_WITH:
        code, words = JOB_FAILS_WITH[answer]
        assert job.state is JobState.FAILED
        assert job.error_code == code, job.error_message
        assert job.results[0].state is ResultState.FAILED
        assert words in (job.results[0].error or ""), job.results[0].error
        assert words in (job.error_message or ""), job.error_message
    else:
        assert job.state is JobState.SUBMITTED  # nothing is known about it: it is kept
        messages = [m for ok, m, _r in studio.events.named("connection_changed") if not ok]
        assert any(CONNECTION_SAYS[answer] in m for m in messages), messages
    if huge:  # the answer was refused unread: far less than its 50 MB was ever held
        assert peak < 48 * 2**20, f"peak {peak / 2**20:.0f} MB"
        figures.update(huge_body_mb=HUGE_MB, peak_traced_mb=round(peak / 2**20, 1))

    # nothing unintended was sent: the task once, no file from a dead or foreign link, and the
    # key only to the API
    assert len(server.sent("videoInference")) == 1
    downloads = [r for r in server.received if r.method == "GET"]
    assert downloads == []
    for request in server.received:
        has_key = key in str(request.headers) or key.encode() in request.body
        assert has_key == (request.path == "/v1"), request

    # nothing written outside the library; inside it, no video and no leftover
    after = tree(tmp_path)
    outside_after = {p: v for p, v in after.items() if not p.startswith(f"{library}/")}
    assert outside_after == outside_before
    assert not list((library / "videos").iterdir())
    assert not [p for p in after if "escaped" in p or "passwd" in p]
