"""The library grid: search, filters, sorting, the star, dragging out, export, the one preview."""

from __future__ import annotations

import json
import time

from PySide6.QtCore import QItemSelectionModel, QPoint, Qt, QUrl
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtTest import QTest

from gui.studio.jobs import JobState
from gui.ui.library.items import SortOrder
from gui.ui.library.library_delegate import LibraryDelegate
from gui.ui.library.library_model import RESULTS_MIME_TYPE

WORDS = [
    "harbour",
    "lantern",
    "meadow",
    "glacier",
    "canyon",
    "orchard",
    "comet",
    "violin",
    "ember",
    "tide",
]


def shown_ids(view) -> list[str]:
    return [i.job_id for i in view.model.items()]


def test_search_finds_one_job_among_ten_thousand(library_view, make_job, journal, qtbot):
    jobs = [
        make_job(f"{WORDS[n % 10]} {WORDS[(n * 7) % 10]} scene number {n}", created_at=n)
        for n in range(10_000)
    ]
    needle = jobs[4321]
    needle.spec = needle.spec.model_copy(update={"prompt": "a zeppelin above the harbour"})
    journal.insert_jobs(jobs)
    calls: list[str] = []

    def search(text: str) -> list[str]:
        calls.append(text)
        return journal.search(text, limit=len(jobs))

    view = library_view(jobs, search=search)
    assert view.model.rowCount() == 10_000

    QTest.keyClicks(view.search_box, "zeppelin")
    assert view.model.rowCount() == 10_000  # typing does not search on every key
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=2000)
    assert shown_ids(view) == [needle.id]
    assert calls == ["zeppelin"]  # debounced: one search for the whole word
    assert view.count_label.text() == "1 of 10000 results"

    view.set_search_text("harbour")  # a common word: every tenth job, and the needle
    qtbot.waitUntil(lambda: view.model.rowCount() != 1, timeout=2000)
    assert len(shown_ids(view)) == 1001 and needle.id in shown_ids(view)

    view.search_box.clear()
    qtbot.waitUntil(lambda: view.model.rowCount() == 10_000, timeout=2000)


def test_search_by_a_word_prefix(library_view, make_job, journal, qtbot):
    jobs = [make_job(p) for p in ("red kite over dunes", "kitesurfer at dawn", "a quiet forest")]
    journal.insert_jobs(jobs)
    view = library_view(jobs, search=journal.search)
    view.set_search_text("kite")
    qtbot.waitUntil(lambda: view.model.rowCount() == 2, timeout=2000)
    assert set(shown_ids(view)) == {jobs[0].id, jobs[1].id}


def test_search_falls_back_to_plain_words_when_the_index_fails(library_view, make_job):
    jobs = [make_job("red kite"), make_job("blue whale")]

    def broken(query: str) -> list[str]:
        raise RuntimeError("database is locked")

    view = library_view(jobs, search=broken)
    view.set_search_text("whale")
    view.search_now()
    assert shown_ids(view) == [jobs[1].id]


def test_favourites_filter_and_the_star(library_view, make_job, qtbot, clips):
    jobs = [make_job(f"clip {n}", video=clips.mp4, favourite=n in (1, 3)) for n in range(5)]
    view = library_view(jobs)
    assert view.model.rowCount() == 5

    view.filters.favourites_button.click()
    assert sorted(shown_ids(view)) == sorted([jobs[1].id, jobs[3].id])
    assert view.count_label.text() == "2 of 5 results"

    view.filters.favourites_button.click()  # all again; star the first card by clicking it
    first = view.model.index(0, 0)
    card = view.grid.visualRect(first).adjusted(2, 2, -2, -2)
    star = LibraryDelegate.star_rect(card).center()
    item = view.model.item(0)
    assert not item.favourite
    with qtbot.waitSignal(view.favourite_toggled) as got:
        QTest.mouseClick(view.grid.viewport(), Qt.MouseButton.LeftButton, pos=star)
    assert got.args == [item.job_id, True]
    assert view.grid.selectedIndexes() == []  # the star is a button, not a selection

    view.filters.favourites_button.click()
    assert item.job_id in shown_ids(view) and len(shown_ids(view)) == 3
    with qtbot.waitSignal(view.favourite_toggled) as got:
        assert view.toggle_favourite(jobs[1].id) is False
    assert got.args == [jobs[1].id, False]
    assert sorted(shown_ids(view)) == sorted([item.job_id, jobs[3].id])


def test_filters_by_model_state_and_date(library_view, make_job, model_airs):
    now = time.time()
    a = make_job("old sora", model=model_airs[0], created_at=now - 40 * 86400)
    b = make_job("new veo", model=model_airs[-1], created_at=now - 60)
    c = make_job("failed", model=model_airs[0], state=JobState.FAILED, created_at=now - 120)
    d = make_job("running", model=model_airs[-1], state=JobState.PROCESSING, created_at=now - 30)
    view = library_view([a, b, c, d])
    f = view.filters

    f.model_filter.setCurrentIndex(f.model_filter.findData(model_airs[0]))
    assert sorted(shown_ids(view)) == sorted([a.id, c.id])
    f.model_filter.setCurrentIndex(0)

    f.status_filter.setCurrentIndex(f.status_filter.findText("Failed"))
    assert shown_ids(view) == [c.id]
    f.status_filter.setCurrentIndex(f.status_filter.findText("In progress"))
    assert shown_ids(view) == [d.id]
    f.status_filter.setCurrentIndex(f.status_filter.findText("Ready"))
    assert shown_ids(view) == [b.id, a.id]
    f.status_filter.setCurrentIndex(0)

    f.date_filter.setCurrentIndex(f.date_filter.findText("Past 30 days"))
    assert shown_ids(view) == [d.id, b.id, c.id]


