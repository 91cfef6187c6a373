"""Built for each catalogue model, the panel shows exactly the fields that model accepts."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QSlider,
    QSpinBox,
)

from gui.runware.catalog import Catalog
from gui.ui.compose.model_options import FIXED_TOOLTIP
from tests.ui.compose.conftest import choose_model, model_named


def _shown(panel, widget) -> bool:  # type: ignore[no-untyped-def]
    return widget.isVisibleTo(panel)


def test_every_model_offers_exactly_its_own_choices(make_panel, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel()
    for model in catalog:
        choose_model(panel, model)
        video = panel.video
        assert [b.text() for b in video.size_picker.buttons] == [s.label for s in model.sizes]
        offered = model.offered_durations()  # not those the page ties to an input not sent
        assert [b.text() for b in video.duration.buttons] == [f"{d:g} s" for d in offered]
        limits = model.number_results
        assert [b.text() for b in video.variations.buttons] == [
            str(n) for n in range(limits.min, limits.max + 1)
        ]
        formats = [video.format_box.itemText(i) for i in range(video.format_box.count())]
        assert formats == list(model.output_formats)
        quality = model.output_quality
        assert (video.quality_spin.minimum(), video.quality_spin.maximum()) == (
            quality.min,
            quality.max,
        )

        assert _shown(panel, panel.options.seed_row) == model.accepts_seed
        for frame, zone in panel.zones.items():
            assert _shown(panel, zone) == model.accepts_frame(frame), (model.name, frame)
        sendable = {(s.provider, s.name) for s in model.provider_settings if not s.fixed}
        fixed = {(s.provider, s.name) for s in model.provider_settings if s.fixed}
        assert set(panel.options.setting_widgets) == sendable
        assert set(panel.options.fixed_widgets) == fixed
        for widget in panel.options.fixed_widgets.values():
            assert isinstance(widget, QCheckBox) and widget.isChecked()
            assert not widget.isEnabled() and widget.toolTip() == FIXED_TOOLTIP
        assert _shown(panel, panel.options) == bool(model.provider_settings or model.accepts_seed)
        assert panel.start_remix("vid_1", "a remix prompt", model.air, "take 1") == (
            model.accepts_video_id
        )
        assert panel.is_remixing() == model.accepts_video_id
        panel.clear_remix()


def test_veo_shows_seed_audio_and_last_frame_sora_does_not(make_panel) -> None:  # type: ignore[no-untyped-def]
    veo = make_panel("Veo 3.1 Fast")
    assert _shown(veo, veo.options.seed_row)
    assert _shown(veo, veo.zones["last"])
    audio = veo.options.setting_widgets[("google", "generateAudio")]
    assert isinstance(audio, QCheckBox) and audio.text() == "Generate audio"
    sora = make_panel("Sora 2")
    assert not _shown(sora, sora.options)
    assert not _shown(sora, sora.zones["last"])
    assert _shown(sora, sora.zones["first"])


def test_fixed_settings_are_not_sent_and_switches_are(make_panel) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Veo 3.1")
    panel.prompt.set_text("waves on a beach")
    spec = panel.spec()
    assert spec is not None and spec.provider_settings == {"google": {"generateAudio": False}}
    panel.options.setting_widgets[("google", "generateAudio")].click()
    spec = panel.spec()
    assert spec is not None and spec.provider_settings == {"google": {"generateAudio": True}}
    assert spec.seed is None  # random: not sent
    panel.options.seed_random.click()
    panel.options.seed_edit.setText("4242")
    spec = panel.spec()
    assert spec is not None and spec.seed == 4242


def test_model_picker_names_provider_and_shows_the_notice(make_panel, catalog) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel()
    box: QComboBox = panel.model_box
    for model in catalog:
        index = box.findData(model.air)
        assert box.itemText(index) == f"{model.name} · {model.provider}"
        assert box.itemData(index, Qt.ItemDataRole.ToolTipRole) == (model.notice or model.summary())
    sora = model_named(catalog, "Sora 2")
    choose_model(panel, sora)
    assert "deactivated" in box.toolTip() and panel.model_notice.text() == sora.notice


def test_switching_model_keeps_what_fits(make_panel, catalog) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Sora 2 Pro")
    panel.prompt.set_text("city lights")
    panel.video.size_picker.button_for("1920×1080").click()
    panel.video.duration.button_for(16.0).click()
    panel.video.variations.button_for(3).click()
    choose_model(panel, model_named(catalog, "Sora 2"))
    values = panel.values()
    assert (values["width"], values["height"]) == (1280, 720)  # reset: Sora 2 has no 1080p
    assert values["duration"] == 16 and values["number_results"] == 3  # kept
    assert values["prompt"] == "city lights"
    choose_model(panel, model_named(catalog, "Veo 3.1"))
    assert panel.values()["duration"] == 8  # Veo has no 16 s: its default


def test_every_control_has_an_accessible_name(make_panel) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Veo 3.1 Fast")
    panel.advanced.set_expanded(True)
    kinds = (QAbstractButton, QComboBox, QLineEdit, QPlainTextEdit, QSlider, QSpinBox)
    unnamed = [
        w
        for kind in kinds
        for w in panel.findChildren(kind)
        if w.isVisibleTo(panel)
        and not w.accessibleName()
        and not (isinstance(w, QAbstractButton) and w.text())
        and not isinstance(w.parent(), (QComboBox, QSpinBox))  # their own inner editors
    ]
    assert unnamed == []
