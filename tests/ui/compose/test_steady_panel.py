"""A compose panel whose controls never move under the pointer (issue 17, items 5 and 7).

A frame caption (a 64-character hash as a file name) neither widens the panel nor moves what is
below; warnings, the fit choice and the reason beside Generate take reserved space; the chosen
toggle is plain to see; the drop zone's words stay whole in a portrait size.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QImage, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from tests.ui.compose.conftest import activate, write_png
from tests.ui.dragdrop import drop_files


def _hash_named(tmp_path: Path, width: int, height: int) -> Path:
    """A frame as "Use this frame" keeps it: named by the 64 hex digits of its hash."""
    name = hashlib.sha256(f"{width}x{height}".encode()).hexdigest() + ".png"
    return write_png(tmp_path / name, width, height)


def _tops(panel: QWidget, widgets: list[QWidget]) -> list[tuple[int, int]]:
    return [(w.mapTo(panel, QPoint(0, 0)).x(), w.mapTo(panel, QPoint(0, 0)).y()) for w in widgets]


def _settled(qtbot, panel) -> None:  # type: ignore[no-untyped-def]
    """Layouts apply on the event loop: wait until positions stop changing."""
    probe = [panel.generate_bar.button, panel.video.quality_spin]
    last: list[object] = [None]

    def stable() -> bool:
        now = _tops(panel, probe)
        same = now == last[0]
        last[0] = now
        return same

    qtbot.waitUntil(stable, timeout=5000)


def test_a_hash_named_frame_never_widens_the_panel(qtbot, make_panel, tmp_path) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Veo 3.1 Fast")
    panel.resize(380, 700)
    activate(panel)
    _settled(qtbot, panel)
    scroll = panel.scroll_area
    widest = panel.minimumSizeHint().width()
    frame = _hash_named(tmp_path, 1280, 720)  # the video's shape: the caption is its name
    zone = panel.zones["first"]
    assert drop_files(zone, [frame])
    qtbot.waitUntil(lambda: "1280×720" in zone.message_text(), timeout=5000)
    _settled(qtbot, panel)
    content = scroll.widget()
    assert content.width() <= scroll.viewport().width()
    assert panel.minimumSizeHint().width() == widest
    for control in (panel.model_box, panel.video.quality_spin, panel.video.variations.buttons[-1]):
        right = control.mapTo(scroll.viewport(), QPoint(control.width(), 0)).x()
        assert right <= scroll.viewport().width(), control.accessibleName()
    # the caption names the file, cut in the middle, then its size; its lines fit its width
    caption = zone.message
    lines = caption.shown_lines()
    assert lines and lines[0].startswith(frame.name[:8]) and "…" in " ".join(lines)
    metrics = QFontMetrics(caption.font())
    assert all(metrics.horizontalAdvance(line) <= caption.width() for line in lines)
    assert not caption.is_cut()  # "hash….png · 1280×720" is whole, the full path in a tooltip


def test_a_short_panel_scrolls(qtbot, make_panel) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Veo 3.1 Fast")
    panel.resize(380, 420)
    activate(panel)
    bar = panel.scroll_area.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.isVisible(), timeout=5000)
    before = bar.value()
    header = panel.frames_header  # words, not a control: the wheel over it scrolls the form
    at = header.mapTo(panel, QPointF(header.rect().center()))
    QTest.wheelEvent(panel.windowHandle(), at, QPoint(0, -120))
    qtbot.waitUntil(lambda: bar.value() > before, timeout=5000)


def test_nothing_moves_when_warnings_and_frames_appear(qtbot, make_panel, tmp_path) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Veo 3.1 Fast")
    panel.prompt.set_text("a lighthouse in fog")
    activate(panel)
    video = panel.video
    watched: list[QWidget] = [
        panel.generate_bar.button,
        *video.size_picker.buttons,
        *video.duration.buttons,
        *video.variations.buttons,
        video.format_box,
        video.quality_spin,
    ]
    _settled(qtbot, panel)
    before = _tops(panel, watched)

    # a cropped frame: the "will be cropped" warning and the crop/pad choice appear
    square = write_png(tmp_path / "square.png", 800, 800, "orange")
    first = panel.zones["first"]
    assert drop_files(first, [square])
    qtbot.waitUntil(lambda: "cropped" in first.message_text(), timeout=5000)
    assert first.fit_box.isVisibleTo(panel)
    _settled(qtbot, panel)
    assert _tops(panel, watched) == before

    # a long-named frame in the other zone, and a refused file in the first
    last = panel.zones["last"]
    assert drop_files(last, [_hash_named(tmp_path, 1280, 720)])
    qtbot.waitUntil(lambda: "1280×720" in last.message_text(), timeout=5000)
    text = tmp_path / "notes.txt"
    text.write_text("not an image")
    drop_files(first, [text])
    qtbot.waitUntil(lambda: first.message.property("tone") == "error", timeout=5000)
    _settled(qtbot, panel)
    assert _tops(panel, watched) == before

    # the reason beside Generate appears (the prompt emptied by keys) and the budget below it
    prompt = panel.prompt.edit
    QTest.mouseClick(prompt, Qt.MouseButton.LeftButton)
    QTest.keyClick(prompt, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(prompt, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: panel.generate_bar.reason.isVisibleTo(panel), timeout=5000)
    panel.set_budget_state(
        "Today's budget of $10.00 is used up ($10.40 spent). Nothing more will be sent today "
        "unless you raise the daily budget in Settings."
    )
    _settled(qtbot, panel)
    assert _tops(panel, watched) == before

    # and removing everything again moves nothing either
    QTest.mouseClick(last.remove_button, Qt.MouseButton.LeftButton)
    QTest.mouseClick(first.remove_button, Qt.MouseButton.LeftButton)
    panel.set_budget_state(None)
    _settled(qtbot, panel)
    assert _tops(panel, watched) == before


def _accent_pixels(image: QImage, accent: QColor) -> int:
    """Pixels of the palette's highlight colour (or close to it)."""
    count = 0
    for y in range(image.height()):
        for x in range(image.width()):
            c = image.pixelColor(x, y)
            near = (
                abs(c.red() - accent.red())
                + abs(c.green() - accent.green())
                + abs(c.blue() - accent.blue())
            )
            count += near < 60
    return count


