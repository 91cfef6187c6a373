"""The family tree view: the same tree from any member, the member highlighted, clicks."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtTest import QTest

from gui.ui.lineage.lineage_view import LineageView


@pytest.fixture
def chain(make_job, clips):
    root = make_job("a red kite over golden dunes at sunset", video=clips.mp4, job_id="root")
    middle = make_job("the kite dives", parent=root, kind="remix", video=clips.webm, job_id="mid")
    leaf = make_job(
        "the kite lands", parent=middle, kind="extend", video=clips.mp4_b, job_id="leaf"
    )
    retry = make_job("a red kite over golden dunes", parent=root, kind="retry", job_id="retry")
    frame = make_job("from the end", parent=leaf, kind="lastFrame", job_id="frame")
    stranger = make_job("an unrelated forest", job_id="stranger")
    return [root, middle, leaf, retry, frame, stranger]


EXPECTED = (
    (
        "root",
        "Original",
        (
            ("mid", "Remix", (("leaf", "Extension", (("frame", "From its last frame", ()),)),)),
            ("retry", "Retry", ()),
        ),
    ),
)


@pytest.fixture
def lineage(qtbot, chain, thumbnails):
    view = LineageView(lambda: chain, thumbnails=thumbnails)
    qtbot.addWidget(view)
    view.resize(760, 360)
    view.show()
    return view


@pytest.mark.parametrize("member", ["root", "mid", "leaf"])
def test_the_chain_is_the_same_tree_from_root_middle_and_leaf(lineage, member):
    lineage.show_job(member)
    assert lineage.shown_tree() == EXPECTED
    current = lineage.tree.currentIndex()
    assert current.siblingAtColumn(0).data(Qt.ItemDataRole.UserRole + 1) == member
    font = current.data(Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.bold()
    others = [lineage.index_of(j) for j in ("root", "mid", "leaf") if j != member]
    assert all(not (i.data(Qt.ItemDataRole.FontRole) or QFont()).bold() for i in others)
    assert "5 jobs over 4 generations" in lineage.title.text()


def test_clicking_a_node_says_which_job(lineage, qtbot):
    lineage.show_job("leaf")
    rect = lineage.tree.visualRect(lineage.index_of("mid"))
    with qtbot.waitSignal(lineage.job_selected) as got:
        QTest.mouseClick(lineage.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert got.args == ["mid"]


def test_thumbnails_arrive_and_the_view_looks_right(lineage, qtbot):
    lineage.show_job("mid")
    loader = lineage.thumbnails
    qtbot.waitUntil(lambda: loader.pending() == 0 and len(loader.memory) == 3, timeout=5000)
    icon = lineage.index_of("leaf").data(Qt.ItemDataRole.DecorationRole)
    assert (icon.width(), icon.height()) == (96, 54)
    assert icon.toImage().pixelColor(48, 27).name() != "#1c1c20"  # a picture, not the empty box
    assert lineage.grab().save("/tmp/sora-studio-lineage.png")
