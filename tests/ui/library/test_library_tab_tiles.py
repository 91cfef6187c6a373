"""The Library tab as a user meets it (issue 17, item 13): a clicked tile shows its family with
room for the thumbnails, cards fill the width as it changes, failed and cancelled jobs show a
clear placeholder with the reason, and saving a preset says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QHelpEvent, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip

from gui.studio.jobs import JobState
from gui.studio.journal import Journal
from gui.ui.library.library_delegate import MIN_CARD_WIDTH, LibraryDelegate
from gui.ui.lineage.lineage_view import ICON


@pytest.fixture
def library(qtbot, make_studio, make_job, clips, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A studio whose journal holds a remix family, a stranger, a failed and a cancelled job;
    its Library tab is open."""
    root = make_job("a red kite over the dunes", video=clips.mp4, job_id="kite-root")
    child = make_job("the kite dives to the sand", video=clips.mp4_b, parent=root, job_id="kite-2")
    stranger = make_job("an unrelated forest", video=clips.mp4, job_id="forest")
    failed = make_job("a storm over the harbour", state=JobState.SUBMITTED, job_id="storm")
    failed.fail("timeoutProvider", "The external provider did not respond in time.")
    cancelled = make_job("a fox in the snow", state=JobState.SUBMITTED, job_id="fox")
    cancelled.cancel()
    data = tmp_path / "history"
    with Journal.in_folder(data) as journal:
        journal.insert_jobs([root, child, stranger, failed, cancelled])
    studio = make_studio(data)
    host = studio.bindings.library_tab
    studio.window.tabs.setCurrentWidget(host)
    qtbot.waitUntil(lambda: host.view.model.rowCount() == 5, timeout=10_000)
    return studio, host


def tile_rect(host, job_id: str):  # type: ignore[no-untyped-def]
    index = host.view.model.index_of((job_id, 0))
    assert index.isValid(), job_id
    host.view.grid.scrollTo(index)
    return host.view.grid.visualRect(index)


def click_tile(host, job_id: str) -> None:  # type: ignore[no-untyped-def]
    card = tile_rect(host, job_id)
    spot = QPoint(card.left() + 30, card.bottom() - 20)  # the prompt, away from the star
    QTest.mouseClick(host.view.grid.viewport(), Qt.MouseButton.LeftButton, pos=spot)


def test_clicking_a_tile_shows_its_family_with_room_for_the_thumbnails(qtbot, library) -> None:  # type: ignore[no-untyped-def]
    _studio, host = library
    lineage = host.lineage
    assert lineage.family is None

    click_tile(host, "kite-2")
    qtbot.waitUntil(
        lambda: lineage.family is not None and lineage.family.focus == "kite-2", timeout=5000
    )
    assert lineage.shown_tree() == (("kite-root", "Original", (("kite-2", "Remix", ()),)),)
    assert host.side.currentWidget() is lineage
    # the Result column shows the child's whole thumbnail and some of its words
    tree = lineage.tree
    child_row = tree.visualRect(lineage.index_of("kite-2"))
    assert tree.columnWidth(0) >= 2 * tree.indentation() + ICON.width() + 100
    assert child_row.width() >= ICON.width() + 100

    click_tile(host, "forest")  # another tile: its own family
    qtbot.waitUntil(lambda: getattr(lineage.family, "focus", None) == "forest", timeout=5000)
    assert lineage.shown_tree() == (("forest", "Original", ()),)

    # a row of the family selects its tile, and the family stays the same tree
    row = tree.visualRect(lineage.index_of("forest"))
    QTest.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=row.center())
    assert [i.job_id for i in host.view.selected_items()] == ["forest"]


