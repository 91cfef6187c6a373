"""The jobs panel: keys, buttons, context-menu actions, confirmation, and what they do in the studio."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from gui.app import Studio
from gui.studio.jobs import JobState
from gui.ui.jobs.delegate import ROW_HEIGHT
from gui.ui.jobs.model import JobRole
from gui.ui.jobs.proxy import StateFilter
from tests.ui.jobfactory import make_job, make_jobs_panel
from tests.ui.settle import settle


def test_actions_follow_the_selected_jobs_state(qtbot) -> None:  # type: ignore[no-untyped-def]
    ready, running, failed = (
        make_job(JobState.READY),
        make_job(JobState.PROCESSING),
        make_job(JobState.FAILED),
    )
    panel = make_jobs_panel(qtbot, [ready, running, failed])
    assert panel.current_job() is None and not panel.delete_action.isEnabled()
    panel.select_job(ready.id)
    assert panel.play_action.isEnabled() and panel.remix_action.isEnabled()
    assert panel.reveal_action.isEnabled() and panel.copy_video_id_action.isEnabled()
    assert not panel.cancel_action.isEnabled() and panel.retry_action.isEnabled()
    panel.select_job(running.id)
    assert panel.cancel_action.isEnabled()
    assert not panel.retry_action.isEnabled() and not panel.remix_action.isEnabled()
    panel.select_job(failed.id)
    assert panel.retry_action.isEnabled() and not panel.play_action.isEnabled()


def test_keyboard_navigation_enter_plays_delete_confirms(qtbot) -> None:  # type: ignore[no-untyped-def]
    jobs = [make_job(JobState.READY) for _ in range(3)]
    panel = make_jobs_panel(qtbot, jobs)
    view = panel.view
    view.setFocus()
    panel.select_job(jobs[2].id)  # newest: the top row
    QTest.keyClick(view, Qt.Key.Key_Down)
    assert panel.current_job() is jobs[1]
    with qtbot.waitSignal(panel.play_requested, timeout=1000) as played:
        QTest.keyClick(view, Qt.Key.Key_Return)
    assert played.args == [jobs[1].id]

    asked: list[str] = []
    panel.confirm = lambda _parent, text: asked.append(text) or False
    with qtbot.assertNotEmitted(panel.delete_requested):
        QTest.keyClick(view, Qt.Key.Key_Delete)
    assert len(asked) == 1 and jobs[1].spec.prompt[:20] in asked[0]
    panel.confirm = lambda _parent, _text: True
    with qtbot.waitSignal(panel.delete_requested, timeout=1000) as deleted:
        QTest.keyClick(view, Qt.Key.Key_Delete)
    assert deleted.args == [jobs[1].id]


def test_copy_video_id_and_request_json(qtbot) -> None:  # type: ignore[no-untyped-def]
    job = make_job(JobState.READY)
    panel = make_jobs_panel(qtbot, [job])
    panel.select_job(job.id)
    panel.copy_video_id_action.trigger()
    assert QGuiApplication.clipboard().text() == job.results[0].video_id
    panel.copy_request_action.trigger()
    request = json.loads(QGuiApplication.clipboard().text())
    assert request["taskUUID"] == job.task_uuid and request["positivePrompt"] == job.spec.prompt
    assert "apiKey" not in json.dumps(request)


def test_filter_buttons_and_search(qtbot) -> None:  # type: ignore[no-untyped-def]
    jobs = [make_job(JobState.READY, prompt="Harbour fog"), make_job(JobState.FAILED)]
    panel = make_jobs_panel(qtbot, jobs)
    panel.filter_buttons.button(3).click()  # Failed
    assert panel.proxy.state_filter is StateFilter.FAILED and panel.proxy.rowCount() == 1
    panel.filter_buttons.button(0).click()
    QTest.keyClicks(panel.search, "harbour")
    assert panel.proxy.rowCount() == 1
    assert panel.proxy.index(0, 0).data(JobRole.JOB_ID) == jobs[0].id


def test_cancel_delete_and_reveal_in_the_studio(qtbot, make_studio, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    studio: Studio = make_studio(processing_seconds=30)
    opened: list[str] = []
    studio.open_url = lambda url: opened.append(url.toLocalFile())
    compose, window = studio.compose, studio.window
    compose.prompt.set_text("A glacier calving into the sea")
    compose.generate_bar.button.click()
    qtbot.waitUntil(lambda: window.jobs_model.rowCount() == 1, timeout=15_000)
    job = window.jobs_model.job_at(0)
    qtbot.waitUntil(lambda: job.state in (JobState.SUBMITTED, JobState.PROCESSING), timeout=20_000)
    panel = window.jobs_panel
    assert panel.current_job() is job
    assert (
        window.jobs_model.index_of(job.id)
        .data(JobRole.STATE_TEXT)
        .startswith(("Submitted", "Generating"))
    )
    panel.cancel_action.trigger()
    qtbot.waitUntil(lambda: job.state is JobState.CANCELLED, timeout=10_000)
    assert "may still be billed" in window.jobs_model.index_of(job.id).data(JobRole.ERROR_TEXT)
    # the player hears of the change through the studio's signal, which may arrive a turn later
    qtbot.waitUntil(lambda: "may still be billed" in window.player.empty_body.text(), timeout=5_000)

    # a finished job: reveal opens its folder; delete asks, then removes job and files
    studio.session.backend.sandbox.set_faults({"faults": []})
    panel.retry_action.trigger()
    qtbot.waitUntil(lambda: window.jobs_model.rowCount() == 2, timeout=15_000)
    retry = window.jobs_model.job_at(0)
    assert retry.lineage.kind == "retry" and retry.lineage.parent_job_id == job.id
    assert panel.current_job() is retry
    panel.cancel_action.trigger()
    qtbot.waitUntil(lambda: retry.state.is_final, timeout=10_000)

    panel.select_job(job.id)
    panel.confirm = lambda _parent, _text: True
    panel.delete_action.trigger()
    qtbot.waitUntil(lambda: window.jobs_model.row_of(job.id) == -1, timeout=10_000)
    assert all(j.id != job.id for j in studio.session.jobs())
    window.open_library_action.trigger()
    assert opened == [str(studio.session.library_root)]


class _PaintSpy(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.rects: list[QRect] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.rects.append(event.rect())  # type: ignore[attr-defined]
        return False


def test_a_changed_row_repaints_only_that_row(qtbot) -> None:  # type: ignore[no-untyped-def]
    jobs = [make_job(JobState.DOWNLOADING) for _ in range(20)]
    panel = make_jobs_panel(qtbot, jobs)
    spy = _PaintSpy()
    viewport = panel.view.viewport()
    viewport.installEventFilter(spy)
    qtbot.waitExposed(panel)
    # the first paint of the whole list is done: a paint of the whole viewport was seen, and
    # then event-loop passes in a row bring no more paints (no update or layout still pending)
    qtbot.waitUntil(lambda: any(r.contains(viewport.rect()) for r in spy.rects), timeout=10_000)
    settle(lambda: len(spy.rects))
    spy.rects.clear()
    panel._model.set_progress(jobs[-1].id, 30, 100)  # the newest job: the top row
    qtbot.waitUntil(lambda: bool(spy.rects), timeout=2000)
    assert all(rect.height() <= ROW_HEIGHT for rect in spy.rects), spy.rects  # not all rows
    assert panel.view.model().index(0, 0).data(JobRole.PROGRESS) == 0.3
