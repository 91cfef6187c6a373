"""The player's controls as a view: buttons, scrub slider, time, speed and volume. No logic."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.ui.scrub_slider import ScrubSlider
from gui.ui.themed_icon import themed_icon

__all__ = ["SPEEDS", "ScrubSlider", "TransportBar", "VariationBar"]  # ScrubSlider: re-exported

SPEEDS = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0)


def _button(
    parent: QWidget,
    text: str,
    tip: str,
    *,
    checkable: bool = False,
    icon: QStyle.StandardPixmap | None = None,
) -> QToolButton:
    button = QToolButton(parent)
    button.setText(text)
    if icon is not None:  # the style's icons: emoji glyphs are missing from many fonts
        button.setIcon(themed_icon(parent.style(), icon))
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    button.setToolTip(tip)
    button.setCheckable(checkable)
    button.setAutoRaise(True)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys belong to the player, not the button
    return button


class TransportBar(QWidget):
    """Play/pause, frame steps, scrub slider with times, loop, speed, mute, volume, fullscreen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TransportBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # the theme paints it
        sp = QStyle.StandardPixmap
        self.play_button = _button(self, "Play", "Play / pause (Space)", icon=sp.SP_MediaPlay)
        self.play_button.setObjectName("PlayButton")
        self.back_button = _button(
            self, "Back", "One frame back (←); one second with Shift", icon=sp.SP_MediaSeekBackward
        )
        self.forward_button = _button(
            self,
            "Forward",
            "One frame forward (→); one second with Shift",
            icon=sp.SP_MediaSeekForward,
        )
        self.slider = ScrubSlider(self)
        self.slider.setObjectName("ScrubSlider")
        self.slider.setRange(0, 0)
        self.slider.setMinimumWidth(60)
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.time_label = QLabel("0:00.00 / 0:00.00", self)
        self.time_label.setObjectName("TimeLabel")
        self.time_label.setMinimumWidth(
            self.time_label.fontMetrics().horizontalAdvance("00:00.00 / 00:00.00") + 6
        )
        self.time_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.frame_label = QLabel("", self)  # frame number and SMPTE timecode
        self.frame_label.setObjectName("FrameLabel")
        self.frame_label.setToolTip("Frame number and timecode (hh:mm:ss:ff)")
        self.frame_label.setMinimumWidth(
            self.frame_label.fontMetrics().horizontalAdvance("F 0000 · 00:00:00:00") + 6
        )
        self.loop_button = _button(
            self, "Loop", "Loop the clip, or the in/out range (Shift+L)", checkable=True
        )
        self.speed = QComboBox(self)
        self.speed.setToolTip("Playback speed")
        self.speed.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for rate in SPEEDS:
            self.speed.addItem(f"{rate:g}×", rate)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.mute_button = _button(self, "Mute", "Mute (M)", checkable=True, icon=sp.SP_MediaVolume)
        self.volume = QSlider(Qt.Orientation.Horizontal, self)
        self.volume.setRange(0, 100)
        self.volume.setValue(80)
        self.volume.setFixedWidth(64)
        self.volume.setToolTip("Volume")
        self.volume.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.audio_notice = QLabel("No audio device", self)
        self.audio_notice.setObjectName("MutedLabel")
        self.audio_notice.setToolTip("No sound output was found: videos play silently")
        self.audio_notice.hide()
        self.fullscreen_button = _button(
            self,
            "Fullscreen",
            "Fullscreen (F, or double-click; Esc leaves)",
            icon=QStyle.StandardPixmap.SP_TitleBarMaxButton,
        )

        # the scrub bar has a row of its own, the width of the player: a click lands where meant
        column = QVBoxLayout(self)
        column.setContentsMargins(6, 2, 6, 2)
        column.setSpacing(0)
        column.addWidget(self.slider)
        row = QHBoxLayout()
        row.setSpacing(4)
        column.addLayout(row)
        for button in (self.play_button, self.back_button, self.forward_button):
            row.addWidget(button)
        row.addWidget(self.time_label)
        row.addWidget(self.frame_label)
        row.addStretch(1)
        for widget in (
            self.loop_button,
            self.speed,
            self.mute_button,
            self.volume,
            self.audio_notice,
            self.fullscreen_button,
        ):
            row.addWidget(widget)

    def set_media_enabled(self, on: bool) -> None:
        """The controls that need a video; loop, speed and volume stay settable without one."""
        for widget in (
            self.play_button,
            self.back_button,
            self.forward_button,
            self.slider,
            self.fullscreen_button,
        ):
            widget.setEnabled(on)


class VariationBar(QWidget):
    """Buttons 1–4 choosing which of a job's videos plays; hidden for a single video."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("VariationBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(6, 0, 6, 0)
        self._layout.setSpacing(4)
        label = QLabel("Variation", self)
        label.setObjectName("MutedLabel")
        self._layout.addWidget(label)
        self._buttons: list[QToolButton] = []
        for i in range(4):
            button = _button(self, str(i + 1), f"Play variation {i + 1}", checkable=True)
            button.setObjectName("VariationButton")
            self.group.addButton(button, i)
            self._buttons.append(button)
            self._layout.addWidget(button)
        self._layout.addStretch(1)

    def set_variations(self, playable: list[bool], current: int) -> None:
        """One button per video; unplayable ones are shown but disabled."""
        for i, button in enumerate(self._buttons):
            button.setVisible(i < len(playable))
            button.setEnabled(i < len(playable) and playable[i])
            button.setChecked(i == current)
        self.setVisible(len(playable) > 1)


def empty_state(parent: QWidget) -> tuple[QWidget, QLabel, QLabel]:
    """The page shown when nothing can play: a headline and a line of explanation."""
    page = QWidget(parent)
    page.setObjectName("PlayerEmpty")
    page.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
    layout = QVBoxLayout(page)
    layout.addStretch(1)
    title = QLabel(page)
    title.setObjectName("EmptyTitle")
    title.setAlignment(Qt.AlignmentFlag.AlignCenter)
    body = QLabel(page)
    body.setObjectName("EmptyBody")
    body.setAlignment(Qt.AlignmentFlag.AlignCenter)
    body.setWordWrap(True)
    layout.addWidget(title)
    layout.addWidget(body)
    layout.addStretch(1)
    return page, title, body
