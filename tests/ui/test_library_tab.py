"""The Library tab (library, family, spending) and Compare, fed through their view-models."""

from __future__ import annotations

from pathlib import Path

from gui.app import Studio
from gui.studio.jobs import JobState
from gui.studio.journal import Journal
from tests.ui.jobfactory import make_job


def test_finished_jobs_reach_the_library_and_open_in_the_player(qtbot, studio: Studio) -> None:  # type: ignore[no-untyped-def]
    window, host = studio.window, studio.bindings.library_tab
    assert window.tabs.tabText(1) == "Library" and window.tabs.widget(1) is host
    assert window.tabs.tabText(2) == "Compare"
    compose = studio.compose
    compose.video.variations.button_for(2).click()
    compose.prompt.set_text("Two takes of a lighthouse beam sweeping fog")
    compose.generate_bar.button.click()
    qtbot.waitUntil(lambda: window.jobs_model.rowCount() == 1, timeout=15_000)
    job = window.jobs_model.job_at(0)
    qtbot.waitUntil(lambda: job.state.is_final, timeout=90_000)
    assert job.state is JobState.READY and len(job.ready_results) == 2

    window.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: host.view.select_result(job.id, 1), timeout=10_000)
    host.view.result_activated.emit(job.id, 1)
    assert window.tabs.currentIndex() == 0
    assert window.jobs_panel.current_job() is job
    assert window.player.result is job.results[1]
    assert window.player.variations.isVisible()

    studio.vms.library.compare([(job.id, 0), (job.id, 1)])
    compare = studio.bindings.compare
    assert window.tabs.currentWidget() is compare
    assert [i.index for i in compare.items] == [0, 1]

    host.show_family(job.id)
    assert host.side.currentWidget() is host.lineage
    qtbot.waitUntil(lambda: host.spending.jobs_model.rowCount() == 1, timeout=5000)
    host.view.favourite_toggled.emit(job.id, True)
    assert studio.session.get(job.id).favourite


def test_the_library_is_built_when_its_tab_is_first_shown(  # type: ignore[no-untyped-def]
    qtbot, make_studio, tmp_path: Path
) -> None:
    """Start-up does not wait for the library (benchmark P5: 10,000 jobs took ~0.3 s)."""
    data = tmp_path / "history"
    jobs = [make_job(JobState.READY) for _ in range(3)]
    with Journal.in_folder(data) as journal:
        journal.insert_jobs(jobs)
    studio = make_studio(data)
    window, host = studio.window, studio.bindings.library_tab
    assert window.tabs.currentIndex() == 0
    assert host.view.model.rowCount() == 0  # not built while the studio started
    window.tabs.setCurrentWidget(host)
    assert host.view.model.rowCount() == 3
    qtbot.waitUntil(lambda: host.spending.jobs_model.rowCount() == 3, timeout=5000)