def test_sorting(library_view, make_job):
    a = make_job("a", created_at=100, cost=3.0, duration=4)
    b = make_job("b", created_at=300, cost=1.0, duration=12)
    c = make_job("c", created_at=200, cost=2.0, duration=8)
    view = library_view([a, b, c])
    assert shown_ids(view) == [b.id, c.id, a.id]
    orders = {
        SortOrder.OLDEST: [a.id, c.id, b.id],
        SortOrder.COST: [a.id, c.id, b.id],
        SortOrder.DURATION: [b.id, c.id, a.id],
        SortOrder.NEWEST: [b.id, c.id, a.id],
    }
    for order, expected in orders.items():
        view.filters.sort_box.setCurrentIndex(view.filters.sort_box.findData(order))
        assert shown_ids(view) == expected, order


def test_dragging_a_result_out_carries_its_file_url(library_view, make_job, clips):
    ready = make_job("harbour", video=clips.mp4_b)  # a space in its file name
    pending = make_job("still going", state=JobState.PROCESSING)
    view = library_view([ready, pending])
    assert view.select_result(ready.id, 0)
    mime = view.grid.mimeData(view.grid.selectedIndexes())
    assert mime.urls() == [QUrl.fromLocalFile(str(clips.mp4_b))]
    assert mime.urls()[0].toLocalFile() == str(clips.mp4_b)
    assert json.loads(bytes(mime.data(RESULTS_MIME_TYPE)).decode()) == [[ready.id, 0]]

    view.grid.startDrag(Qt.DropAction.CopyAction)  # offscreen, QDrag.exec returns at once

    pending_index = view.model.index_of((pending.id, 0))
    assert not pending_index.flags() & Qt.ItemFlag.ItemIsDragEnabled
    assert view.grid.mimeData([pending_index]).urls() == []


def test_selection_survives_a_new_job_arriving(library_view, make_job, clips):
    jobs = [make_job(f"clip {n}", video=clips.mp4) for n in range(3)]
    view = library_view(jobs)
    view.select_result(jobs[1].id)
    newcomer = make_job("brand new", video=clips.webm, created_at=time.time() + 10)
    view.update_job(newcomer)
    assert shown_ids(view)[0] == newcomer.id
    assert view.selected_results() == [(jobs[1].id, 0)]


def test_compare_signal_needs_two_to_four_finished_results(library_view, make_job, clips):
    jobs = [make_job(f"clip {n}", video=clips.mp4) for n in range(5)]
    view = library_view(jobs)
    selection = view.grid.selectionModel()
    for row in (0, 2):
        selection.select(view.model.index(row, 0), QItemSelectionModel.SelectionFlag.Select)
    assert view.compare_action.isEnabled()
    received = []
    view.compare_requested.connect(received.append)
    view.compare_action.trigger()
    assert received == [[(jobs[4].id, 0), (jobs[2].id, 0)]]
    for row in range(5):
        selection.select(view.model.index(row, 0), QItemSelectionModel.SelectionFlag.Select)
    assert not view.compare_action.isEnabled()


def test_one_shared_player_follows_hover_and_selection(library_view, make_job, clips, qtbot):
    jobs = [make_job(f"clip {n}", video=v) for n, v in enumerate([clips.mp4, clips.webm])]
    view = library_view(jobs)
    assert len(view.findChildren(QMediaPlayer)) == 1

    view.select_result(jobs[0].id)
    key0 = (jobs[0].id, 0)
    qtbot.waitUntil(lambda: view.preview.frame(key0) is not None, timeout=5000)
    assert view.preview.player.source() == QUrl.fromLocalFile(str(clips.mp4))

    second = view.grid.visualRect(view.model.index_of((jobs[1].id, 0))).center()
    QTest.mouseMove(view.grid.viewport(), second)
    key1 = (jobs[1].id, 0)
    qtbot.waitUntil(lambda: view.preview.frame(key1) is not None, timeout=5000)
    assert view.preview.player.source() == QUrl.fromLocalFile(str(clips.webm))
    assert view.preview.frame(key0) is None  # the first card went back to its thumbnail
    assert len(view.findChildren(QMediaPlayer)) == 1

    QTest.mouseMove(view.grid.viewport(), QPoint(view.grid.viewport().width() - 2, 600))
    view.hide()
    assert view.preview.key is None


