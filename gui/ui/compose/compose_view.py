"""The compose panel's layout: its widgets, in the order a narrow left column shows them.

``ComposeView`` holds layout only and exposes its widgets; ``ComposePanel`` subclasses it and
holds the behaviour (views hold layout, controllers behaviour: docs/architecture.md).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gui.runware.catalog import Catalog, ModelSpec
from gui.runware.images import frame_rules
from gui.ui.compose.advanced_section import AdvancedSection
from gui.ui.compose.background_task import BackgroundTasks
from gui.ui.compose.form_rules import SUPPORTED_FRAMES
from gui.ui.compose.frame_drop import FrameDropZone
from gui.ui.compose.generate_button import GenerateBar
from gui.ui.compose.model_options import ModelOptions
from gui.ui.compose.model_picker import ModelPicker
from gui.ui.compose.presets import PresetBar, PresetStore
from gui.ui.compose.prompt_editor import PromptEditor
from gui.ui.compose.remix_banner import RemixBanner
from gui.ui.compose.video_section import VideoSection
from gui.ui.compose.wheel_guard import WheelGuard

__all__ = ["ComposeView"]


class ComposeView(QWidget):
    """Presets, model, prompt, frame images, video, model options, advanced; Generate pinned
    below the scrolling form."""

    def __init__(
        self,
        catalog: Catalog,
        store: PresetStore,
        cache_dir: Path | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("composePanel")
        self._catalog = catalog
        self._model: ModelSpec = catalog.default
        self._tasks = BackgroundTasks(self)
        self._cache_dir = cache_dir
        self._build(store)

    def values(self) -> dict[str, Any]:
        """Every setting as plain data (the preset bar saves it); the panel provides it."""
        raise NotImplementedError

    def _build(self, store: PresetStore) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = QWidget()
        self._body = QVBoxLayout(content)
        self._body.setContentsMargins(12, 10, 12, 10)
        self._body.setSpacing(6)
        scroll.setWidget(content)
        self.scroll_area = scroll

        self.presets = PresetBar(store, self.values)
        self._body.addWidget(self.presets)
        self._build_model_picker()
        self.remix_banner = RemixBanner()
        self._body.addWidget(self.remix_banner)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setProperty("role", "note")
        self.note.setStyleSheet("color: #b26a00;")
        self.note.hide()
        self._body.addWidget(self.note)

        self.prompt = PromptEditor()
        self._section("&Prompt", self.prompt.edit)
        self._body.addWidget(self.prompt)

        self.zones: dict[str, FrameDropZone] = {}
        self.frames_header = self._section("&Frame images", None)
        zones_row = QHBoxLayout()
        zones_row.setSpacing(10)
        for frame in SUPPORTED_FRAMES:
            zone = FrameDropZone(frame, frame_rules(self._model), self._tasks, self._cache_dir)
            self.zones[frame] = zone
            zones_row.addWidget(zone, 1, Qt.AlignmentFlag.AlignTop)
        self.frames_header.setBuddy(self.zones[SUPPORTED_FRAMES[0]])
        self._body.addLayout(zones_row)

        self.video = VideoSection()
        self._section("Video", None)
        self._body.addWidget(self.video)

        self.options = ModelOptions()
        self.options_header = self._section("Model options", None)
        self._body.addWidget(self.options)

        self.advanced = AdvancedSection()
        self._body.addSpacing(4)
        self._body.addWidget(self.advanced)
        self._body.addStretch(1)
        outer.addWidget(scroll, 1)
        # the wheel scrolls the form; it turns a spin box, slider or combo box only when focused
        self.wheel_guard = WheelGuard(content)

        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        outer.addWidget(line)
        self.generate_bar = GenerateBar()
        bar_box = QVBoxLayout()
        bar_box.setContentsMargins(12, 8, 12, 10)
        bar_box.addWidget(self.generate_bar)
        outer.addLayout(bar_box)

    def _build_model_picker(self) -> None:
        self.model_box = ModelPicker(self._catalog)
        self.model_notice = QLabel()
        self.model_notice.setWordWrap(True)
        self.model_notice.setProperty("role", "note")
        self._section("&Model", self.model_box, first=True)
        self._body.addWidget(self.model_box)
        self._body.addWidget(self.model_notice)

    def _section(self, title: str, buddy: QWidget | None, first: bool = False) -> QLabel:
        header = QLabel(title)
        header.setProperty("role", "sectionHeader")
        font = QFont(header.font())
        font.setBold(True)
        header.setFont(font)
        if buddy is not None:
            header.setBuddy(buddy)
        if not first:
            self._body.addSpacing(8)
        self._body.addWidget(header)
        return header

    def _order_tabs(self) -> None:
        """Tab follows the form top to bottom, also through buttons rebuilt for a new model."""
        bar, video, zones, adv = self.presets, self.video, self.zones.values(), self.advanced
        chain: list[QWidget] = [bar.combo, bar.save_button, bar.delete_button, self.model_box]
        chain += [self.remix_banner.leave_button, self.prompt.edit, self.prompt.history_button]
        for zone in zones:
            chain += [zone, zone.remove_button, zone.fit_box]
        chain += [*video.size_picker.buttons, *video.duration.buttons, *video.variations.buttons]
        chain += [video.format_box, video.quality_slider, video.quality_spin]
        chain += [*self.options.setting_widgets.values()]
        chain += [self.options.seed_random, self.options.seed_edit]
        chain += [adv.toggle, adv.safety, adv.ttl, adv.webhook, adv.upload]
        chain.append(self.generate_bar.button)
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)
