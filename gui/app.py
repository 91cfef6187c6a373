"""The composition root: settings, backend, engine and window, on one qasync loop.

``sora-studio`` (and ``python -m gui``) opens the window; ``sora-studio generate|jobs|resume|models``
runs the command line instead. The window shows first; the backend (Runware, or the sandbox
started as a subprocess) opens asynchronously, and unfinished jobs resume once the engine starts.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gui.identity import APP_NAME, resources_dir

# Paint first: this module, the Qt application, the theme and the window's frame are all that
# come before the first paint; the studio (asyncio and qasync, pydantic and the catalogue, the
# panels, QtMultimedia, keyring, httpx, the sandbox) is imported after it (run_window).
if TYPE_CHECKING:
    import asyncio

    from PySide6.QtWidgets import QApplication

    from gui.runware.catalog import Catalog
    from gui.studio.session import Session
    from gui.studio.settings import SecretStore, Settings
    from gui.ui.main_window import MainWindow
    from gui.ui.viewmodels.settings import SettingsViewModel

__all__ = ["CLI_COMMANDS", "LaunchOptions", "Studio", "main", "parse_options"]

CLI_COMMANDS = frozenset({"generate", "jobs", "resume", "models", "board"})
SANDBOX_COMMAND = "sandbox-serve"
EXIT_AFTER_PAINT_ENV = "SORA_STUDIO_EXIT_AFTER_PAINT"  # benchmarks: see _exit_after_paint
VERSION = "0.1.0"
WINDOW_STATE_FILE = "window.ini"  # geometry, docks, splitters, tab; the system's last scheme
JOURNAL_WATCH_MS = 500  # how often the window looks for another process's journal changes
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LaunchOptions:
    """What the command line (or a test) asks of the window."""

    sandbox: bool = False
    data_dir: Path | None = None
    sandbox_options: Mapping[str, Any] = field(default_factory=dict)  # e.g. processing_seconds


def parse_options(args: Sequence[str]) -> LaunchOptions:
    parser = argparse.ArgumentParser(prog="sora-studio", description="Sora Studio")
    parser.add_argument("--sandbox", action="store_true", help="use the offline sandbox")
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="keep settings, journal and videos in DIR (tests, portable use)",
        metavar="DIR",
    )
    known, _qt_args = parser.parse_known_args(list(args))  # Qt takes its own (-style, …)
    data_dir = known.data_dir.expanduser().resolve() if known.data_dir else None
    return LaunchOptions(sandbox=known.sandbox, data_dir=data_dir)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] == SANDBOX_COMMAND:
        # a frozen bundle serves its own sandbox: see gui.sandbox.process.default_command
        from gui.sandbox.__main__ import main as sandbox_main

        return sandbox_main(argv[2:])
    if len(argv) > 1 and (argv[1] in CLI_COMMANDS or argv[1] in ("-h", "--help")):
        from gui import cli  # the command line needs no Qt

        return cli.run(argv[1:])
    if len(argv) > 1 and not argv[1].startswith("-"):  # a mistyped command is not a window
        from gui import cli

        return cli.unknown_command(argv[1])
    return run_window(parse_options(argv[1:]), argv)


def run_window(options: LaunchOptions, argv: Sequence[str]) -> int:
    from PySide6.QtWidgets import QApplication

    from gui.ui.theme import new_application

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else new_application(argv)
    config_dir = _config_dir(options)
    configure_application(app, theme_memory=config_dir / WINDOW_STATE_FILE)
    from gui.single_instance import SingleInstance

    if options.data_dir is not None:
        data_dir = options.data_dir
    else:
        from gui.studio.settings import SettingsStore

        data_dir = Path(SettingsStore().load().library_folder)
    instance = SingleInstance(data_dir)
    if not instance.acquire():
        outcome = instance.ask_to_raise()
        if outcome == "raised":
            print("Sora Studio is already open on this library: its window is in front now.")
            return 0
        if outcome == "no-answer":
            print(
                f"Another Sora Studio holds {instance.data_dir} but does not answer; "
                "close it (or end its process) and start again.",
                file=sys.stderr,
            )
            return 1
    from gui.ui.theme import install_theme, saved_choice

    settings_file = config_dir / "settings.json"  # the store's
    theme = install_theme(app, choice=saved_choice(settings_file))  # before the frame
    probe = os.environ.get(EXIT_AFTER_PAINT_ENV, "").strip().lower()
    paint_probe = _PaintProbe() if probe and probe not in {"0", "no", "false"} else None
    frame = _show_frame(options, paint_probe)  # painted; the rest loads behind it
    theme.watch_system()  # the system's scheme now; a change since the last run restyles the frame
    import asyncio

    import qasync

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    studio = Studio(options, window=frame)
    install_theme(app, studio.settings_vm)  # the user's choice; Settings changes it live
    instance.serve(lambda: _bring_forward(studio))
    if paint_probe is not None:
        paint_probe.arm(studio, started=probe == "started")
    _close_on_signals(studio)
    from gui import app_probes

    app_probes.install(studio)  # tests drive the whole process: see gui/app_probes.py
    try:
        with loop:
            status: int = loop.run_until_complete(studio.run())  # qasync is untyped
            return status
    finally:
        instance.release()


def _bring_forward(studio: Studio) -> None:
    """Another launch on this library asked for the window."""
    from gui import app_probes

    window = studio.window
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()
    app_probes.say("raised")


def _close_on_signals(studio: Studio) -> None:
    """Ctrl+C or SIGTERM close the window, so the engine stops and the sandbox (its own session,
    out of reach of the terminal's signals) is stopped too instead of being left behind."""
    import signal

    from PySide6.QtCore import QTimer

    def close(_signum: int, _frame: object) -> None:
        QTimer.singleShot(0, studio.window.close)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, close)
    # Python runs signal handlers only between bytecodes; a slow timer gives it the chance
    wake = QTimer(studio.window)
    wake.setInterval(250)
    wake.timeout.connect(lambda: None)
    wake.start()


