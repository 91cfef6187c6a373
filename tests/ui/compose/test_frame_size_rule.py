"""Frame images are sent at the video's size, so that size must be one the model takes for a
frame image: Veo 3.1 at 3840×2160 with a first frame would send a 3840 px image where it takes
at most 2048. The window refuses it before sending, in the client's own words (one rule:
``gui.runware.images.side_problem``)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from gui.runware.errors import InputFileError
from gui.runware.images import check_image, frame_rules
from tests.ui.compose.conftest import activate, write_png
from tests.ui.dragdrop import drop_files


def test_4k_with_a_first_frame_is_refused_before_sending(qtbot, make_panel, tmp_path) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Veo 3.1")
    model = panel.current_model()
    panel.prompt.set_text("a slow dolly across a glacier")
    activate(panel)
    sent: list[object] = []
    panel.generate_requested.connect(sent.append)
    video = panel.video
    four_k = video.size_picker.button_for("3840×2160")
    assert four_k is not None
    QTest.mouseClick(four_k, Qt.MouseButton.LeftButton)
    assert panel.spec() is not None  # 4K without a frame image is fine

    zone = panel.zones["first"]
    drop_files(zone, [write_png(tmp_path / "still.png", 1920, 1080)])
    qtbot.waitUntil(lambda: zone.facts is not None, timeout=5000)
    bar = panel.generate_bar
    qtbot.waitUntil(lambda: "2048" in bar.reason.text(), timeout=5000)
    assert not bar.button.isEnabled() and panel.spec() is None
    reason = bar.reason.text()
    assert model.name in reason and "3840×2160" in reason
    # the words are the client's: what check_image says of a 3840×2160 frame before upload
    big = write_png(tmp_path / "fitted.png", 3840, 2160)
    with pytest.raises(InputFileError) as refused:
        check_image(big, frame_rules(model))
    why = str(refused.value.args[0]).split("; ", 1)[1].rstrip(".")
    assert why == "each side must be 300–2048 px" and why in reason
    assert why in zone.message_text() and zone.message.property("tone") == "error"
    QTest.mouseClick(bar.button, Qt.MouseButton.LeftButton)
    assert sent == []

    # a size the frame may have: sent, with the frame
    QTest.mouseClick(video.size_picker.button_for("1920×1080"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.spec() is not None, timeout=5000)
    assert zone.message_text() == "still.png · 1920×1080"
    QTest.mouseClick(bar.button, Qt.MouseButton.LeftButton)
    assert len(sent) == 1 and len(sent[0].frames) == 1  # type: ignore[attr-defined]


def test_removing_the_frame_lets_4k_go(qtbot, make_panel, tmp_path) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Veo 3.1")
    panel.prompt.set_text("a slow dolly across a glacier")
    activate(panel)
    QTest.mouseClick(panel.video.size_picker.button_for("3840×2160"), Qt.MouseButton.LeftButton)
    zone = panel.zones["first"]
    drop_files(zone, [write_png(tmp_path / "still.png", 1920, 1080)])
    qtbot.waitUntil(
        lambda: bool(panel.problems()) and "2048" in panel.problems()[0].message, timeout=5000
    )
    QTest.mouseClick(zone.remove_button, Qt.MouseButton.LeftButton)
    spec = panel.spec()
    assert spec is not None and spec.frames == () and (spec.width, spec.height) == (3840, 2160)
