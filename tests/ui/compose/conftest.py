"""Fixtures for the compose panel: the shipped catalogue, a shown panel, real image files."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtWidgets import QApplication, QWidget

from gui.runware.catalog import Catalog, ModelSpec, default_catalog
from gui.ui.compose import ComposePanel, MemoryPresetStore
from gui.ui.compose.frame_drop import FrameDropZone


@pytest.fixture
def catalog() -> Catalog:
    return default_catalog()


def model_named(catalog: Catalog, name: str) -> ModelSpec:
    """A catalogue entry by its display name (tests never spell AIRs)."""
    return next(m for m in catalog if m.name == name)


@pytest.fixture
def make_panel(qtbot, catalog: Catalog, tmp_path: Path) -> Iterator[Callable[..., ComposePanel]]:  # type: ignore[no-untyped-def]
    panels: list[ComposePanel] = []

    def make(model: str | None = None, **kwargs: object) -> ComposePanel:
        kwargs.setdefault("preset_store", MemoryPresetStore())
        kwargs.setdefault("cache_dir", tmp_path / "frame-cache")
        panel = ComposePanel(catalog, **kwargs)  # type: ignore[arg-type]
        qtbot.addWidget(panel)
        panel.resize(380, 1000)
        panel.show()
        if model is not None:
            choose_model(panel, model_named(catalog, model))
        panels.append(panel)
        return panel

    yield make
    for panel in panels:
        panel.wait_for_images()


@pytest.fixture
def panel(make_panel: Callable[..., ComposePanel]) -> ComposePanel:
    return make_panel()


def choose_model(panel: ComposePanel, model: ModelSpec) -> None:
    """As the user does it: pick the model in the combo box."""
    box = panel.model_box
    box.setCurrentIndex(box.findData(model.air))
    assert panel.current_model().air == model.air


def activate(panel: QWidget) -> None:
    panel.activateWindow()
    QApplication.processEvents()
    assert QApplication.activeWindow() is panel.window()


# ---------------------------------------------------------------- image files


def write_png(path: Path, width: int = 1280, height: int = 720, color: str = "teal") -> Path:
    Image.new("RGB", (width, height), color).save(path, "PNG")
    return path


@pytest.fixture
def png_16x9(tmp_path: Path) -> Path:
    return write_png(tmp_path / "wide shot.png", 1280, 720)


@pytest.fixture
def png_square(tmp_path: Path) -> Path:
    return write_png(tmp_path / "square.png", 800, 800, "orange")


@pytest.fixture
def bad_files(tmp_path: Path) -> dict[str, Path]:
    text = tmp_path / "notes.txt"
    text.write_text("just some words, not an image\n")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    whole = write_png(tmp_path / "whole.png", 640, 360).read_bytes()
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes(whole[: len(whole) // 2])
    svg = tmp_path / "drawing.svg"
    svg.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="360">'
        '<rect width="640" height="360" fill="red"/></svg>'
    )
    return {"text": text, "empty": empty, "truncated": truncated, "svg": svg}


# ---------------------------------------------------------------- drag and drop (docs/testing.md, "Qt offscreen")


def frames_checked(qtbot, *zones: FrameDropZone) -> None:  # type: ignore[no-untyped-def]
    """Frame images are checked, previewed and fitted on a worker: wait until each of
    ``zones`` is done (an image, a refusal or nothing; not "being checked" or "fitted")."""
    qtbot.waitUntil(lambda: all(zone.waiting_problem() is None for zone in zones), timeout=10000)
