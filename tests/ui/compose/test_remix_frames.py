"""A remix sends only its source's videoId, so the frame images are not shown while remixing
(issue 17, item 9): no image and no "will be cropped" that would not apply. The image chosen
before is kept and shows again on leaving the remix."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.ui.compose.conftest import activate, model_named, write_png
from tests.ui.dragdrop import drop_files


def test_remix_hides_the_frame_images_and_leaving_brings_them_back(  # type: ignore[no-untyped-def]
    qtbot, make_panel, catalog, tmp_path
) -> None:
    panel = make_panel("Sora 2")
    activate(panel)
    zone = panel.zones["first"]
    drop_files(zone, [write_png(tmp_path / "square.png", 800, 800, "orange")])
    qtbot.waitUntil(lambda: "cropped" in zone.message_text(), timeout=5000)
    assert zone.isVisibleTo(panel) and panel.frames_header.isVisibleTo(panel)

    sora = model_named(catalog, "Sora 2")
    assert panel.start_remix("vid_abc123", "the same scene at night", sora.air, "“Harbour”")
    assert not zone.isVisibleTo(panel)
    assert not panel.frames_header.isVisibleTo(panel)
    spec = panel.spec()
    assert spec is not None and spec.video_id == "vid_abc123" and spec.frames == ()

    QTest.mouseClick(panel.remix_banner.leave_button, Qt.MouseButton.LeftButton)
    assert not panel.is_remixing()
    assert zone.isVisibleTo(panel) and panel.frames_header.isVisibleTo(panel)
    assert "cropped" in zone.message_text()
    qtbot.waitUntil(
        lambda: panel.spec() is not None and len(panel.spec().frames) == 1, timeout=5000
    )
    assert panel.spec().video_id is None


def test_choosing_a_model_that_cannot_remix_shows_its_frames_again(make_panel, catalog) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Sora 2")
    panel.start_remix("vid_1", "again", model_named(catalog, "Sora 2").air, "")
    assert not panel.zones["first"].isVisibleTo(panel)
    veo = model_named(catalog, "Veo 3.1 Fast")
    panel.model_box.setCurrentIndex(panel.model_box.findData(veo.air))
    assert not panel.is_remixing() and "Remix left" in panel.note.text()
    assert panel.zones["first"].isVisibleTo(panel) and panel.zones["last"].isVisibleTo(panel)
    assert panel.frames_header.isVisibleTo(panel)
