"""The jobs list model: roles, O(1) lookups, row-level updates, filters, and 10,000 rows."""

from __future__ import annotations

import copy

import pytest
from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem

from gui.runware.catalog import default_catalog
from gui.studio.jobs import JobState
from gui.ui.jobs.delegate import JobDelegate
from gui.ui.jobs.model import JobListModel, JobRole
from gui.ui.jobs.panel import JobsPanel, request_json
from gui.ui.jobs.proxy import JobFilterProxy, StateFilter
from tests.ui.jobfactory import make_job


@pytest.fixture
def model(qapp):  # type: ignore[no-untyped-def]
    m = JobListModel(default_catalog(), clock=lambda: 1_700_000_000 + 100_000)
    yield m
    m.deleteLater()


def test_newest_first_and_lookup(model: JobListModel) -> None:
    jobs = [make_job() for _ in range(3)]
    for job in jobs:
        model.add_job(job)
    assert model.rowCount() == 3
    assert model.index(0, 0).data(JobRole.JOB_ID) == jobs[2].id
    assert [model.row_of(j.id) for j in jobs] == [2, 1, 0]
    assert model.row_of("nope") == -1
    assert model.job(jobs[0].id) is jobs[0]


def test_roles_carry_what_the_row_shows(model: JobListModel) -> None:
    ready = make_job(JobState.READY, prompt="A red kite over the dunes", number_results=2)
    failed = make_job(JobState.FAILED)
    cancelled = make_job(JobState.CANCELLED)
    queued = make_job(JobState.QUEUED)
    for job in (ready, failed, cancelled, queued):
        model.add_job(job)
    catalog = default_catalog()
    spec = catalog[ready.spec.model]

    def role(job, r):  # type: ignore[no-untyped-def]
        return model.index_of(job.id).data(r)

    assert role(ready, JobRole.PROMPT) == "A red kite over the dunes"
    assert role(ready, Qt.ItemDataRole.DisplayRole) == "A red kite over the dunes"
    assert role(ready, JobRole.MODEL_NAME) == spec.name
    assert role(ready, JobRole.SIZE_TEXT) == f"{spec.default_size.width}×{spec.default_size.height}"
    assert role(ready, JobRole.DURATION_TEXT) == f"{int(spec.durations[0])} s"
    assert role(ready, JobRole.STATE) == JobState.READY
    assert role(ready, JobRole.STATE_TEXT) == "Ready"
    assert role(ready, JobRole.COST_TEXT) == "$0.80"  # actual: two results at 0.40
    assert role(ready, JobRole.RESULT_COUNT) == 2
    assert role(ready, JobRole.READY_COUNT) == 2
    assert role(ready, JobRole.VIDEO_IDS) == ["video_abc_0", "video_abc_1"]
    assert role(ready, JobRole.IS_RUNNING) is False

    assert role(failed, JobRole.ERROR_TEXT).startswith("timeoutProvider: The external provider")
    assert "may still be billed" in role(cancelled, JobRole.ERROR_TEXT)
    assert role(queued, JobRole.ERROR_TEXT) == ""
    assert role(queued, JobRole.IS_RUNNING) is True
    # estimate before the job finishes, with the catalogue's price
    estimate = queued.spec.estimate(catalog)
    assert estimate is not None
    assert role(queued, JobRole.COST_TEXT) == f"~${float(estimate):.2f}"
    # running jobs show their elapsed time
    elapsed = 100_000 - (queued.created_at - 1_700_000_000)
    assert role(queued, JobRole.STATE_TEXT).startswith("Queued ")
    assert role(queued, JobRole.STATE_TEXT).endswith(
        f"{(elapsed % 3600) // 60:02d}:{elapsed % 60:02d}"
    )
    names = model.roleNames()
    assert names[int(JobRole.COST_TEXT)] == b"cost_text"


def test_price_unknown_when_catalogue_has_none(model: JobListModel) -> None:
    unpriced = next((m for m in default_catalog() if not m.price_known), None)
    job = make_job(JobState.QUEUED)
    if unpriced is not None:
        job = make_job(
            JobState.QUEUED,
            model=unpriced.air,
            width=unpriced.default_size.width,
            height=unpriced.default_size.height,
            duration=unpriced.durations[0],
        )
    else:  # every shipped model has a price: a job without an estimate still says so
        job.spec = job.spec.model_copy(update={"model": "unknown:model"})
    model.add_job(job)
    assert model.index_of(job.id).data(JobRole.COST_TEXT) == "price unknown"


