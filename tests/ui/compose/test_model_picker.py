"""The model picker, used with the mouse and keyboard: grouped, filtered as one types, two lines
per model, deactivated models apart, and a wheel that only turns a focused box."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from gui.runware.catalog import Catalog
from gui.ui.compose.model_picker import DEACTIVATED, DETAIL_ROLE, HEADER_ROLE, ModelPicker
from tests.ui.compose.conftest import activate


def open_picker(qtbot, panel) -> ModelPicker:  # type: ignore[no-untyped-def]
    activate(panel)
    picker: ModelPicker = panel.model_box
    QTest.mouseClick(picker, Qt.MouseButton.LeftButton, pos=picker.rect().center())
    qtbot.waitUntil(lambda: picker.popup.isVisible())
    qtbot.waitUntil(lambda: QApplication.focusWidget() is picker.popup.filter_edit)
    return picker


def shown_rows(picker: ModelPicker) -> list[tuple[bool, str]]:
    proxy = picker.popup.proxy
    rows = []
    for row in range(proxy.rowCount()):
        index = proxy.index(row, 0)
        rows.append((bool(index.data(HEADER_ROLE)), str(index.data())))
    return rows


def test_typing_filters_and_enter_chooses(qtbot, panel, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    target = next(m for m in catalog if m.is_live() and m is not panel.current_model())
    picker = open_picker(qtbot, panel)
    QTest.keyClicks(picker.popup.filter_edit, target.name.lower())
    models = [text for header, text in shown_rows(picker) if not header]
    assert f"{target.name} · {target.provider}" in models
    assert len(models) < len(catalog)
    headers = [text for header, text in shown_rows(picker) if header]
    assert target.provider in headers or DEACTIVATED in headers
    # Enter takes the first match; make the target the first by typing its AIR too
    picker.popup.filter_edit.clear()
    QTest.keyClicks(picker.popup.filter_edit, target.air)
    QTest.keyClick(picker.popup.filter_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not picker.popup.isVisible())
    assert panel.current_model().air == target.air


def test_clicking_a_row_chooses_it(qtbot, panel, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    picker = open_picker(qtbot, panel)
    view = picker.popup.list
    proxy = picker.popup.proxy
    rows = [r for r in range(proxy.rowCount()) if not proxy.index(r, 0).data(HEADER_ROLE)]
    index = proxy.index(rows[-1], 0)
    view.scrollTo(index)
    QTest.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center()
    )
    qtbot.waitUntil(lambda: not picker.popup.isVisible())
    assert panel.current_model().air == index.data(Qt.ItemDataRole.UserRole)


def test_groups_by_provider_with_deactivated_last(panel, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    picker: ModelPicker = panel.model_box
    captions: list[str] = []
    under: dict[str, list[str]] = {}
    for row in range(picker.count()):
        if picker.itemData(row) is None:
            captions.append(picker.itemText(row))
            continue
        under.setdefault(captions[-1], []).append(str(picker.itemData(row)))
    live = [m for m in catalog if m.is_live()]
    ended = [m for m in catalog if not m.is_live()]
    assert set(captions) - {DEACTIVATED} == {m.provider for m in live}
    for model in live:
        assert model.air in under[model.provider]
    if ended:
        assert captions[-1] == DEACTIVATED
        assert set(under[DEACTIVATED]) == {m.air for m in ended}
    # each model carries its one-line summary, shown as the second line
    for model in catalog:
        index = picker.model().index(picker.findData(model.air), 0)
        assert index.data(DETAIL_ROLE) == model.summary()
        assert f"up to {max(model.durations):g} s" in model.summary()


def test_the_default_is_live(panel, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    assert panel.current_model().is_live()
    assert panel.current_model() is catalog.default


def test_arrow_keys_skip_captions(qtbot, panel) -> None:  # type: ignore[no-untyped-def]
    picker: ModelPicker = panel.model_box
    activate(panel)
    picker.setFocus()
    qtbot.waitUntil(picker.hasFocus)
    seen = set()
    for _ in range(picker.count()):
        QTest.keyClick(picker, Qt.Key.Key_Down)
        assert picker.currentData() is not None
        seen.add(picker.currentData())
    assert len(seen) >= min(2, len(picker.airs()) - 1)  # it moved, from model to model


def test_wheel_over_an_unfocused_picker_does_not_change_the_model(qtbot, panel) -> None:  # type: ignore[no-untyped-def]
    picker: ModelPicker = panel.model_box
    activate(panel)
    panel.prompt.edit.setFocus()
    qtbot.waitUntil(panel.prompt.edit.hasFocus)
    before = panel.current_model().air
    centre = QPointF(picker.rect().center())
    wheel = QWheelEvent(
        centre,
        QPointF(picker.mapToGlobal(QPoint(int(centre.x()), int(centre.y())))),
        QPoint(0, 0),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(picker, wheel)
    assert panel.current_model().air == before


def test_switching_says_what_it_had_to_change(qtbot, make_panel, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    """Each value the new model cannot take is replaced by its nearest, and the note says so."""
    source = catalog.find("Sora 2 Pro")
    target = catalog.find("Sora 2")
    panel = make_panel(source.name)
    panel.video.size_picker.button_for("1080×1920").click()
    panel.video.duration.button_for(20.0).click()
    picker = open_picker(qtbot, panel)
    QTest.keyClicks(picker.popup.filter_edit, target.air)
    QTest.keyClick(picker.popup.filter_edit, Qt.Key.Key_Return)
    values = panel.values()
    assert (values["width"], values["height"]) == (720, 1280)  # the nearest portrait size
    assert values["duration"] == 20  # kept: Sora 2 takes it
    assert "Size 1080×1920 → 720×1280" in panel.note.text()
    assert "Length" not in panel.note.text()