def _show_frame(options: LaunchOptions, probe: _PaintProbe | None) -> MainWindow:
    """Show the window's frame (menus, toolbar, tabs, dock, status bar; each panel's place
    empty) and let it paint, before anything heavy is imported: see MainWindow.fill."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    from gui.ui.main_window import MainWindow

    config_dir = _config_dir(options)
    frame = MainWindow(state_file=config_dir / WINDOW_STATE_FILE)  # the app's icon is its own
    frame.show_sandbox(options.sandbox)  # known now: the banner is not a jump after the paint
    painted: list[bool] = []

    class Painted(QObject):
        def eventFilter(self, watched: Any, event: Any) -> bool:
            if event.type() == QEvent.Type.Paint:
                painted.append(True)
            return False

    watcher = Painted(frame)
    frame.installEventFilter(watcher)
    if probe is not None:
        probe.watch(frame)
    frame.show()
    for _ in range(50):  # a few passes: the window is exposed, then painted
        if painted:
            break
        QApplication.processEvents()
    frame.removeEventFilter(watcher)
    return frame


class _PaintProbe:
    """Benchmarks (``SORA_STUDIO_EXIT_AFTER_PAINT=1``): print ``first-paint <time.monotonic()>
    <time.process_time()>`` at the window's first paint event, then close the window (which
    stops whatever has started). With ``=started``, first wait until the studio has started
    (journal loaded, jobs listed), repaint the window, and print ``started-paint …`` as well."""

    def __init__(self) -> None:
        self.painted = False
        self._studio: Studio | None = None
        self._started = False
        self._pending: list[asyncio.Future[None]] = []

    def watch(self, window: Any) -> None:
        import time

        from PySide6.QtCore import QEvent, QObject

        probe = self

        class FirstPaint(QObject):
            def eventFilter(self, watched: Any, event: Any) -> bool:
                if event.type() == QEvent.Type.Paint:
                    window.removeEventFilter(self)
                    print(
                        f"first-paint {time.monotonic():.6f} {time.process_time():.4f}",
                        flush=True,
                    )
                    probe.painted = True
                    probe._after_first_paint_soon()
                return False

        window.installEventFilter(FirstPaint(window))

    def arm(self, studio: Studio, *, started: bool) -> None:
        """The studio exists: close it once painted (and started, if asked)."""
        self._studio, self._started = studio, started
        self._after_first_paint_soon()

    def _after_first_paint_soon(self) -> None:
        from PySide6.QtCore import QTimer

        if self.painted and self._studio is not None:
            QTimer.singleShot(0, self._after_first_paint)

    def _after_first_paint(self) -> None:
        import asyncio

        if self._studio is None:
            return
        studio, self._studio = self._studio, None
        if self._started:
            self._pending.append(asyncio.ensure_future(self._after_start(studio)))
        else:
            studio.window.close()

    @staticmethod
    async def _after_start(studio: Studio) -> None:
        import time

        window = studio.window
        await studio.started.wait()
        window.repaint()  # synchronous: the jobs list is painted when this returns
        print(f"started-paint {time.monotonic():.6f} {time.process_time():.4f}", flush=True)
        window.close()


def configure_application(app: QApplication, *, theme_memory: Path | None = None) -> None:
    """Names and theme: once per QApplication (the icon is the Studio's: see app_icon).
    ``theme_memory``: where the theme keeps what the system's scheme was (see
    ThemeController: the frame then paints without asking)."""
    app.setApplicationName("Sora Studio")
    app.setOrganizationName("Sora Studio")
    app.setApplicationVersion(VERSION)
    app.setDesktopFileName(APP_NAME)
    app.setQuitOnLastWindowClosed(False)  # Studio.run stops the engine and sandbox, then returns
    from gui.ui.main_thread_gc import MainThreadGC

    MainThreadGC(app)  # cycles of Qt objects die on this thread only: see main_thread_gc
    from gui.ui.theme import install_theme

    install_theme(app, memory=theme_memory)  # the system's scheme until settings are read


def app_icon() -> Any:
    """The icon in every size resources/icons has; an empty icon when there are none.

    The Studio gives it to the application, after the window's first paint: QIcon.addFile
    reads each file's format through the image plugins, and QIcon itself is an enum of ~150
    theme icons for PySide to build. Desktops take the launcher's icon from the desktop
    file (named in configure_application) in the meantime."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon

    icon = QIcon()
    folder = resources_dir() / "icons"
    if folder.is_dir():
        for path in sorted(folder.glob("*.png")) + sorted(folder.glob("*.svg")):
            # a PNG named for its size (sora-studio-128.png) is not opened to learn it: the
            # icon is set before the first paint, and each file is read when a size is drawn
            side = path.stem.rpartition("-")[2]
            size = QSize(int(side), int(side)) if side.isdigit() else QSize()
            icon.addFile(str(path), size)
    return icon