def test_a_change_emits_datachanged_for_its_row_only(model: JobListModel, qtbot) -> None:  # type: ignore[no-untyped-def]
    jobs = [make_job(JobState.SUBMITTED) for _ in range(5)]
    model.set_jobs(jobs)
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    changed: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda a, b, _r: changed.append((a.row(), b.row())))
    target = copy.deepcopy(jobs[1])
    target.fail("providerError", "boom")
    model.update_job(target)
    assert changed == [(model.row_of(target.id), model.row_of(target.id))]
    assert resets == []
    assert model.index_of(target.id).data(JobRole.STATE) == JobState.FAILED


def test_tick_repaints_only_running_rows(model: JobListModel) -> None:
    running = make_job(JobState.PROCESSING)
    done = make_job(JobState.READY)
    model.set_jobs([running, done])
    rows: list[int] = []
    model.dataChanged.connect(lambda a, _b, roles: rows.append(a.row()))
    model.tick_running()
    assert rows == [model.row_of(running.id)]
    assert model._ticker.isActive()
    finished = copy.deepcopy(running)
    finished.fail("x", "y")
    model.update_job(finished)
    assert not model._ticker.isActive()


def test_tick_signals_adjacent_running_rows_at_once(model: JobListModel) -> None:
    older = [make_job(JobState.READY) for _ in range(3)]
    running = [make_job(JobState.PROCESSING) for _ in range(200)]
    model.set_jobs([*older, *running, make_job(JobState.READY), make_job(JobState.DOWNLOADING)])
    spans: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda a, b, _roles: spans.append((a.row(), b.row())))
    model.tick_running()
    assert spans == [(0, 0), (2, 201)]  # the newest (downloading), then the 200: two signals


def test_remove_keeps_lookup_right(model: JobListModel) -> None:
    jobs = [make_job() for _ in range(6)]
    model.set_jobs(jobs)
    model.remove_job(jobs[2].id)
    assert model.rowCount() == 5
    for job in jobs[:2] + jobs[3:]:
        assert model.index(model.row_of(job.id), 0).data(JobRole.JOB_ID) == job.id
    assert model.row_of(jobs[2].id) == -1


def test_download_progress_shows_in_state_text(model: JobListModel) -> None:
    job = make_job(JobState.DOWNLOADING)
    model.add_job(job)
    model.set_progress(job.id, 50, 200)
    assert model.index_of(job.id).data(JobRole.PROGRESS) == 0.25
    assert model.index_of(job.id).data(JobRole.STATE_TEXT).endswith("25%")


def test_download_progress_repaints_once_per_whole_percent(model: JobListModel) -> None:
    job = make_job(JobState.DOWNLOADING)
    model.add_job(job)
    changes: list[object] = []
    model.dataChanged.connect(lambda *args: changes.append(args))
    total = 50 * 1024 * 1024
    for done in range(0, total + 1, 64 * 1024):  # one report per chunk, as a download sends
        model.set_progress(job.id, done, total)
    assert len(changes) == 101  # 0 %, 1 %, … 100 %: not 801 repaints
    assert model.index_of(job.id).data(JobRole.PROGRESS) == 1.0


def test_filter_by_state_and_text(model: JobListModel) -> None:
    jobs = {
        "ready": make_job(JobState.READY, prompt="Morning fog over a harbour"),
        "failed": make_job(JobState.FAILED, prompt="A neon city at night"),
        "cancelled": make_job(JobState.CANCELLED, prompt="Harbour seals"),
        "running": make_job(JobState.PROCESSING, prompt="Fog in a forest"),
    }
    model.set_jobs(list(jobs.values()))
    proxy = JobFilterProxy()
    proxy.setSourceModel(model)

    def shown() -> set[str]:
        return {proxy.index(r, 0).data(JobRole.JOB_ID) for r in range(proxy.rowCount())}

    ids = {k: j.id for k, j in jobs.items()}
    assert shown() == set(ids.values())
    proxy.set_state_filter(StateFilter.RUNNING)
    assert shown() == {ids["running"]}
    proxy.set_state_filter(StateFilter.READY)
    assert shown() == {ids["ready"]}
    proxy.set_state_filter(StateFilter.FAILED)
    assert shown() == {ids["failed"], ids["cancelled"]}
    proxy.set_state_filter(StateFilter.ALL)
    proxy.set_text_filter("HARBOUR")
    assert shown() == {ids["ready"], ids["cancelled"]}
    proxy.set_text_filter("fog harbour")
    assert shown() == {ids["ready"]}
    proxy.set_text_filter("video_abc_0")  # a videoId finds its job
    assert shown() == {ids["ready"]}
    # a running job that finishes leaves the Running filter on its own
    proxy.set_text_filter("")
    proxy.set_state_filter(StateFilter.RUNNING)
    done = copy.deepcopy(jobs["running"])
    done.fail("providerError", "boom")
    model.update_job(done)
    assert shown() == set()


