"""The main window's frame: compose (left), player and details (centre), jobs dock (right).

This is layout, menus, toolbar, status bar and remembered geometry; the widgets are bound to
their view-models by :class:`gui.ui.window_bindings.WindowBindings`.

Paint first: ``MainWindow()`` without a catalogue builds the frame alone (menus, toolbar, tabs,
splitters, the jobs dock, the status bar) with an empty placeholder where each panel goes, so the
app can show and paint it before it imports the studio (pydantic, the catalogue, QtMultimedia).
:meth:`MainWindow.fill` then puts the panels in their placeholders' places and sizes. Given a
catalogue and a compose panel, the constructor does both at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QSettings, QSize, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from gui.ui.enum_keys import set_by_keys
from gui.ui.status_bar import StudioStatusBar

if TYPE_CHECKING:
    from gui.runware.catalog import Catalog
    from gui.studio.pacing import TurnBudget
    from gui.ui.details.result_details import ResultDetails
    from gui.ui.jobs.model import JobListModel
    from gui.ui.jobs.panel import JobsPanel
    from gui.ui.player.player import PlayerWidget

__all__ = ["SANDBOX_BANNER", "MainWindow"]

SANDBOX_BANNER = "Offline sandbox — videos are synthetic"
_STATE_VERSION = 1
# The smallest size of each panel (their minimumSizeHint, the compose column's 320 px): the
# placeholders of the first paint take them, so the window's layout is the same before and after
# fill(). tests/ui/test_paint_first.py compares the two.
PANEL_MINIMUMS = {
    "compose": (320, 189),
    "player": (755, 253),
    "details": (652, 162),
    "jobs": (300, 200),
}

PLAYER_KEYS = (
    ("Space", "Play / pause"),
    ("← / →", "One frame back / forward"),
    ("Shift+← / Shift+→", "One second back / forward"),
    ("F, double-click", "Fullscreen video"),
    ("Esc", "Leave fullscreen"),
    ("M", "Mute"),
    ("L", "Loop"),
    ("Enter (jobs list)", "Play the selected job"),
    ("Delete (jobs list)", "Delete the selected job"),
    ("Ctrl+Enter", "Generate"),
)


class MainWindow(QMainWindow):
    """The studio's window. Widgets are public attributes for the bindings."""

    closing = Signal()
    catalog: Catalog
    jobs_model: JobListModel
    compose: QWidget
    player: PlayerWidget
    details: ResultDetails
    jobs_panel: JobsPanel

    def __init__(
        self,
        catalog: Catalog | None = None,
        compose: QWidget | None = None,
        *,
        state_file: Path | None = None,
    ) -> None:
        self._turn_budget: TurnBudget | None = None  # before anything sends an event
        super().__init__()
        self.setObjectName("MainWindow")
        self.setWindowTitle("Sora Studio")
        self._state_file = state_file
        self.filled = False
        self._build_central()
        self._build_jobs_dock()
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self.status = StudioStatusBar(self)
        self.setStatusBar(self.status)
        self.resize(1440, 900)
        if catalog is not None and compose is not None:
            self.fill(catalog, compose)
        self.restore_state()

    def fill(self, catalog: Catalog, compose: QWidget) -> None:
        """Put the panels in the frame: compose, player and details, the jobs list; each takes
        its placeholder's place and size, so nothing moves."""
        from gui.ui.details.result_details import ResultDetails
        from gui.ui.jobs.model import JobListModel
        from gui.ui.jobs.panel import JobsPanel
        from gui.ui.player.player import PlayerWidget

        self.catalog = catalog
        self.jobs_model = JobListModel(catalog, self)
        self.compose = compose  # it scrolls itself
        compose.setMinimumWidth(320)
        _replace(self.studio_splitter, 0, compose)
        self.player = PlayerWidget(self)
        self.details = ResultDetails(self.catalog, self, find_job=self.jobs_model.job)
        _replace(self.centre_splitter, 0, self.player)
        _replace(self.centre_splitter, 1, self.details)
        self.jobs_panel = JobsPanel(self.jobs_model, self.catalog, self)
        placeholder = self.jobs_dock.widget()
        self.jobs_dock.setWidget(self.jobs_panel)
        placeholder.deleteLater()
        self._set_shortcuts()
        self.filled = True

    # ------------------------------------------------------------------ building
    def _build_central(self) -> None:
        self.banner = QLabel(SANDBOX_BANNER, self)
        self.banner.setObjectName("SandboxBanner")
        set_by_keys(self.banner, "alignment", "AlignCenter")
        self.banner.hide()
        self.problem_banner = QLabel(self)
        self.problem_banner.setObjectName("ProblemBanner")
        self.problem_banner.setWordWrap(True)
        set_by_keys(self.problem_banner, "alignment", "AlignCenter")
        self.problem_banner.hide()

        compose = _placeholder(self, "ComposePlaceholder", PANEL_MINIMUMS["compose"])
        # QSplitter(self) would build PySide's Qt namespace (its overloads take a Qt.Orientation
        # first); added to the studio splitter, it is the window's anyway
        self.centre_splitter = QSplitter()
        set_by_keys(self.centre_splitter, "orientation", "Vertical")
        self.centre_splitter.setObjectName("CentreSplitter")
        self.centre_splitter.addWidget(
            _placeholder(self, "PlayerPlaceholder", PANEL_MINIMUMS["player"])
        )
        self.centre_splitter.addWidget(
            _placeholder(self, "DetailsPlaceholder", PANEL_MINIMUMS["details"])
        )
        self.centre_splitter.setStretchFactor(0, 1)
        self.centre_splitter.setChildrenCollapsible(False)
        self.centre_splitter.setSizes([600, 230])

        self.studio_splitter = QSplitter()  # horizontal; in the tabs, so the window's
        self.studio_splitter.setObjectName("StudioSplitter")
        self.studio_splitter.addWidget(compose)
        self.studio_splitter.addWidget(self.centre_splitter)
        self.studio_splitter.setStretchFactor(1, 1)
        self.studio_splitter.setChildrenCollapsible(False)
        self.studio_splitter.setSizes([370, 660])

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("MainTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.studio_splitter, "Studio")
        self.library_placeholder = QLabel("The library opens here.", self)
        set_by_keys(self.library_placeholder, "alignment", "AlignCenter")
        self.library_placeholder.setObjectName("MutedLabel")
        self.tabs.addTab(self.library_placeholder, "Library")

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.problem_banner)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

    def _build_jobs_dock(self) -> None:
        """The dock, not placed yet: :meth:`restore_state` puts it where the user left it."""
        self.jobs_dock = QDockWidget("Jobs", self)
        self.jobs_dock.setObjectName("JobsDock")
        self.jobs_dock.setWidget(_placeholder(self, "JobsPlaceholder", PANEL_MINIMUMS["jobs"]))
        set_by_keys(self.jobs_dock, "allowedAreas", "LeftDockWidgetArea|RightDockWidgetArea")

    def _place_jobs_dock(self) -> None:
        """The dock's first place, on the right (the window's remembered state places it on
        later runs, without PySide's ``Qt`` namespace: see gui.ui.enum_keys)."""
        from PySide6.QtCore import Qt

        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.jobs_dock)
        self.resizeDocks([self.jobs_dock], [410], Qt.Orientation.Horizontal)

    def _build_actions(self) -> None:
        """The actions, without their shortcuts: :meth:`fill` gives them (a QKeySequence
        built from Python builds PySide's Qt namespace, and no key can act on the frame)."""
        # each action's shortcut: the platform's standard key (QKeySequence.StandardKey, by
        # name) when it has one, else the keys
        self._shortcuts: list[tuple[QAction, str, str]] = []

        def action(text: str, keys: str = "", tip: str = "", *, standard: str = "") -> QAction:
            act = QAction(text, self)
            if keys or standard:
                self._shortcuts.append((act, standard, keys))
            if tip:
                act.setStatusTip(tip)
                act.setToolTip(tip)
            self.addAction(act)
            return act

        self.settings_action = action(
            "&Settings…", "Ctrl+,", "API key, backend, budget", standard="Preferences"
        )
        self.open_library_action = action("Open library &folder", "", "Show the videos folder")
        self.quit_action = action("&Quit", standard="Quit")
        self.quit_action.triggered.connect(self.close)
        self.generate_action = action("&Generate", "", "Generate from the prompt (Ctrl+Enter)")
        self.focus_prompt_action = action("Focus prompt", "Ctrl+L", "Jump to the prompt")
        self.fullscreen_action = action("&Full screen", "F11", standard="FullScreen")
        self.fullscreen_action.setCheckable(True)
        self.fullscreen_action.toggled.connect(self._on_fullscreen_toggled)
        self.shortcuts_action = action("&Keyboard shortcuts", "Ctrl+/")
        self.about_action = action("&About Sora Studio")
        self.jobs_toggle_action = self.jobs_dock.toggleViewAction()
        self.jobs_toggle_action.setText("&Jobs panel")
        self._shortcuts.append((self.jobs_toggle_action, "", "Ctrl+J"))
        self.show_studio_action = action("&Studio", "Ctrl+1")
        self.show_studio_action.triggered.connect(lambda: self.tabs.setCurrentIndex(0))
        self.show_library_action = action("&Library", "Ctrl+2")
        self.show_library_action.triggered.connect(lambda: self.tabs.setCurrentIndex(1))

    def _set_shortcuts(self) -> None:
        from PySide6.QtGui import QKeySequence

        for act, standard, keys in self._shortcuts:
            if standard:
                act.setShortcut(QKeySequence(getattr(QKeySequence.StandardKey, standard)))
            if keys and act.shortcut().isEmpty():
                act.setShortcut(QKeySequence(keys))

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.settings_action)
        file_menu.addAction(self.open_library_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view_menu = bar.addMenu("&View")
        view_menu.addAction(self.jobs_toggle_action)
        view_menu.addSeparator()
        view_menu.addAction(self.show_studio_action)
        view_menu.addAction(self.show_library_action)
        view_menu.addSeparator()
        view_menu.addAction(self.fullscreen_action)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(self.about_action)

    def _build_toolbar(self) -> None:
        self.toolbar = QToolBar("Main", self)
        self.toolbar.setObjectName("MainToolbar")
        self.toolbar.setMovable(False)
        set_by_keys(self.toolbar, "toolButtonStyle", "ToolButtonTextOnly")
        self.toolbar.setIconSize(QSize(18, 18))
        self.toolbar.addAction(self.generate_action)
        self.toolbar.addAction(self.focus_prompt_action)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.jobs_toggle_action)
        self.toolbar.addAction(self.open_library_action)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.settings_action)
        self.addToolBar(self.toolbar)  # at the top

    # ------------------------------------------------------------------ hosting
    def set_library_view(self, widget: QWidget, title: str = "Library") -> None:
        """Put the library view (built separately) in its tab."""
        index = self.tabs.indexOf(self.library_placeholder)
        if index >= 0:
            self.tabs.removeTab(index)
            self.library_placeholder.deleteLater()
        self.tabs.insertTab(1, widget, title)

    def add_tab(self, widget: QWidget, title: str) -> None:
        """Another tab after the ones built here (Compare, Storyboard: built by the bindings)."""
        widget.setObjectName(widget.objectName() or f"{title}Tab")
        self.tabs.addTab(widget, title)

    def set_backend(self, label: str, *, sandbox: bool) -> None:
        self.show_sandbox(sandbox)
        self.status.set_backend(label, sandbox=sandbox)

    def show_sandbox(self, sandbox: bool) -> None:
        """The sandbox's banner and the title that names it (a launch with ``--sandbox`` shows
        them in the first paint: the banner, shown later, pushed the tabs down)."""
        self.banner.setVisible(sandbox)
        suffix = " — offline sandbox" if sandbox else ""
        self.setWindowTitle(f"Sora Studio{suffix}")

    def show_problem(self, text: str | None) -> None:
        """A standing problem with the studio itself (no backend), above everything."""
        self.problem_banner.setText(text or "")
        self.problem_banner.setVisible(bool(text))

    def shortcut_rows(self) -> list[tuple[str, str]]:
        from PySide6.QtGui import QKeySequence

        rows = []
        for act in [*self.actions(), self.jobs_toggle_action]:
            keys = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if keys:
                rows.append((keys, act.text().replace("&", "").rstrip("…")))
        return rows + list(PLAYER_KEYS)

    # ------------------------------------------------------------------ remembered state
    def _qsettings(self) -> QSettings | None:
        if self._state_file is None:
            return None
        self._state_file.parent.mkdir(parents=True, exist_ok=True)
        return QSettings(str(self._state_file), QSettings.Format.IniFormat)

    def save_state(self) -> None:
        store = self._qsettings()
        if store is None:
            return
        store.setValue("window/geometry", self.saveGeometry())
        store.setValue("window/state", self.saveState(_STATE_VERSION))
        store.setValue("window/studio_splitter", self.studio_splitter.saveState())
        store.setValue("window/centre_splitter", self.centre_splitter.saveState())
        store.setValue("window/tab", self.tabs.currentIndex())
        store.sync()

    def restore_state(self) -> None:
        """Geometry, splitters, docks and toolbar, and the tab, as the last run left them; the
        jobs dock on the right when nothing places it."""
        store = self._qsettings()
        if store is None:
            self._place_jobs_dock()
            return
        for key, restore in (
            ("window/geometry", self.restoreGeometry),
            ("window/studio_splitter", self.studio_splitter.restoreState),
            ("window/centre_splitter", self.centre_splitter.restoreState),
        ):
            value = store.value(key)
            if isinstance(value, QByteArray | bytes):
                restore(QByteArray(value))
        state = store.value("window/state")
        if isinstance(state, QByteArray | bytes):
            self.restoreState(QByteArray(state), _STATE_VERSION)
        layout = self.layout()
        if layout is None or layout.indexOf(self.jobs_dock) < 0:  # no state, or one without it
            self._place_jobs_dock()
        tab = store.value("window/tab")
        if tab is not None:
            self.tabs.setCurrentIndex(int(tab))

    # ------------------------------------------------------------------ window events
    def pace_with(self, budget: TurnBudget) -> None:
        """Keep the window's repaints apart from the slices of bursty work on ``budget``
        (the GUI thread's): a long repaint is followed by a breath before the next slice."""
        self._turn_budget = budget

    def event(self, event: QEvent) -> bool:
        budget = self._turn_budget
        if budget is not None and event.type() == _UPDATE_REQUEST:  # the window repaints
            return budget.apart(lambda: QMainWindow.event(self, event))
        return super().event(event)

    def _on_fullscreen_toggled(self, on: bool) -> None:
        self.showFullScreen() if on else self.showNormal()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        if self.filled:
            from gui.ui.player.media_safety import stop_later

            stop_later(self.player.media)  # never stop() directly: see media_safety
        self.closing.emit()
        super().closeEvent(event)


_UPDATE_REQUEST = QEvent.Type.UpdateRequest


def _placeholder(parent: QWidget, name: str, minimum: tuple[int, int]) -> QWidget:
    """An empty panel of the window's colour, where a panel goes until :meth:`MainWindow.fill`,
    as small as that panel can be: the layout gives it the panel's place."""
    widget = QWidget(parent)
    widget.setObjectName(name)
    widget.setMinimumSize(*minimum)
    return widget


def _replace(splitter: QSplitter, index: int, widget: QWidget) -> None:
    """``widget`` in the placeholder's place, at the placeholder's size (as laid out on
    screen; a splitter not shown yet keeps the sizes it was given)."""
    sizes = splitter.sizes() if splitter.isVisible() else None
    old = splitter.replaceWidget(index, widget)
    if sizes is not None:
        splitter.setSizes(sizes)
    if old is not None:
        old.deleteLater()
