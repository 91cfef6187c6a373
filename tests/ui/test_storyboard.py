"""The Storyboard tab, driven by mouse and keyboard on the sandbox: build a board by drag and
drop, generate it, pick takes, play it across a cut, save/open it and export it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import av
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QWidget

from gui.app import Studio
from gui.studio.session import ShotStatus
from gui.ui.storyboard.board_strip import BoardStrip
from gui.ui.storyboard.storyboard_view import StoryboardView
from gui.ui.viewmodels.storyboard import StoryboardViewModel

PIXVERSE = "PixVerse V6"  # 640×360 and 1 s: the cheapest real render
LEFT = Qt.MouseButton.LeftButton


def choose(qtbot: Any, combo: QComboBox, data: object) -> None:
    """Pick an item with the arrow keys, as a user would (emits ``activated``)."""
    target = combo.findData(data)
    assert target >= 0, data
    combo.setFocus()
    while combo.currentIndex() != target:
        key = Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up
        qtbot.keyClick(combo, key)


def type_into(qtbot: Any, widget: QWidget, text: str) -> None:
    qtbot.mouseClick(widget, LEFT)
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def drop_at(target: QWidget, mime: Any, pos: QPoint) -> bool:
    """The drag-enter, move and drop Qt sends when a drag is released over ``pos``."""
    point = QPointF(pos)
    act, mod = Qt.DropAction.MoveAction, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point.toPoint(), act, mime, LEFT, mod)
    QApplication.sendEvent(target, enter)
    if not enter.isAccepted():
        return False
    QApplication.sendEvent(target, QDragMoveEvent(point.toPoint(), act, mime, LEFT, mod))
    drop = QDropEvent(point, act, mime, LEFT, mod, QEvent.Type.Drop)
    QApplication.sendEvent(target, drop)
    return drop.isAccepted()


def drag_card(qtbot: Any, strip: BoardStrip, source: int, before: int) -> None:
    """Press on a card's picture, move past the drag distance (a real QDrag starts; offscreen
    its exec returns at once), and release it over the row in front of card ``before``."""
    started: list[int] = []
    strip.drag_started.connect(started.append)
    card = strip.cards[source]
    grip = card.thumbnail.geometry().center()
    QTest.mousePress(card, LEFT, Qt.KeyboardModifier.NoModifier, grip)
    QTest.mouseMove(card, grip + QPoint(QApplication.startDragDistance() + 12, 4))
    QTest.mouseRelease(card, LEFT, Qt.KeyboardModifier.NoModifier, grip)
    strip.drag_started.disconnect(started.append)
    assert started == [source]
    x = strip.cards[before].geometry().left() + 4 if before < len(strip.cards) else 10**4
    assert drop_at(strip.row, strip.shot_mime(source), QPoint(x, 40))


def prompts(vm: StoryboardViewModel) -> list[str]:
    return [s.prompt for s in vm.current.shots]


def statuses(vm: StoryboardViewModel) -> list[ShotStatus]:
    return [v.status for v in vm.views]


def frames_and_audio(path: Path) -> tuple[int, float, bool]:
    with av.open(str(path)) as container:
        has_audio = bool(container.streams.audio)
        fps = float(container.streams.video[0].average_rate or 0)
        frames = sum(1 for _ in container.decode(video=0))
    return frames, fps, has_audio


def test_build_generate_pick_takes_play_and_export_a_board(
    qtbot: Any, studio: Studio, tmp_path: Path
) -> None:
    window, bindings = studio.window, studio.bindings
    view: StoryboardView = bindings.storyboard
    vm: StoryboardViewModel = bindings.storyboard_vm
    strip = view.strip
    bar = window.tabs.tabBar()
    qtbot.mouseClick(bar, LEFT, pos=bar.tabRect(window.tabs.indexOf(view)).center())
    assert window.tabs.currentWidget() is view

    # --- build: the board's size, three cards by mouse, the first made PixVerse at 1 s
    choose(qtbot, view.size_box, "640x360")
    assert (vm.current.width, vm.current.height) == (640, 360)
    qtbot.mouseClick(strip.add_button, LEFT)
    qtbot.waitUntil(lambda: len(strip.cards) == 1)
    first = strip.cards[0]
    choose(qtbot, first.model, vm.catalog.find(PIXVERSE).air)
    choose(qtbot, first.duration, 1.0)
    for _ in range(2):
        qtbot.mouseClick(strip.add_button, LEFT)
    qtbot.waitUntil(lambda: len(strip.cards) == 3)
    for card, text in zip(strip.cards, ("rain on a tin roof", "a puddle", "the sun"), strict=True):
        type_into(qtbot, card.prompt, text)
    assert prompts(vm) == ["rain on a tin roof", "a puddle", "the sun"]
    assert {s.duration for s in vm.current.shots} == {1.0}
    assert all(c.width() == strip.cards[0].width() for c in strip.cards)  # ∝ duration

    drag_card(qtbot, strip, source=2, before=0)  # the sun first
    assert prompts(vm) == ["the sun", "rain on a tin roof", "a puddle"]
    assert [c.prompt.text() for c in strip.cards] == prompts(vm)
    drag_card(qtbot, strip, source=0, before=3)  # and back to the end
    assert prompts(vm) == ["rain on a tin roof", "a puddle", "the sun"]
    for card in strip.cards[1:]:
        choose(qtbot, card.link, "last-frame")
    assert [s.link for s in vm.current.shots] == ["none", "last-frame", "last-frame"]

    # --- generate: the price and budget are shown first; shots update live
    asked: list[str] = []
    view.confirm = lambda _parent, text: asked.append(text) or True
    seen: set[ShotStatus] = set()
    vm.views_changed.connect(lambda views: seen.update(v.status for v in views))
    qtbot.mouseClick(view.generate_button, LEFT)
    assert asked and "Whole board: $" in asked[0] and "budget" in asked[0], asked
    qtbot.waitUntil(lambda: not vm.busy and statuses(vm) == [ShotStatus.READY] * 3, timeout=60_000)
    assert ShotStatus.RUNNING in seen
    qtbot.waitUntil(lambda: all(c.thumbnail_shown for c in strip.cards), timeout=10_000)

    # --- takes: regenerate from shot 2 (shot 3 follows it), then take shot 2's first back:
    # shot 3's take was made from the other one, so it is re-marked stale
    qtbot.mouseClick(strip.cards[1].regenerate, LEFT)
    qtbot.waitUntil(lambda: vm.busy, timeout=5000)
    qtbot.waitUntil(lambda: not vm.busy and statuses(vm) == [ShotStatus.READY] * 3, timeout=60_000)
    assert [len(v.takes) for v in vm.views] == [1, 2, 2]
    choose(qtbot, strip.cards[1].takes, vm.views[1].takes[0].id)
    qtbot.waitUntil(lambda: statuses(vm) == [ShotStatus.READY, ShotStatus.READY, ShotStatus.STALE])
    choose(qtbot, strip.cards[1].takes, vm.views[1].takes[1].id)
    qtbot.waitUntil(lambda: statuses(vm) == [ShotStatus.READY] * 3)

    # --- a card from a library result: drag a job out of the jobs list onto the board
    jobs_view = window.jobs_panel.view
    index = jobs_view.model().index(jobs_view.model().rowCount() - 1, 0)  # the first job made
    jobs_view.setCurrentIndex(index)
    mime = jobs_view.model().mimeData([index])
    assert drop_at(strip.row, mime, QPoint(10**4, 40))
    qtbot.waitUntil(lambda: len(strip.cards) == 4)
    assert vm.views[3].status is ShotStatus.READY  # its take is that result
    assert vm.current.shots[3].prompt == "rain on a tin roof"
    qtbot.mouseClick(strip.cards[3].remove, LEFT)
    qtbot.waitUntil(lambda: len(strip.cards) == 3)

    # --- play as one: across the first cut, frames straight from shot 1's end to shot 2's start
    player = view.player
    shown: list[tuple[int, int]] = []
    cuts: list[tuple[int, bool]] = []
    player.frame_shown.connect(lambda shot, ms: shown.append((shot, ms)))
    player.cut.connect(lambda shot, preloaded: cuts.append((shot, preloaded)))
    qtbot.mouseClick(player.play_button, LEFT)
    qtbot.waitUntil(lambda: any(s == 1 for s, _ in shown), timeout=20_000)
    qtbot.mouseClick(player.play_button, LEFT)  # pause
    assert cuts[0] == (1, True)  # shot 2 was loaded, paused on its first frame, before the cut
    clip1 = Path(vm.film()[0][0])
    frames1, fps1, _ = frames_and_audio(clip1)
    frame_ms = 1000 / fps1
    at = next(i for i, (s, _) in enumerate(shown) if s == 1)
    (shot_a, last_ms), (shot_b, first_ms) = shown[at - 1], shown[at]
    assert (shot_a, shot_b) == (0, 1)
    # frames lost at the cut: after shot 1's last shown frame, before shot 2's first
    lost = (frames1 * frame_ms - frame_ms - last_ms) / frame_ms + first_ms / frame_ms
    assert lost <= 1.0 + 1e-6, (shown[at - 3 : at + 3], frames1, fps1)
    assert player.view.image.isNull() is False

    timeline = player.timeline
    qtbot.mouseClick(timeline, LEFT, pos=timeline.shot_rect(2).center().toPoint())
    qtbot.waitUntil(lambda: player.current_shot == 2 and shown[-1][0] == 2, timeout=10_000)

    # --- save, start anew, open: the board and its chosen takes come back
    board_file = tmp_path / "rain.board.json"
    view.ask_save = lambda _parent, _name: board_file
    qtbot.mouseClick(view.save_button, LEFT)
    saved = json.loads(board_file.read_text())
    assert [s["prompt"] for s in saved["shots"]] == prompts(vm)
    assert all("take" in s for s in saved["shots"])
    qtbot.mouseClick(view.new_button, LEFT)
    assert not strip.cards
    view.ask_open = lambda _parent: board_file
    qtbot.mouseClick(view.open_button, LEFT)
    assert statuses(vm) == [ShotStatus.READY] * 3

    # --- export on the worker: progress, then one file of every shot's frames at 24 fps
    film = tmp_path / "rain.mp4"
    view.ask_export = lambda _parent, _name: film
    progress: list[float] = []
    vm.export_progress_changed.connect(progress.append)
    qtbot.mouseClick(view.export_button, LEFT)
    assert view.progress.isVisibleTo(view) and view.cancel_button.isVisibleTo(view)
    with qtbot.waitSignal(vm.exported, timeout=60_000):
        pass
    assert not view.progress.isVisibleTo(view)
    assert progress and progress[-1] == 1.0
    frames, fps, has_audio = frames_and_audio(film)
    assert (frames, fps, has_audio) == (3 * 24, 24.0, True)
    assert film.with_suffix(".json").exists()

    # a cancelled export leaves nothing
    other = tmp_path / "cancelled.mp4"
    view.ask_export = lambda _parent, _name: other
    qtbot.mouseClick(view.export_button, LEFT)
    qtbot.mouseClick(view.cancel_button, LEFT)
    qtbot.waitUntil(lambda: not vm.exporting, timeout=30_000)
    assert "stopped" in (vm.message or "") and not other.exists()
