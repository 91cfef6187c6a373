"""The board's chosen takes played back to back as one film, with no black gap at the cuts.

Two decks (a :class:`QMediaPlayer` each, with its own video sink) alternate: while one plays
shot N, the other holds shot N+1 loaded and paused on its first frame. At the end of shot N the
other deck's first frame is put on screen at once and it plays; the first deck then loads shot
N+2. The picture is drawn from the sinks onto one :class:`FrameView`, which keeps the last frame
(it never shows black between clips). Every player call goes through ``media_safety``.

``frame_shown(shot, ms)`` reports each frame put on screen (its time in its own clip), which is
what a test measures a cut by; ``cut(shot, preloaded)`` each switch.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QPointF, QRectF, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer, QVideoFrame, QVideoSink
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from gui.ui.player import media_safety

__all__ = ["FilmPlayer", "FilmTimeline", "FrameView"]

_READY = (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia)


class FrameView(QWidget):
    """One picture, scaled to fit on black; keeps the last one until another comes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = QImage()
        self.setMinimumSize(320, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_image(self, image: QImage) -> None:
        self.image = image
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#000"))
        if not self.image.isNull():
            size = self.image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x, y = (self.width() - size.width()) / 2, (self.height() - size.height()) / 2
            painter.drawImage(QRectF(x, y, size.width(), size.height()), self.image)
        painter.end()


class FilmTimeline(QWidget):
    """The film's shots as segments (width ∝ length) and a playhead; a click jumps to a shot."""

    shot_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FilmTimeline")
        self.setFixedHeight(28)
        self.lengths: list[float] = []  # seconds
        self.position = 0.0  # seconds into the film

    def set_shots(self, lengths: Sequence[float]) -> None:
        self.lengths = list(lengths)
        self.update()

    def set_position(self, seconds: float) -> None:
        self.position = seconds
        self.update()

    @property
    def total(self) -> float:
        return sum(self.lengths)

    def shot_rect(self, index: int) -> QRectF:
        scale = self.width() / self.total if self.total else 0.0
        start = sum(self.lengths[:index]) * scale
        return QRectF(start, 0, self.lengths[index] * scale, self.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#1b1d21"))
        for index in range(len(self.lengths)):
            rect = self.shot_rect(index).adjusted(1, 3, -1, -3)
            painter.fillRect(rect, QColor("#34506e" if index % 2 else "#2d4560"))
            painter.setPen(QColor("#d5dae1"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"{index + 1}")
        if self.total:
            x = self.position / self.total * self.width()
            painter.setPen(QPen(QColor("#e8553e"), 2))
            painter.drawLine(QPointF(x, 0), QPointF(x, self.height()))
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        x = event.position().x()
        for index in range(len(self.lengths)):
            rect = self.shot_rect(index)
            if rect.left() <= x < rect.right() or index == len(self.lengths) - 1:
                self.shot_clicked.emit(index)
                return


class _Deck(QObject):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.player = QMediaPlayer(parent)
        self.sink = QVideoSink(parent)
        self.audio = QAudioOutput(parent)
        self.player.setVideoSink(self.sink)
        self.player.setAudioOutput(self.audio)
        self.shot = -1
        self.pending_seek: int | None = None  # a seek asked for before the media loaded


class FilmPlayer(QWidget):
    """Plays a list of clips as one film (see the module docstring)."""

    frame_shown = Signal(int, int)  # shot index, ms into its clip
    cut = Signal(int, bool)  # the shot now playing, whether it was loaded before the cut
    shot_changed = Signal(int)
    finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FilmPlayer")
        self.view = FrameView(self)
        self.timeline = FilmTimeline(self)
        self.play_button = QPushButton("Play film", self)
        self.play_button.setCheckable(True)
        self.play_button.setToolTip("Play the chosen takes back to back")
        controls = QHBoxLayout()
        controls.addWidget(self.play_button)
        controls.addWidget(self.timeline, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addLayout(controls)
        self.clips: list[Path] = []
        self.lengths: list[float] = []
        self.decks = [_Deck(self), _Deck(self)]
        self._active = 0
        self.playing = False
        self.held_blanks = 0  # empty frames the active deck sent (the last picture stayed)
        for deck in self.decks:
            deck.sink.videoFrameChanged.connect(lambda f, d=deck: self._on_frame(d, f))
            deck.player.mediaStatusChanged.connect(lambda s, d=deck: self._on_status(d, s))
        self.timeline.shot_clicked.connect(lambda index: self.jump(index))

    # ------------------------------------------------------------------ the film
    @property
    def active(self) -> _Deck:
        return self.decks[self._active]

    @property
    def standby(self) -> _Deck:
        return self.decks[1 - self._active]

    @property
    def current_shot(self) -> int:
        return self.active.shot

    def set_film(self, clips: Sequence[tuple[Path, float]]) -> None:
        """Load a film (file, nominal seconds per shot); shows its first frame, paused."""
        self.clips = [Path(p) for p, _ in clips]
        self.lengths = [s for _, s in clips]
        self.timeline.set_shots(self.lengths)
        self.playing = False
        for deck in self.decks:
            deck.shot = -1
            media_safety.unload(deck.player)
        if self.clips:
            self.jump(0)

    def set_playing(self, playing: bool) -> None:
        if not self.clips:
            playing = False
        self.playing = playing
        self.play_button.setChecked(playing)
        if playing:
            if self.active.player.mediaStatus() == QMediaPlayer.MediaStatus.EndOfMedia:
                self.jump(0)
            media_safety.play(self.active.player)
        elif self.active.shot >= 0:
            media_safety.pause(self.active.player)

    def jump(self, shot: int, ms: int = 0) -> None:
        """Show ``shot`` from ``ms`` in (playing on if the film plays)."""
        if not 0 <= shot < len(self.clips):
            return
        if self.standby.shot == shot and ms == 0:
            self._active = 1 - self._active  # it is there already, on its first frame
            self._show_current(self.active)
        elif self.active.shot != shot:
            self._load(self.active, shot)
        if ms and self.active.player.mediaStatus() not in _READY:
            self.active.pending_seek = ms  # done once it has loaded (see _on_status)
        else:
            media_safety.seek(self.active.player, ms)
        if self.playing:
            media_safety.play(self.active.player)
        else:
            media_safety.pause(self.active.player)
        self.shot_changed.emit(shot)
        self._preload()

    def _load(self, deck: _Deck, shot: int) -> None:
        deck.shot, deck.pending_seek = shot, None
        media_safety.set_source(deck.player, QUrl.fromLocalFile(str(self.clips[shot])))

    def _preload(self) -> None:
        """The standby deck holds the next shot, paused on its first frame."""
        following = self.active.shot + 1
        deck = self.standby
        if following >= len(self.clips):
            return
        if deck.shot != following:
            self._load(deck, following)
        media_safety.pause(deck.player)
        media_safety.seek(deck.player, 0)

    # ------------------------------------------------------------------ the cut
    def _on_status(self, deck: _Deck, status: QMediaPlayer.MediaStatus) -> None:
        if status in _READY and deck.pending_seek is not None:
            ms, deck.pending_seek = deck.pending_seek, None
            QTimer.singleShot(0, lambda: media_safety.seek(deck.player, ms))
        if deck is not self.active or status != QMediaPlayer.MediaStatus.EndOfMedia:
            return
        following = deck.shot + 1
        if following >= len(self.clips) or not self.playing:
            if following >= len(self.clips):
                self.playing = False
                self.play_button.setChecked(False)
                self.finished.emit()
            return
        nxt = self.standby
        preloaded = nxt.shot == following and nxt.player.mediaStatus() in _READY
        if nxt.shot != following:
            self._load(nxt, following)
        self._active = 1 - self._active
        self._show_current(nxt)
        media_safety.play(nxt.player)
        self.cut.emit(following, preloaded)
        self.shot_changed.emit(following)
        # not from inside the ended player's own signal: on the next turn of the loop
        QTimer.singleShot(0, self._preload)

    def _show_current(self, deck: _Deck) -> None:
        frame = deck.sink.videoFrame()
        if frame.isValid():
            self._on_frame(deck, frame)

    def _on_frame(self, deck: _Deck, frame: QVideoFrame) -> None:
        if deck is not self.active:
            return
        if not frame.isValid():
            self.held_blanks += 1
            return
        image = frame.toImage()
        if image.isNull():
            self.held_blanks += 1
            return
        self.view.set_image(image)
        start = frame.startTime()
        ms = start // 1000 if start >= 0 else deck.player.position()
        offset = sum(self.lengths[: deck.shot])
        self.timeline.set_position(offset + ms / 1000)
        self.frame_shown.emit(deck.shot, int(ms))
