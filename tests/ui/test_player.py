"""The player on real MP4, WEBM and MOV files: load, duration, frame steps, seeking, states."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtMultimedia import QMediaPlayer

from gui.studio.jobs import JobState
from gui.ui.player.media_safety import unload_later
from gui.ui.player.player import PlayerWidget, time_text
from tests.ui.clips import write_clip
from tests.ui.jobfactory import make_job

FPS = 30
FRAME_MS = 1000 / FPS


@pytest.fixture
def player(qtbot):  # type: ignore[no-untyped-def]
    widget = PlayerWidget()

    def unload(w: PlayerWidget) -> None:  # before pytest-qt closes and deletes the widget
        unload_later(w.media)  # a direct stop() can deadlock PySide6: see media_safety
        qtbot.waitUntil(lambda: not w.media.source().isValid(), timeout=10_000)

    qtbot.addWidget(widget, before_close_func=unload)
    widget.resize(640, 420)
    widget.show()
    return widget


def wait_loaded(qtbot, player: PlayerWidget) -> None:  # type: ignore[no-untyped-def]
    ok = {QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia}
    qtbot.waitUntil(lambda: player.media.mediaStatus() in ok, timeout=10_000)
    qtbot.waitUntil(lambda: player.media.duration() > 0, timeout=5_000)


@pytest.mark.parametrize("ext", ["mp4", "webm", "mov"])
def test_frame_step_and_seek(qtbot, player: PlayerWidget, tmp_path: Path, ext: str) -> None:  # type: ignore[no-untyped-def]
    clip = write_clip(tmp_path / f"clip.{ext}", seconds=2.0, fps=FPS)
    player.load_file(clip, fps=FPS)
    wait_loaded(qtbot, player)
    assert abs(player.media.duration() - 2000) <= FRAME_MS
    assert player.transport.slider.maximum() == player.media.duration()

    player.step_frames(1)
    qtbot.waitUntil(lambda: abs(player.media.position() - FRAME_MS) <= 1, timeout=3000)
    player.step_frames(3)
    qtbot.waitUntil(lambda: abs(player.media.position() - 4 * FRAME_MS) <= 1, timeout=3000)
    player.step_seconds(1)
    qtbot.waitUntil(lambda: abs(player.media.position() - (4 * FRAME_MS + 1000)) <= 1, timeout=3000)
    player.step_frames(-1)
    qtbot.waitUntil(lambda: abs(player.media.position() - (3 * FRAME_MS + 1000)) <= 1, timeout=3000)
    player.step_seconds(-5)  # clamps at the start
    qtbot.waitUntil(lambda: player.media.position() == 0, timeout=3000)
    player.seek(10_000)  # clamps to the last frame
    last = player.media.duration() - 2 * FRAME_MS
    qtbot.waitUntil(lambda: last <= player.media.position() < player.media.duration(), timeout=3000)
    assert player.media.playbackState() != QMediaPlayer.PlaybackState.PlayingState
    assert player.transport.time_label.text().endswith(time_text(player.media.duration()))


def test_keys_drive_the_player(qtbot, player: PlayerWidget, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    player.load_file(write_clip(tmp_path / "k.mp4", seconds=2.0, fps=FPS), fps=FPS)
    wait_loaded(qtbot, player)
    player.setFocus()
    qtbot.waitUntil(player.hasFocus, timeout=2000)
    qtbot.keyClick(player, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: abs(player.media.position() - FRAME_MS) <= 1, timeout=3000)
    qtbot.keyClick(player, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: abs(player.media.position() - FRAME_MS - 1000) <= 1, timeout=3000)
    qtbot.keyClick(player, Qt.Key.Key_Space)
    qtbot.waitUntil(
        lambda: player.media.playbackState() == QMediaPlayer.PlaybackState.PlayingState,
        timeout=3000,
    )
    qtbot.keyClick(player, Qt.Key.Key_Space)
    qtbot.waitUntil(
        lambda: player.media.playbackState() == QMediaPlayer.PlaybackState.PausedState,
        timeout=3000,
    )
    qtbot.keyClick(player, Qt.Key.Key_F)
    assert player.is_fullscreen()
    qtbot.waitActive(player.fullscreen_window, timeout=5000)
    qtbot.keyClick(player.fullscreen_window, Qt.Key.Key_Escape)
    assert not player.is_fullscreen()


def test_speed_loop_volume(qtbot, player: PlayerWidget) -> None:  # type: ignore[no-untyped-def]
    player.transport.speed.setCurrentIndex(0)
    assert player.media.playbackRate() == 0.25
    player.set_speed(2.0)
    assert player.transport.speed.currentText() == "2×"
    player.transport.loop_button.click()
    assert player.looping
    player.transport.loop_button.click()
    assert not player.looping
    player.transport.mute_button.click()
    assert player.audio.isMuted()
    player.transport.volume.setValue(30)
    assert abs(player.audio.volume() - 0.3) < 0.01


def test_frame_image_is_the_frame_on_screen(qtbot, player: PlayerWidget, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    player.load_file(write_clip(tmp_path / "f.mp4", seconds=2.0, fps=FPS), fps=FPS)
    wait_loaded(qtbot, player)
    frames = round(2.0 * FPS)

    def grey_at(ms: int) -> int:
        player.seek(ms)
        qtbot.waitUntil(lambda: player.media.position() == ms, timeout=3000)
        expected = 20 + 200 * round(ms / FRAME_MS) / (frames - 1)
        qtbot.waitUntil(
            lambda: (
                (img := player.current_frame_image()) is not None
                and abs(img.pixelColor(120, 48).green() - expected) < 12
            ),
            timeout=5000,
        )
        image = player.current_frame_image()
        assert image is not None and (image.width(), image.height()) == (160, 96)
        assert image.pixelColor(10, 48).red() > 200  # the clip's left quarter is red
        return image.pixelColor(120, 48).green()

    assert grey_at(1500) > grey_at(500) + 60  # a later frame of the clip is brighter


def test_states_without_a_playable_video(qtbot, player: PlayerWidget, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert player.stack.currentWidget() is player.empty_page
    assert player.empty_title.text() == "Nothing selected"
    player.show_job(make_job(JobState.PROCESSING))
    assert player.empty_title.text() == "Not downloaded yet"
    player.show_job(make_job(JobState.EXPIRED))
    assert player.empty_title.text() == "Expired"
    failed = make_job(JobState.FAILED)
    player.show_job(failed)
    assert "timeoutProvider" in player.empty_body.text()


def test_variations_choose_the_video(qtbot, player: PlayerWidget, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    job = make_job(JobState.READY, number_results=2)
    for result, ext in zip(job.results, ("mp4", "webm"), strict=True):
        result.local_path = str(write_clip(tmp_path / f"v{result.index}.{ext}", seconds=1.0))
    seen: list[int] = []
    player.result_changed.connect(lambda _j, r: seen.append(r.index))
    player.show_job(job)
    wait_loaded(qtbot, player)
    assert player.variations.isVisible()
    assert player.media.source().toLocalFile() == job.results[0].local_path
    player.variations.group.button(1).click()
    assert player.media.source().toLocalFile() == job.results[1].local_path
    wait_loaded(qtbot, player)
    assert abs(player.media.duration() - 1000) <= FRAME_MS
    assert seen == [0, 1]
    # selecting the same job again keeps the chosen variation
    player.show_job(job)
    assert player.result is job.results[1]
