"""The window's frame without the engine: remembered layout, status bar, notices, dialogs, CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from gui.app import LaunchOptions, main, parse_options
from gui.runware.catalog import default_catalog
from gui.studio.events import EngineEvents
from gui.studio.jobs import JobState
from gui.ui.bridge import EngineBridge
from gui.ui.dialogs.info_dialogs import AboutDialog, ShortcutsDialog
from gui.ui.main_window import MainWindow
from gui.ui.notifier import Notifier
from gui.ui.status_bar import StudioStatusBar
from tests.ui.jobfactory import make_job
from tests.ui.settle import settle


def make_window(qtbot, state_file: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(default_catalog(), QWidget(), state_file=state_file)
    qtbot.addWidget(window)
    return window


def test_geometry_docks_and_splitters_are_remembered(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "window.ini"
    first = make_window(qtbot, state)
    first.show()
    first.resize(1300, 760)
    qtbot.waitUntil(lambda: first.height() == 760, timeout=3000)
    first.studio_splitter.setSizes([500, 500])
    first.centre_splitter.setSizes([400, 300])
    first.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, first.jobs_dock)
    first.tabs.setCurrentIndex(1)
    # the layout has settled (no pending layout request changes them) before they are read
    settle(lambda: (first.studio_splitter.sizes(), first.centre_splitter.sizes(), first.size()))
    studio_sizes = first.studio_splitter.sizes()
    centre_sizes = first.centre_splitter.sizes()
    first.close()
    assert state.exists()

    second = make_window(qtbot, state)
    second.show()
    qtbot.waitExposed(second)
    assert second.tabs.currentIndex() == 1
    second.tabs.setCurrentIndex(
        0
    )  # the splitters live on the Studio tab; hidden, they are not laid out
    qtbot.waitUntil(lambda: second.studio_splitter.sizes() == studio_sizes, timeout=3000)
    # as saved, except where the screen is smaller (Qt fits the window to it, but never below
    # the window's minimum size): whatever size the test machine's screen has
    screen = second.screen().availableGeometry()
    minimum = second.minimumSize()
    assert second.width() == max(min(1300, screen.width()), minimum.width())
    assert second.height() == max(min(760, screen.height()), minimum.height())
    assert second.dockWidgetArea(second.jobs_dock) == Qt.DockWidgetArea.LeftDockWidgetArea
    assert second.centre_splitter.sizes() == centre_sizes


def test_menus_docks_and_banner(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, tmp_path / "w.ini")
    window.show()
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles == ["File", "View", "Help"]
    assert not window.banner.isVisible()
    window.set_backend("Offline sandbox", sandbox=True)
    assert (
        window.banner.isVisible()
        and window.banner.text() == "Offline sandbox — videos are synthetic"
    )
    assert window.status.backend_label.text() == "Offline sandbox"
    window.jobs_toggle_action.trigger()
    assert not window.jobs_dock.isVisible()
    window.jobs_toggle_action.trigger()
    assert window.jobs_dock.isVisible()
    window.show_problem("No Runware API key is set.")
    assert window.problem_banner.isVisible()
    window.show_problem(None)
    assert not window.problem_banner.isVisible()
    rows = dict(window.shortcut_rows())
    assert rows["Space"] == "Play / pause" and "Ctrl+Enter" in rows
    dialog = ShortcutsDialog(window.shortcut_rows(), window)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == len(window.shortcut_rows())
    about = AboutDialog("0.1.0", "Offline sandbox", window)
    qtbot.addWidget(about)


def test_library_views_take_the_library_tab(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, tmp_path / "w.ini")
    view = QWidget()
    window.set_library_view(view)
    assert window.tabs.indexOf(view) == 1 and window.tabs.tabText(1) == "Library"
    assert window.tabs.count() == 2


def test_status_bar_counts_down_to_the_next_try(qtbot) -> None:  # type: ignore[no-untyped-def]
    now = [100.0]
    bar = StudioStatusBar(clock=lambda: now[0])
    qtbot.addWidget(bar)
    bridge = EngineBridge()
    bridge.connection_changed.connect(bar.set_connection)
    bridge.events.connection_changed(False, "Runware did not answer (HTTP 503)", 8.0)
    assert bar.connection_text == "● Runware did not answer (HTTP 503) — retrying in 8 s"
    now[0] = 103.2
    bar._show_connection()
    assert bar.connection_text.endswith("retrying in 5 s")
    now[0] = 109
    bar._show_connection()
    assert bar.connection_text.endswith("retrying…")
    bridge.events.connection_changed(True, "Connected to Runware.", None)
    assert bar.connection_text == "● Connected"
    bridge.events.balance_changed(12.345, "USD")
    bridge.balance_changed.connect(bar.set_balance)
    bridge.events.balance_changed(12.345, "USD")
    assert bar.balance_label.text() == "Balance: $12.35"
    bar.set_spend(8.5, 10.0)
    assert bar.spend_label.text() == "Today $8.50 of $10.00"
    assert bar.spend_label.property("level") == "warn"


def test_countdown_ticks_on_its_own(qtbot) -> None:  # type: ignore[no-untyped-def]
    bar = StudioStatusBar()
    qtbot.addWidget(bar)
    bar.set_connection(False, "Connection lost", 3.0)
    assert bar.connection_text.endswith("retrying in 3 s")
    qtbot.waitUntil(lambda: bar.connection_text.endswith("retrying in 2 s"), timeout=3000)


def test_bridge_forwards_every_event(qtbot) -> None:  # type: ignore[no-untyped-def]
    bridge = EngineBridge()
    job = make_job(JobState.READY)
    seen: list[tuple[str, tuple[object, ...]]] = []
    # every callback EngineEvents declares, in declaration order
    names = [n for n in vars(EngineEvents) if not n.startswith("_")]
    assert len(names) == 9
    for name in names:
        getattr(bridge, name).connect(lambda *args, n=name: seen.append((n, args)))
    events = bridge.events
    events.job_added(job)
    events.job_changed(job)
    events.job_removed(job.id)
    events.result_ready(job, job.results[0])
    events.download_progress(job, job.results[0], 10, None)
    events.connection_changed(False, "down", 2.0)
    events.balance_changed(5, "USD")
    events.spend_changed(1.5, None)
    events.notice("hello")
    assert [n for n, _ in seen] == names
    assert seen[0][1] == (job,) and seen[4][1] == (job, job.results[0], 10, None)
    assert seen[6][1] == (5.0, "USD") and seen[7][1] == (1.5, None)


def test_a_job_finishing_in_the_background_is_announced(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, tmp_path / "w.ini")
    notifier = Notifier(window, window.windowIcon())
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    notifier.job_finished(make_job(JobState.READY))
    assert notifier.sent == []  # the panel already says it
    other = QWidget()
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    qtbot.waitUntil(lambda: not window.isActiveWindow(), timeout=3000)
    notifier.job_finished(make_job(JobState.READY, prompt="A heron in the reeds"))
    notifier.job_finished(make_job(JobState.FAILED))
    assert [t for t, _ in notifier.sent] == ["Video ready", "Job failed"]
    if not notifier.uses_tray:
        assert "Job failed" in window.statusBar().currentMessage()
    notifier.enabled = False
    notifier.job_finished(make_job(JobState.READY))
    assert len(notifier.sent) == 2


def test_command_line(capsys) -> None:  # type: ignore[no-untyped-def]
    assert parse_options(["--sandbox", "--data-dir", "/tmp/x"]) == LaunchOptions(
        sandbox=True, data_dir=Path("/tmp/x").resolve()
    )
    assert parse_options([]) == LaunchOptions()
    assert main(["sora-studio", "models"]) == 0
    out = capsys.readouterr().out
    assert all(m.name in out for m in default_catalog())


def test_python_dash_m_gui_is_the_same_entry_point() -> None:
    import runpy

    with pytest.raises(SystemExit) as exit_info:
        import sys

        argv = sys.argv
        sys.argv = ["gui", "models"]
        try:
            runpy.run_module("gui", run_name="__main__")
        finally:
            sys.argv = argv
    assert exit_info.value.code == 0


def test_a_fast_run_of_spend_changes_ends_on_the_newest(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The first figure shows at once; while figures keep coming (a burst of submits), the bar
    shows the newest at most every SPEND_REFRESH_MS instead of relaying out for each."""
    bar = StudioStatusBar()
    qtbot.addWidget(bar)
    bar.set_spend(1.0, None)
    assert bar.spend_label.text() == "Today $1.00"
    for n in range(2, 40):
        bar.set_spend(float(n), None)
    assert bar.spend_label.text() == "Today $1.00"  # not relaid out 38 times in a row
    qtbot.waitUntil(lambda: bar.spend_label.text() == "Today $39.00", timeout=5000)