def test_ten_thousand_jobs(model: JobListModel, qtbot) -> None:  # type: ignore[no-untyped-def]
    states = [JobState.READY, JobState.FAILED, JobState.PROCESSING, JobState.CANCELLED]
    jobs = [make_job(states[i % 4], prompt=f"Job {i} a boat on a lake") for i in range(10_000)]
    model.set_jobs(jobs)
    assert model.rowCount() == 10_000
    # lookups are right at both ends and in the middle
    for i in (0, 4_999, 9_999):
        assert model.index(model.row_of(jobs[i].id), 0).data(JobRole.JOB_ID) == jobs[i].id
    assert model.index(0, 0).data(JobRole.JOB_ID) == jobs[-1].id
    # one change touches one row
    changed: list[int] = []
    model.dataChanged.connect(lambda a, _b, _r: changed.append(a.row()))
    target = copy.deepcopy(jobs[5_002])  # PROCESSING
    target.fail("providerError", "boom")
    model.update_job(target)
    assert changed == [model.row_of(target.id)]
    assert model.index_of(target.id).data(JobRole.STATE) == JobState.FAILED
    changed.clear()
    model.tick_running()
    assert len(changed) == 2_499  # 2,500 were processing, one just failed
    # the panel's view paints the visible rows through the delegate
    panel = JobsPanel(model, default_catalog())
    qtbot.addWidget(panel)
    panel.resize(420, 800)
    panel.show()
    assert panel.view.uniformItemSizes()
    panel.set_state_filter(StateFilter.FAILED)
    assert panel.proxy.rowCount() == 2_500 * 2 + 1  # failed + cancelled + the one just failed
    panel.set_state_filter(StateFilter.ALL)
    image = panel.view.viewport().grab().toImage()
    assert not image.isNull()
    # rows on screen were painted: the view's first row is where the delegate drew
    first = panel.view.visualRect(panel.proxy.index(0, 0))
    assert first.height() == 78 and first.top() == 0
    colours = {image.pixel(x, first.center().y()) for x in range(0, image.width(), 3)}
    assert len(colours) > 3


def test_delegate_paints_every_state(model: JobListModel, qapp) -> None:  # type: ignore[no-untyped-def]
    for state in JobState:
        model.add_job(make_job(state))
    delegate = JobDelegate(model, JobsPanel(model, default_catalog()).thumbnails)
    image = QImage(420, 78, QImage.Format.Format_ARGB32)
    for row in range(model.rowCount()):
        image.fill(0xFFFFFFFF)
        painter = QPainter(image)
        option = QStyleOptionViewItem()
        option.rect = image.rect()
        option.palette = QApplication.palette()
        option.font = QApplication.font()
        delegate.paint(painter, option, model.index(row, 0))
        painter.end()
        assert len({image.pixel(x, y) for x in range(0, 420, 4) for y in range(0, 78, 4)}) > 4
    assert delegate.sizeHint(QStyleOptionViewItem(), QModelIndex()).height() == 78


def test_request_json_never_carries_the_key() -> None:
    job = make_job(JobState.READY)
    text = request_json(job)
    assert f'"taskUUID": "{job.task_uuid}"' in text
    assert "apiKey" not in text and "authentication" not in text


def test_a_burst_of_queued_jobs_is_inserted_as_one_block(qtbot) -> None:  # type: ignore[no-untyped-def]
    """200 jobs submitted at once: one rowsInserted (one layout, one repaint), not 200."""
    model = JobListModel(default_catalog())
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    jobs = [make_job(prompt=f"burst {n}") for n in range(200)]
    for job in jobs:
        model.queue_job(job)
    assert model.rowCount() == 0  # nothing yet: they go in at the next turn of the loop
    qtbot.waitUntil(lambda: model.rowCount() == 200)
    assert inserted == [(0, 199)]
    assert model.job_at(0) is jobs[-1] and model.row_of(jobs[0].id) == 199  # newest first


