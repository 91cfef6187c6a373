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
