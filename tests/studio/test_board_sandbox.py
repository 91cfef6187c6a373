"""A three-shot board on the sandbox, over HTTP: continuity by last frame, takes, export, playback.

The sandbox draws the first frame it is given as the video's first frame, then encodes it with
H.264 (yuv420p, CRF ~18): what comes back is the frame as closely as a lossy encode allows, not
bit for bit (tests/sandbox/test_render.py holds it to a mean difference under 6). So continuity
is checked at two levels: the picture the studio *sent* for shot N+1 is pixel-exact the PyAV
decoding of shot N's chosen take's last frame, and the first frame the sandbox *made* matches it
within the encoder's error (and far closer than to any other shot's frames).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QUrl
from PySide6.QtMultimedia import QMediaPlayer, QVideoSink

from gui.runware.catalog import default_catalog
from gui.studio.board import load_board
from gui.studio.board_export import ExportClip, ExportSettings, export_film
from gui.studio.board_run import BoardRunner, ShotStatus
from gui.studio.board_store import BoardStore
from gui.studio.frames import decode_last_frame
from gui.ui.player import media_safety

from .conftest import EngineFactory, submissions_in_log

PIXVERSE = "PixVerse V6"  # offers 640×360 and 1-15 s: the smallest real render


def write_board(folder: Path, shots: list[dict[str, Any]], **fields: Any) -> Path:
    path = folder / "rain.board.json"
    body = {"version": 1, "name": "Rain", "size": "640x360", "fps": 24, **fields, "shots": shots}
    path.write_text(json.dumps(body))
    return path


def three_linked(folder: Path) -> Path:
    return write_board(
        folder,
        [
            {"prompt": "rain begins on a tin roof", "duration": 2, "model": PIXVERSE},
            {"prompt": "the rain thickens", "duration": 2, "link": "last-frame", "model": PIXVERSE},
            {
                "prompt": "the sun breaks out",
                "duration": 2,
                "link": "last-frame",
                "model": PIXVERSE,
            },
        ],
    )


def first_frame(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            return np.asarray(frame.to_ndarray(format="rgb24"))
    raise AssertionError(f"{path} has no frames")


def mean_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def count_frames(path: Path) -> tuple[int, float, int]:
    """(video frames, video fps, audio samples at 48 kHz) as PyAV decodes them."""
    with av.open(str(path)) as container:
        frames = sum(1 for _ in container.decode(video=0))
    with av.open(str(path)) as container:
        fps = float(container.streams.video[0].average_rate or 0)
        samples = sum(f.samples for f in container.decode(audio=0))
    return frames, fps, samples


def plays_to_the_end(qtbot: Any, path: Path) -> None:
    player = QMediaPlayer()
    sink = QVideoSink()
    player.setVideoSink(sink)
    errors: list[str] = []
    player.errorOccurred.connect(lambda _e, text: errors.append(text))
    media_safety.set_source(player, QUrl.fromLocalFile(str(path)))
    qtbot.waitUntil(
        lambda: (
            player.mediaStatus()
            in (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.InvalidMedia)
        ),
        timeout=10_000,
    )
    assert player.mediaStatus() == QMediaPlayer.MediaStatus.LoadedMedia, errors
    assert player.hasVideo() and player.hasAudio()
    media_safety.set_rate(player, 4.0)
    media_safety.play(player)
    qtbot.waitUntil(
        lambda: player.mediaStatus() == QMediaPlayer.MediaStatus.EndOfMedia or bool(errors),
        timeout=30_000,
    )
    assert not errors
    media_safety.unload(player)


@pytest.mark.asyncio
async def test_three_shots_continue_from_each_last_frame_and_export_as_one_film(
    sandbox: Any, studio_factory: EngineFactory, tmp_path: Path, qtbot: Any
) -> None:
    studio = await studio_factory(sandbox)
    catalog = default_catalog()
    file = three_linked(tmp_path)
    store = BoardStore(studio.journal.path)
    runner = BoardRunner(studio.engine, store, catalog)
    try:
        outcome = await asyncio.wait_for(runner.generate(load_board(file, catalog)), 120)
        assert outcome.ok, outcome.failed
        assert sorted(outcome.made) == [0, 1, 2]
        board = runner.open(load_board(file, catalog))  # the chosen takes, as the file keeps them
        saved = json.loads(file.read_text())
        assert [s["take"]["job"] for s in saved["shots"]] == [outcome.made[i] for i in range(3)]
        assert all(v.status is ShotStatus.READY for v in runner.views(board))
        clips = runner.clips(board)

        # continuity: what was sent is the last frame exactly; what came back, as near as H.264
        for before, after in itertools.pairwise(clips):
            last = decode_last_frame(before.path)
            sent = after.job.spec.frames[0]
            assert np.array_equal(np.asarray(Image.open(sent.path).convert("RGB")), last)
            assert after.job.lineage.kind == "lastFrame"
            assert after.job.lineage.parent_job_id == before.job.id
            made = first_frame(after.path)
            assert made.shape == last.shape == (360, 640, 3)
            closeness = mean_diff(made, last)
            assert closeness < 3.0, closeness
            near = np.abs(made.astype(np.int16) - last.astype(np.int16)).max(axis=2) <= 12
            assert near.mean() > 0.97, near.mean()  # nearly every pixel, not just on average
        # nothing was sent twice
        counts = submissions_in_log(sandbox)
        assert sorted(counts[c.job.task_uuid] for c in clips) == [1, 1, 1]

        # export: exactly the shots' frames at the board's rate, with sound all along
        sidecar = runner.sidecar(board, clips)
        out = tmp_path / "film" / "rain.mp4"
        shares: list[float] = []
        report = await asyncio.to_thread(
            export_film,
            [ExportClip(c.path) for c in clips],
            out,
            ExportSettings(board.width, board.height, board.fps),
            progress=shares.append,
            sidecar=sidecar,
        )
        assert shares and shares[-1] == 1.0 and shares == sorted(shares)
        expected = 0
        for clip in clips:
            with av.open(str(clip.path)) as container:
                stream = container.streams.video[0]
                source = sum(1 for _ in container.decode(stream))
                expected += round(source * board.fps / float(stream.average_rate))
        assert expected == 3 * 2 * 24
        frames, fps, samples = count_frames(out)
        assert (frames, fps) == (expected, 24.0) == (report.frames, float(board.fps))
        assert samples >= frames / fps * 48_000  # the sound covers the whole film
        written = json.loads(report.sidecar.read_text()) if report.sidecar else {}
        assert [s["prompt"] for s in written["shots"]] == [s.prompt for s in board.shots]
        assert [s["take"]["job"] for s in written["shots"]] == [c.job.id for c in clips]
        assert written["shots"][1]["lineage"]["kind"] == "lastFrame"
        assert written["shots"][2]["lineage"]["parent_job"] == clips[1].job.id
        assert written["film"]["frames"] == expected
        plays_to_the_end(qtbot, out)
    finally:
        store.close()


@pytest.mark.asyncio
async def test_another_take_re_marks_the_shots_after_it_and_regenerates_from_there(
    sandbox: Any, studio_factory: EngineFactory, tmp_path: Path
) -> None:
    studio = await studio_factory(sandbox)
    catalog = default_catalog()
    file = write_board(
        tmp_path,
        [
            {"prompt": "a kite on a beach", "duration": 1, "model": PIXVERSE},
            {"prompt": "the kite climbs", "duration": 1, "link": "last-frame", "model": PIXVERSE},
            {"prompt": "a lighthouse", "duration": 1, "model": PIXVERSE},
        ],
    )
    store = BoardStore(studio.journal.path)
    runner = BoardRunner(studio.engine, store, catalog)
    try:
        first = await asyncio.wait_for(runner.generate(load_board(file, catalog)), 120)
        assert first.ok and sorted(first.made) == [0, 1, 2]
        again = await asyncio.wait_for(runner.generate(load_board(file, catalog)), 60)
        assert again.made == {} and again.reused == [0, 1, 2]  # nothing missing, nothing sent

        # regenerate shot 1: a second take; shot 2 follows it, shot 3 (not linked) stays
        regen = await asyncio.wait_for(
            runner.generate(load_board(file, catalog), regenerate_from=0), 120
        )
        assert sorted(regen.made) == [0, 1] and regen.reused == [2]
        board = runner.open(load_board(file, catalog))
        shot1, shot2 = board.shots[0], board.shots[1]
        takes = store.takes(board.id, shot1.id)
        assert len(takes) == 2  # the shot keeps every take it made

        # choose the first take of shot 1 again: shot 2 is stale, shot 3 untouched
        board = runner.choose(board, shot1.id, takes[0].id)
        views = runner.views(board)
        assert [v.status for v in views] == [ShotStatus.READY, ShotStatus.STALE, ShotStatus.READY]
        # ...unless shot 2 has a take made from that one: it does (the first run's), so
        # generating re-uses nothing stale and sends nothing new for shot 2's old input
        before = len(submissions_in_log(sandbox))
        fixed = await asyncio.wait_for(runner.generate(board), 60)
        assert fixed.ok and 1 in fixed.made and len(submissions_in_log(sandbox)) == before
        assert [v.status for v in runner.views(runner.open(board))] == [ShotStatus.READY] * 3
        assert len(store.takes(board.id, shot2.id)) == 2
    finally:
        store.close()
