"""Several players driven as one: the first leads, the others follow it.

Every command (play, pause, seek, step, speed) goes to all players, on the leader's timeline. Stepping pauses first and
then sets every player to the same frame's position, so a frame step is exact and not left to
each decoder's timing. While playing, a drift check every 200 ms puts back any follower that has
strayed more than half a frame from the leader.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtMultimedia import QMediaPlayer

from gui.ui.frame_math import frame_at, frame_position
from gui.ui.player import media_safety

__all__ = ["DRIFT_CHECK_MS", "SyncedPlayback", "frame_at", "frame_position"]

DRIFT_CHECK_MS = 200


class SyncedPlayback(QObject):
    """Drives ``players`` together; ``fps`` is the leader's frame rate, used for stepping."""

    position_changed = Signal(int)  # the leader's position, ms
    duration_changed = Signal(int)  # the leader's duration, ms
    playing_changed = Signal(bool)

    def __init__(self, players: list[QMediaPlayer], fps: float, parent: QObject | None = None):
        super().__init__(parent)
        if not players:
            raise ValueError("at least one player is needed")
        self.players, self.fps = players, fps
        self.corrections = 0  # how often a follower was put back (for tests and tuning)
        self._playing = False
        self._drift = QTimer(self, interval=DRIFT_CHECK_MS)
        self._drift.timeout.connect(self.correct_drift)
        self.leader.positionChanged.connect(lambda ms: self.position_changed.emit(int(ms)))
        self.leader.durationChanged.connect(lambda ms: self.duration_changed.emit(int(ms)))
        self.leader.mediaStatusChanged.connect(self._on_leader_status)

    @property
    def leader(self) -> QMediaPlayer:
        return self.players[0]

    @property
    def followers(self) -> list[QMediaPlayer]:
        return self.players[1:]

    @property
    def duration(self) -> int:
        """The timeline is the leader's: a longer follower is cut there, a shorter one holds
        its last frame."""
        return self.leader.duration()

    @property
    def frame_ms(self) -> float:
        return 1000 / self.fps

    @property
    def last_frame(self) -> int:
        return max(math.ceil(self.duration * self.fps / 1000) - 1, 0)

    @property
    def playing(self) -> bool:
        return self._playing

    def position(self) -> int:
        return self.leader.position()

    def frame(self) -> int:
        return frame_at(self.position(), self.fps)

    # ---- commands
    def play(self) -> None:
        if self.duration and self.position() >= self.duration - self.frame_ms:
            self.seek(0)  # from the end, play starts again
        for player in self.players:
            if player.position() < player.duration() or not player.duration():
                media_safety.play(player)
        self._set_playing(True)
        self._drift.start()

    def pause(self) -> None:
        for player in self.players:
            media_safety.pause(player)
        self._drift.stop()
        self._set_playing(False)
        self.align()

    def toggle(self) -> None:
        self.pause() if self._playing else self.play()

    def seek(self, position_ms: int) -> None:
        """Move every player to the frame at ``position_ms``, snapped to just inside that frame:
        a position on a frame boundary shows one frame or the other depending on the decoder."""
        position = max(0, min(int(position_ms), self.duration or int(position_ms)))
        position = frame_position(frame_at(position, self.fps), self.fps)
        for player in self.players:
            media_safety.seek(
                player, min(position, player.duration()) if player.duration() else position
            )
        self.position_changed.emit(position)

    def seek_frame(self, frame: int) -> None:
        self.seek(frame_position(max(0, min(frame, self.last_frame)), self.fps))

    def step(self, frames: int) -> None:
        """Pause, then move every player ``frames`` frames (negative: back)."""
        if self._playing:
            self.pause()
        self.seek_frame(self.frame() + frames)

    def set_rate(self, rate: float) -> None:
        for player in self.players:
            media_safety.set_rate(player, rate)

    def align(self) -> None:
        """Put every follower exactly on the leader's position."""
        position = self.leader.position()
        for player in self.followers:
            if player.position() != position and position <= player.duration():
                media_safety.seek(player, position)

    def correct_drift(self) -> None:
        """While playing, re-seek a follower that drifted more than half a frame."""
        if not self._playing:
            return
        position = self.leader.position()
        for player in self.followers:
            if position >= player.duration():
                continue  # this one is shorter and has ended
            if abs(player.position() - position) > self.frame_ms / 2:
                media_safety.seek(player, position)
                self.corrections += 1

    def stop(self) -> None:
        self._drift.stop()
        for player in self.players:
            media_safety.stop_later(player)  # never stop() directly: see media_safety
        self._set_playing(False)

    # ---- private
    def _set_playing(self, playing: bool) -> None:
        if playing != self._playing:
            self._playing = playing
            self.playing_changed.emit(playing)

    def _on_leader_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status is QMediaPlayer.MediaStatus.EndOfMedia and self._playing:
            self._drift.stop()
            for player in self.followers:
                self._hold_end(player)
            self._set_playing(False)
            # the leader too, but not from inside its own signal
            QTimer.singleShot(0, lambda: self._hold_end(self.leader))

    def _hold_end(self, player: QMediaPlayer) -> None:
        """Pause a player that ended on its last frame: seek first, then pause (pausing a
        player stopped at its end first would show frame 0)."""
        if player.mediaStatus() is QMediaPlayer.MediaStatus.EndOfMedia:
            duration = player.duration()
            last = max(0, round(duration * self.fps / 1000) - 1)
            media_safety.seek(player, min(frame_position(last, self.fps), max(0, duration - 1)))
        media_safety.pause(player)
