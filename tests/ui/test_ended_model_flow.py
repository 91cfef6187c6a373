"""From the window: a job on a model Runware refuses as gone fails in plain words, and the jobs
panel's Retry becomes "Try with <closest live model>": one click makes the same job there."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolButton

from gui.app import Studio
from gui.runware.catalog import default_catalog
from gui.studio.jobs import JobState
from tests.ui.conftest import sandbox_requests


def test_a_refused_model_is_tried_again_on_the_closest_live_one(qtbot, studio: Studio) -> None:  # type: ignore[no-untyped-def]
    ended = next(m for m in default_catalog() if not m.is_live())
    assert studio.session is not None and studio.session.backend.sandbox is not None
    studio.session.backend.sandbox.set_faults(
        {"faults": [], "protocol": {"refuse_deactivated": True}}
    )
    window, compose = studio.window, studio.compose
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    picker = compose.model_box
    QTest.mouseClick(picker, Qt.MouseButton.LeftButton, pos=picker.rect().center())
    qtbot.waitUntil(picker.popup.isVisible)
    QTest.keyClicks(picker.popup.filter_edit, ended.air)
    QTest.keyClick(picker.popup.filter_edit, Qt.Key.Key_Return)
    compose.focus_prompt()
    QTest.keyClicks(compose.prompt.edit, "A paper boat drifting down a rainy street")
    QTest.keyClick(compose.prompt.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    model = window.jobs_model
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=15_000)
    failed = model.job_at(0)
    assert failed is not None
    qtbot.waitUntil(lambda: failed.state.is_final, timeout=15_000)
    assert failed.state is JobState.FAILED and ended.name in (failed.error_message or "")

    panel = window.jobs_panel
    panel.select_job(failed.id)
    button = next(
        b for b in panel.findChildren(QToolButton) if b.defaultAction() is panel.retry_action
    )
    qtbot.waitUntil(lambda: panel.retry_action.text().startswith("Try with "), timeout=5000)
    other = panel.retry_action.text().removeprefix("Try with ")
    assert other in (failed.error_message or "")
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=15_000)
    retried = model.job_at(0)
    assert retried is not None and retried.lineage.parent_job_id == failed.id
    assert default_catalog()[retried.spec.model].name == other
    qtbot.waitUntil(lambda: retried.state.is_final, timeout=60_000)
    assert retried.state is JobState.READY, retried.error_message
    sent = [t["taskUUID"] for t in sandbox_requests(studio, "videoInference")]
    assert sent == [failed.task_uuid, retried.task_uuid]
