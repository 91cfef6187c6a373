"""The architecture's walls: what each layer may import (read from the source, not run)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

GUI = Path(__file__).resolve().parents[2] / "gui"


def _imports(folder: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in folder.rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
        found[str(path.relative_to(GUI))] = names
    return found


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        ("runware", ("PySide6", "qasync", "gui.ui", "gui.studio", "gui.sandbox")),
        ("studio", ("PySide6.QtWidgets", "gui.ui", "gui.sandbox")),
        ("sandbox", ("PySide6", "qasync", "gui.ui", "gui.studio")),
    ],
)
def test_a_layer_imports_nothing_from_beyond_its_walls(
    layer: str, forbidden: tuple[str, ...]
) -> None:
    breaches = {
        module: sorted(n for n in names if n.startswith(forbidden))
        for module, names in _imports(GUI / layer).items()
    }
    assert not {m: n for m, n in breaches.items() if n}


# what the UI may use of the studio: the session and the domain's types and rules
UI_MAY_IMPORT = {
    "gui.studio.session",
    "gui.studio.jobs",
    "gui.studio.errors",
    "gui.studio.events",
    "gui.studio.settings",
    "gui.studio.spending",
    "gui.studio.lineage",
    "gui.studio.pacing",  # the GUI thread's TurnBudget, shared by the bridge and the engine
}


def test_the_ui_reaches_the_studio_only_through_the_session_and_domain_types() -> None:
    breaches = {
        module: sorted(
            n
            for n in names
            if n.startswith(("httpx", "aiohttp"))
            or (n.startswith("gui.studio") and n not in UI_MAY_IMPORT)
        )
        for module, names in _imports(GUI / "ui").items()
    }
    assert not {m: n for m, n in breaches.items() if n}


# the one crossing left: the thumbnail loader is shared by Library and Family and belongs in
# gui/ui/ itself (moved once the library's internals settle); nothing may be added here
KNOWN_CROSSINGS = {"ui/lineage/lineage_view.py": ["gui.ui.library.thumbnails"]}


def test_no_widget_module_imports_another_features_widgets() -> None:
    features = {p.name for p in (GUI / "ui").iterdir() if p.is_dir() and p.name != "viewmodels"}
    breaches = {}
    for module, names in _imports(GUI / "ui").items():
        parts = module.split("/")  # ui/<feature>/<module>.py
        if len(parts) < 3 or parts[1] not in features:
            continue
        others = sorted(
            n for n in names for f in features - {parts[1]} if n.startswith(f"gui.ui.{f}.")
        )
        if others and others != KNOWN_CROSSINGS.get(module):
            breaches[module] = others
    assert not breaches


def test_view_models_import_no_widgets() -> None:
    breaches = {
        module: sorted(n for n in names if n.startswith("PySide6.QtWidgets"))
        for module, names in _imports(GUI / "ui" / "viewmodels").items()
    }
    assert not {m: n for m, n in breaches.items() if n}
