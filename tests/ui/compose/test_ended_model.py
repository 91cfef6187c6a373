"""A model Runware has ended: with a real key, Generate first says so under the button, and
only a second press sends; on the sandbox it sends at once."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from gui.runware.catalog import Catalog
from tests.ui.compose.conftest import activate, choose_model


def test_an_ended_model_asks_once_with_a_real_key(qtbot, make_panel, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    ended = next(m for m in catalog if not m.is_live())
    panel = make_panel()
    panel.set_real_backend(True)
    choose_model(panel, ended)
    panel.prompt.set_text("a kite over the dunes")
    activate(panel)
    sent = []
    panel.generate_requested.connect(sent.append)
    button = panel.generate_bar.button
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    assert sent == []
    assert ended.name in panel.generate_bar.reason.text()
    assert "again" in panel.generate_bar.reason.text()
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    assert len(sent) == 1 and sent[0].model == ended.air


def test_the_sandbox_sends_an_ended_model_at_once(qtbot, make_panel, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    ended = next(m for m in catalog if not m.is_live())
    panel = make_panel()
    choose_model(panel, ended)
    panel.prompt.set_text("a kite over the dunes")
    activate(panel)
    sent = []
    panel.generate_requested.connect(sent.append)
    QTest.mouseClick(panel.generate_bar.button, Qt.MouseButton.LeftButton)
    assert len(sent) == 1


def test_a_live_model_never_asks(qtbot, make_panel, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel()
    panel.set_real_backend(True)
    choose_model(panel, catalog.default)
    panel.prompt.set_text("a kite over the dunes")
    activate(panel)
    sent = []
    panel.generate_requested.connect(sent.append)
    QTest.mouseClick(panel.generate_bar.button, Qt.MouseButton.LeftButton)
    assert len(sent) == 1
