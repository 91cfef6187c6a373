"""Prompt history search, tab order and mnemonics."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from gui.ui.compose.prompt_editor import matching_prompts
from tests.ui.compose.conftest import activate

HISTORY = ["a red fox in snow", "a blue whale", "Foxes at night, moonlight", "a red fox in snow"]


def test_matching_prompts_needs_every_word_and_drops_repeats() -> None:
    assert matching_prompts(HISTORY, "fox") == ["a red fox in snow", "Foxes at night, moonlight"]
    assert matching_prompts(HISTORY, "RED snow") == ["a red fox in snow"]
    assert matching_prompts(HISTORY, "") == HISTORY[:3]


def test_history_popup_filters_and_replaces_the_prompt_undoably(panel) -> None:  # type: ignore[no-untyped-def]
    activate(panel)
    panel.set_prompt_history(HISTORY)
    panel.focus_prompt()
    QTest.keyClicks(panel.prompt.edit, "my draft")
    QTest.keyClick(panel.prompt.edit, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    popup = panel.prompt.popup
    assert popup.isVisible()
    assert popup.shown_prompts() == HISTORY[:3]
    QTest.keyClicks(popup.filter, "fox")
    assert popup.shown_prompts() == ["a red fox in snow", "Foxes at night, moonlight"]
    QTest.keyClick(popup.filter, Qt.Key.Key_Down)
    QTest.keyClick(popup.filter, Qt.Key.Key_Return)
    assert not popup.isVisible()
    assert panel.prompt.text() == "Foxes at night, moonlight"
    panel.prompt.edit.undo()
    assert panel.prompt.text() == "my draft"


def test_history_button_opens_the_search_even_when_empty(panel) -> None:  # type: ignore[no-untyped-def]
    QTest.mouseClick(panel.prompt.history_button, Qt.MouseButton.LeftButton)
    assert panel.prompt.popup.isVisible()
    assert panel.prompt.popup.empty.text() == "No past prompts yet."
    panel.prompt.popup.close()


def test_tab_leaves_the_prompt_and_follows_the_form(make_panel) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Veo 3.1 Fast")
    activate(panel)
    panel.focus_prompt()
    QTest.keyClick(panel.prompt.edit, Qt.Key.Key_Tab)
    assert panel.prompt.text() == ""  # no tab character typed
    assert QApplication.focusWidget() is not panel.prompt.edit

    order = []
    widget = panel.model_box
    for _ in range(200):
        order.append(widget)
        widget = widget.nextInFocusChain()
        if widget is panel.model_box:
            break
    wanted = [
        panel.model_box,
        panel.prompt.edit,
        panel.zones["first"],
        panel.zones["last"],
        panel.video.size_picker.buttons[0],
        panel.video.duration.buttons[0],
        panel.video.format_box,
        panel.options.seed_random,
        panel.advanced.toggle,
        panel.generate_bar.button,
    ]
    positions = [order.index(w) for w in wanted]
    assert positions == sorted(positions)


def test_mnemonics_reach_the_fields(make_panel) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Sora 2")
    activate(panel)
    QTest.keyClick(panel, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is panel.prompt.edit
    QTest.keyClick(panel.prompt.edit, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is panel.model_box
    QTest.keyClick(panel.model_box, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is panel.video.duration.buttons[0]
