"""The player: QMediaPlayer + QVideoWidget + QAudioOutput, with transport and variations.

It plays one result of one job at a time. Frame steps use the result's frame rate (from the
catalogue); the last frame shown is kept from the video sink so "use this frame" can take it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QImage, QKeyEvent, QKeySequence, QPalette, QShortcut
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer, QVideoFrame
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import QStackedWidget, QStyle, QVBoxLayout, QWidget

from gui.studio.jobs import Job, JobState, Result, ResultState
from gui.ui.labels import RUNNING_STATES, error_text
from gui.ui.player import media_safety
from gui.ui.player.transport import SPEEDS, TransportBar, VariationBar, empty_state

__all__ = ["PlayerWidget", "time_text"]

DEFAULT_FPS = 30


def time_text(ms: int) -> str:
    """m:ss.cc — hundredths, so a frame step is visible."""
    ms = max(0, ms)
    minutes, rest = divmod(ms, 60_000)
    return f"{minutes}:{rest // 1000:02d}.{(rest % 1000) // 10:02d}"


class PlayerWidget(QWidget):
    """Plays a job's videos; shows why when there is nothing to play."""

    result_changed = Signal(object, object)  # Job | None, Result | None
    fullscreen_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Player")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # the theme paints it
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.fps = DEFAULT_FPS
        self.job: Job | None = None
        self.result: Result | None = None
        self._last_frame: QVideoFrame | None = None
        self._build_media()
        self._build_layout()
        self._build_shortcuts()
        self._wire()
        self.show_job(None)

    # ------------------------------------------------------------------ building
    def _build_media(self) -> None:
        self.media = QMediaPlayer(self)
        self.audio = QAudioOutput(self)
        self.audio.setVolume(0.8)
        self.media.setAudioOutput(self.audio)
        self.video = QVideoWidget(self)
        self.video.setObjectName("VideoSurface")
        self.video.setMinimumSize(320, 180)
        palette = self.video.palette()
        palette.setColor(QPalette.ColorRole.Window, Qt.GlobalColor.black)
        self.video.setPalette(palette)
        self.video.setAutoFillBackground(True)
        self.video.installEventFilter(self)
        self.media.setVideoOutput(self.video)
        self.video.videoSink().videoFrameChanged.connect(self._keep_frame)

    def _build_layout(self) -> None:
        self.stack = QStackedWidget(self)
        self.empty_page, self.empty_title, self.empty_body = empty_state(self)
        self.stack.addWidget(self.empty_page)
        self.stack.addWidget(self.video)
        self.variations = VariationBar(self)
        self.transport = TransportBar(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.variations)
        layout.addWidget(self.transport)

    def _build_shortcuts(self) -> None:
        def key(sequence: str, slot: object) -> None:
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

        key("Space", self.toggle_play)
        key("Left", lambda: self.step_frames(-1))
        key("Right", lambda: self.step_frames(1))
        key("Shift+Left", lambda: self.step_seconds(-1))
        key("Shift+Right", lambda: self.step_seconds(1))
        key("F", self.toggle_fullscreen)
        key("M", lambda: self.transport.mute_button.toggle())
        key("L", lambda: self.transport.loop_button.toggle())

    def _wire(self) -> None:
        t = self.transport
        t.play_button.clicked.connect(self.toggle_play)
        t.back_button.clicked.connect(lambda: self.step_frames(-1))
        t.forward_button.clicked.connect(lambda: self.step_frames(1))
        t.slider.sliderMoved.connect(lambda ms: media_safety.seek(self.media, ms))
        t.slider.valueChanged.connect(self._on_slider_value)
        t.loop_button.toggled.connect(self.set_loop)
        t.speed.currentIndexChanged.connect(lambda i: self.set_speed(SPEEDS[i]))
        t.mute_button.toggled.connect(self._on_mute)
        t.volume.valueChanged.connect(lambda v: self.audio.setVolume(v / 100))
        t.fullscreen_button.clicked.connect(self.toggle_fullscreen)
        self.variations.group.idClicked.connect(self.show_result)
        self.media.durationChanged.connect(self._on_duration)
        self.media.positionChanged.connect(self._on_position)
        self.media.playbackStateChanged.connect(self._on_playback_state)
        self.media.errorOccurred.connect(self._on_error)

    # ------------------------------------------------------------------ what plays
    def show_job(
        self, job: Job | None, index: int | None = None, *, fps: int | None = None
    ) -> None:
        """Play ``job``'s result ``index`` (default: its first ready one), or say why not."""
        same_job = job is not None and self.job is not None and job.id == self.job.id
        self.job = job
        if fps:
            self.fps = fps
        if job is None:
            self._stop_and_explain("Nothing selected", "Pick a job in the list to play it here.")
            self.result_changed.emit(None, None)
            return
        if index is None:
            keep = self.result.index if same_job and self.result else None
            ready = [r.index for r in job.ready_results]
            index = keep if keep in ready else (ready[0] if ready else 0)
        self.show_result(index)

    def show_result(self, index: int) -> None:
        job = self.job
        if job is None:
            return
        results = job.results
        self.variations.set_variations(
            [r.state is ResultState.READY and bool(r.local_path) for r in results]
            or [False] * job.spec.number_results,
            index,
        )
        result = results[index] if 0 <= index < len(results) else None
        self.result = result
        if result is not None and result.state is ResultState.READY and result.local_path:
            already = self._source_path() == str(Path(result.local_path))
            if not already or self.stack.currentWidget() is not self.video:
                self._play_file(result.local_path)
        else:
            title, body = self._why_not_playable(job, result)
            self._stop_and_explain(title, body)
        self.result_changed.emit(job, result)

    def load_file(
        self, path: str | Path, *, fps: int = DEFAULT_FPS, autoplay: bool = False
    ) -> None:
        """Play a file that belongs to no job (tests, previews)."""
        self.fps = fps
        self.job, self.result = None, None
        self._play_file(str(path), autoplay=autoplay)

    def _play_file(self, path: str, *, autoplay: bool = True) -> None:
        self._last_frame = None
        self.stack.setCurrentWidget(self.video)
        media_safety.set_source(self.media, QUrl.fromLocalFile(path))
        if autoplay:
            media_safety.play(self.media)
        else:
            media_safety.pause(self.media)  # paused, not stopped: the first frame shows

    def _source_path(self) -> str:
        return self.media.source().toLocalFile()

    def _stop_and_explain(self, title: str, body: str) -> None:
        media_safety.unload_later(self.media)  # never stop() directly: see media_safety
        self._last_frame = None
        self.empty_title.setText(title)
        self.empty_body.setText(body)
        self.stack.setCurrentWidget(self.empty_page)
        if self.video.isFullScreen():
            self.set_fullscreen(False)

    @staticmethod
    def _why_not_playable(job: Job, result: Result | None) -> tuple[str, str]:
        if job.state is JobState.EXPIRED or (result and result.state is ResultState.EXPIRED):
            return "Expired", (result and result.error) or error_text(job) or (
                "Its download link expired before the video was saved."
            )
        if job.state in {JobState.FAILED, JobState.CANCELLED}:
            return str(job.state).title(), error_text(job)
        if result is not None and result.state is ResultState.FAILED:
            return "This variation failed", result.error or ""
        if job.state in RUNNING_STATES or (result and result.state is not ResultState.READY):
            return "Not downloaded yet", "It will play here as soon as it is in the library."
        return "Not downloaded yet", "The video file is not in the library."

    # ------------------------------------------------------------------ transport
    @property
    def frame_ms(self) -> float:
        return 1000.0 / max(1, self.fps)

    def toggle_play(self) -> None:
        if self.stack.currentWidget() is not self.video:
            return
        if self.media.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            media_safety.pause(self.media)
        else:
            if self.media.mediaStatus() == QMediaPlayer.MediaStatus.EndOfMedia:
                media_safety.seek(self.media, 0)
            media_safety.play(self.media)

    def step_frames(self, frames: int) -> None:
        """Pause and move by whole frames of the result's frame rate."""
        media_safety.pause(self.media)
        current = round(self.media.position() / self.frame_ms)
        self.seek(round((current + frames) * self.frame_ms))

    def step_seconds(self, seconds: float) -> None:
        media_safety.pause(self.media)
        self.seek(self.media.position() + round(seconds * 1000))

    def seek(self, ms: int) -> None:
        if self.media.playbackState() == QMediaPlayer.PlaybackState.StoppedState:
            media_safety.pause(self.media)  # a stopped player seeks without showing the frame
        duration = self.media.duration()
        # the last frame starts one frame before the end; seeking past it shows nothing new
        upper = int((max(0, duration - 1) // self.frame_ms) * self.frame_ms) if duration > 0 else ms
        media_safety.seek(self.media, max(0, min(int(ms), upper)))

    def set_loop(self, on: bool) -> None:
        self.media.setLoops(QMediaPlayer.Loops.Infinite if on else QMediaPlayer.Loops.Once)
        if self.transport.loop_button.isChecked() != on:
            self.transport.loop_button.setChecked(on)

    def set_speed(self, rate: float) -> None:
        media_safety.set_rate(self.media, rate)
        if rate in SPEEDS and self.transport.speed.currentIndex() != SPEEDS.index(rate):
            self.transport.speed.setCurrentIndex(SPEEDS.index(rate))

    def _on_mute(self, muted: bool) -> None:
        self.audio.setMuted(muted)
        icon = (
            QStyle.StandardPixmap.SP_MediaVolumeMuted
            if muted
            else QStyle.StandardPixmap.SP_MediaVolume
        )
        self.transport.mute_button.setIcon(self.style().standardIcon(icon))

    # ------------------------------------------------------------------ fullscreen
    def toggle_fullscreen(self) -> None:
        self.set_fullscreen(not self.video.isFullScreen())

    def set_fullscreen(self, on: bool) -> None:
        if on and self.stack.currentWidget() is not self.video:
            return
        if self.video.isFullScreen() != on:
            self.video.setFullScreen(on)
            if on:
                self.video.setFocus()
            self.fullscreen_changed.emit(on)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.video:
            if event.type() == QEvent.Type.MouseButtonDblClick:
                self.toggle_fullscreen()
                return True
            if event.type() == QEvent.Type.KeyPress and self.video.isFullScreen():
                return self._fullscreen_key(event)  # type: ignore[arg-type]
        return super().eventFilter(watched, event)

    def _fullscreen_key(self, event: QKeyEvent) -> bool:
        """The fullscreen video is its own window, out of reach of the player's shortcuts."""
        key, shift = event.key(), bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if key in (Qt.Key.Key_Escape, Qt.Key.Key_F):
            self.set_fullscreen(False)
        elif key == Qt.Key.Key_Space:
            self.toggle_play()
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            sign = -1 if key == Qt.Key.Key_Left else 1
            self.step_seconds(sign) if shift else self.step_frames(sign)
        else:
            return False
        return True

    # ------------------------------------------------------------------ frames
    def _keep_frame(self, frame: QVideoFrame) -> None:
        if frame.isValid():  # one invalid frame arrives at the end of media
            self._last_frame = frame

    def current_frame_image(self) -> QImage | None:
        """The frame on screen now, as an image (None before the first frame)."""
        if self._last_frame is None:
            return None
        image = self._last_frame.toImage()
        return None if image.isNull() else image

    # ------------------------------------------------------------------ media reactions
    def _on_duration(self, duration: int) -> None:
        self.transport.slider.setRange(0, max(0, duration))
        self._update_time()

    def _on_position(self, position: int) -> None:
        slider = self.transport.slider
        if not slider.isSliderDown():
            slider.blockSignals(True)
            slider.setValue(position)
            slider.blockSignals(False)
        self._update_time()

    def _on_slider_value(self, value: int) -> None:
        # clicks and keyboard paging on the slider (dragging goes through sliderMoved)
        if not self.transport.slider.isSliderDown():
            media_safety.seek(self.media, value)

    def _update_time(self) -> None:
        self.transport.time_label.setText(
            f"{time_text(self.media.position())} / {time_text(self.media.duration())}"
        )

    def _on_playback_state(self, state: QMediaPlayer.PlaybackState) -> None:
        playing = state == QMediaPlayer.PlaybackState.PlayingState
        icon = (
            QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        )
        self.transport.play_button.setIcon(self.style().standardIcon(icon))

    def _on_error(self, _error: QMediaPlayer.Error, message: str) -> None:
        self._stop_and_explain(
            "Cannot play this video", message or "The file could not be decoded."
        )
