"""Boards without a server: bad boards and their messages, the v3 migration, the export's sound,
sizes, crossfade and cancel, and the CLI refusing a bad board before anything is opened."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from PIL import Image

from gui.runware.catalog import default_catalog
from gui.studio import journal_schema
from gui.studio.board import BoardError, TakeRef, board_from_dict, load_board, save_board
from gui.studio.board_export import (
    ExportCancelled,
    ExportClip,
    ExportSettings,
    ExportWorker,
    export_film,
)
from gui.studio.board_store import BoardStore
from gui.studio.journal import Journal

ROOT = Path(__file__).resolve().parents[2]
BASE = {"version": 1, "name": "Rain", "size": "640x360", "fps": 24}
PIX = "PixVerse V6"


def shot(prompt: str = "rain on a roof", **fields: Any) -> dict[str, Any]:
    return {"prompt": prompt, "duration": 2, "model": PIX, **fields}


BAD_BOARDS = [
    ({**BASE, "shots": [shot(), shot(link="lastframe")]}, 'Shot 2: link "lastframe" is not one'),
    ({**BASE, "shots": [shot(link="last-frame")]}, "Shot 1 is the first shot"),
    (
        {**BASE, "size": "1280x720", "shots": [shot(), shot(link="extend")]},
        "Shot 2: PixVerse V6 cannot extend a video",
    ),
    (
        {
            **BASE,
            "size": "1280x720",
            "shots": [shot(model="Runway Gen-4 Turbo", link="image", image="a.png")],
        },
        "Shot 1: the image a.png is not there",
    ),
    ({**BASE, "shots": [shot(), shot(model="Sora 2")]}, "Shot 2: Sora 2 does not make 640×360"),
    ({**BASE, "shots": [shot(), shot(duration=99)]}, "Shot 2 (PixVerse V6): "),
    ({**BASE, "shots": [shot(), shot(model="no such model")]}, "Shot 2: No model matches"),
    ({**BASE, "shots": [shot(), {"duration": 2}]}, "Shot 2 has no prompt."),
    ({**BASE, "size": "wide", "shots": [shot()]}, "The board's size must look like"),
    ({**BASE, "version": 2, "shots": [shot()]}, "this Sora Studio reads version 1"),
    ({**BASE, "shots": []}, "The board has no shots."),
]


@pytest.mark.parametrize(("raw", "message"), BAD_BOARDS, ids=[m for _, m in BAD_BOARDS])
def test_a_bad_board_gets_one_message_naming_the_shot(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(BoardError) as caught:
        board_from_dict(raw, default_catalog(), Path("/nowhere/rain.board.json"))
    assert message in str(caught.value)


def test_a_model_that_cannot_take_a_first_frame_is_refused_for_last_frame(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    catalog = default_catalog()
    pix = catalog.find(PIX)
    monkeypatch.setattr(type(pix), "accepts_frame", lambda self, frame: False)
    with pytest.raises(BoardError, match="Shot 2: PixVerse V6 cannot start from a frame image"):
        board_from_dict({**BASE, "shots": [shot(), shot(link="last-frame")]}, catalog)


def test_a_board_round_trips_with_ids_and_takes(tmp_path: Path) -> None:
    catalog = default_catalog()
    image = tmp_path / "start.png"
    Image.new("RGB", (800, 450), "teal").save(image)
    raw = {**BASE, "shots": [shot(link="image", image="start.png"), shot(link="last-frame")]}
    path = tmp_path / "rain.board.json"
    path.write_text(json.dumps(raw))
    board = load_board(path, catalog)
    assert board.image_path(board.shots[0]) == image.resolve()
    save_board(board.with_take(board.shots[1].id, TakeRef("j1", 0)), catalog=catalog)
    again = load_board(path, catalog)
    assert [s.id for s in again.shots] == [s.id for s in board.shots] and again.id == board.id
    assert again.shots[1].take is not None and again.shots[1].take.job_id == "j1"
    assert json.loads(path.read_text())["shots"][0]["model"] == PIX


def test_a_v2_journal_gains_the_board_tables_with_its_jobs_intact(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    journal_schema.migrate(db, target=2)
    db.execute(
        "INSERT INTO jobs (id, task_uuid, model, prompt, spec_json, state, created_at, "
        "updated_at) VALUES ('j1', 't1', 'openai:3@1', 'a boat', '{}', 'ready', 1, 1)"
    )
    db.close()
    with BoardStore(path) as store:
        assert journal_schema.schema_version(store._db) == 3
        store.save_board("b1", "Rain", {"version": 1}, None, [("s1", {"prompt": "x"})])
        take = store.add_take("b1", "s1", "j1")
        store.choose(take.id)
        assert store.chosen("b1", "s1") == store.takes("b1", "s1")[0]
    db = sqlite3.connect(path)
    assert db.execute("SELECT id, prompt FROM jobs").fetchall() == [("j1", "a boat")]
    with Journal(path) as journal:
        assert journal.migrated_from == 3


def test_memberships_follow_the_shots_order_and_search_finds_takes(tmp_path: Path) -> None:
    """What the library shows of boards: board name and shot number per job, and the jobs
    whose board name or shot prompt matches a search."""
    with BoardStore(tmp_path / "journal.sqlite3") as store:
        shots = [("s1", {"prompt": "a boat leaves"}), ("s2", {"prompt": "the harbour empties"})]
        store.save_board("b1", "Rain at the quay", {"version": 1}, None, shots)
        store.choose(store.add_take("b1", "s1", "j1").id)
        store.add_take("b1", "s2", "j2")
        found = store.memberships()
        assert [m.label for m in found["j1"]] == ["Rain at the quay · shot 1"]
        assert found["j1"][0].chosen and not found["j2"][0].chosen
        assert store.memberships(["j2", "nobody"]).keys() == {"j2"}
        assert store.memberships([]) == {}

        store.save_board("b1", "Rain at the quay", {"version": 1}, None, shots[::-1])
        assert store.memberships()["j1"][0].label == "Rain at the quay · shot 2"
        store.save_board("b1", "Rain at the quay", {"version": 1}, None, shots[1:])
        assert store.memberships()["j1"][0].label == "Rain at the quay"  # its shot left

        assert store.search("QUAY rain") == ["j2"]  # shot 1 left the board
        assert store.search("harbour") == ["j2"]
        assert store.search("") == [] and store.search("snow") == []


def test_the_last_view_is_remembered_and_a_bad_file_is_no_view(tmp_path: Path) -> None:
    from gui.studio.board_store import VIEW_FILE, BoardView

    with BoardStore(tmp_path / "journal.sqlite3") as store:
        assert store.last_view() is None
        store.save_board("b1", "Rain", {"version": 1}, None, [("s1", {"prompt": "x"})])
        store.remember_view(BoardView("b1", 340, 2))
        assert store.last_view() == BoardView("b1", 340, 2)
        store.remember_view(BoardView("gone", 0, None))  # a board no longer in the journal
        assert store.last_view() is None
        for bad in ("{", "[]", '{"board": 5}', '{"board": "b1", "scroll": "far"}'):
            (tmp_path / VIEW_FILE).write_text(bad)
            view = store.last_view()
            assert view is None or view == BoardView("b1", 0, None), bad


# ---------------------------------------------------------------------- export
def _clip(path: Path, width: int, height: int, fps: int, frames: int, audio: bool) -> Path:
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=fps, options={"preset": "ultrafast"})
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        sound = out.add_stream("aac", rate=48_000) if audio else None
        for i in range(frames):
            pixels = np.full((height, width, 3), (i * 7) % 255, dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode(None):
            out.mux(packet)
        if sound is not None:
            tone = 0.5 * np.ones((2, round(frames / fps * 48_000)), dtype=np.float32)
            for start in range(0, tone.shape[1], 1024):
                chunk = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(tone[:, start : start + 1024]),
                    format="fltp",
                    layout="stereo",
                )
                chunk.sample_rate, chunk.pts = 48_000, start
                for packet in sound.encode(chunk):
                    out.mux(packet)
            for packet in sound.encode(None):
                out.mux(packet)
    return path


def _decoded(path: Path) -> tuple[int, np.ndarray, tuple[int, int]]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        size = (stream.codec_context.width, stream.codec_context.height)
    with av.open(str(path)) as container:
        sound = np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1)
    return frames, sound, size


def test_export_fits_sizes_and_rates_and_fills_silence_where_a_clip_has_none(
    tmp_path: Path,
) -> None:
    loud = _clip(tmp_path / "a.mp4", 320, 180, 30, 30, audio=True)  # 1 s at 30 fps
    mute = _clip(tmp_path / "b.mp4", 200, 200, 16, 16, audio=False)  # 1 s square, no sound
    shares: list[float] = []
    report = export_film(
        [ExportClip(loud), ExportClip(mute, fit="pad")],
        tmp_path / "film.mov",
        ExportSettings(320, 180, 24),
        progress=shares.append,
        sidecar={"shots": []},
    )
    frames, sound, size = _decoded(report.path)
    assert (frames, size, report.clip_frames) == (48, (320, 180), (24, 24))
    assert sound.shape[1] >= 2 * 48_000
    first, second = sound[:, 2_000:46_000], sound[:, 50_000:94_000]
    assert np.abs(first).mean() > 0.3 and np.abs(second).max() < 0.01  # tone, then silence
    assert shares[-1] == 1.0 and report.sidecar is not None
    assert json.loads(report.sidecar.read_text())["film"]["frames"] == 48


def test_a_crossfade_overlaps_each_cut(tmp_path: Path) -> None:
    a = _clip(tmp_path / "a.mp4", 320, 180, 24, 24, audio=True)
    b = _clip(tmp_path / "b.mp4", 320, 180, 24, 24, audio=True)
    report = export_film(
        [ExportClip(a), ExportClip(b)],
        tmp_path / "film.mp4",
        ExportSettings(320, 180, 24, crossfade=0.25),
    )
    frames, sound, _ = _decoded(report.path)
    assert frames == report.frames == 48 - 6
    assert sound.shape[1] >= frames / 24 * 48_000


def test_a_cancelled_export_on_its_worker_leaves_nothing(tmp_path: Path) -> None:
    clip = _clip(tmp_path / "a.mp4", 320, 180, 24, 48, audio=False)
    out = tmp_path / "film.mp4"
    started = threading.Event()
    done: list[Any] = []
    worker: ExportWorker

    def progress(share: float) -> None:
        started.set()
        worker.cancel()

    worker = ExportWorker(
        [ExportClip(clip)],
        out,
        ExportSettings(320, 180, 24),
        on_progress=progress,
        on_done=lambda report, error: done.append((report, error, threading.current_thread())),
    )
    worker.start()
    assert worker.join(60)
    assert started.is_set() and len(done) == 1
    report, error, thread = done[0]
    assert report is None and isinstance(error, ExportCancelled)
    assert thread is not threading.main_thread()
    assert list(tmp_path.iterdir()) == [clip]


def test_the_cli_refuses_a_bad_board_before_opening_anything(tmp_path: Path) -> None:
    board = tmp_path / "bad.board.json"
    board.write_text(json.dumps({**BASE, "shots": [shot(), shot(link="sideways")]}))
    data = tmp_path / "library"
    done = subprocess.run(
        [sys.executable, "-m", "gui.cli", "board", "generate", str(board), "--data-dir", str(data)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 2
    assert 'Shot 2: link "sideways" is not one of none, last-frame, extend, image.' in done.stderr
    assert not data.exists()  # no journal, no sandbox, nothing sent


def test_remembering_the_view_syncs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It runs on the GUI thread whenever the storyboard settles, and an fsync can take a busy
    disk hundreds of milliseconds; a crash may lose where the tab was scrolled."""
    import os

    from gui.studio.board_store import VIEW_FILE, BoardView

    with BoardStore(tmp_path / "journal.sqlite3") as store:
        store.save_board("b1", "Rain", {"version": 1}, None, [("s1", {"prompt": "x"})])
        synced: list[int] = []
        real_fsync = os.fsync

        def recording_fsync(fd: int) -> None:
            synced.append(fd)
            real_fsync(fd)

        monkeypatch.setattr(os, "fsync", recording_fsync)
        store.remember_view(BoardView("b1", 120, 1))
        assert synced == []
        assert store.last_view() == BoardView("b1", 120, 1)
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no tmp left
        assert (tmp_path / VIEW_FILE).exists()
