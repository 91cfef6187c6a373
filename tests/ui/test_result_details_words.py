"""Details name a job's source in words, not ids, and the remix action says what it does
(issue 17, item 9: "remix of d0a46820"; "Remix / extend…" that offered no extend)."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from gui.runware.catalog import default_catalog
from gui.studio.jobs import Job, JobState, Lineage, prompt_excerpt
from gui.ui.details.result_details import ResultDetails
from gui.ui.jobs.model import JobListModel
from gui.ui.jobs.panel import JobsPanel
from tests.ui.jobfactory import make_job


def _details(qtbot, jobs: list[Job]) -> ResultDetails:  # type: ignore[no-untyped-def]
    by_id = {j.id: j for j in jobs}
    details = ResultDetails(default_catalog(), find_job=by_id.get)
    qtbot.addWidget(details)
    details.resize(700, 240)
    details.show()
    return details


def test_a_remix_is_named_by_its_sources_prompt(qtbot) -> None:  # type: ignore[no-untyped-def]
    parent = make_job(JobState.READY, prompt="A paper kite over the dunes at first light, wind")
    child = make_job(JobState.READY, prompt="the same kite at night")
    child.lineage = Lineage(parent_job_id=parent.id, kind="remix", source_video_id="video_abc")
    details = _details(qtbot, [parent, child])
    details.show_result(child, child.results[0])  # as the player announces a selection
    words = details.params_label.text()
    assert f"remix of “{prompt_excerpt(parent.spec.prompt)}”" in words
    assert parent.id[:8] not in words and parent.id not in words

    follow = make_job(JobState.READY)
    follow.lineage = dataclasses.replace(child.lineage, kind="lastFrame")
    details.show_result(follow, follow.results[0])
    assert "continued from the last frame of “A paper kite" in details.params_label.text()


def test_a_source_no_longer_in_the_library_is_an_earlier_job(qtbot) -> None:  # type: ignore[no-untyped-def]
    child = make_job(JobState.READY)
    child.lineage = Lineage(parent_job_id="d0a46820-0000-4000-8000-000000000000", kind="retry")
    details = _details(qtbot, [child])
    details.show_result(child, child.results[0])
    assert "retry of an earlier job" in details.params_label.text()
    assert "d0a46820" not in details.params_label.text()


def test_the_remix_action_promises_no_extension(qtbot) -> None:  # type: ignore[no-untyped-def]
    job = make_job(JobState.READY)
    details = _details(qtbot, [job])
    details.show_result(job, job.results[0])
    button = details.remix_button
    assert "extend" not in button.text().lower() and "remix" in button.text().lower()
    assert "videoId" in button.toolTip() and "not offered" in button.toolTip()
    asked: list[object] = []
    details.remix_requested.connect(lambda j, r: asked.append((j, r)))
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    assert asked == [(job, job.results[0])]

    model = JobListModel(default_catalog())
    model.set_jobs([job])
    panel = JobsPanel(model, default_catalog())
    qtbot.addWidget(panel)
    assert panel.remix_action.text() == button.text()
    assert panel.remix_action.toolTip() == button.toolTip()