def test_a_block_of_a_burst_goes_in_a_breath_apart_from_the_slices(qtbot) -> None:  # type: ignore[no-untyped-def]
    """With the GUI thread's budget, a block of new rows (which makes the list repaint whole)
    waits for a breath after the last piece of bursty work, and holds the budget meanwhile:
    no piece starts between; the next one waits a breath after the block."""
    import time

    from gui.studio.pacing import BREATH_SECONDS, TurnBudget

    budget = TurnBudget()
    model = JobListModel(default_catalog())
    model.pace_with(budget)
    inserted: list[float] = []
    model.rowsInserted.connect(lambda *_: inserted.append(time.perf_counter()))
    before = time.perf_counter()
    budget.run(lambda: None, lambda end: QTimer.singleShot(0, end))  # a piece, just now
    for n in range(30):
        model.queue_job(make_job(prompt=f"burst {n}"))
    qtbot.waitUntil(lambda: model.rowCount() == 30, timeout=10_000)
    assert len(inserted) == 1 and inserted[0] - before >= BREATH_SECONDS
    assert budget.apart_ended >= inserted[0]  # released after the block: a breath follows


def test_a_lookup_inserts_the_queue_first() -> None:
    model = JobListModel(default_catalog())
    first, second = make_job(prompt="one"), make_job(prompt="two")
    model.queue_job(first)
    model.queue_job(second)
    assert model.row_of(second.id) == 0 and model.row_of(first.id) == 1
    model.queue_job(make_job(prompt="three"))
    model.remove_job(second.id)
    model.flush_queued()
    assert [model.job_at(r).spec.prompt for r in range(model.rowCount())] == ["three", "one"]


def test_a_row_shows_its_job_as_changed_after_update(model: JobListModel) -> None:
    """The texts that change only with the job are kept between paints; a change of the job
    (announced through update_job) shows at once: state, cost, error, results."""
    from tests.ui.jobfactory import advance

    job = make_job(JobState.QUEUED, prompt="A heron   lifting  off")
    model.add_job(job)
    before = model.row(job)
    assert before.prompt == "A heron lifting off"
    assert before.error_text == "" and before.state is JobState.QUEUED
    assert model.row(job) == before  # nothing changed: the same row
    advance(job, JobState.READY)
    model.update_job(job)
    after = model.row(job)
    assert after.state is JobState.READY and after.state_text == "Ready"
    assert after.cost_text != before.cost_text or after.thumbnail_path != before.thumbnail_path
    failed = make_job(JobState.QUEUED)
    model.add_job(failed)
    assert model.row(failed).error_text == ""
    advance(failed, JobState.FAILED)
    model.update_job(failed)
    assert model.row(failed).error_text  # the error appears with the change


def test_jobs_arriving_turn_after_turn_go_in_as_spaced_blocks(qtbot) -> None:  # type: ignore[no-untyped-def]
    """A burst reaches the list over many turns (the engine paces it): the list takes them in
    blocks at most every INSERT_SPACING, each block one layout and one repaint, instead of a
    repaint at every turn. The first job after a quiet spell goes in at the next turn."""
    import itertools
    import time

    from PySide6.QtCore import QTimer

    from gui.ui.jobs.model import INSERT_SPACING

    model = JobListModel(default_catalog())
    inserted: list[float] = []
    model.rowsInserted.connect(lambda *_: inserted.append(time.monotonic()))
    jobs = iter([make_job(prompt=f"paced {n}") for n in range(120)])
    feeder = QTimer()
    feeder.setInterval(0)

    def feed() -> None:  # one job a turn
        job = next(jobs, None)
        if job is None:
            feeder.stop()
        else:
            model.queue_job(job)

    feeder.timeout.connect(feed)
    started = time.monotonic()
    feeder.start()
    qtbot.waitUntil(lambda: model.rowCount() == 120, timeout=20_000)
    elapsed = time.monotonic() - started
    gaps = [b - a for a, b in itertools.pairwise(inserted)]
    assert all(gap >= INSERT_SPACING * 0.9 for gap in gaps), gaps  # Qt timers may fire ~early
    assert len(inserted) <= elapsed / INSERT_SPACING + 1
    model.queue_job(make_job(prompt="later, alone"))
    qtbot.waitUntil(lambda: model.rowCount() == 121, timeout=10_000)
