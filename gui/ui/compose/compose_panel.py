"""The compose panel: everything a generation needs, laid out for a narrow left column."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gui.runware.catalog import Catalog, ModelSpec, Problem
from gui.studio.jobs import JobSpec
from gui.ui.compose.advanced_section import AdvancedSection
from gui.ui.compose.background_task import BackgroundTasks
from gui.ui.compose.compose_values import ComposeValues, RemixSource, build_request
from gui.ui.compose.form_rules import SUPPORTED_FRAMES, ModelFields, price_label
from gui.ui.compose.frame_drop import FrameDropZone
from gui.ui.compose.frame_files import frame_rules
from gui.ui.compose.generate_button import GenerateBar
from gui.ui.compose.model_options import ModelOptions
from gui.ui.compose.presets import MemoryPresetStore, PresetBar, PresetStore
from gui.ui.compose.prompt_editor import PromptEditor
from gui.ui.compose.remix_banner import REMIX_NOTE, RemixBanner
from gui.ui.compose.video_section import VideoSection

__all__ = ["ComposePanel"]


class ComposePanel(QWidget):
    """Prompt, model, size, length, frame images and options; builds one valid JobSpec.

    The panel builds itself from the catalogue: it offers only what the chosen model accepts.

    Signals:
        ``generate_requested(JobSpec)``: the user pressed Generate or Ctrl+Enter and the request
            is valid; never emitted for an invalid one.
        ``image_url_dropped(url, frame)``: an http(s) image address was dropped or pasted on the
            ``frame`` ("first"/"last") zone, which now shows "fetching…". Download it and call
            ``set_frame_image(path, frame)``, or ``frame_fetch_failed(frame, message)``.
        ``values_changed()``: any setting changed (for saving last-used settings).

    Methods:
        ``spec() -> JobSpec | None``: the request, or None while ``problems()`` is not empty.
        ``problems() -> list[Problem]``: what stands in the way, topmost field first.
        ``load_spec(spec)``: fill every field from a JobSpec (retry, edit).
        ``values() -> dict`` / ``load_values(dict)``: every setting as plain JSON data, and back;
            unknown keys are ignored and bad values fall back to the model's defaults.
        ``start_remix(video_id, prompt, model_air, source_label) -> bool``: remix a finished
            result; size and frame images are disabled. False when the model cannot remix.
        ``clear_remix()``, ``is_remixing()``.
        ``set_frame_image(path, frame="first") -> bool``: use a local image as a frame.
        ``frame_fetch_failed(frame, message)``, ``focus_prompt()``,
        ``set_prompt_history(prompts)`` (newest first; searched with Ctrl+R),
        ``set_budget_state(text | None)``, ``set_preset_store(store)``, ``current_model()``.

    Keyboard: Ctrl+Enter / Ctrl+Return generate; Alt+letter mnemonics reach each field.
    """

    generate_requested = Signal(object)
    image_url_dropped = Signal(str, str)
    values_changed = Signal()

    def __init__(
        self,
        catalog: Catalog,
        parent: QWidget | None = None,
        *,
        preset_store: PresetStore | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("composePanel")
        self._catalog = catalog
        self._model: ModelSpec = catalog.default
        self._remix: RemixSource | None = None
        self._loading = 0
        self._tasks = BackgroundTasks(self)
        self._cache_dir = cache_dir
        self._build(preset_store or MemoryPresetStore())
        self._connect()
        self._apply(ComposeValues.defaults(self._model))

    # ------------------------------------------------------------------ building
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
        self.scroll = scroll

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
        self.model_box = QComboBox()
        self.model_box.setAccessibleName("Model")
        for index, model in enumerate(self._catalog):
            self.model_box.addItem(f"{model.name} · {model.provider}", model.air)
            if model.notice:
                self.model_box.setItemData(index, model.notice, Qt.ItemDataRole.ToolTipRole)
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

    def _connect(self) -> None:
        self.model_box.currentIndexChanged.connect(self._on_model_chosen)
        self.prompt.changed.connect(self._refresh)
        self.video.changed.connect(self._refresh)
        self.options.changed.connect(self._refresh)
        self.advanced.changed.connect(self._refresh)
        for zone in self.zones.values():
            zone.changed.connect(self._refresh)
            zone.image_url_dropped.connect(self.image_url_dropped)
        self.remix_banner.leave_requested.connect(self.clear_remix)
        self.presets.preset_chosen.connect(self.load_values)
        self.generate_bar.button.clicked.connect(self._on_generate_clicked)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self._on_generate_clicked)

    # ------------------------------------------------------------------ public API
    def current_model(self) -> ModelSpec:
        return self._model

    def spec(self) -> JobSpec | None:
        return self._evaluate()[0]

    def problems(self) -> list[Problem]:
        return self._evaluate()[1]

    def values(self) -> dict[str, Any]:
        return self._read_values().to_dict()

    def load_values(self, values: dict[str, Any]) -> None:
        self._show_note(None)
        self._apply(ComposeValues.from_dict(values, self._catalog))

    def load_spec(self, spec: JobSpec) -> None:
        remix = {"video_id": spec.video_id, "source_label": ""} if spec.video_id else None
        self.load_values(
            {
                "model": spec.model,
                "prompt": spec.prompt,
                "width": spec.width,
                "height": spec.height,
                "duration": spec.duration,
                "number_results": spec.number_results,
                "output_format": spec.output_format,
                "output_quality": spec.output_quality,
                "seed": spec.seed,
                "provider_settings": spec.provider_settings,
                "frames": {f.frame: {"path": f.path} for f in spec.frames},
                "remix": remix,
                "safety_mode": spec.safety_mode,
                "ttl": spec.ttl,
                "webhook_url": spec.webhook_url,
                "upload_endpoint": spec.upload_endpoint,
            }
        )

    def start_remix(self, video_id: str, prompt: str, model_air: str, source_label: str) -> bool:
        model = self._catalog.get(model_air)
        if model is None or not model.accepts_video_id:
            name = model.name if model else model_air
            self._show_note(f"{name} cannot remix a video.")
            return False
        values = self._read_values().adapted_to(model)
        self._apply(replace(values, prompt=prompt, remix=RemixSource(video_id, source_label)))
        self._show_note(None)
        self.prompt.focus_and_select()
        return True

    def clear_remix(self) -> None:
        self._set_remix(None)
        self._refresh()

    def is_remixing(self) -> bool:
        return self._remix is not None

    def set_frame_image(self, path: str | Path, frame: str = "first") -> bool:
        if frame not in ModelFields.of(self._model).frames:
            self._show_note(f"{self._model.name} does not take a {frame} frame image.")
            return False
        if self._remix is not None:
            self.clear_remix()  # using a frame is a new start, not a remix
        self.zones[frame].set_path(path)
        return True

    def frame_fetch_failed(self, frame: str, message: str) -> None:
        if frame in self.zones:
            self.zones[frame].fetch_failed(message)

    def focus_prompt(self) -> None:
        self.prompt.edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_prompt_history(self, prompts: list[str]) -> None:
        self.prompt.set_history(prompts)

    def set_budget_state(self, text: str | None) -> None:
        self.generate_bar.set_budget(text)

    def set_preset_store(self, store: PresetStore) -> None:
        self.presets.set_store(store)

    def wait_for_images(self, msecs: int = 5000) -> bool:
        """Block until background image work has finished (for shutdown and tests)."""
        return self._tasks.wait(msecs)

    # ------------------------------------------------------------------ user actions
    def _on_generate_clicked(self) -> None:
        spec, problems = self._evaluate()
        if spec is not None:
            self.generate_requested.emit(spec)
            return
        self.generate_bar.show_state(self._price(), problems)
        self._focus_problem(problems[0] if problems else None)

    def _on_model_chosen(self, index: int) -> None:
        if self._loading or index < 0:
            return
        model = self._catalog[self.model_box.itemData(index)]
        before = self._read_values()
        after = before.adapted_to(model)
        notes = []
        if before.remix and after.remix is None:
            notes.append(f"Remix left: {model.name} cannot remix a video.")
        for frame in before.frames.keys() - after.frames.keys():
            notes.append(f"The {frame} frame image was removed: {model.name} takes none.")
        self._apply(after)
        self._show_note(" ".join(notes) or None)

    # ------------------------------------------------------------------ internals
    def _read_values(self) -> ComposeValues:
        size = self.video.size()
        safety, ttl, webhook, upload = self.advanced.values()
        shown = ModelFields.of(self._model).frames
        return ComposeValues(
            model=self._model.air,
            prompt=self.prompt.text(),
            width=size.width if size else None,
            height=size.height if size else None,
            duration=float(self.video.duration.value() or self._model.default_duration),
            number_results=int(self.video.variations.value() or 1),  # type: ignore[call-overload]
            output_format=self.video.format_box.currentData() or self._model.output_formats[0],
            output_quality=self.video.quality_spin.value(),
            seed=self.options.seed(),
            provider_settings=self.options.settings(),
            frames={f: c for f in shown if (c := self.zones[f].choice()) is not None},
            remix=self._remix,
            safety_mode=safety,
            ttl=ttl,
            webhook_url=webhook,
            upload_endpoint=upload,
        )

    def _apply(self, values: ComposeValues) -> None:
        """Show ``values`` (already fitted to their model) in every widget."""
        model = self._catalog.get(values.model) or self._catalog.default
        self._loading += 1
        try:
            self._show_model(model)
            self.prompt.set_text(values.prompt, undoable=True)
            self.video.set_values(
                width=values.width,
                height=values.height,
                duration=values.duration,
                number_results=values.number_results,
                output_format=values.output_format,
                output_quality=values.output_quality,
            )
            self.options.set_settings(values.provider_settings)
            self.options.set_seed(values.seed)
            self.advanced.set_values(
                values.safety_mode, values.ttl, values.webhook_url, values.upload_endpoint
            )
            self._sync_frame_targets()
            for frame, zone in self.zones.items():
                choice = values.frames.get(frame)
                if choice is None:
                    zone.clear()
                    continue
                zone.set_fit(choice.fit)
                current = zone.choice()
                if current is None or current.path != choice.path:
                    zone.set_path(choice.path)
            self._set_remix(values.remix)
        finally:
            self._loading -= 1
        self._refresh()

    def _show_model(self, model: ModelSpec) -> None:
        self._model = model
        self.model_box.setCurrentIndex(self.model_box.findData(model.air))
        notice = model.notice or ""
        self.model_notice.setText(notice)
        self.model_notice.setVisible(bool(notice))
        self.model_box.setToolTip(notice or f"{model.name} by {model.provider}")
        self.prompt.set_limits(model.prompt.min, model.prompt.max)
        self.video.set_model(model)
        fields = ModelFields.of(model)
        self.options.set_fields(fields)
        self.options.setVisible(self.options.has_content)
        self.options_header.setVisible(self.options.has_content)
        rules = frame_rules(model)
        for frame, zone in self.zones.items():
            zone.set_rules(rules)
            zone.setVisible(frame in fields.frames)
        self.frames_header.setVisible(bool(fields.frames))
        self.advanced.set_fields(fields)
        self._order_tabs()

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

    def _set_remix(self, remix: RemixSource | None) -> None:
        self._remix = remix if self._model.accepts_video_id else None
        remixing = self._remix is not None
        if remixing:
            assert self._remix is not None
            self.remix_banner.show_source(self._remix.source_label)
        else:
            self.remix_banner.hide()
        for zone in self.zones.values():
            zone.setEnabled(not remixing)
        note = REMIX_NOTE[0].upper() + REMIX_NOTE[1:] + "." if remixing else ""
        self.video.set_remixing(remixing, note)

    def _sync_frame_targets(self) -> None:
        size = self.video.size() or self._model.default_size
        for zone in self.zones.values():
            zone.set_target(size.width, size.height)

    def _evaluate(self) -> tuple[JobSpec | None, list[Problem]]:
        values = self._read_values()
        shown = [self.zones[f] for f in ModelFields.of(self._model).frames]
        waiting = [] if self._remix else [p for z in shown if (p := z.waiting_problem())]
        ready = {z.frame: fi for z in shown if (fi := z.frame_input()) is not None}
        return build_request(values, self._catalog, ready, waiting)

    def _price(self) -> Any:
        size = self.video.size()
        return price_label(
            self._model,
            width=size.width if size else None,
            height=size.height if size else None,
            duration=float(self.video.duration.value() or self._model.default_duration),
            number_results=int(self.video.variations.value() or 1),  # type: ignore[call-overload]
            remix=self._remix is not None,
        )

    def _refresh(self) -> None:
        if self._loading:
            return
        self._sync_frame_targets()
        if self._loading:  # a target change may have fed back through a zone
            return
        self.generate_bar.show_state(self._price(), self._evaluate()[1])
        self.values_changed.emit()

    def _show_note(self, text: str | None) -> None:
        self.note.setText(text or "")
        self.note.setVisible(bool(text))

    def _focus_problem(self, problem: Problem | None) -> None:
        if problem is None:
            return
        head = problem.parameter.split(".")[0]
        targets: dict[str, QWidget] = {
            "positivePrompt": self.prompt.edit,
            "seed": self.options.seed_edit,
            "ttl": self.advanced.ttl,
            "webhookURL": self.advanced.webhook,
            "uploadEndpoint": self.advanced.upload,
        }
        target = targets.get(head)
        if target is None:
            return
        if target.parent() is self.advanced.body or self.advanced.body.isAncestorOf(target):
            self.advanced.set_expanded(True)
        target.setFocus(Qt.FocusReason.OtherFocusReason)
