"""The composition root: settings, backend, engine and window, on one qasync loop.

``sora-studio`` (and ``python -m gui``) opens the window; ``sora-studio generate|jobs|resume|models``
runs the command line instead. The window shows first; the backend (Runware, or the sandbox
started as a subprocess) opens asynchronously, and unfinished jobs resume once the engine starts.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import sys
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from gui.runware.catalog import Catalog, default_catalog, resources_dir
from gui.studio.settings import APP_NAME, SecretStore, Settings, SettingsStore

__all__ = ["CLI_COMMANDS", "LaunchOptions", "Studio", "main", "parse_options"]

CLI_COMMANDS = frozenset({"generate", "jobs", "resume", "models"})
SANDBOX_COMMAND = "sandbox-serve"
EXIT_AFTER_PAINT_ENV = "SORA_STUDIO_EXIT_AFTER_PAINT"  # benchmarks: see _exit_after_paint
VERSION = "0.1.0"
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
    import qasync
    from PySide6.QtWidgets import QApplication

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app = QApplication.instance() or QApplication(list(argv))
    configure_application(app)  # type: ignore[arg-type]
    from gui.single_instance import SingleInstance

    instance = SingleInstance(options.data_dir or Path(SettingsStore().load().library_folder))
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
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    studio = Studio(options)
    instance.serve(lambda: _bring_forward(studio))
    probe = os.environ.get(EXIT_AFTER_PAINT_ENV, "").strip().lower()
    if probe and probe not in {"0", "no", "false"}:
        _exit_after_paint(studio, started=probe == "started")
    _close_on_signals(studio)
    from gui import app_probes

    app_probes.install(studio)  # tests drive the whole process: see gui/app_probes.py
    try:
        with loop:
            return loop.run_until_complete(studio.run())
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


def _exit_after_paint(studio: Studio, *, started: bool) -> None:
    """Benchmarks (``SORA_STUDIO_EXIT_AFTER_PAINT=1``): print ``first-paint <time.monotonic()>
    <time.process_time()>`` at the window's first paint event, then close the window (which
    stops whatever has started). With ``=started``, first wait until the studio has started
    (journal loaded, jobs listed), repaint the window, and print ``started-paint …`` as well."""
    import time

    from PySide6.QtCore import QEvent, QObject, QTimer

    window = studio.window
    pending: list[asyncio.Future[None]] = []

    async def after_start() -> None:
        await studio.started.wait()
        window.repaint()  # synchronous: the jobs list is painted when this returns
        print(f"started-paint {time.monotonic():.6f} {time.process_time():.4f}", flush=True)
        window.close()

    def after_first_paint() -> None:
        if started:
            pending.append(asyncio.ensure_future(after_start()))
        else:
            window.close()

    class FirstPaint(QObject):
        def eventFilter(self, watched: Any, event: Any) -> bool:
            if event.type() == QEvent.Type.Paint:
                window.removeEventFilter(self)
                print(f"first-paint {time.monotonic():.6f} {time.process_time():.4f}", flush=True)
                QTimer.singleShot(0, after_first_paint)
            return False

    window.installEventFilter(FirstPaint(window))


def configure_application(app: Any) -> None:
    """Names, icon and theme: once per QApplication."""
    app.setApplicationName("Sora Studio")
    app.setOrganizationName("Sora Studio")
    app.setApplicationVersion(VERSION)
    app.setDesktopFileName(APP_NAME)
    app.setQuitOnLastWindowClosed(False)  # Studio.run stops the engine and sandbox, then returns
    app.setWindowIcon(app_icon())
    theme = resources_dir() / "theme" / "light.qss"
    if theme.is_file():
        app.setStyle("Fusion")
        app.setStyleSheet(theme.read_text("utf-8"))


def app_icon() -> Any:
    """The icon in every size resources/icons has; an empty icon when there are none."""
    from PySide6.QtGui import QIcon

    icon = QIcon()
    folder = resources_dir() / "icons"
    if folder.is_dir():
        for path in sorted(folder.glob("*.png")) + sorted(folder.glob("*.svg")):
            icon.addFile(str(path))
    return icon


class SettingsPresets:
    """Compose presets kept in the settings file."""

    def __init__(self, studio: Studio) -> None:
        self._studio = studio

    def list(self) -> list[str]:
        return sorted(self._studio.settings.presets)

    def save(self, name: str, values: dict[str, Any]) -> None:
        presets = {**self._studio.settings.presets, name: values}
        self._studio.update_settings(presets=presets)

    def load(self, name: str) -> dict[str, Any] | None:
        return self._studio.settings.presets.get(name)

    def delete(self, name: str) -> None:
        presets = {k: v for k, v in self._studio.settings.presets.items() if k != name}
        self._studio.update_settings(presets=presets)


class Studio:
    """Owns everything the window needs, in the order it needs it; closes it all in reverse."""

    def __init__(
        self,
        options: LaunchOptions,
        *,
        secrets: SecretStore | None = None,
        catalog: Catalog | None = None,
    ) -> None:
        from PySide6.QtCore import QTimer

        from gui.ui.bridge import EngineBridge
        from gui.ui.compose.compose_panel import ComposePanel
        from gui.ui.library_host import LibraryHost
        from gui.ui.main_window import MainWindow
        from gui.ui.studio_controller import StudioController

        self.options = options
        config_dir = options.data_dir or Path(_user_config_dir())
        self.settings_store = SettingsStore(
            options.data_dir / SettingsStore.FILE_NAME if options.data_dir else None
        )
        self.settings: Settings = self.settings_store.load()
        self.secrets = secrets or SecretStore()
        self.catalog = catalog or default_catalog()
        self.bridge = EngineBridge()
        self.compose = ComposePanel(
            self.catalog, preset_store=SettingsPresets(self), cache_dir=self.data_dir / "frames"
        )
        if self.settings.last_compose:
            self.compose.load_values(self.settings.last_compose)
        self.window = MainWindow(
            self.catalog, self.compose, state_file=config_dir / "window.ini", icon=app_icon()
        )
        self.controller = StudioController(self.window, self.bridge, self.catalog)
        self.library_host = LibraryHost(self.window, self.bridge, self.catalog, self.controller)
        self.controller.notifier.enabled = self.settings.notifications
        self.backend: Any = None
        self.engine: Any = None
        self.journal: Any = None
        self.library: Any = None
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
        self.compose.values_changed.connect(self._compose_saver.start)
        self.window.closing.connect(self._closed.set)
        self.window.settings_action.triggered.connect(self.show_settings)
        self.window.about_action.triggered.connect(self.show_about)
        self.window.shortcuts_action.triggered.connect(self.show_shortcuts)
        if self.settings_store.problem:
            self.window.status.showMessage(self.settings_store.problem, 15_000)

    @property
    def data_dir(self) -> Path:
        return self.options.data_dir or Path(self.settings.library_folder)

    # ------------------------------------------------------------------ lifecycle
    async def run(self) -> int:
        """Show the window, start the studio behind it, and tidy up when it closes."""
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
        from gui.sandbox_host import open_studio_backend

        sandbox = self.options.sandbox or self.settings.backend == "sandbox"
        status = self.window.status
        status.set_backend(
            "Starting the offline sandbox…" if sandbox else "Connecting…", sandbox=sandbox
        )
        opening = asyncio.ensure_future(
            open_studio_backend(
                self.settings,
                self.secrets,
                data_dir=self.data_dir,
                force_sandbox=self.options.sandbox,
                sandbox_options=self.options.sandbox_options,
            )
        )
        await asyncio.sleep(0)  # the sandbox boots (another process) while this thread reads
        journal = None
        try:
            from gui.studio.engine import Engine
            from gui.studio.journal import Journal
            from gui.studio.library import Library

            journal = Journal.in_folder(self.data_dir)
            jobs = journal.load_jobs()
        except BaseException:
            if journal is not None:
                journal.close()
            await _close_when_open(opening)
            raise
        try:
            self.backend = await opening
        except Exception as exc:  # no key, or the sandbox would not start: say so, stay open
            journal.close()
            self.start_error = str(exc)
            log.warning("backend did not open: %s", exc)
            self.window.show_problem(f"{exc}  Open Settings to fix it.")
            status.set_backend("Not connected", sandbox=False)
            self.started.set()
            return
        self.window.show_problem(None)
        label = "Offline sandbox" if self.backend.is_sandbox else self.backend.label
        self.window.set_backend(label, sandbox=self.backend.is_sandbox)
        self.journal = journal
        self.library = Library(self.data_dir)
        self.engine = Engine(
            self.backend.client,
            self.journal,
            self.library,
            self.catalog,
            self.settings,
            self.bridge.events,
        )
        await self.engine.start(jobs)
        self.controller.attach(self.engine, self.library, fetch_image=self.fetch_image)
        self.library_host.attach(self.engine, self.library)
        self._journal_watch.start()
        self.started.set()

    def _sync_journal(self) -> None:
        """Show jobs another process (the CLI) added or changed in the journal."""
        if self.engine is None:
            return
        try:
            changed = self.engine.sync_with_journal()
        except Exception:  # a busy or vanished journal: try again at the next tick
            log.exception("reading the journal's changes failed")
            return
        if changed:
            from gui import app_probes

            app_probes.say("journal-changed", jobs=[job.spec.prompt for job in changed])

    async def stop(self) -> None:
        """Stop the engine, close the client, stop the sandbox; in that order."""
        self._compose_saver.stop()
        self._journal_watch.stop()
        self._save_compose_values()
        await self.controller.cancel_work()
        self.controller.engine = None  # the window stops asking the engine for anything
        self.library_host.engine = None
        if self.engine is not None:
            await self.engine.stop()
            self.engine = None
        if self.backend is not None:
            await self.backend.close()
            self.backend = None
        if self.journal is not None:
            self.journal.close()
            self.journal = None
        self.started.clear()

    async def restart(self) -> None:
        """Open the backend again (after its settings changed)."""
        await self.stop()
        self.start_error = None
        await self.start()

    # ------------------------------------------------------------------ settings
    def update_settings(self, **changes: Any) -> None:
        self.settings = self.settings.model_copy(update=changes)
        try:
            self.settings_store.save(self.settings)
        except OSError as exc:
            self.window.status.showMessage(f"The settings could not be saved: {exc}", 10_000)

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
        dialog.settings_saved.connect(lambda new: self._apply_settings(new, key_before))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.open()
        return dialog

    def _apply_settings(self, new: Settings, key_before: str | None) -> None:
        old = self.settings
        self.settings = new
        self.controller.notifier.enabled = new.notifications
        if self.engine is not None:
            self.engine.settings = new  # the budget is read at each submit
        backend_changed = (
            new.backend != old.backend
            or self.secrets.get() != key_before
            or (self.start_error is not None)
        )
        moved = self.options.data_dir is None and new.library_folder != old.library_folder
        if backend_changed or moved:
            self.window.status.showMessage("Reconnecting with the new settings…", 5000)
            self.controller.run_task(self.restart(), "Reconnecting")

    async def test_connection(self, api_key: str, backend: str) -> str:
        """For the settings dialog: reach the backend the user is about to choose."""
        from gui.runware.client import RunwareClient
        from gui.studio.errors import StudioError
        from gui.studio.spending import format_money

        wants_sandbox = backend == "sandbox" or (backend == "auto" and not api_key)
        if wants_sandbox:
            if self.engine is not None and self.backend is not None and self.backend.is_sandbox:
                amount, currency = await self.engine.refresh_balance()
                return (
                    f"The offline sandbox answers (play balance {format_money(amount, currency)})."
                )
            return "The offline sandbox starts when you save."
        if not api_key:
            raise StudioError("Enter an API key first.")
        client = RunwareClient(api_key, self.settings.api_url)
        try:
            details = await client.account()
        finally:
            await client.aclose()
        name = f" ({details.organization_name})" if details.organization_name else ""
        return f"Connected to Runware{name}; balance {format_money(details.balance.amount, details.balance.currency)}."

    async def fetch_image(self, url: str) -> Path:
        """Download a dropped image address into the frames folder (for the compose panel)."""
        from gui.studio.errors import StudioError

        if self.backend is None or self.library is None:
            raise StudioError("The studio is still starting.")
        suffix = Path(urlsplit(url).path).suffix.lower()
        suffix = suffix if suffix in {".png", ".jpg", ".jpeg", ".webp"} else ".img"
        dest = self.library.frames / f"web-{uuid.uuid4().hex}{suffix}"
        return Path(await self.backend.client.download(url, dest))

    # ------------------------------------------------------------------ other dialogs
    def show_about(self) -> None:
        from gui.ui.dialogs.info_dialogs import AboutDialog

        label = self.backend.label if self.backend else "not connected"
        AboutDialog(VERSION, label, self.window).open()

    def show_shortcuts(self) -> None:
        from gui.ui.dialogs.info_dialogs import ShortcutsDialog

        ShortcutsDialog(self.window.shortcut_rows(), self.window).open()


async def _close_when_open(opening: asyncio.Future[Any]) -> None:
    """Wait for a backend being opened and close it (start-up failed after it began)."""
    try:
        backend = await opening
    except Exception:
        return
    await backend.close()


def _user_config_dir() -> str:
    import platformdirs

    return platformdirs.user_config_dir(APP_NAME)
