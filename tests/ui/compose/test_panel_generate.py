"""Generate: enabled only for a valid request, says why not, and answers Ctrl+Enter."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.ui.compose.conftest import activate


def test_one_character_is_too_short_two_are_enough(panel) -> None:  # type: ignore[no-untyped-def]
    bar = panel.generate_bar
    assert not bar.button.isEnabled()
    assert bar.reason.text() == "Describe the video you want in the prompt."
    QTest.keyClicks(panel.prompt.edit, "a")
    assert not bar.button.isEnabled()
    assert bar.reason.isVisibleTo(panel)
    assert bar.reason.text() == "The prompt must be 2 to 6000 characters; it has 1."
    assert panel.spec() is None and panel.problems()[0].parameter == "positivePrompt"
    QTest.keyClicks(panel.prompt.edit, "b")
    assert bar.button.isEnabled()
    assert not bar.reason.isVisibleTo(panel)
    assert panel.spec() is not None and panel.problems() == []


def test_character_count_turns_red_beyond_the_limit(panel) -> None:  # type: ignore[no-untyped-def]
    panel.prompt.set_text("x" * 6000)
    assert panel.prompt.count_text() == "6000 / 6000"
    assert not panel.prompt.over_limit() and "d93636" not in panel.prompt.count.styleSheet()
    assert panel.generate_bar.button.isEnabled()
    QTest.keyClicks(panel.prompt.edit, "y")
    assert panel.prompt.count_text() == "6001 / 6000"
    assert panel.prompt.over_limit() and "d93636" in panel.prompt.count.styleSheet()
    assert not panel.generate_bar.button.isEnabled()


def test_ctrl_enter_emits_the_spec_with_the_chosen_size_and_duration(qtbot, make_panel) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Sora 2")
    activate(panel)
    panel.video.size_picker.button_for("720×1280").click()
    panel.video.duration.button_for(12.0).click()
    panel.focus_prompt()
    QTest.keyClicks(panel.prompt.edit, "a lighthouse at dusk")
    with qtbot.waitSignal(panel.generate_requested, timeout=1000) as blocker:
        QTest.keyClick(panel.prompt.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    spec = blocker.args[0]
    assert (spec.width, spec.height, spec.duration) == (720, 1280, 12.0)
    assert spec.prompt == "a lighthouse at dusk"  # Ctrl+Return added no newline
    with qtbot.waitSignal(panel.generate_requested, timeout=1000):
        QTest.keyClick(
            panel.video.format_box,
            Qt.Key.Key_Enter,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.KeypadModifier,
        )
    with qtbot.waitSignal(panel.generate_requested, timeout=1000):
        panel.generate_bar.button.click()


def test_invalid_request_emits_nothing(qtbot, panel) -> None:  # type: ignore[no-untyped-def]
    activate(panel)
    panel.focus_prompt()
    QTest.keyClicks(panel.prompt.edit, "x")
    with qtbot.assertNotEmitted(panel.generate_requested):
        QTest.keyClick(panel.prompt.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is panel.prompt.edit  # sent back to what needs fixing


def test_bad_url_in_advanced_disables_generate_and_is_named_beside_the_field(make_panel) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Sora 2")
    panel.prompt.set_text("a quiet forest")
    assert panel.generate_bar.button.isEnabled()
    assert not panel.advanced.body.isVisibleTo(panel)  # collapsed at first
    panel.advanced.toggle.click()
    assert panel.advanced.body.isVisibleTo(panel)
    QTest.keyClicks(panel.advanced.webhook, "hooks.example.com/sora")
    error = panel.advanced.errors["webhook"]
    assert error.isVisibleTo(panel) and "https://" in error.text()
    assert not panel.generate_bar.button.isEnabled()
    assert panel.generate_bar.reason.text().startswith("Webhook URL:")
    panel.advanced.toggle.click()  # collapsed, it still says something needs fixing
    assert "1 to fix" in panel.advanced.toggle.text()
    panel.advanced.webhook.setText("https://hooks.example.com/sora")
    assert not error.isVisibleTo(panel)
    assert panel.generate_bar.button.isEnabled()
    QTest.keyClicks(panel.advanced.ttl, "30")
    assert panel.generate_bar.reason.text() == "TTL: Results must be kept at least 60 seconds."
    QTest.keyClicks(panel.advanced.ttl, "0")
    spec = panel.spec()
    assert spec is not None and spec.ttl == 300
    assert spec.webhook_url == "https://hooks.example.com/sora"


def test_safety_mode_is_sent_only_when_chosen(make_panel) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Sora 2 Pro")
    panel.prompt.set_text("snowfall")
    assert panel.spec().safety_mode is None
    box = panel.advanced.safety
    box.setCurrentIndex(box.findData("full"))
    assert panel.spec().safety_mode == "full"


def test_budget_text_is_shown_near_the_button(panel) -> None:  # type: ignore[no-untyped-def]
    assert not panel.generate_bar.budget.isVisibleTo(panel)
    panel.set_budget_state("Today $3.20 of $10.00")
    assert panel.generate_bar.budget.isVisibleTo(panel)
    assert panel.generate_bar.budget.text() == "Today $3.20 of $10.00"
    panel.set_budget_state(None)
    assert not panel.generate_bar.budget.isVisibleTo(panel)


def test_prompt_undo_and_redo_are_the_editors_own(panel) -> None:  # type: ignore[no-untyped-def]
    panel.focus_prompt()
    QTest.keyClicks(panel.prompt.edit, "first words")
    panel.prompt.set_text("replaced by history", undoable=True)
    QTest.keyClick(panel.prompt.edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert panel.prompt.text() == "first words"
    QTest.keyClick(
        panel.prompt.edit,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert panel.prompt.text() == "replaced by history"
    assert "sound" in panel.prompt.edit.placeholderText()
    assert "camera" in panel.prompt.edit.placeholderText()
