"""Compare two to four results side by side, played, paused, scrubbed and stepped as one.

Each result has its own ``QVideoWidget`` and ``QMediaPlayer``; a single transport drives them
all through :class:`SyncedPlayback`. Only the first (the leader) is heard.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.ui.compare.synced_playback import SyncedPlayback
from gui.ui.frame_hold import FrameHold
from gui.ui.frame_math import frame_at
from gui.ui.player import media_safety
from gui.ui.scrub_slider import ScrubSlider
from gui.ui.themed_icon import themed_icon

__all__ = ["CompareItem", "CompareView"]

SPEEDS = (0.25, 0.5, 1.0, 1.5, 2.0)


@dataclass(frozen=True)
class CompareItem:
    """One result to compare: where its video is, what to call it, its model's frame rate."""

    job_id: str
    index: int
    path: str
    label: str
    fps: float = 30.0


def _clock(ms: int) -> str:
    seconds, millis = divmod(max(ms, 0), 1000)
    return f"{seconds // 60:02}:{seconds % 60:02}.{millis // 10:02}"


class CompareView(QWidget):
    """Results in a grid with one transport. ``set_items`` takes 2 to 4 :class:`CompareItem`."""

    result_selected = Signal(str, int)  # a tile's title was clicked: open that result

    def __init__(self, items: Sequence[CompareItem] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[CompareItem] = []
        self.players: list[QMediaPlayer] = []
        self.video_widgets: list[QVideoWidget] = []
        self.sync: SyncedPlayback | None = None
        self._audio = QAudioOutput(self)
        self._scrubbing = False
        self._resume_after_scrub = False
        self._build_transport()
        self._build_layout()
        self._build_shortcuts()
        if items:
            self.set_items(items)

    # ---- building
    def _build_transport(self) -> None:
        style = self.style()
        self.play_button = QToolButton()
        self.play_button.setToolTip("Play / pause (Space)")
        self.play_button.setIcon(themed_icon(style, QStyle.StandardPixmap.SP_MediaPlay))
        self.back_button = QToolButton()
        self.back_button.setToolTip("One frame back (←)")
        self.back_button.setIcon(themed_icon(style, QStyle.StandardPixmap.SP_MediaSeekBackward))
        self.forward_button = QToolButton()
        self.forward_button.setToolTip("One frame on (→)")
        self.forward_button.setIcon(themed_icon(style, QStyle.StandardPixmap.SP_MediaSeekForward))
        self.slider = ScrubSlider()  # a click jumps to the point clicked
        self.slider.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.time_label = QLabel(_clock(0))
        self.speed_box = QComboBox()
        self.speed_box.setToolTip("Playback speed")
        for speed in SPEEDS:
            self.speed_box.addItem(f"{speed:g}×", speed)
        self.speed_box.setCurrentIndex(SPEEDS.index(1.0))
        self.play_button.clicked.connect(self.toggle_play)
        self.back_button.clicked.connect(lambda: self.step(-1))
        self.forward_button.clicked.connect(lambda: self.step(1))
        self.slider.sliderPressed.connect(self._on_scrub_start)
        self.slider.sliderReleased.connect(self._on_scrub_end)
        self.slider.valueChanged.connect(self._on_slider_value)
        self.speed_box.currentIndexChanged.connect(self._on_speed)

    def _build_layout(self) -> None:
        self.tiles = QGridLayout()
        self.tiles.setSpacing(6)
        transport = QHBoxLayout()
        for widget in (self.back_button, self.play_button, self.forward_button):
            transport.addWidget(widget)
        transport.addWidget(self.slider, 1)
        transport.addWidget(self.time_label)
        transport.addWidget(self.speed_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(self.tiles, 1)
        layout.addLayout(transport)

    def _build_shortcuts(self) -> None:
        keys = {
            Qt.Key.Key_Space: self.toggle_play,
            Qt.Key.Key_Left: lambda: self.step(-1),
            Qt.Key.Key_Right: lambda: self.step(1),
        }
        for key, slot in keys.items():
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    # ---- public
    def set_items(self, items: Sequence[CompareItem]) -> None:
        """Show these results (2 to 4), paused at the start."""
        if not 2 <= len(items) <= 4:
            raise ValueError(f"compare takes 2 to 4 results, not {len(items)}")
        self.clear()
        self.items = list(items)
        columns = 2
        for n, item in enumerate(self.items):
            tile, widget, player = self._make_tile(item, leader=n == 0)
            self.tiles.addWidget(tile, n // columns, n % columns)
            self.video_widgets.append(widget)
            self.players.append(player)
        self.sync = SyncedPlayback(self.players, self.items[0].fps, self)
        self.sync.position_changed.connect(self._on_position)
        self.sync.duration_changed.connect(self._on_duration)
        self.sync.playing_changed.connect(self._on_playing)
        for player, item in zip(self.players, self.items, strict=True):
            media_safety.set_source(player, QUrl.fromLocalFile(item.path))
            media_safety.pause(
                player
            )  # paused, not stopped: a paused player shows the frame it is set to
        self.players[0].setAudioOutput(self._audio)
        self.sync.set_rate(float(self.speed_box.currentData()))

    def clear(self) -> None:
        if self.sync is not None:
            self.sync.stop()
            self.sync.deleteLater()
            self.sync = None
        for player in self.players:
            media_safety.unload_later(player)  # never stop() directly: see media_safety
            player.deleteLater()
        while self.tiles.count():
            taken = self.tiles.takeAt(0)
            if taken is not None and (widget := taken.widget()) is not None:
                widget.deleteLater()
        self.items, self.players, self.video_widgets = [], [], []

    def play(self) -> None:
        if self.sync:
            self.sync.play()

    def pause(self) -> None:
        if self.sync:
            self.sync.pause()

    def toggle_play(self) -> None:
        if self.sync:
            self.sync.toggle()

    def seek(self, position_ms: int) -> None:
        if self.sync:
            self.sync.seek(position_ms)

    def step(self, frames: int) -> None:
        """Pause and move every video ``frames`` frames at the leader's frame rate."""
        if self.sync:
            self.sync.step(frames)

    def set_speed(self, rate: float) -> None:
        self.speed_box.setCurrentIndex(self.speed_box.findData(rate))

    def is_ready(self) -> bool:
        """Every video is open and its length known."""
        loaded = {QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia}
        return bool(self.players) and all(
            p.mediaStatus() in loaded and p.duration() > 0 for p in self.players
        )

    def positions(self) -> list[int]:
        return [p.position() for p in self.players]

    def shown_frames(self) -> list[int | None]:
        """The frame each tile is showing now, by the start time of its picture."""
        shown: list[int | None] = []
        for widget, item in zip(self.video_widgets, self.items, strict=True):
            frame = widget.videoSink().videoFrame()
            start = frame.startTime() if frame.isValid() else -1
            shown.append(round(start * item.fps / 1_000_000) if start >= 0 else None)
        return shown

    # ---- private
    def _make_tile(
        self, item: CompareItem, leader: bool
    ) -> tuple[QWidget, QVideoWidget, QMediaPlayer]:
        tile = QWidget(self)
        title = QToolButton(tile)
        title.setAutoRaise(True)
        title.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        title.setToolTip(f"{item.label}\nClick to open this result")
        title.setText(title.fontMetrics().elidedText(item.label, Qt.TextElideMode.ElideRight, 360))
        if leader:  # only the leader is heard
            title.setIcon(themed_icon(self.style(), QStyle.StandardPixmap.SP_MediaVolume))
            title.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        title.clicked.connect(lambda: self.result_selected.emit(item.job_id, item.index))
        video = QVideoWidget(tile)
        video.setAutoFillBackground(True)
        palette = video.palette()
        palette.setColor(video.backgroundRole(), Qt.GlobalColor.black)
        video.setPalette(palette)
        video.setMinimumSize(160, 90)
        video.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        player = QMediaPlayer(self)
        player.setVideoOutput(video)
        FrameHold(video.videoSink(), video)  # a clip that ended holds its last frame
        layout = QVBoxLayout(tile)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(video, 1)
        return tile, video, player

    def _on_position(self, position: int) -> None:
        if not self._scrubbing:
            self.slider.blockSignals(True)
            self.slider.setValue(position)
            self.slider.blockSignals(False)
        fps = self.items[0].fps if self.items else 30.0
        total = self.sync.duration if self.sync else 0
        self.time_label.setText(
            f"{_clock(position)} / {_clock(total)} · frame {frame_at(position, fps) + 1}"
        )

    def _on_duration(self, duration: int) -> None:
        self.slider.setRange(0, duration)
        self.slider.setSingleStep(max(1, round(1000 / (self.items[0].fps if self.items else 30))))
        self.slider.setPageStep(1000)
        self._on_position(self.sync.position() if self.sync else 0)

    def _on_playing(self, playing: bool) -> None:
        icon = (
            QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        )
        self.play_button.setIcon(themed_icon(self.style(), icon))

    def _on_scrub_start(self) -> None:
        self._scrubbing = True
        self._resume_after_scrub = bool(self.sync and self.sync.playing)
        self.pause()

    def _on_scrub_end(self) -> None:
        self._scrubbing = False
        self.seek(self.slider.value())
        if self._resume_after_scrub:
            self.play()

    def _on_slider_value(self, value: int) -> None:
        self.seek(value)  # dragging, clicking the groove and the keyboard all land here

    def _on_speed(self) -> None:
        if self.sync:
            self.sync.set_rate(float(self.speed_box.currentData()))

    def hideEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        self.pause()
        super().hideEvent(event)