def test_the_chosen_toggle_is_plain_to_see(qtbot, make_panel) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Veo 3.1 Fast")
    activate(panel)
    duration = panel.video.duration
    four, six = duration.button_for(4.0), duration.button_for(6.0)
    QTest.mouseClick(four, Qt.MouseButton.LeftButton)
    assert four.isChecked() and not six.isChecked() and panel.values()["duration"] == 4
    QTest.mouseMove(panel.prompt.edit)  # no hover highlight on either
    accent = four.palette().color(QPalette.ColorRole.Highlight)
    chosen, other = four.grab().toImage(), six.grab().toImage()
    # the chosen one is outlined in the accent (a 2 px border all round), the other not at all
    assert _accent_pixels(chosen, accent) >= 2 * (chosen.width() + chosen.height())
    assert _accent_pixels(other, accent) == 0
    # and the same holds for the number of videos
    one, two = panel.video.variations.button_for(1), panel.video.variations.button_for(2)
    QTest.mouseClick(two, Qt.MouseButton.LeftButton)
    QTest.mouseMove(panel.prompt.edit)
    assert two.isChecked() and not one.isChecked()
    assert _accent_pixels(two.grab().toImage(), accent) >= 2 * (two.width() + two.height())
    assert _accent_pixels(one.grab().toImage(), accent) == 0


def test_the_drop_zone_keeps_its_words_whole_in_portrait(qtbot, make_panel) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Veo 3.1 Fast")
    activate(panel)
    portrait = next(
        b for b in panel.video.size_picker.buttons if b.video_size.height > b.video_size.width
    )
    QTest.mouseClick(portrait, Qt.MouseButton.LeftButton)
    assert panel.values()["height"] > panel.values()["width"]
    for zone in panel.zones.values():
        preview = zone.preview
        assert preview.target == (portrait.video_size.width, portrait.video_size.height)
        lines = preview.hint_lines()
        # every word whole, in order, and each line within the zone's face
        assert " ".join(lines).split() == preview.hint.split()
        metrics = QFontMetrics(preview.font())
        width = preview.hint_rect().width()
        assert all(metrics.horizontalAdvance(line) <= width for line in lines)
        assert preview.height() >= metrics.lineSpacing() * len(lines)
