"""Every setting survives values() → load_values(); presets store and restore them."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from gui.ui.compose import MemoryPresetStore
from tests.ui.compose.conftest import choose_model, frames_checked, model_named, write_png
from tests.ui.dragdrop import drop_files


def _set_everything(qtbot, panel, model, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Move every control of ``model`` away from its default, as a user would."""
    video = panel.video
    panel.prompt.set_text("Handheld tracking shot; rain on tin roofs; a dog barks twice.")
    # the largest size a frame image may have: frames are sent at the video's size, and 4K is
    # over Veo's 2048 px (the panel refuses it: test_frame_size_rule.py)
    limit = model.frame_images.max_side if model.frame_images else 10**6
    fits = [
        b
        for b in video.size_picker.buttons
        if max(b.video_size.width, b.video_size.height) <= limit
    ]
    fits[-1].click()
    video.duration.buttons[0].click()
    video.variations.buttons[-1].click()
    video.format_box.setCurrentIndex(video.format_box.count() - 1)
    video.quality_slider.setValue(model.output_quality.min + 7)
    for widget in panel.options.setting_widgets.values():
        widget.click()
    if model.accepts_seed:
        panel.options.seed_random.click()
        panel.options.seed_edit.setText("987654321")
    for frame, zone in panel.zones.items():
        if model.accepts_frame(frame):
            size = fits[-1].video_size
            drop_files(zone, [write_png(tmp_path / f"{frame}.png", size.width, size.height)])
            zone.set_fit("pad")
    frames_checked(qtbot, *panel.zones.values())
    panel.advanced.set_expanded(True)
    panel.advanced.safety.setCurrentIndex(panel.advanced.safety.findData("fast"))
    QTest.keyClicks(panel.advanced.ttl, "900")
    QTest.keyClicks(panel.advanced.webhook, "https://hooks.example.com/done")
    QTest.keyClicks(panel.advanced.upload, "https://put.example.com/videos")
    if model.accepts_video_id:
        panel.start_remix("vid_9", panel.prompt.text(), model.air, "take 9")


@pytest.mark.parametrize("name", ["Sora 2", "Sora 2 Pro", "Veo 3.1", "Veo 3.1 Fast"])
def test_values_round_trip_every_setting(qtbot, make_panel, catalog, tmp_path, name) -> None:  # type: ignore[no-untyped-def]
    model = model_named(catalog, name)
    source = make_panel(name)
    defaults = source.values()
    _set_everything(qtbot, source, model, tmp_path)
    values = source.values()
    changed = {k for k in values if values[k] != defaults[k]}
    expected = {
        "prompt", "width", "height", "duration", "number_results", "output_format",
        "output_quality", "frames", "safety_mode", "ttl", "webhook_url", "upload_endpoint",
    }  # fmt: skip
    expected |= {"seed"} if model.accepts_seed else set()
    expected |= (
        {"provider_settings"} if any(not s.fixed for s in model.provider_settings) else set()
    )
    expected |= {"remix"} if model.accepts_video_id else set()
    assert changed == expected  # every setting this model has was really moved

    plain = json.loads(json.dumps(values))
    target = make_panel()  # starts on another model
    target.load_values(plain)
    frames_checked(qtbot, *target.zones.values())
    assert target.values() == values
    assert target.spec() == source.spec() and target.spec() is not None


def test_load_values_ignores_unknown_keys_and_survives_garbage(qtbot, make_panel, catalog) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel()
    defaults = panel.values()
    panel.load_values({"colour": "blue", "duration": "forever", "width": -1, "seed": "x" * 9})
    assert panel.values() == defaults
    veo = model_named(catalog, "Veo 3.1")
    panel.load_values({"model": veo.air, "number_results": 9, "frames": {"first": {"path": 1}}})
    assert panel.current_model().air == veo.air and panel.values()["number_results"] == 1
    panel.load_values({"frames": {"first": {"path": "/no/such/file.png"}}})
    frames_checked(qtbot, panel.zones["first"])
    assert "does not exist" in panel.zones["first"].message_text()


def test_loaded_values_fill_every_field(qtbot, make_panel, catalog, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # the path a preset takes: values() from one panel, load_values() into another
    model = model_named(catalog, "Veo 3.1 Fast")
    source = make_panel("Veo 3.1 Fast")
    _set_everything(qtbot, source, model, tmp_path)
    spec = source.spec()
    assert spec is not None
    target = make_panel("Sora 2")
    target.load_values(source.values())
    frames_checked(qtbot, *target.zones.values())
    assert target.spec() == spec


def test_presets_save_apply_and_delete(make_panel, catalog) -> None:  # type: ignore[no-untyped-def]
    store = MemoryPresetStore()
    panel = make_panel(preset_store=store)
    choose_model(panel, model_named(catalog, "Sora 2 Pro"))
    panel.video.size_picker.button_for("1080×1920").click()
    panel.video.duration.button_for(12.0).click()
    bar = panel.presets
    bar.combo.setEditText("Vertical Pro")
    QTest.mouseClick(bar.save_button, Qt.MouseButton.LeftButton)
    assert store.list() == ["Vertical Pro"]
    assert store.load("Vertical Pro") == panel.values()
    saved = panel.values()

    choose_model(panel, model_named(catalog, "Veo 3.1"))
    assert panel.values() != saved
    bar.combo.activated.emit(bar.combo.findText("Vertical Pro"))
    assert panel.values() == saved

    bar.combo.setEditText("Vertical Pro")
    assert bar.delete_button.isEnabled()
    QTest.mouseClick(bar.delete_button, Qt.MouseButton.LeftButton)
    assert store.list() == [] and bar.names() == []


def test_presets_come_from_the_injected_store(make_panel) -> None:  # type: ignore[no-untyped-def]
    store = MemoryPresetStore()
    store.save("Night", {"duration": 4})
    panel = make_panel(preset_store=store)
    assert panel.presets.names() == ["Night"]
    other = MemoryPresetStore()
    panel.set_preset_store(other)
    assert panel.presets.names() == []
    assert panel.presets.save("Day") and other.list() == ["Day"]
