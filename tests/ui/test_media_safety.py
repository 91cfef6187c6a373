"""Players are stopped through the event loop, never directly (a PySide6 GIL deadlock)."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
from PySide6.QtMultimediaWidgets import QVideoWidget

from gui.ui.player.media_safety import set_source, stop_later, unload_later
from tests.ui.clips import write_clip

ROOT = Path(__file__).resolve().parents[2]
DIRECT_CALL = re.compile(  # QMediaPlayer's own slots: play()/pause()/stop() take no argument
    r"\b(player|media|_player|preview_player)\."
    r"((play|pause|stop)\(\)|(play|pause|stop)\b(?!\()|(setPosition|setSource|setPlaybackRate)\b)"
)


def test_every_player_call_goes_through_media_safety() -> None:
    offenders = []
    for path in (ROOT / "gui" / "ui").rglob("*.py"):
        if path.name == "media_safety.py":
            continue
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if DIRECT_CALL.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_many_stops_and_unloads_complete(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Before media_safety, about one in 60 of these cycles deadlocked in stop().
    clip = write_clip(tmp_path / "clip.mp4", seconds=1.0, fps=30)
    for _ in range(25):
        widget = QVideoWidget()
        qtbot.addWidget(widget)
        player, audio = QMediaPlayer(), QAudioOutput()
        player.setAudioOutput(audio)
        player.setVideoOutput(widget)
        player.setSource(QUrl.fromLocalFile(str(clip)))
        player.play()
        qtbot.waitUntil(
            lambda p=player: p.playbackState() == QMediaPlayer.PlaybackState.PlayingState
        )
        stop_later(player)
        qtbot.waitUntil(
            lambda p=player: p.playbackState() == QMediaPlayer.PlaybackState.StoppedState
        )
        unload_later(player)
        qtbot.waitUntil(lambda p=player: not p.source().isValid())
        player.deleteLater()
        audio.deleteLater()


def test_a_source_set_in_the_same_turn_calls_a_pending_unload_off(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # "Show nothing, then show this" in one turn (a new player's empty page, then a clip; a
    # deleted job, then the next one) once played nothing: the queued unload ran after the load.
    clip = write_clip(tmp_path / "clip.mp4", seconds=1.0, fps=30)
    player, audio = QMediaPlayer(), QAudioOutput()
    player.setAudioOutput(audio)
    unload_later(player)
    set_source(player, QUrl.fromLocalFile(str(clip)))
    loaded = {QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia}
    qtbot.waitUntil(lambda: player.mediaStatus() in loaded, timeout=10_000)
    assert player.source().toLocalFile() == str(clip)
    unload_later(player)  # and one that nothing calls off still unloads
    qtbot.waitUntil(lambda: not player.source().isValid(), timeout=10_000)
    player.deleteLater()
    audio.deleteLater()