def test_cards_fill_the_row_as_the_library_widens(qtbot, library) -> None:  # type: ignore[no-untyped-def]
    _studio, host = library
    grid, splitter = host.view.grid, host.splitter

    def first_row() -> list:  # type: ignore[type-arg]
        rects = [grid.visualRect(host.view.model.index(r, 0)) for r in range(5)]
        top = min(r.top() for r in rects)
        return sorted((r for r in rects if r.top() == top), key=lambda r: r.left())

    def check_filled() -> None:
        row = first_row()
        # the room for cards, the scroll bar's place kept whether it shows or not
        bar = grid.verticalScrollBar().sizeHint().width()
        room = grid.width() - 2 * grid.frameWidth() - bar
        # as many columns as cards of the least width fit, and the last one reaches the edge
        assert all(r.width() >= MIN_CARD_WIDTH for r in row)
        if len(row) < 5:
            assert (len(row) + 1) * (MIN_CARD_WIDTH + 6) > room
            assert row[-1].right() >= room - 12
        else:
            assert len(row) * (MIN_CARD_WIDTH + 6) <= room

    qtbot.waitUntil(lambda: grid.viewport().width() > 0, timeout=5000)
    check_filled()
    before = len(first_row())

    # the user drags the splitter's handle to the right: the library widens, cards follow
    handle = splitter.handle(1)
    start = QPoint(handle.width() // 2, handle.height() // 2)
    QTest.mousePress(handle, Qt.MouseButton.LeftButton, pos=start)
    QTest.mouseMove(handle, start + QPoint(300, 0))
    QTest.mouseRelease(handle, Qt.MouseButton.LeftButton, pos=start + QPoint(300, 0))
    qtbot.waitUntil(lambda: len(first_row()) > before or len(first_row()) == 5, timeout=5000)
    check_filled()


@pytest.mark.parametrize(("job_id", "word"), [("storm", "Failed"), ("fox", "Cancelled")])
def test_failed_and_cancelled_jobs_show_a_placeholder_and_the_reason(  # type: ignore[no-untyped-def]
    qtbot, library, job_id: str, word: str
) -> None:
    studio, host = library
    grid = host.view.grid
    card = tile_rect(host, job_id)
    # not a black box: the picture's area is lit
    picture = LibraryDelegate.thumb_rect(card.adjusted(2, 2, -2, -2))
    image: QImage = grid.viewport().grab(picture).toImage()
    light = [
        QImage.pixelColor(image, x, y).lightness()
        for x in range(0, image.width(), 4)
        for y in range(0, image.height(), 4)
    ]
    assert sum(light) / len(light) > 55

    # hovering the card tells why
    spot = card.center()
    event = QHelpEvent(QEvent.Type.ToolTip, spot, grid.viewport().mapToGlobal(spot))
    QApplication.sendEvent(grid.viewport(), event)
    qtbot.waitUntil(QToolTip.isVisible, timeout=5000)
    reason = studio.session.get(job_id).error_message
    assert reason and f"{word}: {reason}" in QToolTip.text()
    QToolTip.hideText()
    item = host.view.model.item(host.view.model.row_of((job_id, 0)))
    assert item.state_word == word  # the word painted on the placeholder


def test_saving_a_preset_says_so_in_the_status_bar(qtbot, studio) -> None:  # type: ignore[no-untyped-def]
    window = studio.window
    presets = studio.compose.presets
    name_edit = presets.combo.lineEdit()
    QTest.mouseClick(name_edit, Qt.MouseButton.LeftButton)
    QTest.keyClicks(name_edit, "Night harbour")
    QTest.mouseClick(presets.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.status.currentMessage() == "Preset 'Night harbour' saved", timeout=5000
    )
    assert "Night harbour" in presets.names()


@pytest.fixture
def board_library(qtbot, make_studio, make_job, clips, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Two takes of a storyboard's shots in the journal (its board "Rain at the quay"), a
    remix made from shot 2's take, and an unrelated job; the Library tab is open."""
    from gui.studio.board_store import BoardStore

    first = make_job("a keeper climbs the stairs", video=clips.mp4, job_id="take-1")
    second = make_job("the lamp turns on", video=clips.mp4_b, job_id="take-2")
    remix = make_job("the lamp flickers", video=clips.mp4, parent=second, job_id="remix")
    other = make_job("an unrelated forest", video=clips.mp4, job_id="forest")
    data = tmp_path / "history"
    with Journal.in_folder(data) as journal:
        journal.insert_jobs([first, second, remix, other])
        path = journal.path
    with BoardStore(path) as store:
        shots = [("s1", {"prompt": first.spec.prompt}), ("s2", {"prompt": "the lamp turns on"})]
        store.save_board("b1", "Rain at the quay", {"version": 1}, None, shots)
        store.choose(store.add_take("b1", "s1", "take-1").id)
        store.choose(store.add_take("b1", "s2", "take-2").id)
    studio = make_studio(data)
    host = studio.bindings.library_tab
    studio.window.tabs.setCurrentWidget(host)
    qtbot.waitUntil(lambda: host.view.model.rowCount() == 4, timeout=10_000)
    return studio, host


def shown(host) -> set[str]:  # type: ignore[no-untyped-def]
    return {host.view.model.item(r).job_id for r in range(host.view.model.rowCount())}


def test_searching_a_boards_name_finds_its_shots_and_says_which_shot(qtbot, board_library) -> None:  # type: ignore[no-untyped-def]
    _studio, host = board_library
    box = host.view.search_box
    QTest.mouseClick(box, Qt.MouseButton.LeftButton)
    QTest.keyClicks(box, "quay rain")  # the board's name, words in any order
    qtbot.waitUntil(lambda: shown(host) == {"take-1", "take-2"}, timeout=5000)

    # the tile says which board and shot it is a take of
    card = tile_rect(host, "take-2")
    event = QHelpEvent(QEvent.Type.ToolTip, card.center(), card.center())
    QApplication.sendEvent(host.view.grid.viewport(), event)
    qtbot.waitUntil(QToolTip.isVisible, timeout=5000)
    assert "Storyboard: Rain at the quay · shot 2" in QToolTip.text()
    QToolTip.hideText()

    box.selectAll()
    QTest.keyClicks(box, "lamp turns")  # a shot's prompt finds its take too
    qtbot.waitUntil(lambda: "take-2" in shown(host) and "take-1" not in shown(host), timeout=5000)


def test_a_takes_family_shows_its_board_and_shot(qtbot, board_library) -> None:  # type: ignore[no-untyped-def]
    _studio, host = board_library
    lineage = host.lineage
    click_tile(host, "remix")  # made from shot 2's take: its family shows the take's board
    qtbot.waitUntil(lambda: getattr(lineage.family, "focus", None) == "remix", timeout=5000)
    column = list(lineage.model.horizontalHeaderItem(c).text() for c in range(6)).index(
        "Storyboard"
    )
    take_row = lineage.index_of("take-2")
    assert take_row.siblingAtColumn(column).data() == "Rain at the quay · shot 2"
    assert lineage.index_of("remix").siblingAtColumn(column).data() == "—"

    click_tile(host, "take-1")
    qtbot.waitUntil(lambda: getattr(lineage.family, "focus", None) == "take-1", timeout=5000)
    assert "On storyboard Rain at the quay · shot 1." in lineage.title.text()
