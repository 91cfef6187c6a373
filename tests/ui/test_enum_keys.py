"""Enum properties set by their C++ key names (gui.ui.enum_keys): the frame's way of not
building PySide's Qt namespace before its first paint."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QSplitter

from gui.ui.enum_keys import set_by_keys


def test_keys_set_the_same_value_as_the_enum(qtbot) -> None:  # type: ignore[no-untyped-def]
    label, splitter, dock = QLabel(), QSplitter(), QDockWidget()
    for widget in (label, splitter, dock):
        qtbot.addWidget(widget)
    set_by_keys(label, "alignment", "AlignCenter")
    set_by_keys(splitter, "orientation", "Vertical")
    set_by_keys(dock, "allowedAreas", "LeftDockWidgetArea|RightDockWidgetArea")
    assert label.alignment() == Qt.AlignmentFlag.AlignCenter
    assert splitter.orientation() == Qt.Orientation.Vertical
    assert dock.allowedAreas() == (
        Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea
    )


def test_a_wrong_property_or_key_is_an_error_that_names_it(qtbot) -> None:  # type: ignore[no-untyped-def]
    label = QLabel()
    qtbot.addWidget(label)
    with pytest.raises(ValueError, match="QLabel has no enum property 'alignmnet'"):
        set_by_keys(label, "alignmnet", "AlignCenter")
    with pytest.raises(ValueError, match="QLabel has no enum property 'text'"):
        set_by_keys(label, "text", "AlignCenter")
    with pytest.raises(ValueError, match=r"'AlignCentre' is not a key of QLabel\.alignment"):
        set_by_keys(label, "alignment", "AlignCentre")
    assert label.alignment() != Qt.AlignmentFlag.AlignCenter
