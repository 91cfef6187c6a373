"""Fixtures for window tests: the whole studio on the sandbox subprocess, drag-and-drop, stalls.

UI flows use pattern B (see docs/testing.md, "Qt offscreen"): ``qloop_running`` plus ``qtbot.waitUntil`` in a
sync test; coroutines are started with ``asyncio.ensure_future`` and waited for the same way.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.exceptions import TimeoutError as QtBotTimeout

from gui.app import LaunchOptions, Studio
from gui.studio.settings import PollTimings, SecretStore, Settings, SettingsStore
from gui.ui.player.media_safety import unload_later
from gui.ui.theme import ThemeController
from tests.async_stacks import pending_tasks, where_it_waits


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> Any:
    """Before pytest-qt closes and deletes the test's widgets, stop and unload every player
    they hold: a QMediaPlayer deleted mid-playback, while its FFmpeg threads run and may call
    back into a Python-made QAudioOutput, crashed a worker thread at teardown now and then
    (docs/testing.md). The unload is synchronous and GIL-free (media_safety.unload)."""
    unload_every_player()
    return (yield)


def unload_every_player() -> None:
    from PySide6.QtMultimedia import QMediaPlayer
    from PySide6.QtWidgets import QApplication

    from gui.ui.player import media_safety

    app = QApplication.instance()
    if app is None:
        return
    stopped = QMediaPlayer.PlaybackState.StoppedState
    for widget in QApplication.topLevelWidgets():
        for player in widget.findChildren(QMediaPlayer):
            if player.source().isValid() or player.playbackState() != stopped:
                media_safety.unload(player)


FAST_POLLS = PollTimings(first_delay=0.2, max_interval=0.5, error_delay=0.3, download_retry=0.3)


def await_in_qt(qtbot: Any, coro: Any, timeout: int = 30_000) -> Any:
    """Run a coroutine on the running qasync loop and wait for it with Qt's loop (pattern B)."""
    future = asyncio.ensure_future(coro)
    try:
        qtbot.waitUntil(future.done, timeout=timeout)
    except QtBotTimeout as exc:
        raise AssertionError(
            f"{coro.__qualname__} did not finish in {timeout} ms; it waits in:\n"
            f"{where_it_waits(future)}\nother pending tasks:\n{pending_tasks()}"
        ) from exc
    return future.result()


class StallMeter(QObject):
    """A 5 ms timer; the longest gap between its ticks is the longest the event loop stalled."""

    def __init__(self, interval_ms: int = 5) -> None:
        super().__init__()
        self.interval = interval_ms / 1000
        self.longest = 0.0
        self.ticks = 0
        self._last: float | None = None
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            self.longest = max(self.longest, now - self._last)
        self._last = now
        self.ticks += 1


@pytest.fixture
def make_studio(qtbot, qloop_running, tmp_path: Path) -> Iterator[Callable[..., Studio]]:  # type: ignore[no-untyped-def]
    """Start studios on the sandbox subprocess; each is stopped (engine, client, sandbox) after."""
    studios: list[Studio] = []

    def make(
        data_dir: Path | None = None,
        processing_seconds: float = 0.3,
        *,
        runware: Any = None,
        **options: Any,
    ) -> Studio:
        """``runware``: a running SandboxProcess to use as "Runware" (a key and an API URL,
        as with the real service) instead of the sandbox the app starts itself."""
        data_dir = data_dir or tmp_path / "data"
        if runware is not None:
            data_dir.mkdir(parents=True, exist_ok=True)
            SettingsStore(data_dir / SettingsStore.FILE_NAME).save(
                Settings(backend="runware", api_url=runware.url, poll=FAST_POLLS)
            )
            SecretStore(environ={}).set(runware.api_key)
        studio = Studio(
            LaunchOptions(
                sandbox=runware is None,
                data_dir=data_dir,
                sandbox_options={"processing_seconds": processing_seconds, **options},
            ),
            secrets=SecretStore(environ={}),
        )
        studios.append(studio)
        studio.open_url = lambda url: True  # never launch a file manager in tests
        studio.window.resize(1440, 900)
        studio.window.show()
        await_in_qt(qtbot, studio.start(), timeout=60_000)
        assert studio.session is not None, studio.start_error
        return studio

    yield make
    for studio in studios:
        if studio.session is not None:
            await_in_qt(qtbot, studio.stop(), timeout=30_000)
        studio.compose.wait_for_images()
        # let the FFmpeg pipeline wind down before its widgets are destroyed (a player torn
        # down mid-playback by deleteLater crashed a worker thread now and then)
        media = studio.window.player.media
        unload_later(media)
        qtbot.waitUntil(lambda m=media: not m.source().isValid(), timeout=5000)
        studio.window.close()
        studio.window.deleteLater()


@pytest.fixture
def studio(make_studio: Callable[..., Studio]) -> Studio:
    return make_studio()


def sandbox_requests(studio: Studio, task_type: str | None = None) -> list[dict[str, Any]]:
    """The tasks the sandbox received (from its request log), optionally of one type."""
    assert studio.session is not None and studio.session.backend.sandbox is not None
    tasks = []
    for entry in studio.session.backend.sandbox.requests():
        for task in entry.get("request") or []:
            if isinstance(task, dict) and (task_type is None or task.get("taskType") == task_type):
                tasks.append(task)
    return tasks


@pytest.fixture
def app_theme(qapp: QApplication) -> Iterator[QApplication]:
    """The application's look is global: put it back as it was after the test."""
    style, palette, sheet = qapp.style().name(), QPalette(qapp.palette()), qapp.styleSheet()
    yield qapp
    for controller in qapp.findChildren(ThemeController):
        controller.setParent(None)
        controller.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)
    if style and qapp.style().name() != style:
        qapp.setStyle(style)
