"""A server that names a video so as to escape the library: refused, nothing written outside.

The sandbox never misbehaves like this, so a tiny stand-in server (aiohttp, on loopback) plays
the hostile Runware here; everything else in the test is the real engine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from gui.runware.catalog import default_catalog
from gui.runware.client import RunwareClient
from gui.studio.engine import Engine
from gui.studio.jobs import JobState, ResultState
from gui.studio.journal import Journal
from gui.studio.library import Library
from tests.stand_in_server import serve

from .conftest import RecordedEvents, fast_settings, sora_spec, wait_final


async def _hostile_server(video_uuid: str) -> tuple[web.AppRunner, str, list[str]]:
    hits: list[str] = []

    async def api(request: web.Request) -> web.Response:
        tasks = await request.json()
        data: list[dict[str, Any]] = []
        for task in tasks:
            uuid = task["taskUUID"]
            if task["taskType"] == "videoInference":
                data.append({"taskType": "videoInference", "taskUUID": uuid})
            elif task["taskType"] == "getResponse":
                data.append(
                    {
                        "taskType": "videoInference",
                        "taskUUID": uuid,
                        "status": "success",
                        "videoUUID": video_uuid,
                        "videoURL": f"{origin}/video/{video_uuid}.mp4",
                        "cost": 0.4,
                    }
                )
        return web.json_response({"data": data})

    async def video(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(body=b"\x00" * 1000, content_type="video/mp4")

    app = web.Application()
    app.router.add_post("/v1", api)
    app.router.add_get("/video/{tail:.*}", video)
    runner, origin = await serve(app)
    return runner, origin, hits


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "video_uuid", ["../../escaped", "../escaped", "..", "/tmp/escaped", "sub/escaped"]
)
async def test_a_video_name_that_escapes_is_refused(tmp_path: Path, video_uuid: str) -> None:
    runner, origin, hits = await _hostile_server(video_uuid)
    data = tmp_path / "lib" / "data"
    client = RunwareClient("test-key", f"{origin}/v1")
    journal = Journal.in_folder(data)
    engine = Engine(
        client, journal, Library(data), default_catalog(), fast_settings(data), RecordedEvents()
    )
    before_outside = {p for p in _files(tmp_path) if data not in p.parents}
    await engine.start()
    try:
        job = await wait_final(engine, await engine.submit(sora_spec()))
    finally:
        await engine.stop()
        await client.aclose()
        journal.close()
        await runner.cleanup()

    assert job.state is JobState.FAILED and job.error_code == "unsafeVideoName"
    assert job.results[0].state is ResultState.FAILED
    assert "not a plain name" in (job.results[0].error or "")
    assert hits == []  # not even downloaded
    after_outside = {p for p in _files(tmp_path) if data not in p.parents}
    assert after_outside == before_outside
    assert not [p for p in _files(tmp_path) if "escaped" in p.name]
    assert not Path("/tmp/escaped.mp4").exists()
    assert not list((data / "videos").iterdir())