def test_a_closed_jobs_panel_stays_closed_and_comes_back_where_it_was(
    qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The dock is placed by the remembered state alone on later runs (no addDockWidget):
    closed, it must still be the window's dock, back on its side when the user opens it."""
    state = tmp_path / "window.ini"
    first = make_window(qtbot, state)
    first.show()
    qtbot.waitExposed(first)
    first.jobs_dock.close()
    first.close()

    second = make_window(qtbot, state)
    second.show()
    qtbot.waitExposed(second)
    assert not second.jobs_dock.isVisible()
    second.jobs_toggle_action.trigger()  # View ▸ Jobs panel
    qtbot.waitUntil(second.jobs_dock.isVisible, timeout=3000)
    assert second.dockWidgetArea(second.jobs_dock) == Qt.DockWidgetArea.RightDockWidgetArea
    assert not second.jobs_dock.isFloating()


def test_a_state_without_the_jobs_dock_still_shows_it_on_the_right(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A remembered state that does not name the dock (another version's, or damaged) does
    not leave the jobs panel loose in the window."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QMainWindow

    other = QMainWindow()  # a window state with no dock in it
    qtbot.addWidget(other)
    state = tmp_path / "window.ini"
    store = QSettings(str(state), QSettings.Format.IniFormat)
    store.setValue("window/state", other.saveState(1))
    store.sync()
    window = make_window(qtbot, state)
    window.show()
    qtbot.waitExposed(window)
    assert window.dockWidgetArea(window.jobs_dock) == Qt.DockWidgetArea.RightDockWidgetArea
    assert window.jobs_dock.isVisible() and window.jobs_dock.width() >= 300


class _SlowPaint(QWidget):
    """A panel whose paint takes ``cpu`` seconds of the GUI thread (like a whole jobs list)."""

    def __init__(self, cpu: float) -> None:
        super().__init__()
        self.cpu = cpu
        self.paints = 0

    def paintEvent(self, _event: object) -> None:
        import time

        end = time.thread_time() + self.cpu
        while time.thread_time() < end:
            pass
        self.paints += 1


def test_a_long_repaint_of_the_window_is_kept_apart_from_bursty_work(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The window's repaints go through the GUI thread's budget: one that took more than half
    a slice is followed by a breath before the next slice of bursty work; a quick one is not."""
    import time

    from gui.studio.pacing import SLICE_SECONDS, TurnBudget

    budget = TurnBudget()
    panel = _SlowPaint(SLICE_SECONDS * 0.1)
    window = MainWindow(default_catalog(), panel, state_file=tmp_path / "window.ini")
    qtbot.addWidget(window)
    window.pace_with(budget)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: panel.paints > 0)
    settle(lambda: panel.paints)
    quick = budget.apart_ended
    panel.update()
    qtbot.waitUntil(lambda: panel.paints > 1)
    assert budget.apart_ended == quick  # a quick repaint: nothing kept apart

    panel.cpu = SLICE_SECONDS * 0.8
    before = time.perf_counter()
    panel.update()
    qtbot.waitUntil(lambda: budget.apart_ended >= before, timeout=10_000)
    assert panel.paints > 2
