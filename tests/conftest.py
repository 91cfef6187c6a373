"""Shared fixtures: offscreen Qt, an in-memory keyring, qasync loops and the sandbox server."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any Qt import
os.environ.setdefault(
    "QT_LOGGING_RULES",
    "qt.multimedia.ffmpeg*=false;qt.multimedia.symbolsresolver=false;"
    "qt.multimedia.playbackengine*=false",
)
os.environ.pop("RUNWARE_API_KEY", None)  # a developer's real key never reaches a test

import keyring
import keyring.backend
import pytest

from tests import qt_message_floor, watchdog
from tests.watchdog import pytest_runtest_protocol  # noqa: F401  (a hook)


def pytest_configure(config: pytest.Config) -> None:
    watchdog.pytest_configure(config)
    qt_message_floor.install()  # under pytest-qt's per-test capture: see qt_message_floor


class MemoryKeyringForTests(keyring.backend.KeyringBackend):
    """In-memory keyring: the real OS keyring cannot run headless (see docs/testing.md, "Qt offscreen")."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyringForTests]:
    backend = MemoryKeyringForTests()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """platformdirs paths point into a temporary home, so no test touches the user's files."""
    home = tmp_path_factory.mktemp("home")
    for var, sub in (
        ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_STATE_HOME", "state"),
    ):
        monkeypatch.setenv(var, str(home / sub))
    return home


@pytest.fixture(scope="session", autouse=True)
def main_thread_gc(qapp):  # type: ignore[no-untyped-def]
    """Cycles are collected on the GUI thread only, as in the app (gui/ui/main_thread_gc.py):
    a worker's collection of a Qt object with a timer crashed the GUI thread between tests."""
    from gui.ui.main_thread_gc import MainThreadGC

    collector = MainThreadGC()
    yield collector
    collector.stop()


@pytest.fixture(autouse=True)
def collect_between_tests() -> Iterator[None]:
    """Tests that never run Qt's loop still have their cycles collected, on this thread."""
    yield
    from gui.ui.main_thread_gc import collect_due

    collect_due()


@pytest.fixture(autouse=True)
def no_qt_object_dies_on_another_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    """A Qt object destroyed off its thread leaves timers to fire into freed memory later;
    the test during which Qt says so fails here, not some later test with a segfault."""
    yield
    capture = getattr(request.node, "qt_log_capture", None)
    if capture is None:  # Qt logging capture is off (pytest --no-qt-log)
        return
    wrong = [r.message for r in capture.records if "another thread" in r.message]
    assert wrong == [], f"Qt objects were destroyed on another thread: {wrong[:3]}"


@pytest.fixture
def qloop(qapp):  # type: ignore[no-untyped-def]
    """Pattern A: a qasync loop for sync tests that call run_until_complete."""
    import qasync

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    yield loop
    loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def qloop_running(qapp):  # type: ignore[no-untyped-def]
    """Pattern B: a qasync loop marked running, for @asyncSlot + qtbot.waitSignal/waitUntil."""
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    yield loop
    for task in asyncio.all_tasks(loop):
        task.cancel()
    # let cancelled tasks run their finally blocks
    from PySide6.QtCore import QCoreApplication

    for _ in range(20):
        QCoreApplication.processEvents()
    asyncio.events._set_running_loop(None)
    loop._QEventLoop__is_running = False  # private, but close() refuses a "running" loop
    loop.close()
    asyncio.set_event_loop(None)


# --------------------------------------------------------------------------- the sandbox server
# A real sandbox process on loopback (gui/sandbox); see gui/sandbox/process.py for its helpers.


@pytest.fixture
def sandbox_factory(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Start sandboxes with ``sandbox_factory(**SandboxProcess.start kwargs)``; each gets its own
    data dir under tmp_path, and all are stopped at teardown."""
    from gui.sandbox.process import SandboxProcess

    started: list[SandboxProcess] = []

    def start(data_dir: Path | None = None, **kwargs: object) -> SandboxProcess:
        kwargs.setdefault("processing_seconds", 0.2)
        folder = data_dir or tmp_path / f"sandbox-{len(started)}"
        process = SandboxProcess.start(folder, **kwargs)  # type: ignore[arg-type]
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


@pytest.fixture
def sandbox(sandbox_factory):  # type: ignore[no-untyped-def]
    """A fresh sandbox whose tasks finish after about 0.2 s (plus rendering)."""
    return sandbox_factory(processing_seconds=0.2)
