"""Remix: from a finished result's videoId; size and frames are the source's."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from gui.ui.compose.remix_banner import REMIX_NOTE
from tests.ui.compose.conftest import activate, choose_model, frames_checked, model_named
from tests.ui.dragdrop import drop_files


def test_remix_sends_the_video_id_without_size_or_frames(make_panel, catalog, png_16x9) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Sora 2")
    activate(panel)
    drop_files(panel.zones["first"], [png_16x9])
    sora = model_named(catalog, "Sora 2")
    assert panel.start_remix("vid_abc123", "the same scene at night", sora.air, "“Harbour” #2")
    spec = panel.spec()
    assert spec is not None
    assert spec.video_id == "vid_abc123"
    assert spec.width is None and spec.height is None and spec.frames == ()
    assert spec.prompt == "the same scene at night"
    assert not panel.video.size_picker.isEnabled()
    assert not panel.zones["first"].isEnabled()
    assert panel.remix_banner.isVisibleTo(panel)
    assert panel.remix_banner.title.text() == "Remixing “Harbour” #2"
    assert REMIX_NOTE in panel.remix_banner.note.text().lower()
    assert QApplication.focusWidget() is panel.prompt.edit
    assert panel.prompt.edit.textCursor().selectedText() == "the same scene at night"


def test_leaving_remix_brings_size_and_frames_back(qtbot, make_panel, catalog, png_16x9) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Sora 2")
    drop_files(panel.zones["first"], [png_16x9])
    frames_checked(qtbot, panel.zones["first"])
    panel.start_remix("vid_1", "a remix", model_named(catalog, "Sora 2").air, "take 1")
    QTest.mouseClick(panel.remix_banner.leave_button, Qt.MouseButton.LeftButton)
    assert not panel.is_remixing() and not panel.remix_banner.isVisibleTo(panel)
    spec = panel.spec()
    assert spec.video_id is None and (spec.width, spec.height) == (1280, 720)
    assert len(spec.frames) == 1
    assert panel.video.size_picker.isEnabled() and panel.zones["first"].isEnabled()


def test_switching_to_a_model_without_video_id_leaves_remix_with_a_note(
    make_panel, catalog
) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Sora 2")
    panel.start_remix("vid_1", "a remix", model_named(catalog, "Sora 2").air, "take 1")
    choose_model(panel, model_named(catalog, "Sora 2 Pro"))  # also remixes: kept
    assert panel.is_remixing() and panel.spec().video_id == "vid_1"
    choose_model(panel, model_named(catalog, "Veo 3.1 Fast"))
    assert not panel.is_remixing()
    assert panel.note.isVisibleTo(panel)
    assert panel.note.text() == "Remix left: Veo 3.1 Fast cannot remix a video."
    assert panel.spec().video_id is None


def test_remix_is_refused_for_a_model_without_video_id(make_panel, catalog) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel()
    veo = model_named(catalog, "Veo 3.1")
    assert not panel.start_remix("vid_1", "a remix", veo.air, "take 1")
    assert not panel.is_remixing() and "cannot remix" in panel.note.text()


def test_using_a_frame_leaves_remix(qtbot, make_panel, catalog, png_16x9) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Sora 2")
    panel.start_remix("vid_1", "continue", model_named(catalog, "Sora 2").air, "take 1")
    assert panel.set_frame_image(png_16x9, "first")
    assert not panel.is_remixing()
    frames_checked(qtbot, panel.zones["first"])
    assert panel.spec().frames[0].path == str(png_16x9)


def test_remix_price_reads_from_for_models_with_several_rates(make_panel, catalog) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Sora 2 Pro")
    panel.start_remix("vid_1", "remix it", model_named(catalog, "Sora 2 Pro").air, "take 1")
    assert panel.generate_bar.text() == "Generate · from $2.40"
