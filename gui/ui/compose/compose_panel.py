"""The compose panel: what a generation needs, checked against the catalogue as it is typed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from gui.runware.catalog import Catalog, ModelSpec, Problem
from gui.runware.images import frame_rules
from gui.studio.jobs import JobSpec
from gui.ui.compose.compose_values import ComposeValues, RemixSource, build_request
from gui.ui.compose.compose_view import ComposeView
from gui.ui.compose.form_rules import ModelFields, PriceLabel, price_label
from gui.ui.compose.presets import MemoryPresetStore, PresetStore
from gui.ui.compose.remix_banner import REMIX_NOTE

__all__ = ["ComposePanel"]


class ComposePanel(ComposeView):
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
        super().__init__(catalog, preset_store or MemoryPresetStore(), cache_dir, parent)
        self._remix: RemixSource | None = None
        self._loading = 0
        self._real_backend = False  # the sandbox until the wiring says otherwise
        self._confirmed_ended: JobSpec | None = None
        self._connect()
        self._apply(ComposeValues.defaults(self._model))

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
    def set_real_backend(self, real: bool) -> None:
        """Whether Generate spends real money with Runware (not the offline sandbox)."""
        self._real_backend = real

    def _on_generate_clicked(self) -> None:
        spec, problems = self._evaluate()
        if spec is not None and self._confirm_ended_model(spec):
            self.generate_requested.emit(spec)
            return
        if spec is not None:
            return  # waiting for the second press
        self.generate_bar.show_state(self._price(), problems)
        self._focus_problem(problems[0] if problems else None)

    def _confirm_ended_model(self, spec: JobSpec) -> bool:
        """With a real key, a model Runware has ended is sent only on a second Generate: the
        first one says why it will most likely be refused."""
        model = self._catalog[spec.model]
        if model.is_live() or not self._real_backend:
            return True
        if self._confirmed_ended == spec:
            self._confirmed_ended = None
            return True
        self._confirmed_ended = spec
        when = f" on {model.deactivated_on:%d %B %Y}" if model.deactivated_on else ""
        self.generate_bar.warn(  # what to do first: the words beside the button may be cut
            f"Press Generate again to send it anyway: Runware deactivated {model.name}{when}, "
            "so the request will most likely be refused. Or choose another model."
        )
        return False

    def _on_model_chosen(self, index: int) -> None:
        air = self.model_box.itemData(index) if index >= 0 else None
        if self._loading or air is None:
            return
        model = self._catalog[air]
        before = self._read_values()
        after = before.adapted_to(model)
        notes = []
        if before.remix and after.remix is None:
            notes.append(f"Remix left: {model.name} cannot remix a video.")
        for frame in before.frames.keys() - after.frames.keys():
            notes.append(f"The {frame} frame image was removed: {model.name} takes none.")
        if (before.width, before.height) != (after.width, after.height) and before.width:
            notes.append(
                f"Size {before.width}×{before.height} → {after.width}×{after.height}: "
                f"{model.name} does not make {before.width}×{before.height}."
            )
        if before.duration != after.duration:
            notes.append(
                f"Length {before.duration:g} s → {after.duration:g} s: {model.name} makes "
                f"{', '.join(f'{d:g}' for d in model.offered_durations())} s."
            )
        if before.number_results != after.number_results:
            notes.append(
                f"{before.number_results} videos → {after.number_results}: {model.name} makes "
                f"up to {model.number_results.max} per request."
            )
        if before.seed is not None and after.seed is None:
            notes.append(f"The seed was dropped: {model.name} takes none.")
        self._apply(after)
        self._show_note(" ".join(notes) or None)

    # ------------------------------------------------------------------ internals
    def _read_values(self) -> ComposeValues:
        size = self.video.chosen_size()
        safety, ttl, webhook, upload = self.advanced.values()
        shown = ModelFields.of(self._model).frames
        return ComposeValues(
            model=self._model.air,
            prompt=self.prompt.text(),
            width=size.width if size else None,
            height=size.height if size else None,
            duration=float(self.video.duration.value() or self._model.default_duration),
            number_results=int(self.video.variations.value() or 1),
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
        for zone in self.zones.values():
            zone.set_rules(rules)
        self._show_frames()
        self.advanced.set_fields(fields)
        self._order_tabs()

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
        self._show_frames()
        note = REMIX_NOTE[0].upper() + REMIX_NOTE[1:] + "." if remixing else ""
        self.video.set_remixing(remixing, note)

    def _show_frames(self) -> None:
        """Frame images show for a model that takes them, but not in a remix: only the videoId
        is sent, so an image (and its "will be cropped") there would mislead. A chosen image is
        kept, and shows again on leaving the remix."""
        frames = ModelFields.of(self._model).frames
        remixing = self._remix is not None
        for frame, zone in self.zones.items():
            zone.setVisible(frame in frames and not remixing)
        self.frames_header.setVisible(bool(frames) and not remixing)

    def _sync_frame_targets(self) -> None:
        size = self.video.chosen_size() or self._model.default_size
        for zone in self.zones.values():
            zone.set_target(size.width, size.height)

    def _evaluate(self) -> tuple[JobSpec | None, list[Problem]]:
        values = self._read_values()
        shown = [self.zones[f] for f in ModelFields.of(self._model).frames]
        waiting = [] if self._remix else [p for z in shown if (p := z.waiting_problem())]
        ready = {z.frame: fi for z in shown if (fi := z.frame_input()) is not None}
        return build_request(values, self._catalog, ready, waiting)

    def _price(self) -> PriceLabel:
        size = self.video.chosen_size()
        return price_label(
            self._model,
            width=size.width if size else None,
            height=size.height if size else None,
            duration=float(self.video.duration.value() or self._model.default_duration),
            number_results=int(self.video.variations.value() or 1),
            remix=self._remix is not None,
            provider_settings=self._read_values().provider_settings,
        )

    def _refresh(self) -> None:
        if self._loading:
            return
        self._sync_frame_targets()
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
