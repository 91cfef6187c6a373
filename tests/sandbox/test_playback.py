"""Qt's own player (offscreen, FFmpeg backend) opens every format the sandbox writes, straight
from its URL, and reports the requested duration to within one frame."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtMultimedia import QMediaPlayer, QVideoSink

from tests.sandbox.conftest import MadeVideo


@pytest.mark.parametrize("name", ["mp4", "webm", "mov", "veo-portrait-mp4"])
@pytest.mark.parametrize("source", ["url", "file"])
def test_qmediaplayer_loads_with_the_requested_duration(
    qtbot, made_videos: dict[str, MadeVideo], name: str, source: str
) -> None:  # type: ignore[no-untyped-def]
    video = made_videos[name]
    player = QMediaPlayer()
    sink = QVideoSink()
    player.setVideoSink(sink)
    errors: list[str] = []
    player.errorOccurred.connect(lambda _e, text: errors.append(text))
    url = QUrl(video.url) if source == "url" else QUrl.fromLocalFile(str(video.path))
    player.setSource(url)
    qtbot.waitUntil(
        lambda: (
            player.mediaStatus()
            in (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.InvalidMedia)
        ),
        timeout=10_000,
    )
    assert player.mediaStatus() == QMediaPlayer.MediaStatus.LoadedMedia, errors
    frame_ms = 1000 / video.fps
    assert abs(player.duration() - video.duration * 1000) <= frame_ms
    assert player.hasVideo() and player.hasAudio()
    player.setSource(QUrl())
