"""R3 expiry: results whose URLs live 60 s are saved in time; a URL that died first is told
plainly, and everything else of the job is kept.

The sandbox gives each result of a ``ttl: 60`` task an expiry time and answers 404 after it
(``/_sandbox/expire`` brings that moment forward).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import av
import pytest

from gui.sandbox.process import SandboxProcess
from gui.studio.jobs import Job, JobState, ResultState
from gui.studio.journal import Journal
from tests.studio.conftest import sora_spec

from .conftest import ServerFiles, running_studio


def _frames(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


@pytest.mark.asyncio
async def test_r3_results_with_a_60_second_ttl_are_saved_before_they_expire(
    sandbox: SandboxProcess, tmp_path: Path, figures: dict[str, Any]
) -> None:
    async with running_studio(sandbox.url, sandbox.api_key, tmp_path / "library") as studio:
        job = await studio.engine.submit(sora_spec(ttl=60, number_results=2))
        job = await asyncio.wait_for(studio.engine.wait(job.id), 60)
    assert job.state is JobState.READY, job.error_message

    (task,) = [t for t in sandbox.state()["tasks"] if t["taskUUID"] == job.task_uuid]
    expires = {g["videoUUID"]: g["expiresAt"] for g in task["generations"]}
    fetched = {
        e["path"].rsplit("/", 1)[-1].split(".")[0]: e["ts"]
        for e in sandbox.requests()
        if e["method"] == "GET" and e["path"].startswith("/video/") and e["status"] in (200, 206)
    }
    server = ServerFiles(sandbox)
    margins = []
    for result in job.results:
        video_uuid = result.video_uuid or ""
        assert expires[video_uuid] is not None  # the sandbox did set a 60 s life
        assert fetched[video_uuid] < expires[video_uuid]  # saved while the link lived
        margins.append(expires[video_uuid] - fetched[video_uuid])
        path = Path(result.local_path or "")
        assert path.read_bytes() == server.bytes_of(video_uuid) and _frames(path) == 4 * 30
    figures.update(ttl=60, least_seconds_to_spare=round(min(margins), 1))


@pytest.mark.asyncio
async def test_r3_a_link_that_died_before_the_download_expires_clearly_and_keeps_the_rest(
    sandbox: SandboxProcess, tmp_path: Path
) -> None:
    library = tmp_path / "library"
    killed: list[str] = []
    expiring = asyncio.Lock()

    async def expire_first_result(stage: str, job: Job) -> None:
        """Before any download starts, result 0's link dies (as a long sleep would make it)."""
        first = job.results[0].video_uuid if job.results else None
        if stage == "downloading" and first:
            async with expiring:
                if not killed:
                    killed.extend(await asyncio.to_thread(sandbox.expire, video_uuid=first))

    async with running_studio(
        sandbox.url, sandbox.api_key, library, stage_gate=expire_first_result
    ) as studio:
        job = await studio.engine.submit(sora_spec(ttl=60, number_results=2))
        job = await asyncio.wait_for(studio.engine.wait(job.id), 60)

    gone, kept = job.results
    assert killed == [gone.video_uuid]
    assert job.state is JobState.EXPIRED and job.error_code == "expired"
    assert "expired before it was saved" in (job.error_message or "")
    assert "The rest of the job is kept" in (job.error_message or "")
    assert gone.state is ResultState.EXPIRED and "expired" in (gone.error or "")
    assert gone.local_path is None
    assert kept.state is ResultState.READY
    assert _frames(Path(kept.local_path or "")) == 4 * 30

    # the library keeps the saved video, its sidecar and thumbnail; nothing of the dead one
    videos = {p.name for p in (library / "videos").iterdir()}
    assert videos == {f"{kept.video_uuid}.mp4", f"{kept.video_uuid}.json"}
    assert (library / "thumbnails" / f"{kept.video_uuid}.jpg").exists()

    # and the journal keeps everything: the job, both result rows, the request as sent, the
    # answers received and the accepted submission
    with Journal.in_folder(library) as journal:
        (again,) = journal.load_jobs()
        assert again.state is JobState.EXPIRED and again.error_message == job.error_message
        assert [r.state for r in again.results] == [ResultState.EXPIRED, ResultState.READY]
        assert again.results[0].video_url == gone.video_url  # the dead link, for the record
        request = journal.request_of(job.id)
        assert request is not None and request["taskUUID"] == job.task_uuid
        assert request["ttl"] == 60 and request["numberResults"] == 2
        items = journal.response_items(job.task_uuid)
        assert {i.get("videoUUID") for i in items} >= {gone.video_uuid, kept.video_uuid}
        assert [s.outcome for s in journal.submissions(job.task_uuid)] == ["accepted"]
