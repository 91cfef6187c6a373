"""The whole lineup from the window: the picker walks every model, one job each on the sandbox,
and the request on the wire is checked against the official SDK's typed parameters for that
model (the catalogue's own rules are what the sandbox enforces; the SDK is an outside check)."""

from __future__ import annotations

import typing
from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from gui.app import Studio
from gui.runware.catalog import ModelSpec, default_catalog
from tests.runware.test_catalog_sdk import literal_values, params_by_air
from tests.ui.conftest import sandbox_requests
from tests.ui.dragdrop import drop_files


def choose(qtbot, studio: Studio, model: ModelSpec) -> None:  # type: ignore[no-untyped-def]
    """Open the picker with a click, type the model's AIR, press Enter."""
    picker = studio.compose.model_box
    studio.window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is studio.window, timeout=5000)
    QTest.mouseClick(picker, Qt.MouseButton.LeftButton, pos=picker.rect().center())
    qtbot.waitUntil(picker.popup.isVisible)
    QTest.keyClicks(picker.popup.filter_edit, model.air)
    QTest.keyClick(picker.popup.filter_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not picker.popup.isVisible())
    assert studio.compose.current_model().air == model.air


def smallest(model: ModelSpec) -> str:
    return min(model.sizes, key=lambda s: s.width * s.height).label


def test_every_model_makes_a_job_whose_request_the_sdk_accepts(  # type: ignore[no-untyped-def]
    qtbot, studio: Studio, tmp_path: Path
) -> None:
    compose = studio.compose
    image = tmp_path / "frame.png"
    Image.new("RGB", (1280, 720), (30, 90, 160)).save(image)
    jobs = {}
    for model in default_catalog():
        choose(qtbot, studio, model)
        size_button = compose.video.size_picker.button_for(smallest(model))
        QTest.mouseClick(size_button, Qt.MouseButton.LeftButton)
        shortest = min(model.offered_durations())
        QTest.mouseClick(compose.video.duration.button_for(shortest), Qt.MouseButton.LeftButton)
        if model.needs_frame:
            assert drop_files(compose.zones["first"], [image])
            qtbot.waitUntil(
                lambda: compose.zones["first"].frame_input() is not None, timeout=10_000
            )
        compose.focus_prompt()
        compose.prompt.edit.selectAll()
        QTest.keyClicks(compose.prompt.edit, f"A lighthouse at dusk, by {model.name}")
        before = studio.window.jobs_model.rowCount()
        QTest.keyClick(compose.prompt.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(
            lambda b=before: studio.window.jobs_model.rowCount() == b + 1, timeout=15_000
        )
        job = studio.window.jobs_model.job_at(0)
        assert job is not None and job.spec.model == model.air
        jobs[model.air] = job
        if model.needs_frame:
            QTest.mouseClick(compose.zones["first"].remove_button, Qt.MouseButton.LeftButton)

    for air, job in jobs.items():
        qtbot.waitUntil(lambda j=job: j.state.is_final, timeout=120_000)
        assert job.state.value == "ready", (air, job.error_code, job.error_message)

    sent = {t["taskUUID"]: t for t in sandbox_requests(studio, "videoInference")}
    for air, job in jobs.items():
        request = sent[job.task_uuid]
        model = default_catalog()[air]
        assert default_catalog().check_request(request) == []
        cls = params_by_air().get(air)
        if cls is None:  # ended and gone from the SDK: only the catalogue can check it
            assert not model.is_live()
            continue
        accepted = set(typing.get_type_hints(cls))
        assert set(request) <= accepted, (air, set(request) - accepted)
        durations = literal_values(cls, "duration")
        if durations is not None:
            assert request["duration"] in durations
        if "resolution" in request:
            assert request["resolution"] in (literal_values(cls, "resolution") or ())
