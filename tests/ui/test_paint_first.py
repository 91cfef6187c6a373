"""Paint first: the window's frame paints before the studio's modules are imported, and the
panels then take exactly the places the frame painted for them (no jump)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QWidget

from gui.app import LaunchOptions, Studio, _show_frame
from gui.studio.settings import SecretStore
from gui.ui.main_window import MainWindow
from tests.ui.settle import settle

ROOT = Path(__file__).resolve().parents[2]
# what the first paint must not wait for (each one is tens to hundreds of milliseconds)
HEAVY = (
    "asyncio",
    "qasync",
    "pydantic",
    "httpx",
    "keyring",
    "PIL",
    "PySide6.QtMultimedia",
    "PySide6.QtNetwork",  # the single-instance server listens after the paint
    "hashlib",  # its server's name
    "gui.runware.catalog",
    "gui.studio.jobs",
    "gui.studio.settings",
    "gui.ui.compose.compose_panel",
    "gui.ui.jobs.panel",
)


def test_the_frame_paints_before_the_studio_is_imported(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", SORA_STUDIO_EXIT_AFTER_PAINT="1")
    data = tmp_path / "data"
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[var] = str(tmp_path / var.lower())
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "gui", "--sandbox", "--data-dir", str(data)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # one stream: the imports and the paint in their real order
        text=True,
        timeout=120,
    )
    lines = done.stdout.splitlines()
    paint = next((i for i, line in enumerate(lines) if line.startswith("first-paint ")), None)
    assert paint is not None, done.stdout[-3000:]
    before = {line.split("|")[-1].strip() for line in lines[:paint] if "import time:" in line}
    after = {line.split("|")[-1].strip() for line in lines[paint:] if "import time:" in line}
    assert "gui.ui.main_window" in before
    assert sorted(m for m in HEAVY if m in before) == []
    assert {"qasync", "gui.ui.compose.compose_panel", "gui.ui.jobs.panel"} <= after


def _slots(window: MainWindow) -> dict[str, QRect]:
    """Where each panel's place is in the window, whatever fills it."""
    widgets: dict[str, QWidget | None] = {
        "compose": window.studio_splitter.widget(0),
        "player": window.centre_splitter.widget(0),
        "details": window.centre_splitter.widget(1),
        "jobs": window.jobs_dock.widget(),
    }
    slots = {}
    for name, widget in widgets.items():
        assert widget is not None and widget.isVisible(), name
        slots[name] = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    return slots


def test_the_panels_take_the_places_the_frame_painted(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    options = LaunchOptions(sandbox=True, data_dir=tmp_path / "data")
    frame = _show_frame(options, None)
    qtbot.addWidget(frame)
    settle(lambda: _slots(frame))
    painted = _slots(frame)
    assert painted and frame.filled is False
    studio = Studio(options, secrets=SecretStore(environ={}), window=frame)
    assert studio.window is frame and frame.filled
    settle(lambda: _slots(frame))
    assert frame.studio_splitter.widget(0) is studio.compose
    assert frame.jobs_dock.widget() is frame.jobs_panel
    assert _slots(frame) == painted


def test_a_sandbox_launch_paints_its_banner_in_the_first_frame(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The banner pushes the tabs down: shown only once the sandbox answered, it was a jump."""
    frame = _show_frame(LaunchOptions(sandbox=True, data_dir=tmp_path / "data"), None)
    qtbot.addWidget(frame)
    assert frame.banner.isVisible()
    assert frame.windowTitle() == "Sora Studio — offline sandbox"


def test_a_runware_launch_paints_no_sandbox_banner(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    frame = _show_frame(LaunchOptions(sandbox=False, data_dir=tmp_path / "data"), None)
    qtbot.addWidget(frame)
    assert not frame.banner.isVisible()
    assert frame.windowTitle() == "Sora Studio"


# Runs the app up to its first paint and says whether PySide had built its Qt namespace by then.
_NAMESPACE_PROBE = """
import os, sys
from PySide6 import QtCore
import gui.app as app

show_frame = app._show_frame
def painted(*args, **kwargs):
    show_frame(*args, **kwargs)
    print("qt-namespace-at-paint", "Qt" in vars(QtCore), flush=True)
    os._exit(0)
app._show_frame = painted
app.main(["sora-studio", "--sandbox", "--data-dir", sys.argv[1]])
"""


def test_a_returning_launch_paints_before_pyside_builds_its_qt_namespace(tmp_path: Path) -> None:
    """Building the Qt namespace (all 93 enums, ~40 ms) waits for the paint once the last
    run left its window state and the system's scheme: see gui.ui.enum_keys."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[var] = str(tmp_path / var.lower())

    def probe(data: Path) -> str:
        done = subprocess.run(
            [sys.executable, "-c", _NAMESPACE_PROBE, str(data)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        line = next((x for x in done.stdout.splitlines() if x.startswith("qt-namespace")), "")
        assert line, done.stdout[-2000:] + done.stderr[-3000:]
        return line.split()[-1]

    # a first launch asks the system for its scheme and places the jobs dock itself
    assert probe(tmp_path / "first") == "True"
    used = tmp_path / "used"
    subprocess.run(  # a whole run: paints, starts, closes (and keeps its window state)
        [sys.executable, "-m", "gui", "--sandbox", "--data-dir", str(used)],
        cwd=ROOT,
        env=dict(env, SORA_STUDIO_EXIT_AFTER_PAINT="1"),
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert probe(used) == "False"
