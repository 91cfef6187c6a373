"""The one player behind every hover preview in the library.

However many cards there are, only one video plays: the card under the mouse (or the selected
one). Its frames arrive through a ``QVideoSink`` and are painted by the grid's delegate into that
card, so no card needs a widget of its own.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QMediaPlayer, QVideoFrame, QVideoSink

from gui.ui.player import media_safety

__all__ = ["PreviewPlayer"]

_MIN_FRAME_GAP = 1 / 20  # converting frames costs; a preview does not need more than 20 a second


class PreviewPlayer(QObject):
    """Plays one result silently, looped; ``frame_changed(key)`` when its picture changes."""

    frame_changed = Signal(object)  # the key of the card to repaint, (job_id, index)

    def __init__(self, width: int = 320, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.width = width
        self.player = QMediaPlayer(self)  # no audio output: previews are silent
        self.player.setLoops(QMediaPlayer.Loops.Infinite)
        self._sink = QVideoSink(self)
        self.player.setVideoSink(self._sink)
        self._sink.videoFrameChanged.connect(self._on_frame)
        self.key: tuple[str, int] | None = None
        self._path: str | None = None
        self._frame: QImage | None = None
        self._last_frame_at = 0.0

    def play(self, key: tuple[str, int], path: str) -> None:
        """Preview ``path`` for the card ``key``, stopping whatever played before."""
        if key == self.key and path == self._path:
            return
        old = self.key
        self.key, self._path, self._frame = key, path, None
        if old is not None:
            self.frame_changed.emit(old)
        # switch directly: a queued unload (see stop) would run after the new source
        media_safety.set_source(self.player, QUrl.fromLocalFile(path))
        media_safety.play(self.player)

    def stop(self) -> None:
        old = self.key
        self.key, self._path, self._frame = None, None, None
        if self.player.source().isValid():
            media_safety.unload_later(self.player)  # never stop() directly: see media_safety
        if old is not None:
            self.frame_changed.emit(old)

    def frame(self, key: tuple[str, int]) -> QImage | None:
        """The latest picture for ``key``, if it is the one playing."""
        return self._frame if key == self.key else None

    @property
    def playing(self) -> bool:
        return self.player.playbackState() is QMediaPlayer.PlaybackState.PlayingState

    def _on_frame(self, frame: QVideoFrame) -> None:
        if self.key is None or not frame.isValid():
            return
        now = time.monotonic()
        if now - self._last_frame_at < _MIN_FRAME_GAP and self._frame is not None:
            return
        self._last_frame_at = now
        image = frame.toImage()
        if image.width() > self.width:
            image = image.scaledToWidth(self.width, Qt.TransformationMode.SmoothTransformation)
        self._frame = image
        self.frame_changed.emit(self.key)
