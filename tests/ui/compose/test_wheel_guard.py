"""The wheel scrolls the compose panel; it changes a control only while that control has focus
(issue 17, item 6: scrolling took quality from 95 to 83 unnoticed).

Real wheel events (``QTest.wheelEvent`` goes through the window system, as a mouse's does) over
every spin box, slider and combo box the panel shows, including those built for a model's own
options, which are rebuilt when the model changes.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollBar,
    QWidget,
)

from tests.ui.compose.conftest import activate, write_png
from tests.ui.dragdrop import drop_files


def _value(control: QWidget) -> object:
    if isinstance(control, QAbstractSpinBox | QAbstractSlider):
        return control.value()  # type: ignore[union-attr]
    assert isinstance(control, QComboBox)
    return control.currentIndex()


def _value_controls(panel: QWidget) -> list[QWidget]:
    """Every shown, enabled control a wheel turn would change (scroll bars scroll)."""
    content = panel.scroll_area.widget()
    kinds = (QAbstractSpinBox, QAbstractSlider, QComboBox)
    return [
        w
        for w in content.findChildren(QWidget)
        if isinstance(w, kinds)
        and not isinstance(w, QScrollBar)
        and w.isVisibleTo(panel)
        and w.isEnabled()
    ]


def _into_view(qtbot, panel, control: QWidget) -> QPointF:  # type: ignore[no-untyped-def]
    """Scroll ``control`` into view; where its middle is, in the window, checked to be on it."""
    scroll = panel.scroll_area
    scroll.ensureWidgetVisible(control, 10, 40)
    centre = QPointF(control.rect().center())
    viewport = scroll.viewport()
    qtbot.waitUntil(
        lambda: viewport.rect().contains(control.mapTo(viewport, centre).toPoint()), timeout=5000
    )
    at = control.mapTo(panel, centre)
    under = panel.childAt(at.toPoint())
    assert under is control or control.isAncestorOf(under), control.accessibleName()
    return at


def _wheel_over(qtbot, panel, control: QWidget, delta: int) -> None:  # type: ignore[no-untyped-def]
    """One notch of a mouse wheel over the middle of ``control`` (negative: towards the user)."""
    at = _into_view(qtbot, panel, control)
    QTest.wheelEvent(panel.windowHandle(), at, QPoint(0, delta))


@pytest.mark.parametrize("model", ["Veo 3.1 Fast", "PixVerse V5"])
def test_the_wheel_scrolls_past_unfocused_controls(qtbot, make_panel, tmp_path, model) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel(model)
    panel.resize(380, 520)
    activate(panel)
    if "first" in panel.zones and panel.zones["first"].isVisibleTo(panel):
        # a square frame on a wide video: its crop/pad choice shows
        zone = panel.zones["first"]
        drop_files(zone, [write_png(tmp_path / "square.png", 800, 800)])
        qtbot.waitUntil(lambda: zone.fit_box.isVisibleTo(panel), timeout=5000)
    panel.advanced.set_expanded(True)
    controls = _value_controls(panel)
    names = {c.accessibleName() for c in controls}
    assert {"Model", "Output quality", "Output quality value", "Output format"} <= names
    if model == "PixVerse V5":  # its own options, built for it when it was chosen
        assert len([c for c in controls if c in panel.options.setting_widgets.values()]) >= 2
    bar = panel.scroll_area.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=5000)

    for control in controls:
        QTest.mouseClick(panel.prompt.edit, Qt.MouseButton.LeftButton)  # focus elsewhere
        qtbot.waitUntil(panel.prompt.edit.hasFocus, timeout=5000)
        _into_view(qtbot, panel, control)
        value, position = _value(control), bar.value()
        delta = -120 if position < bar.maximum() else 120  # down, unless already at the end
        _wheel_over(qtbot, panel, control, delta)
        qtbot.waitUntil(lambda p=position, d=delta: (bar.value() - p) * d < 0, timeout=5000)
        assert _value(control) == value, f"the wheel changed {control.accessibleName()!r}"
        assert not control.hasFocus(), f"the wheel gave {control.accessibleName()!r} focus"


def test_a_focused_control_still_turns_with_the_wheel(qtbot, make_panel) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Veo 3.1 Fast")
    panel.resize(380, 520)
    activate(panel)
    spin = panel.video.quality_spin
    _into_view(qtbot, panel, spin)
    QTest.mouseClick(spin.lineEdit(), Qt.MouseButton.LeftButton)  # a click gives it focus
    qtbot.waitUntil(spin.hasFocus, timeout=5000)
    before, position = spin.value(), panel.scroll_area.verticalScrollBar().value()
    _wheel_over(qtbot, panel, spin, -120)
    qtbot.waitUntil(lambda: spin.value() == before - 1, timeout=5000)
    assert panel.values()["output_quality"] == before - 1
    assert panel.scroll_area.verticalScrollBar().value() == position

    box = panel.video.format_box
    _into_view(qtbot, panel, box)
    for _ in range(2):  # back by keyboard: quality value → quality slider → format
        QTest.keyClick(
            QApplication.focusWidget(), Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier
        )
    qtbot.waitUntil(box.hasFocus, timeout=5000)
    index = box.currentIndex()
    _wheel_over(qtbot, panel, box, -120)
    qtbot.waitUntil(lambda: box.currentIndex() == index + 1, timeout=5000)