def test_export_writes_the_video_and_its_sidecar(library_view, make_job, clips, tmp_path, qloop):
    job = make_job("a red kite over dunes", video=clips.mp4, cost=0.8)
    view = library_view([job])
    view.select_result(job.id)
    written = qloop.run_until_complete(view.export_selected(tmp_path / "out"))
    video, sidecar = written
    assert video.read_bytes() == clips.mp4.read_bytes()
    assert video.name.startswith("a-red-kite-over-dunes-") and video.suffix == ".mp4"
    facts = json.loads(sidecar.read_text())
    assert facts["jobId"] == job.id and facts["prompt"] == job.spec.prompt
    again = qloop.run_until_complete(view.export_selected(tmp_path / "out"))
    assert again[0] != video and again[0].exists()  # never overwrites an earlier export


def test_export_goes_through_the_studio_library(library_view, make_job, clips, tmp_path, qloop):
    from gui.studio.library import Library

    library = Library(tmp_path / "data")
    job = make_job("kite", video=clips.mp4)
    result = job.results[0]
    stored = library.video_path(result.video_uuid)
    stored.write_bytes(clips.mp4.read_bytes())
    result.local_path = str(stored)
    library.write_sidecar(result.video_uuid, {"positivePrompt": "kite"}, {"cost": 1.2})

    def export(job_id, index, folder):  # what the window wires: the library's coroutine
        assert job_id == job.id
        return library.export(job.results[index], folder)

    view = library_view([job], export=export)
    view.select_result(job.id)
    exported = []
    view.exported.connect(exported.append)
    written = qloop.run_until_complete(view.export_selected(tmp_path / "out"))
    assert [p.name for p in written] == [stored.name, stored.with_suffix(".json").name]
    assert written[0].read_bytes() == clips.mp4.read_bytes()
    assert json.loads(written[1].read_text())["request"] == {"positivePrompt": "kite"}
    assert exported == [[str(p) for p in written]]


def test_double_click_opens_a_result_once(library_view, make_job, clips, qtbot):
    job = make_job("kite", video=clips.mp4)
    view = library_view([job])
    opened = []
    view.result_activated.connect(lambda *args: opened.append(args))
    centre = view.grid.visualRect(view.model.index(0, 0)).center()
    viewport = view.grid.viewport()
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=centre)  # a real double-click
    QTest.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=centre)  # starts with a click
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=centre)
    assert opened == [(job.id, 0)]


def test_a_job_finishing_updates_its_card_in_place(library_view, make_job, clips, qtbot):
    running = make_job("almost there", state=JobState.PROCESSING, created_at=time.time())
    others = [make_job(f"clip {n}", video=clips.mp4) for n in range(3)]
    view = library_view([running, *others])
    view.select_result(running.id)
    resets = []
    view.model.modelReset.connect(lambda: resets.append(1))

    done = make_job(
        "almost there", video=clips.mp4, job_id=running.id, created_at=running.created_at
    )
    view.update_job(done)
    assert resets == []  # same place, same filters: repainted, not rebuilt
    assert view.model.item(0).playable and view.selected_results() == [(running.id, 0)]

    view.filters.status_filter.setCurrentIndex(view.filters.status_filter.findText("Ready"))
    failed = make_job("almost there", state=JobState.FAILED, job_id=running.id)
    failed.created_at = running.created_at
    view.update_job(failed)
    assert running.id not in shown_ids(view) and len(shown_ids(view)) == 3


def test_the_grid_looks_right(library_view, make_job, clips, qtbot, model_airs):
    jobs = [
        make_job(
            "A red kite over golden dunes at sunset, wide shot", video=clips.mp4, favourite=True
        ),
        make_job("Harbour at dawn, fishing boats drift", video=clips.mp4_b, results=2),
        make_job("Forest path in fog", video=clips.webm, model=model_airs[-1]),
        make_job("Neon city rain", state=JobState.PROCESSING, created_at=time.time()),
        make_job("Close-up of a cat", state=JobState.FAILED),
    ]
    view = library_view(jobs, size=(1000, 520))
    loader = view.thumbnails
    qtbot.waitUntil(lambda: len(loader.memory) == 3 and loader.pending() == 0, timeout=5000)
    view.grid.viewport().repaint()
    shot = view.grab()
    assert shot.save("/tmp/sora-studio-library.png")
    image = shot.toImage()
    for job in jobs[:3]:
        rect = view.grid.visualRect(view.model.index_of((job.id, 0)))
        centre = view.grid.viewport().mapTo(view, rect.center() - QPoint(0, 30))
        assert image.pixelColor(centre).name() != "#1c1c20", job.spec.prompt  # a picture
    assert view.count_label.text() == "6 results"


def test_a_new_job_matching_the_search_appears(library_view, make_job, journal, qtbot):
    first = make_job("a kite at noon")
    journal.insert_jobs([first])
    view = library_view([first], search=journal.search)
    view.set_search_text("kite")
    view.search_now()
    assert shown_ids(view) == [first.id]
    newcomer = make_job("another kite at dusk", created_at=time.time() + 5)
    journal.insert_jobs([newcomer])
    view.update_job(newcomer)
    qtbot.waitUntil(lambda: shown_ids(view) == [newcomer.id, first.id], timeout=2000)
