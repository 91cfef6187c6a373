"""Serving result files: content types, lengths, Range requests, expiry, restarts."""

from __future__ import annotations

import time

import pytest

from gui.sandbox.process import SandboxProcess
from tests.sandbox.conftest import MadeVideo
from tests.sandbox.support import http, post, video_task, wait_for

MIME = {"MP4": "video/mp4", "WEBM": "video/webm", "MOV": "video/quicktime"}


@pytest.mark.parametrize("name", ["mp4", "webm", "mov"])
def test_file_has_type_length_and_ranges(made_videos: dict[str, MadeVideo], name: str) -> None:
    video = made_videos[name]
    whole = video.path.read_bytes()
    assert video.url.endswith(f".{video.fmt.lower()}")
    response = http.get(video.url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == MIME[video.fmt]
    assert int(response.headers["Content-Length"]) == len(whole) == len(response.content)
    assert response.headers.get("Accept-Ranges") == "bytes"

    part = http.get(video.url, headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-1099/{len(whole)}"
    assert int(part.headers["Content-Length"]) == 1000
    assert part.content == whole[100:1100]

    tail = http.get(video.url, headers={"Range": f"bytes={len(whole) - 10}-"})
    assert tail.status_code == 206 and tail.content == whole[-10:]
    beyond = http.get(video.url, headers={"Range": f"bytes={len(whole) + 10}-"})
    assert beyond.status_code == 416

    head = http.head(video.url)
    assert head.status_code == 200 and int(head.headers["Content-Length"]) == len(whole)


def test_unknown_or_mismatched_files_are_404(made_videos: dict[str, MadeVideo]) -> None:
    video = made_videos["mp4"]
    assert http.get(video.url.replace(".mp4", ".webm")).status_code == 404
    origin = video.url.split("/video/")[0]
    assert http.get(f"{origin}/video/00000000-0000-4000-8000-000000000000.mp4").status_code == 404


def test_ttl_sets_expiry_and_expire_ends_it(shared_sandbox: SandboxProcess) -> None:
    task = video_task(ttl=60)
    post(shared_sandbox, [task])
    item = wait_for(shared_sandbox, task["taskUUID"])["data"][0]
    generation = next(
        t for t in shared_sandbox.state()["tasks"] if t["taskUUID"] == task["taskUUID"]
    )["generations"][0]
    assert generation["expiresAt"] == pytest.approx(time.time() + 60, abs=10)
    assert http.get(item["videoURL"]).status_code == 200
    assert shared_sandbox.expire(video_uuid=item["videoUUID"]) == [item["videoUUID"]]
    assert http.get(item["videoURL"]).status_code == 404
    # the poll still describes the result; only its file is gone
    assert wait_for(shared_sandbox, task["taskUUID"])["data"][0] == item


def test_url_dies_after_ttl_seconds(shared: SandboxProcess) -> None:
    sb = shared
    sb.set_faults({"protocol": {"default_ttl": 2}})
    task = video_task()
    post(sb, [task])
    item = wait_for(sb, task["taskUUID"])["data"][0]
    assert http.get(item["videoURL"]).status_code == 200
    deadline = time.monotonic() + 30  # the link dies once its ttl has passed: poll until then
    while http.get(item["videoURL"]).status_code != 404:
        assert time.monotonic() < deadline, "the video URL still answers 30 s after a 2 s ttl"
        time.sleep(0.1)
    assert http.get(item["videoURL"], headers={"Range": "bytes=0-9"}).status_code == 404


def test_videos_and_remixes_outlive_a_restart(sandbox_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    first = sandbox_factory(data_dir=tmp_path / "kept", processing_seconds=0)
    task = video_task()
    post(first, [task])
    item = wait_for(first, task["taskUUID"])["data"][0]
    content = http.get(item["videoURL"]).content
    assert first.stop() == 0

    second = sandbox_factory(data_dir=tmp_path / "kept", processing_seconds=0)
    path = item["videoURL"].split("/video/")[1]
    assert http.get(f"{second.origin}/video/{path}").content == content
    remix = video_task(width=None, height=None, inputs={"videoId": item["outputs"]["videoId"]})
    assert post(second, [remix]).status_code == 200
    assert wait_for(second, remix["taskUUID"])["data"][0]["status"] == "success"


def test_public_host_prefixes_file_urls(sandbox_factory) -> None:  # type: ignore[no-untyped-def]
    sb = sandbox_factory(extra_args=["--public-host", "https://cdn.example.test/vi"])
    task = video_task()
    post(sb, [task])
    item = wait_for(sb, task["taskUUID"])["data"][0]
    assert item["videoURL"] == f"https://cdn.example.test/vi/video/{item['videoUUID']}.mp4"