class SettingsPresets:
    """Compose presets kept in the settings file."""

    def __init__(self, settings: SettingsViewModel) -> None:
        self._settings = settings

    def list(self) -> list[str]:
        return sorted(self._settings.settings.presets)

    def save(self, name: str, values: dict[str, Any]) -> None:
        self._settings.update(presets={**self._settings.settings.presets, name: values})

    def load(self, name: str) -> dict[str, Any] | None:
        return self._settings.settings.presets.get(name)

    def delete(self, name: str) -> None:
        presets = self._settings.settings.presets
        self._settings.update(presets={k: v for k, v in presets.items() if k != name})


class Studio:
    """Owns the window, its view-models and the open session; closes the session at the end.

    The session (client, journal, library, engine) opens after the window shows; the
    view-models reach it through ``link`` and say "still starting" until then."""

    def __init__(
        self,
        options: LaunchOptions,
        *,
        secrets: SecretStore | None = None,
        catalog: Catalog | None = None,
        window: MainWindow | None = None,
    ) -> None:
        """``window``: the frame already shown (paint first); its panels are put in here."""
        import asyncio

        from PySide6.QtCore import QTimer
        from PySide6.QtGui import QDesktopServices
        from PySide6.QtWidgets import QApplication

        from gui.runware.catalog import default_catalog
        from gui.studio.settings import SecretStore, SettingsStore
        from gui.ui.bridge import EngineBridge
        from gui.ui.compose.compose_panel import ComposePanel
        from gui.ui.main_window import MainWindow
        from gui.ui.notifier import Notifier
        from gui.ui.viewmodels.compose import ComposeViewModel
        from gui.ui.viewmodels.jobs import JobsViewModel
        from gui.ui.viewmodels.library import LibraryViewModel
        from gui.ui.viewmodels.player import PlayerViewModel
        from gui.ui.viewmodels.settings import SettingsViewModel
        from gui.ui.viewmodels.studio_link import StudioLink
        from gui.ui.window_bindings import ViewModels, WindowBindings

        self.options = options
        QApplication.setWindowIcon(app_icon())
        config_dir = _config_dir(options)
        self.settings_store = SettingsStore(
            options.data_dir / SettingsStore.FILE_NAME if options.data_dir else None
        )
        self.settings_vm = SettingsViewModel(self.settings_store)
        self.secrets = secrets or SecretStore()
        self.catalog = catalog or default_catalog()
        self.session: Session | None = None  # open between start() and stop()
        self.link = StudioLink(EngineBridge())
        self.compose = ComposePanel(
            self.catalog,
            preset_store=SettingsPresets(self.settings_vm),
            cache_dir=self.data_dir / "frames",
        )
        if self.settings.last_compose:
            self.compose.load_values(self.settings.last_compose)
        if window is not None:
            window.fill(self.catalog, self.compose)
            self.window = window
        else:
            self.window = MainWindow(
                self.catalog, self.compose, state_file=config_dir / WINDOW_STATE_FILE
            )
        self.window.pace_with(self.link.bridge.budget)  # repaints apart from bursty work
        self.vms = ViewModels(
            link=self.link,
            compose=ComposeViewModel(self.link, self.window),
            jobs=JobsViewModel(self.link, self.window.jobs_model, self.window),
            player=PlayerViewModel(self.link, self.catalog, self.window),
            library=LibraryViewModel(self.link, self.catalog, self.window),
        )
        self.open_url: Callable[[Any], object] = QDesktopServices.openUrl
        self.notifier = Notifier(self.window, self.window.windowIcon())
        self.bindings = WindowBindings(
            self.window,
            self.compose,
            self.vms,
            open_url=lambda url: self.open_url(url),
            notifier=self.notifier,
        )
        self.notifier.enabled = self.settings.notifications
        self.settings_vm.changed.connect(self._on_settings_changed)
        self.settings_vm.save_failed.connect(lambda text: self.window.status.showMessage(text))
        self.started = asyncio.Event()
        self.start_error: str | None = None
        self._closed = asyncio.Event()
        self._compose_saver = QTimer(self.window)
        self._compose_saver.setSingleShot(True)
        self._compose_saver.setInterval(1500)
        self._compose_saver.timeout.connect(self._save_compose_values)
        # the CLI may run beside the window: what it writes to the journal shows up here
        self._journal_watch = QTimer(self.window)
        self._journal_watch.setInterval(JOURNAL_WATCH_MS)
        self._journal_watch.timeout.connect(self._sync_journal)
        self._reopening: asyncio.Future[None] | None = None
        self.compose.values_changed.connect(self._compose_saver.start)
        self.window.closing.connect(self._closed.set)
        self.window.settings_action.triggered.connect(self.show_settings)
        self.window.about_action.triggered.connect(self.show_about)
        self.window.shortcuts_action.triggered.connect(self.show_shortcuts)
        if self.settings_vm.problem:
            self.window.status.showMessage(self.settings_vm.problem, 15_000)

    @property
    def settings(self) -> Settings:
        return self.settings_vm.settings

    @property
    def data_dir(self) -> Path:
        return self.options.data_dir or Path(self.settings.library_folder)

    # ------------------------------------------------------------------ lifecycle
    async def run(self) -> int:
        """Show the window, start the studio behind it, and tidy up when it closes."""
        import asyncio

        self.window.show()
        await asyncio.sleep(0)  # let the window paint before the backend starts
        await self.start()
        # What start-up made (modules, widgets, the journal's jobs) lives until exit: keep it out
        # of the collector's full passes, which walked it all in a 30-60 ms pause (P2, P5).
        gc.freeze()
        await self._closed.wait()
        await self.stop()
        return 0

    async def start(self) -> None:
        """Open the session (the sandbox, if asked for, is started here: the root owns it)."""
        from gui.sandbox_host import open_studio_backend
        from gui.studio.errors import StudioError
        from gui.studio.session import open_session

        sandbox = self.options.sandbox or self.settings.backend == "sandbox"
        status = self.window.status
        status.set_backend(
            "Starting the offline sandbox…" if sandbox else "Connecting…", sandbox=sandbox
        )
        connect = open_studio_backend(
            self.settings,
            self.secrets,
            data_dir=self.data_dir,
            force_sandbox=self.options.sandbox,
            sandbox_options=self.options.sandbox_options,
        )
        try:
            session = await open_session(
                connect,
                data_dir=self.data_dir,
                catalog=self.catalog,
                settings=self.settings,
                events=self.link.bridge.events,
                turn_budget=self.link.bridge.budget,  # one slice a turn for both: no stacking
            )
        except StudioError as exc:  # no key, or the sandbox would not start: say so, stay open
            self._not_connected(exc)
            return
        except (OSError, RuntimeError) as exc:
            self._not_connected(exc)
            return
        self.session = session
        self.window.show_problem(None)
        label = "Offline sandbox" if session.is_sandbox else session.label
        self.window.set_backend(label, sandbox=session.is_sandbox)
        self.link.open(session)
        self._journal_watch.start()
        self.started.set()

    def _not_connected(self, exc: Exception) -> None:
        self.start_error = str(exc)
        log.warning("backend did not open: %s", exc)
        self.window.show_problem(f"{exc}  Open Settings to fix it.")
        self.window.status.set_backend("Not connected", sandbox=False)
        self.started.set()

    def _sync_journal(self) -> None:
        """Show jobs another process (the CLI) added or changed in the journal."""
        if self.session is None:
            return
        try:
            changed = self.session.sync_with_journal()
        except Exception:  # a busy or vanished journal: try again at the next tick
            log.exception("reading the journal's changes failed")
            return
        if changed:
            from gui import app_probes

            app_probes.say("journal-changed", jobs=[job.spec.prompt for job in changed])

    async def stop(self) -> None:
        """Stop the window's work, then close the session (engine, client, sandbox, journal)."""
        self._compose_saver.stop()
        self._journal_watch.stop()
        self._save_compose_values()
        await self.link.close()
        session, self.session = self.session, None
        if session is not None:
            await session.close()
        self.started.clear()

    async def restart(self) -> None:
        """Open the session again (after its backend or library settings changed)."""
        await self.stop()
        self.start_error = None
        await self.start()

    # ------------------------------------------------------------------ settings
    def update_settings(self, **changes: Any) -> None:
        self.settings_vm.update(**changes)

    def _save_compose_values(self) -> None:
        values = self.compose.values()
        if values != self.settings.last_compose:
            self.update_settings(last_compose=values)

    def show_settings(self) -> Any:
        from PySide6.QtCore import Qt

        from gui.ui.dialogs.settings_dialog import SettingsDialog

        dialog = SettingsDialog(
            self.settings,
            self.settings_store,
            self.secrets,
            self.test_connection,
            library_fixed=self.options.data_dir,
            parent=self.window,
        )
        key_before = self.secrets.get()

        def saved(new: Settings) -> None:
            key_changed = self.secrets.get() != key_before
            old = self.settings
            self.settings_vm.replace(new, save=False)  # the dialog has saved it
            if key_changed and not self._needs_reopen(old, new):
                self._reopen()  # a new key is a new client

        dialog.settings_saved.connect(saved)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.open()
        return dialog

    def _needs_reopen(self, old: Settings, new: Settings) -> bool:
        from gui.studio.session import reopen_needed

        if self.options.data_dir is not None:  # the library is fixed by --data-dir
            old = old.model_copy(update={"library_folder": new.library_folder})
        return reopen_needed(old, new) or self.start_error is not None

    def _on_settings_changed(self, new: Settings, old: Settings) -> None:
        """Every setting takes effect at once: the session takes what it can; a new backend,
        URL or library opens a new session."""
        self.notifier.enabled = new.notifications
        if self._needs_reopen(old, new):
            self._reopen()
        elif self.session is not None:
            self.session.apply(new)

    def _reopen(self) -> None:
        import asyncio

        self.window.status.showMessage("Reconnecting with the new settings…", 5000)
        self._reopening = asyncio.ensure_future(self.restart())

    async def test_connection(self, api_key: str, backend: str) -> str:
        """For the settings dialog: reach the backend the user is about to choose."""
        from gui.studio.connection_check import check_runware
        from gui.studio.spending import format_money

        wants_sandbox = backend == "sandbox" or (backend == "auto" and not api_key)
        if wants_sandbox:
            if self.session is not None and self.session.is_sandbox:
                amount, currency = await self.session.refresh_balance()
                return (
                    f"The offline sandbox answers (play balance {format_money(amount, currency)})."
                )
            return "The offline sandbox starts when you save."
        return await check_runware(api_key, self.settings.api_url)  # quick, bounded, in words

    # ------------------------------------------------------------------ other dialogs
    def show_about(self) -> None:
        from gui.ui.dialogs.info_dialogs import AboutDialog

        label = self.session.label if self.session is not None else "not connected"
        AboutDialog(VERSION, label, self.window).open()

    def show_shortcuts(self) -> None:
        from gui.ui.dialogs.info_dialogs import ShortcutsDialog

        ShortcutsDialog(self.window.shortcut_rows(), self.window).open()


def _config_dir(options: LaunchOptions) -> Path:
    """Where the window keeps its settings and state: ``--data-dir``, else the user's."""
    if options.data_dir is not None:
        return options.data_dir
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME))
