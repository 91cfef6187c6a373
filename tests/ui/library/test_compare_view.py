"""Compare: one transport keeps every player on the same frame."""

from __future__ import annotations

import contextlib

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QPainter
from PySide6.QtMultimedia import QMediaPlayer
from pytestqt.exceptions import TimeoutError as QtBotTimeout

from gui.ui.compare.compare_view import CompareItem, CompareView
from gui.ui.frame_math import frame_at, frame_position

FPS = 30
FRAME_MS = 1000 / FPS


@pytest.fixture
def compare(qtbot, clips):
    paths = [clips.mp4, clips.webm, clips.mp4_b, clips.long_mp4]
    items = [CompareItem(f"job{n}", 0, str(p), f"clip {n}", fps=FPS) for n, p in enumerate(paths)]
    view = CompareView(items)
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    qtbot.waitUntil(lambda: view.is_ready() and view.slider.maximum() > 0, timeout=5000)
    yield view
    view.clear()


def settled(view: CompareView, frame: int) -> bool:
    """Every player is at ``frame`` and every tile shows it."""
    return all(frame_at(p, FPS) == frame for p in view.positions()) and all(
        shown == frame for shown in view.shown_frames()
    )


def within_one_frame(positions: list[int]) -> bool:
    return max(positions) - min(positions) <= FRAME_MS


def test_frame_position_round_trips():
    for fps in (24, 25, 30, 60):
        for frame in range(0, 300):
            assert frame_at(frame_position(frame, fps), fps) == frame


def test_seek_puts_every_player_on_the_same_frame(compare, qtbot):
    compare.seek(1000)  # on frame 30's very start, which decoders disagree about
    qtbot.waitUntil(lambda: settled(compare, 29), timeout=3000)
    assert within_one_frame(compare.positions())
    compare.seek(517)
    qtbot.waitUntil(lambda: settled(compare, 15), timeout=3000)
    assert compare.positions() == [frame_position(15, FPS)] * 4
    compare.slider.setValue(734)  # scrubbing goes the same way
    qtbot.waitUntil(lambda: settled(compare, 22), timeout=3000)
    assert within_one_frame(compare.positions())


def test_frame_steps_move_all_players_exactly_one_frame(compare, qtbot):
    compare.seek(frame_position(10, FPS))
    qtbot.waitUntil(lambda: settled(compare, 10), timeout=3000)
    compare.step(1)
    qtbot.waitUntil(lambda: settled(compare, 11), timeout=3000)
    assert within_one_frame(compare.positions())
    for _ in range(3):
        compare.step(-1)
    qtbot.waitUntil(lambda: settled(compare, 8), timeout=3000)
    assert within_one_frame(compare.positions())
    assert compare.time_label.text().endswith("frame 9")


def test_stepping_while_playing_pauses_first_and_stays_in_step(compare, qtbot):
    compare.play()
    qtbot.waitUntil(lambda: compare.players[0].position() > 300, timeout=5000)
    compare.step(1)
    assert all(
        p.playbackState() is not QMediaPlayer.PlaybackState.PlayingState for p in compare.players
    )
    frame = frame_at(compare.players[0].position(), FPS)
    qtbot.waitUntil(lambda: settled(compare, frame), timeout=3000)
    assert within_one_frame(compare.positions())


def test_the_drift_corrector_pulls_a_straying_follower_back(compare, qtbot, tmp_path):
    compare.play()
    qtbot.waitUntil(lambda: compare.players[0].position() > 100, timeout=5000)
    follower = compare.players[2]
    follower.setPosition(compare.players[0].position() + 400)  # knock it off by 12 frames
    leader = compare.players[0]
    qtbot.waitUntil(
        lambda: (
            compare.sync.corrections >= 1
            and within_one_frame([leader.position(), follower.position()])
            and leader.playbackState() is QMediaPlayer.PlaybackState.PlayingState
        ),
        timeout=2000,
    )
    compare.pause()
    assert within_one_frame(compare.positions())


def test_speed_applies_to_every_player(compare):
    compare.set_speed(0.5)
    assert [p.playbackRate() for p in compare.players] == [0.5] * 4


def test_the_timeline_ends_where_the_leader_ends(compare, qtbot):
    compare.step(10_000)  # past the end: clamped to the last frame
    last = compare.sync.last_frame
    assert last == 59  # the leader is 2 s at 30 fps
    qtbot.waitUntil(lambda: frame_at(compare.players[0].position(), FPS) == last, timeout=3000)
    assert compare.players[1].position() <= compare.players[1].duration()  # the 1 s clip holds


def test_two_to_four_results(qtbot, clips):
    with pytest.raises(ValueError):
        CompareView([CompareItem("a", 0, str(clips.mp4), "one")])


def test_screenshot(compare, qtbot):
    compare.seek(600)
    qtbot.waitUntil(lambda: settled(compare, 17), timeout=3000)
    shot = compare.grab()
    painter = QPainter(shot)  # QVideoWidget.grab() leaves the video out: paint the frames in
    for widget in compare.video_widgets:
        image = widget.videoSink().videoFrame().toImage()
        box = widget.geometry().translated(widget.parentWidget().pos())
        size = image.size().scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRect(QPoint(0, 0), size)
        target.moveCenter(box.center())
        painter.drawImage(target, image)
    painter.end()
    assert shot.save("/tmp/sora-studio-compare.png")


def test_the_end_holds_every_tiles_last_frame(compare, qtbot):
    # issue 17: at the end every tile went black; the leader (2 s) and the shorter webm (1 s)
    # must both hold their last frame
    compare.play()
    qtbot.waitUntil(lambda: compare.players[0].position() > 300, timeout=10_000)
    qtbot.waitUntil(lambda: not compare.sync.playing, timeout=15_000)

    # 2 s and 1 s at 30 fps: their last frames, on the sinks the tiles paint
    def last_frames_shown() -> bool:
        return compare.shown_frames()[:2] == [59, 29]

    with contextlib.suppress(QtBotTimeout):  # the assertion below says what was shown instead
        qtbot.waitUntil(last_frames_shown, timeout=5000)
    assert last_frames_shown(), (
        f"shown frames {compare.shown_frames()}, positions {compare.positions()}, "
        f"statuses {[p.mediaStatus().name for p in compare.players]}, "
        f"states {[p.playbackState().name for p in compare.players]}"
    )


def test_a_click_on_the_bar_jumps_to_that_point(compare, qtbot):
    from PySide6.QtTest import QTest

    slider = compare.slider
    duration = compare.sync.duration
    x = round(slider.width() * 0.75)
    QTest.mouseClick(
        slider,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        QPoint(x, slider.height() // 2),
    )
    qtbot.waitUntil(
        lambda: abs(compare.players[0].position() - 0.75 * duration) < 0.15 * duration,
        timeout=5000,
    )
