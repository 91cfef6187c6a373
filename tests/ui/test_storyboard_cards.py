"""A shot card's own first-frame image: chosen in a file dialog (answered by a function the test
puts on the strip, as for the confirm dialogs) or dropped on the card as a file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QImage,
)
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from gui.app import Studio
from gui.ui.storyboard.storyboard_view import StoryboardView
from gui.ui.viewmodels.storyboard import StoryboardViewModel
from tests.ui.conftest import await_in_qt
from tests.ui.dragdrop import drop_files
from tests.ui.test_storyboard import LEFT, choose, type_into


def a_png(path: Path, colour: str) -> Path:
    image = QImage(1280, 720, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    assert image.save(str(path))
    return path


def open_board_with_two_shots(qtbot: Any, studio: Studio) -> tuple[StoryboardView, Any]:
    window = studio.window
    view: StoryboardView = studio.bindings.storyboard
    bar = window.tabs.tabBar()
    qtbot.mouseClick(bar, LEFT, pos=bar.tabRect(window.tabs.indexOf(view)).center())
    for _ in range(2):
        qtbot.mouseClick(view.strip.add_button, LEFT)
    # laid out and shown (a layout shows a new child on the next turn of the loop)
    qtbot.waitUntil(
        lambda: len(view.strip.cards) == 2 and all(c.isVisible() for c in view.strip.cards)
    )
    return view, studio.bindings.storyboard_vm


def test_the_image_link_asks_for_a_file_and_a_dropped_image_becomes_the_first_frame(
    qtbot: Any, studio: Studio, tmp_path: Path
) -> None:
    view, vm = open_board_with_two_shots(qtbot, studio)
    vm: StoryboardViewModel  # type: ignore[no-redef]
    strip = view.strip
    second = strip.cards[1]
    asked: list[QWidget] = []
    dawn = a_png(tmp_path / "dawn.png", "#d08040")

    # choosing "Image" in the link list opens the file dialog; its answer is the first frame
    strip.pick_file = lambda parent: asked.append(parent) or dawn  # type: ignore[func-returns-value]
    choose(qtbot, second.link, "image")
    assert asked == [second]
    shot = vm.current.shots[1]
    assert (shot.link, shot.image) == ("image", str(dawn.resolve()))
    assert second.image_button.text() == "dawn.png"
    assert studio.session is not None
    studio.session.check_board(vm.current)  # a usable first frame, nothing refused

    # cancelling the dialog leaves the link as it was
    first = strip.cards[0]
    strip.pick_file = lambda parent: asked.append(parent)
    first.link.setFocus()
    qtbot.keyClick(first.link, Qt.Key.Key_Down)  # the first shot: "Image" is next
    assert asked[-1] is first
    assert vm.current.shots[0].link == "none"
    assert first.link.currentData() == "none"

    assert not first.image_button.isVisible()  # no image link, no file to show

    # the card's button (the image's name) opens the dialog again to change it
    dusk = a_png(tmp_path / "dusk.png", "#4050a0")
    strip.pick_file = lambda parent: dusk
    assert second.image_button.isVisible()
    qtbot.mouseClick(second.image_button, LEFT)
    assert (vm.current.shots[1].link, vm.current.shots[1].image) == ("image", str(dusk.resolve()))
    assert second.image_button.text() == "dusk.png"

    # an image file dropped on a card without an image link gives it one
    assert drop_files(first, [dusk])
    assert (vm.current.shots[0].link, vm.current.shots[0].image) == ("image", str(dusk.resolve()))

    # an image file dropped on a card replaces its first frame; other files are not taken
    noon = a_png(tmp_path / "noon.png", "#e0e0a0")
    assert drop_files(second, [noon])
    assert vm.current.shots[1].image == str(noon.resolve())
    assert second.image_button.text() == "noon.png"
    notes = tmp_path / "notes.txt"
    notes.write_text("not an image")
    assert not drop_files(second, [notes])
    assert vm.current.shots[1].image == str(noon.resolve())


def test_the_open_board_its_scroll_and_selection_come_back_after_a_restart(
    qtbot: Any, make_studio: Any, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    studio = make_studio(data)
    view, vm = open_board_with_two_shots(qtbot, studio)
    strip = view.strip
    for _ in range(5):
        qtbot.mouseClick(strip.add_button, LEFT)
    qtbot.waitUntil(lambda: len(strip.cards) == 7)
    type_into(qtbot, view.name, "Harbour at night")
    assert vm.current.name == "Harbour at night"
    bar = strip.horizontalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=5000)  # wider than the window

    # the user scrolls (a click in the scroll bar's groove) and clicks card 4's picture
    QTest.mouseClick(bar, LEFT, pos=QPoint(bar.width() * 3 // 4, bar.height() // 2))
    qtbot.waitUntil(lambda: bar.value() > 0, timeout=5000)
    card = next(c for c in strip.cards if c.index == 3)
    visible = strip.viewport().rect().translated(bar.value(), 0)
    assert visible.intersects(card.geometry())
    QTest.mouseClick(card.thumbnail, LEFT)
    assert strip.selected == 3 and card.selected
    scroll = bar.value()
    remembered = data / "storyboard-view.json"
    qtbot.waitUntil(
        lambda: (
            remembered.exists()
            and json.loads(remembered.read_text())
            == {
                "board": vm.current.id,
                "scroll": scroll,
                "selected": 3,
            }
        ),
        timeout=10_000,
    )
    board_id, prompts = vm.current.id, [s.prompt for s in vm.current.shots]

    # a new start on the same data: the same board, scrolled and selected as it was
    await_in_qt(qtbot, studio.stop(), timeout=30_000)
    again = make_studio(data)
    view2: StoryboardView = again.bindings.storyboard
    vm2: StoryboardViewModel = again.bindings.storyboard_vm
    bar2 = view2.strip.horizontalScrollBar()
    tabs = again.window.tabs
    qtbot.mouseClick(tabs.tabBar(), LEFT, pos=tabs.tabBar().tabRect(tabs.indexOf(view2)).center())
    qtbot.waitUntil(lambda: vm2.current.id == board_id, timeout=10_000)
    assert vm2.current.name == "Harbour at night" and view2.name.text() == "Harbour at night"
    assert [s.prompt for s in vm2.current.shots] == prompts
    qtbot.waitUntil(lambda: len(view2.strip.cards) == 7 and bar2.value() == scroll, timeout=10_000)
    assert view2.strip.selected == 3 and view2.strip.cards[3].selected

    # a new board, then the session reopens (as after a settings change): the board on screen
    # stays; the last session's is offered only at start-up
    qtbot.mouseClick(view2.new_button, LEFT)
    assert not vm2.current.shots
    await_in_qt(qtbot, again.restart(), timeout=60_000)
    assert again.session is not None and not vm2.current.shots and not view2.strip.cards


def test_dragging_a_card_shows_where_it_will_land(qtbot: Any, studio: Studio) -> None:
    view, vm = open_board_with_two_shots(qtbot, studio)
    strip = view.strip
    qtbot.mouseClick(strip.add_button, LEFT)
    qtbot.waitUntil(lambda: len(strip.cards) == 3)
    for card, text in zip(strip.cards, ("dawn", "noon", "dusk"), strict=True):
        type_into(qtbot, card.prompt, text)
    row, line = strip.row, strip.drop_indicator
    qtbot.waitUntil(  # laid out: the cards side by side
        lambda: strip.cards[2].geometry().left() > strip.cards[1].geometry().right() > 0,
        timeout=5000,
    )

    # a real drag starts from card 3's picture (offscreen, QDrag.exec returns at once) ...
    started: list[int] = []
    strip.drag_started.connect(started.append)
    source = strip.cards[2]
    grip = source.thumbnail.geometry().center()
    QTest.mousePress(source, LEFT, Qt.KeyboardModifier.NoModifier, grip)
    QTest.mouseMove(source, grip + QPoint(QApplication.startDragDistance() + 12, 4))
    QTest.mouseRelease(source, LEFT, Qt.KeyboardModifier.NoModifier, grip)
    assert started == [2]
    mime = strip.shot_mime(2)
    move, mod = Qt.DropAction.MoveAction, Qt.KeyboardModifier.NoModifier
    cards = [c.geometry() for c in strip.cards]

    def line_between(left: int, right: int) -> bool:
        middle = line.geometry().center().x()
        return line.isVisible() and left <= middle <= right and line.height() == cards[0].height()

    # ... and Qt's drag events over the row: the line sits in the gap the card will fill
    over_second = QPoint(cards[1].left() + 10, cards[1].center().y())
    enter = QDragEnterEvent(over_second, move, mime, LEFT, mod)
    QApplication.sendEvent(row, enter)
    assert enter.isAccepted()
    assert line_between(cards[0].right(), cards[1].left())
    past_the_end = QPoint(cards[2].right() + 30, cards[2].center().y())
    QApplication.sendEvent(row, QDragMoveEvent(past_the_end, move, mime, LEFT, mod))
    assert line_between(cards[2].right(), strip.add_button.geometry().left())
    QApplication.sendEvent(row, QDragLeaveEvent())  # out of the row: no line
    assert not line.isVisible()

    over_first = QPoint(cards[0].left() + 10, cards[0].center().y())
    QApplication.sendEvent(row, QDragEnterEvent(over_first, move, mime, LEFT, mod))
    QApplication.sendEvent(row, QDragMoveEvent(over_first, move, mime, LEFT, mod))
    assert line.isVisible() and line.geometry().center().x() < cards[0].left()
    drop = QDropEvent(QPointF(over_first), move, mime, LEFT, mod, QEvent.Type.Drop)
    QApplication.sendEvent(row, drop)
    assert drop.isAccepted() and not line.isVisible()
    assert [s.prompt for s in vm.current.shots] == ["dusk", "dawn", "noon"]
    # the card pressed to drag it was selected; the selection moved with it
    assert strip.selected == 0 and strip.cards[0].selected
    assert not any(c.selected for c in strip.cards[1:])
