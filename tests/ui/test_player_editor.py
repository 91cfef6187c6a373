"""The player as an editor's viewer, driven by real input on real clips (issue 17, items 1-4):
the end holds the last frame, ⏸ pauses after a replay from the end, a click on the scrub bar
jumps there, Loop off takes effect at once, J/K/L, I/O, frame number and timecode, fullscreen
with its transport, no stale duration while a job runs, a notice without an audio device."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtTest import QTest

from gui.studio.jobs import JobState, ResultState
from gui.ui.frame_math import frame_at, frame_position
from gui.ui.player import player as player_module
from gui.ui.player.media_safety import unload_later
from gui.ui.player.player import PlayerWidget, time_text
from tests.ui.clips import write_clip
from tests.ui.jobfactory import make_job
from tests.ui.test_player import wait_loaded

FPS = 30
FRAME_MS = 1000 / FPS
PLAYING = QMediaPlayer.PlaybackState.PlayingState
PAUSED = QMediaPlayer.PlaybackState.PausedState
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def player(qtbot):  # type: ignore[no-untyped-def]
    widget = PlayerWidget()

    def unload(w: PlayerWidget) -> None:  # before pytest-qt closes and deletes the widget
        w.set_fullscreen(False)
        unload_later(w.media)  # a direct stop() can deadlock PySide6: see media_safety
        qtbot.waitUntil(lambda: not w.media.source().isValid(), timeout=10_000)

    qtbot.addWidget(widget, before_close_func=unload)
    widget.resize(640, 420)
    widget.show()
    return widget


def brightness(player: PlayerWidget) -> int | None:
    """The grey level of the frame on the video sink now (the clip's frame n is 20 + 200n/N)."""
    frame = player.video.videoSink().videoFrame()
    if not frame.isValid():
        return None
    image = frame.toImage()
    return None if image.isNull() else image.pixelColor(120, 48).green()


def held_at_end(player: PlayerWidget) -> bool:
    last = round(player.media.duration() * FPS / 1000) - 1  # containers round the length
    shown = frame_at(player.media.position(), FPS)
    return player.media.playbackState() == PAUSED and shown == last


def load(qtbot, player: PlayerWidget, path: Path, *, autoplay: bool = False) -> None:  # type: ignore[no-untyped-def]
    player.load_file(path, fps=FPS, autoplay=autoplay)
    wait_loaded(qtbot, player)


def click_play(player: PlayerWidget) -> None:
    QTest.mouseClick(player.transport.play_button, LEFT)


@pytest.mark.parametrize("ext", ["mp4", "webm"])
def test_the_end_of_a_clip_holds_its_last_frame(
    qtbot, player: PlayerWidget, tmp_path: Path, ext: str
) -> None:  # type: ignore[no-untyped-def]
    load(qtbot, player, write_clip(tmp_path / f"end.{ext}", seconds=1.0, fps=FPS), autoplay=True)
    qtbot.waitUntil(lambda: player.media.position() > 300, timeout=10_000)
    qtbot.waitUntil(lambda: held_at_end(player), timeout=10_000)
    # the picture on the sink (what the widget paints) is the last frame, not black
    qtbot.waitUntil(lambda: (brightness(player) or 0) > 200, timeout=5000)
    image = player.current_frame_image()
    assert image is not None and image.pixelColor(120, 48).green() > 200
    assert player.transport.frame_label.text().startswith(f"F {FPS} ")  # frame 30 of 30


def test_pause_after_replaying_from_the_end(qtbot, player: PlayerWidget, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # A 20 s clip, so a slow machine never reaches its end again while the checks below run
    # (a 1.5 s clip, then a 4 s one, did under make stress); its end is reached as an editor
    # would: a click near the right end of the scrub bar.
    load(qtbot, player, write_clip(tmp_path / "again.mp4", seconds=20.0, fps=FPS), autoplay=True)
    slider = player.transport.slider
    qtbot.waitUntil(lambda: slider.maximum() > 0 and player.media.position() > 300, timeout=10_000)
    near_end = QPoint(round(slider.width() * 0.98), slider.height() // 2)
    QTest.mouseClick(slider, LEFT, Qt.KeyboardModifier.NoModifier, near_end)
    qtbot.waitUntil(
        lambda: (
            player.media.mediaStatus() == QMediaPlayer.MediaStatus.EndOfMedia or held_at_end(player)
        ),
        timeout=20_000,
    )
    click_play(player)  # ▶ at the end: from the start
    qtbot.waitUntil(lambda: player.media.playbackState() == PLAYING, timeout=5000)
    seen: list[int] = []

    def replaying() -> bool:
        seen.append(player.media.position())
        return 300 < seen[-1] < 12_000

    try:
        qtbot.waitUntil(replaying, timeout=10_000)
    except Exception:
        raise AssertionError(f"positions after ▶ at the end: {seen[:5]} … {seen[-5:]}") from None
    for _ in range(2):
        click_play(player)  # ⏸
        qtbot.waitUntil(lambda: player.media.playbackState() == PAUSED, timeout=5000)
        paused_at = player.media.position()
        assert paused_at > 250  # paused where it was, not back at 0:00
        click_play(player)  # ▶ goes on from there
        qtbot.waitUntil(lambda: player.media.playbackState() == PLAYING, timeout=5000)
        assert player.media.position() >= paused_at - FRAME_MS
    click_play(player)
    qtbot.waitUntil(lambda: player.media.playbackState() == PAUSED, timeout=5000)


def test_a_click_on_the_scrub_bar_jumps_to_that_point(
    qtbot, player: PlayerWidget, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    player.resize(420, 420)  # a scrub bar about as narrow as in the window
    load(qtbot, player, write_clip(tmp_path / "scrub.mp4", seconds=2.0, fps=FPS))
    slider = player.transport.slider
    qtbot.waitUntil(lambda: slider.maximum() > 0, timeout=5000)
    duration = player.media.duration()
    y = slider.height() // 2
    for fraction in (0.75, 0.3, 0.9):
        x = round(slider.width() * fraction)
        QTest.mouseClick(slider, LEFT, Qt.KeyboardModifier.NoModifier, QPoint(x, y))
        expected = fraction * duration

        qtbot.waitUntil(
            lambda e=expected: abs(player.media.position() - e) < 0.15 * duration, timeout=5000
        )
        assert abs(slider.value() - player.media.position()) <= FRAME_MS


def test_loop_off_mid_play_does_not_loop_again(qtbot, player: PlayerWidget, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    load(qtbot, player, write_clip(tmp_path / "loop.mp4", seconds=1.0, fps=FPS))
    QTest.mouseClick(player.transport.loop_button, LEFT)
    assert player.transport.loop_button.isChecked()
    click_play(player)
    positions: list[int] = []
    player.media.positionChanged.connect(positions.append)
    # it loops: the position comes back to the start and goes on playing
    qtbot.waitUntil(
        lambda: any(b < a - 400 for a, b in pairwise(positions)),
        timeout=10_000,
    )
    qtbot.waitUntil(lambda: 100 < player.media.position() < 500, timeout=5000)
    QTest.mouseClick(player.transport.loop_button, LEFT)  # Loop off, mid-play
    assert not player.transport.loop_button.isChecked()
    positions.clear()
    qtbot.waitUntil(lambda: held_at_end(player), timeout=10_000)
    # never went back to the start (the hold steps back from the end to the last frame's start)
    assert not any(b < a - 100 for a, b in pairwise(positions))


def test_a_running_job_shows_no_previous_time(qtbot, player: PlayerWidget, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    done = make_job(JobState.READY)
    done.results[0].local_path = str(write_clip(tmp_path / "done.mp4", seconds=2.0, fps=FPS))
    player.show_job(done)
    wait_loaded(qtbot, player)
    old = time_text(player.media.duration())
    running = make_job(JobState.PROCESSING)
    player.show_job(running)
    assert player.empty_title.text() == "Not downloaded yet"
    qtbot.waitUntil(lambda: not player.media.source().isValid(), timeout=5000)
    assert old not in player.transport.time_label.text()
    assert player.transport.frame_label.text() == ""
    assert player.transport.slider.maximum() == 0
    assert not player.transport.play_button.isEnabled()
    assert not player.transport.slider.isEnabled()
    # and the next ready one plays again
    done.results[0].state = ResultState.READY
    player.show_job(done)
    wait_loaded(qtbot, player)
    assert player.transport.play_button.isEnabled() and player.transport.slider.isEnabled()


def test_jkl_shuttle(qtbot, player: PlayerWidget, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    load(qtbot, player, write_clip(tmp_path / "jkl.mp4", seconds=3.0, fps=FPS))
    player.setFocus()
    qtbot.waitUntil(player.hasFocus, timeout=2000)
    qtbot.keyClick(player, Qt.Key.Key_L)
    qtbot.waitUntil(lambda: player.media.playbackState() == PLAYING, timeout=5000)
    assert player.media.playbackRate() == 1.0
    qtbot.keyClick(player, Qt.Key.Key_L)  # again: faster
    assert player.media.playbackRate() == 2.0
    qtbot.keyClick(player, Qt.Key.Key_K)
    qtbot.waitUntil(lambda: not player.is_playing(), timeout=5000)
    assert player.media.playbackRate() == 1.0  # K goes back to the chosen speed
    player.seek(frame_position(45, FPS))
    qtbot.waitUntil(lambda: player.frame_number() == 45, timeout=5000)
    qtbot.keyClick(player, Qt.Key.Key_J)  # backwards
    assert player.is_playing()
    qtbot.waitUntil(lambda: player.frame_number() < 40, timeout=10_000)
    qtbot.keyClick(player, Qt.Key.Key_J)  # faster backwards, and it stops at the start
    qtbot.waitUntil(
        lambda: player.media.position() == 0 and not player.is_playing(), timeout=10_000
    )


def test_in_and_out_make_a_range_that_play_and_loop_keep_to(
    qtbot, player: PlayerWidget, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    load(qtbot, player, write_clip(tmp_path / "range.mp4", seconds=3.0, fps=FPS))
    player.setFocus()
    qtbot.waitUntil(player.hasFocus, timeout=2000)
    player.seek(frame_position(15, FPS))
    qtbot.waitUntil(lambda: player.frame_number() == 15, timeout=5000)
    qtbot.keyClick(player, Qt.Key.Key_I)
    player.seek(frame_position(45, FPS))
    qtbot.waitUntil(lambda: player.frame_number() == 45, timeout=5000)
    qtbot.keyClick(player, Qt.Key.Key_O)
    in_ms, out_ms = player.in_out
    assert in_ms is not None and out_ms is not None and frame_at(in_ms, FPS) == 15
    assert "in 0:00.50" in player.transport.frame_label.toolTip()
    # play from the out point starts at the in point, and stops on the out frame
    qtbot.keyClick(player, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: player.media.playbackState() == PLAYING, timeout=5000)
    assert player.frame_number() <= 16
    qtbot.waitUntil(
        lambda: player.media.playbackState() == PAUSED and player.frame_number() == 45,
        timeout=10_000,
    )
    # with Loop on (Shift+L) it goes round the range
    qtbot.keyClick(player, Qt.Key.Key_L, Qt.KeyboardModifier.ShiftModifier)
    assert player.looping
    positions: list[int] = []
    player.media.positionChanged.connect(positions.append)
    qtbot.keyClick(player, Qt.Key.Key_Space)
    qtbot.waitUntil(
        lambda: any(b < a - 500 for a, b in pairwise(positions)),
        timeout=10_000,
    )
    assert all(p < out_ms + 200 for p in positions)  # never ran on past the out point
    qtbot.keyClick(player, Qt.Key.Key_K)
    qtbot.keyClick(
        player,
        Qt.Key.Key_X,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert player.in_out == (None, None)


def test_frame_number_and_timecode(qtbot, player: PlayerWidget, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    load(qtbot, player, write_clip(tmp_path / "tc.mp4", seconds=2.0, fps=FPS))
    player.setFocus()
    qtbot.waitUntil(player.hasFocus, timeout=2000)
    assert player.transport.frame_label.text() == "F 1 · 00:00:00:00"
    qtbot.keyClick(player, Qt.Key.Key_Right)
    qtbot.waitUntil(
        lambda: player.transport.frame_label.text() == "F 2 · 00:00:00:01", timeout=5000
    )
    qtbot.keyClick(player, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(
        lambda: player.transport.frame_label.text() == "F 32 · 00:00:01:01", timeout=5000
    )
    qtbot.keyClick(player, Qt.Key.Key_End)
    qtbot.waitUntil(
        lambda: player.transport.frame_label.text() == "F 60 · 00:00:01:29", timeout=5000
    )


def test_fullscreen_has_the_transport_and_keys(qtbot, player: PlayerWidget, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    load(qtbot, player, write_clip(tmp_path / "fs.mp4", seconds=2.0, fps=FPS))
    player.setFocus()
    qtbot.waitUntil(player.hasFocus, timeout=2000)
    qtbot.keyClick(player, Qt.Key.Key_F)
    host = player.fullscreen_window
    qtbot.waitUntil(player.is_fullscreen, timeout=5000)
    qtbot.waitActive(host, timeout=5000)
    assert player.video.window() is host and player.transport.window() is host
    assert player.transport.isVisible() and player.transport.frame_label.isVisible()
    assert player.video.isVisible() and player.video.height() > host.height() // 2
    qtbot.keyClick(host, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: player.frame_number() == 1, timeout=5000)
    assert player.transport.frame_label.text().startswith("F 2 ")
    QTest.mouseClick(player.transport.play_button, LEFT)  # the controls work in fullscreen
    qtbot.waitUntil(lambda: player.media.playbackState() == PLAYING, timeout=5000)
    qtbot.keyClick(host, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: player.media.playbackState() == PAUSED, timeout=5000)
    qtbot.keyClick(host, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not player.is_fullscreen(), timeout=5000)
    assert player.video.window() is player.window() and player.transport.window() is player.window()
    assert player.stack.currentWidget() is player.video
    QTest.mouseDClick(player.video, LEFT)  # double-click: fullscreen again
    qtbot.waitUntil(player.is_fullscreen, timeout=5000)
    player.set_fullscreen(False)


def test_no_audio_device_is_said(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(player_module, "audio_outputs", lambda: [])
    widget = PlayerWidget()
    qtbot.addWidget(widget)
    widget.show()
    assert widget.transport.audio_notice.isVisible()
    assert widget.transport.audio_notice.text() == "No audio device"


def test_play_pressed_as_the_clip_ends_replays_it(
    qtbot, player: PlayerWidget, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """▶ clicked in the very turn the player reports the end (before its hold of the last
    frame, which runs a turn later): the clip plays again from the start instead of the stale
    hold seeking back to the end and pausing (seen under load: replay stuck at 0:19.96)."""
    load(qtbot, player, write_clip(tmp_path / "edge.mp4", seconds=20.0, fps=FPS), autoplay=True)
    slider = player.transport.slider
    qtbot.waitUntil(lambda: slider.maximum() > 0 and player.media.position() > 300, timeout=10_000)
    clicked: list[int] = []

    def at_end(status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.EndOfMedia and not clicked:
            clicked.append(player.media.position())
            click_play(player)  # the player's own end handling is already queued

    player.media.mediaStatusChanged.connect(at_end)
    near_end = QPoint(round(slider.width() * 0.98), slider.height() // 2)
    QTest.mouseClick(slider, LEFT, Qt.KeyboardModifier.NoModifier, near_end)
    qtbot.waitUntil(lambda: bool(clicked), timeout=20_000)
    player.media.mediaStatusChanged.disconnect(at_end)
    qtbot.waitUntil(lambda: 300 < player.media.position() < 12_000, timeout=10_000)
    assert player.media.playbackState() == PLAYING
