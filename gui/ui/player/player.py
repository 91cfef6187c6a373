"""The player: QMediaPlayer + QVideoWidget + QAudioOutput, with transport and variations.

It plays one result of one job at a time and behaves like an editor's viewer: a click on the
scrub bar jumps there, the end of a clip holds its last frame (paused on it, never black),
J/K/L shuttle, I/O mark an in/out range that play and loop keep to, and the frame number and
timecode are shown. Frame steps use the result's frame rate (from the catalogue); the last
frame shown is kept from the video sink so "use this frame" can take it. Looping is done here
(not with ``QMediaPlayer.setLoops``), so turning it off mid-play takes effect at once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QImage, QKeyEvent, QKeySequence, QPalette, QShortcut
from PySide6.QtMultimedia import QAudioDevice, QAudioOutput, QMediaDevices, QMediaPlayer
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import QStackedWidget, QStyle, QVBoxLayout, QWidget

from gui.studio.jobs import Job, JobState, Result, ResultState
from gui.ui.frame_hold import FrameHold
from gui.ui.frame_math import frame_at, frame_position
from gui.ui.labels import RUNNING_STATES, error_text
from gui.ui.player import media_safety
from gui.ui.player.transport import SPEEDS, TransportBar, VariationBar, empty_state
from gui.ui.themed_icon import themed_icon

__all__ = ["PLAYER_KEYS", "PlayerWidget", "time_text", "timecode"]

DEFAULT_FPS = 30
SHUTTLE_RATES = (1.0, 2.0, 4.0)  # J/L: each press goes one step faster

PLAYER_KEYS = (
    ("Space / K", "Play / pause"),
    ("L / J", "Play forward / backward; again: faster"),
    ("← / →", "One frame back / forward"),
    ("Shift+← / Shift+→", "One second back / forward"),
    ("I / O", "Mark in / out (play and loop keep to the range)"),
    ("Ctrl+Shift+X", "Clear in and out"),
    ("Home / End", "First / last frame (or in / out)"),
    ("F, double-click", "Fullscreen video"),
    ("Esc", "Leave fullscreen"),
    ("M", "Mute"),
    ("Shift+L", "Loop"),
    ("Enter (jobs list)", "Play the selected job"),
    ("Delete (jobs list)", "Delete the selected job"),
    ("Ctrl+Enter", "Generate"),
)


def audio_outputs() -> list[QAudioDevice]:
    """The sound outputs there are (a function, so tests can say there are none)."""
    return list(QMediaDevices.audioOutputs())


def time_text(ms: int) -> str:
    """m:ss.cc — hundredths, so a frame step is visible."""
    ms = max(0, ms)
    minutes, rest = divmod(ms, 60_000)
    return f"{minutes}:{rest // 1000:02d}.{(rest % 1000) // 10:02d}"


def timecode(frame: int, fps: float) -> str:
    """SMPTE-style hh:mm:ss:ff of a zero-based frame number (non-drop)."""
    base = max(1, round(fps))
    seconds, frames = divmod(max(0, frame), base)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}:{frames:02d}"


class _FullscreenHost(QWidget):
    """The fullscreen window: the video with the transport (controls, time, frame and
    timecode) along its bottom edge. The player moves its video and transport in and out."""

    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.setObjectName("PlayerFullscreen")
        self.setWindowTitle("Sora Studio — player")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, Qt.GlobalColor.black)
        self.setPalette(palette)
        self.setAutoFillBackground(True)
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(0)
        self.leave: Callable[[], None] | None = None
        self.keys: dict[str, Callable[[], object]] = {}  # the player's keys, by sequence text

    def keyPressEvent(self, event: QKeyEvent) -> None:
        slot = self.keys.get(QKeySequence(event.keyCombination()).toString())
        if slot is None:
            super().keyPressEvent(event)
            return
        event.accept()
        slot()

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if self.leave is not None:  # the window manager closed it: put the video back
            event.ignore()
            self.leave()
            return
        super().closeEvent(event)


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
        self._loop = False
        # bumped by every play or seek the user asks for: an end of the clip noticed before
        # it (handled a turn later) is then stale and must not seek back to the last frame
        self._end_epoch = 0
        self._playable = False  # a video is loaded (in the stack or fullscreen)
        self._in_ms: int | None = None
        self._out_ms: int | None = None
        self._shuttle = 0.0  # the J/L rate: negative backwards, 0 when the keys are not used
        self._reverse = QTimer(self)  # backwards play: steps of one frame (or more when faster)
        self._reverse.setTimerType(Qt.TimerType.PreciseTimer)
        self._reverse.timeout.connect(self._reverse_tick)
        self._fullscreen = _FullscreenHost()
        self._fullscreen.leave = lambda: self.set_fullscreen(False)
        self.destroyed.connect(self._fullscreen.deleteLater)
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
        self.hold = FrameHold(self.video.videoSink(), self)  # the end shows the last frame
        self.devices = QMediaDevices(self)
        self.devices.audioOutputsChanged.connect(self._check_audio_device)

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
        self._check_audio_device()

    def _build_shortcuts(self) -> None:
        for sequence, slot in self._key_table().items():
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        # the fullscreen window is a window of its own: it takes the same keys as key presses
        self._fullscreen.keys = {
            QKeySequence(sequence).toString(): slot for sequence, slot in self._key_table().items()
        }
        self._fullscreen.keys["Esc"] = lambda: self.set_fullscreen(False)

    def _key_table(self) -> dict[str, Callable[[], object]]:
        return {
            "Space": self.toggle_play,
            "K": self.pause,
            "L": lambda: self.shuttle(1),
            "J": lambda: self.shuttle(-1),
            "Left": lambda: self.step_frames(-1),
            "Right": lambda: self.step_frames(1),
            "Shift+Left": lambda: self.step_seconds(-1),
            "Shift+Right": lambda: self.step_seconds(1),
            "Home": lambda: self.seek(self._in_ms or 0),
            "End": lambda: self.seek(self._out_ms if self._out_ms is not None else self._last_ms()),
            "I": self.mark_in,
            "O": self.mark_out,
            "Ctrl+Shift+X": self.clear_in_out,
            "F": self.toggle_fullscreen,
            "M": lambda: self.transport.mute_button.toggle(),
            "Shift+L": lambda: self.transport.loop_button.toggle(),
        }

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
        self.media.mediaStatusChanged.connect(self._on_status)
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
            if not already or not self._playable:
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
        self.hold.forget()
        self._stop_shuttle()
        self.clear_in_out()
        self._playable = True
        self.transport.set_media_enabled(True)
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
        self.hold.forget()
        self._stop_shuttle()
        self.clear_in_out()
        # nothing plays: no time of a previous clip stays on the bar
        self.transport.slider.setRange(0, 0)
        self.transport.time_label.setText("–:–– / –:––")
        self.transport.frame_label.setText("")
        self._playable = False
        self.transport.set_media_enabled(False)
        self.empty_title.setText(title)
        self.empty_body.setText(body)
        if self.is_fullscreen():
            self.set_fullscreen(False)
        self.stack.setCurrentWidget(self.empty_page)

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

    def is_playing(self) -> bool:
        """Playing forwards or (J) backwards."""
        return (
            self._reverse.isActive()
            or self.media.playbackState() == QMediaPlayer.PlaybackState.PlayingState
        )

    def play(self) -> None:
        """Play forwards at the chosen speed; at the end (or the out point) start again from
        the start (or the in point)."""
        if not self._playable:
            return
        self._stop_shuttle()
        self._end_epoch += 1
        media_safety.set_rate(self.media, float(self.transport.speed.currentData()))
        position = self.media.position()
        end = self._out_ms if self._out_ms is not None else self._last_ms()
        ended = self.media.mediaStatus() == QMediaPlayer.MediaStatus.EndOfMedia
        if ended or (self.media.duration() > 0 and position >= end):
            media_safety.seek(self.media, self._in_ms or 0)
        elif self._in_ms is not None and position < self._in_ms:
            media_safety.seek(self.media, self._in_ms)
        media_safety.play(self.media)

    def pause(self) -> None:
        self._stop_shuttle()
        if self.media.playbackState() != QMediaPlayer.PlaybackState.StoppedState:
            media_safety.pause(self.media)
        self._on_playback_state(self.media.playbackState())

    def toggle_play(self) -> None:
        if not self._playable:
            return
        if self.is_playing():
            self.pause()
        else:
            self.play()

    def shuttle(self, direction: int) -> None:
        """J (-1) and L (+1): play that way; pressed again while going that way, faster."""
        if not self._playable:
            return
        going = (
            (self._shuttle > 0 and self.is_playing())
            if direction > 0
            else (self._reverse.isActive())
        )
        speed = abs(self._shuttle) if going else 0.0
        faster = [r for r in SHUTTLE_RATES if r > speed]
        rate = faster[0] if faster else SHUTTLE_RATES[-1]
        if direction > 0:
            self._reverse.stop()
            if not going:
                self.play()
            self._shuttle = rate
            media_safety.set_rate(self.media, rate)
        else:
            if self.media.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
                media_safety.pause(self.media)
            self._shuttle = -rate
            self._reverse.start(max(10, round(self.frame_ms / rate)))
        self._on_playback_state(self.media.playbackState())

    def _stop_shuttle(self) -> None:
        self._reverse.stop()
        if self._shuttle > 0:
            media_safety.set_rate(self.media, float(self.transport.speed.currentData()))
        self._shuttle = 0.0

    def _reverse_tick(self) -> None:
        start = self._in_ms or 0
        frame = frame_at(self.media.position(), self.fps)
        target = frame_position(frame - 1, self.fps)
        if target <= start:
            if self._loop and frame > frame_at(start, self.fps):
                target = self._out_ms if self._out_ms is not None else self._last_ms()
            else:
                self._reverse.stop()
                self._shuttle = 0.0
                target = start
                self._on_playback_state(self.media.playbackState())
        media_safety.seek(self.media, target)

    def step_frames(self, frames: int) -> None:
        """Pause and move by whole frames of the result's frame rate."""
        self.pause()
        self.seek(frame_position(self.frame_number() + frames, self.fps))

    def step_seconds(self, seconds: float) -> None:
        self.pause()
        self.seek(self.media.position() + round(seconds * 1000))

    def seek(self, ms: int) -> None:
        if self.media.playbackState() == QMediaPlayer.PlaybackState.StoppedState:
            media_safety.pause(self.media)  # a stopped player seeks without showing the frame
        # the last frame starts one frame before the end; seeking past it shows nothing new
        upper = self._last_ms() if self.media.duration() > 0 else int(ms)
        media_safety.seek(self.media, max(0, min(int(ms), upper)))

    def frame_number(self) -> int:
        """The zero-based frame at the current position."""
        return frame_at(self.media.position(), self.fps)

    def _last_ms(self) -> int:
        """The position that shows the clip's last frame."""
        duration = self.media.duration()
        last = max(0, round(duration * self.fps / 1000) - 1)  # containers round the length
        return min(frame_position(last, self.fps), max(0, duration - 1))

    # ------------------------------------------------------------------ in / out
    def mark_in(self) -> None:
        self.set_in_out(self.media.position(), self._out_ms)

    def mark_out(self) -> None:
        self.set_in_out(self._in_ms, self.media.position())

    def clear_in_out(self) -> None:
        self.set_in_out(None, None)

    def set_in_out(self, in_ms: int | None, out_ms: int | None) -> None:
        """Mark the range that play and loop keep to (None: the clip's start / end). A mark
        that would cross the other one moves it away."""
        if in_ms is not None and out_ms is not None and in_ms >= out_ms:
            if in_ms != self._in_ms:  # the new in point wins
                out_ms = None
            else:
                in_ms = None
        self._in_ms, self._out_ms = in_ms, out_ms
        self.transport.slider.set_marked_range(in_ms, out_ms)
        self._update_time()

    @property
    def in_out(self) -> tuple[int | None, int | None]:
        return self._in_ms, self._out_ms

    def set_loop(self, on: bool) -> None:
        self._loop = on  # read at the end of the clip or range, so it takes effect at once
        if self.transport.loop_button.isChecked() != on:
            self.transport.loop_button.setChecked(on)

    @property
    def looping(self) -> bool:
        return self._loop

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
        self.transport.mute_button.setIcon(themed_icon(self.style(), icon))

    # ------------------------------------------------------------------ fullscreen
    @property
    def fullscreen_window(self) -> QWidget:
        return self._fullscreen

    def is_fullscreen(self) -> bool:
        return self._fullscreen.isVisible()

    def toggle_fullscreen(self) -> None:
        self.set_fullscreen(not self.is_fullscreen())

    def set_fullscreen(self, on: bool) -> None:
        """Move the video and the transport into a fullscreen window of their own, or back."""
        if on and not self._playable:
            return
        if self.is_fullscreen() == on:
            return
        host = self._fullscreen
        if on:
            self.stack.removeWidget(self.video)
            host.box.addWidget(self.video, 1)
            host.box.addWidget(self.transport)
            self.video.show()  # the stack had hidden it on the way out
            host.setStyleSheet(self.window().styleSheet())
            screen = self.screen()
            if screen is not None:  # also without a window manager to honour fullscreen
                host.setGeometry(screen.geometry())
            host.showFullScreen()
            host.activateWindow()
            host.setFocus()
        else:
            host.box.removeWidget(self.video)
            host.box.removeWidget(self.transport)
            self.stack.insertWidget(1, self.video)
            self.stack.setCurrentWidget(self.video)
            layout = self.layout()
            assert isinstance(layout, QVBoxLayout)
            layout.addWidget(self.transport)
            host.hide()
            self.video.show()
            self.transport.show()
            self.window().activateWindow()
            self.setFocus()
        self.fullscreen_changed.emit(on)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.video and event.type() == QEvent.Type.MouseButtonDblClick:
            self.toggle_fullscreen()
            return True
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------------ frames
    def current_frame_image(self) -> QImage | None:
        """The frame on screen now, as an image (None before the first frame)."""
        if self.hold.frame is None:
            return None
        image = self.hold.frame.toImage()
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
        out = self._out_ms
        playing = self.media.playbackState() == QMediaPlayer.PlaybackState.PlayingState
        if out is not None and playing and position >= out + self.frame_ms:
            self._end_later()

    def _on_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.EndOfMedia:
            self._end_later()

    def _end_later(self) -> None:
        """Handle the end a turn later (not from inside the player's signal), unless the user
        plays or seeks before that turn: ▶ pressed as the clip ends replays it."""
        epoch = self._end_epoch
        QTimer.singleShot(0, self, lambda: self._at_range_end(epoch))

    def _at_range_end(self, epoch: int) -> None:
        """The clip (or the in/out range) played to its end: loop, or hold its last frame."""
        if epoch != self._end_epoch or not self._playable or self.media.duration() <= 0:
            return
        ended = self.media.mediaStatus() == QMediaPlayer.MediaStatus.EndOfMedia
        playing = self.media.playbackState() == QMediaPlayer.PlaybackState.PlayingState
        if not ended and not playing:
            return
        if self._loop:
            media_safety.seek(self.media, self._in_ms or 0)
            media_safety.play(self.media)
            return
        # pause on the last frame: seek first, then pause, so no other frame flashes
        media_safety.seek(self.media, self._out_ms if self._out_ms is not None else self._last_ms())
        media_safety.pause(self.media)
        self._stop_shuttle()

    def _on_slider_value(self, value: int) -> None:
        # clicks and keyboard paging on the slider (dragging goes through sliderMoved)
        if not self.transport.slider.isSliderDown():
            self._end_epoch += 1
            media_safety.seek(self.media, value)

    def _update_time(self) -> None:
        if not self._playable:
            return  # nothing plays: the bar stays blank
        position, duration = self.media.position(), self.media.duration()
        self.transport.time_label.setText(f"{time_text(position)} / {time_text(duration)}")
        frame = frame_at(position, self.fps)
        text = f"F {frame + 1} · {timecode(frame, self.fps)}" if duration > 0 else ""
        marks = []
        if self._in_ms is not None:
            marks.append(f"in {time_text(self._in_ms)}")
        if self._out_ms is not None:
            marks.append(f"out {time_text(self._out_ms)}")
        self.transport.frame_label.setText(text)
        self.transport.frame_label.setToolTip(
            "Frame number and timecode (hh:mm:ss:ff)" + (" · " + ", ".join(marks) if marks else "")
        )

    def _check_audio_device(self) -> None:
        """Say so when there is no sound output (videos then play silently)."""
        self.transport.audio_notice.setVisible(not audio_outputs())

    def _on_playback_state(self, state: QMediaPlayer.PlaybackState) -> None:
        playing = state == QMediaPlayer.PlaybackState.PlayingState or self._reverse.isActive()
        icon = (
            QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        )
        self.transport.play_button.setIcon(themed_icon(self.style(), icon))

    def _on_error(self, _error: QMediaPlayer.Error, message: str) -> None:
        self._stop_and_explain(
            "Cannot play this video", message or "The file could not be decoded."
        )
