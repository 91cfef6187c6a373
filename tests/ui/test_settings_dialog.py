"""The settings dialog: the key goes to the keyring (never the file), values round-trip, and the
connection test runs through the callable the app hands in."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import keyring.backend
import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QDialogButtonBox, QLineEdit, QWidget

from gui.app import Studio
from gui.studio.connection_check import ConnectionLimits, check_runware
from gui.studio.errors import StudioError
from gui.studio.settings import SecretStore, Settings, SettingsStore
from gui.ui.dialogs.settings_dialog import SettingsDialog
from gui.ui.theme import install_theme, is_dark, palette_for
from tests.ui.conftest import await_in_qt
from tests.ui.test_theme import system_says

KEY = "rw-test-key-0123456789abcdef"


def open_dialog(qtbot, store: SettingsStore, secrets: SecretStore, test=None) -> SettingsDialog:  # type: ignore[no-untyped-def]
    dialog = SettingsDialog(store.load(), store, secrets, test)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_round_trip_key_in_keyring_not_in_file(qtbot, tmp_path: Path, memory_keyring) -> None:  # type: ignore[no-untyped-def]
    store = SettingsStore(tmp_path / "settings.json")
    secrets = SecretStore(environ={})
    dialog = open_dialog(qtbot, store, secrets)
    assert dialog.key_edit.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.storage_warning.isHidden()  # the in-memory keyring counts as secure
    dialog.key_edit.setText(KEY)
    dialog.show_key.click()
    assert dialog.key_edit.echoMode() == QLineEdit.EchoMode.Normal
    dialog.backend_combo.setCurrentIndex(dialog.backend_combo.findData("runware"))
    dialog.downloads_spin.setValue(5)
    dialog.budget_spin.setValue(12.5)
    dialog.notify_check.setChecked(False)
    library = tmp_path / "my videos"
    dialog.library_edit.setText(str(library))
    saved: list[Settings] = []
    dialog.settings_saved.connect(saved.append)
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()

    assert saved and dialog.result() == SettingsDialog.DialogCode.Accepted
    assert memory_keyring.store[(SecretStore.SERVICE, SecretStore.USER)] == KEY
    text = store.path.read_text("utf-8")
    assert KEY not in text
    body = json.loads(text)
    assert body["backend"] == "runware" and body["concurrent_downloads"] == 5
    assert body["daily_budget"] == 12.5 and body["notifications"] is False
    assert Path(body["library_folder"]) == library

    again = open_dialog(qtbot, store, secrets)
    assert again.key_edit.text() == KEY
    assert again.backend_combo.currentData() == "runware"
    assert again.downloads_spin.value() == 5 and again.budget_spin.value() == 12.5
    assert not again.notify_check.isChecked()
    again.budget_spin.setValue(0)  # "No limit"
    again.key_edit.clear()  # removing the key deletes it from the keyring
    again.save()
    assert (SecretStore.SERVICE, SecretStore.USER) not in memory_keyring.store
    assert json.loads(store.path.read_text("utf-8"))["daily_budget"] is None


class _NoKeyring(keyring.backend.KeyringBackend):
    priority = 0  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.NoKeyringError("no backend")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.NoKeyringError("no backend")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.NoKeyringError("no backend")


@pytest.fixture
def no_keyring():  # type: ignore[no-untyped-def]
    previous = keyring.get_keyring()
    backend = _NoKeyring()
    backend.__class__.__module__ = "keyring.backends.fail"  # how SecretStore recognises it
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_insecure_storage_is_said_and_the_key_is_not_written_anywhere(
    qtbot, tmp_path: Path, no_keyring
) -> None:  # type: ignore[no-untyped-def]
    store = SettingsStore(tmp_path / "settings.json")
    dialog = open_dialog(qtbot, store, SecretStore(environ={}))
    assert not dialog.storage_warning.isHidden()
    assert "No secure key storage" in dialog.storage_warning.text()
    type_into(dialog.key_edit, KEY)
    click(dialog.buttons.button(QDialogButtonBox.StandardButton.Save))
    assert dialog.isVisible()  # not closed: the user must read what became of the key
    assert not dialog.notice.isHidden() and "RUNWARE_API_KEY" in dialog.notice.text()
    assert dialog.storage_warning.isHidden()  # the notice says it, once
    assert KEY not in store.path.read_text("utf-8")
    for label in (dialog.notice, dialog.key_note, dialog.library_note):
        qtbot.waitUntil(lambda lb=label: lb.height() >= lb.heightForWidth(lb.width()), timeout=5000)


class FailingKeyringForTest(keyring.backend.KeyringBackend):
    """A keyring that looks usable (a locked or broken desktop keyring) but refuses every key."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.refused = 0

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.refused += 1
        raise keyring.errors.PasswordSetError("the collection is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.PasswordDeleteError("the collection is locked")


@pytest.fixture
def failing_keyring() -> Iterator[FailingKeyringForTest]:
    previous = keyring.get_keyring()
    backend = FailingKeyringForTest()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_a_key_the_keyring_refuses_is_kept_for_the_session_and_the_rest_is_saved(
    qtbot, tmp_path: Path, failing_keyring: FailingKeyringForTest, caplog
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    store = SettingsStore(tmp_path / "settings.json")
    secrets = SecretStore(environ={})
    dialog = open_dialog(qtbot, store, secrets)
    assert dialog.storage_warning.isHidden()  # it looks usable until it refuses
    saved: list[Settings] = []
    dialog.settings_saved.connect(saved.append)
    type_into(dialog.key_edit, KEY)
    type_into(dialog.budget_spin, "25")
    click(dialog.buttons.button(QDialogButtonBox.StandardButton.Save))

    assert failing_keyring.refused == 1
    assert [s.daily_budget for s in saved] == [25.0]  # the budget was not lost
    text = store.path.read_text("utf-8")
    assert json.loads(text)["daily_budget"] == 25.0 and KEY not in text
    assert secrets.get() == KEY and secrets.source == "session"  # in memory, for now
    assert dialog.isVisible() and not dialog.notice.isHidden()
    notice = dialog.notice.text()
    assert "could not be stored in the keyring (PasswordSetError)" in notice
    assert "session only" in notice and "RUNWARE_API_KEY" in notice
    assert KEY not in notice and KEY not in caplog.text
    assert not list(tmp_path.rglob("*.bad"))
    assert all(
        KEY not in p.read_text("utf-8", "replace") for p in tmp_path.rglob("*") if p.is_file()
    )
    close = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert close.text() == "Close"
    click(close)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)

    again = open_dialog(qtbot, store, secrets)  # the key is still there for this session
    assert again.key_edit.text() == KEY and "session only" in again.key_note.text()
    assert again.budget_spin.value() == 25.0
    assert SecretStore(environ={}).get() is None  # a new process would not have it


def test_test_connection_uses_the_given_callable(qtbot, qloop_running, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    calls: list[tuple[str, str]] = []

    async def fake_test(key: str, backend: str) -> str:
        calls.append((key, backend))
        if key == "bad":
            raise RuntimeError("invalidApiKey: Invalid API key.")
        return "Connected; balance $3.00."

    dialog = open_dialog(
        qtbot, SettingsStore(tmp_path / "s.json"), SecretStore(environ={}), fake_test
    )
    dialog.key_edit.setText("good")
    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.test_result.text().startswith("✓"), timeout=5000)
    assert "balance $3.00" in dialog.test_result.text()
    dialog.key_edit.setText("bad")
    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.test_result.text().startswith("✗"), timeout=5000)
    assert "invalidApiKey" in dialog.test_result.text()
    assert calls == [("good", "auto"), ("bad", "auto")]


def test_the_apps_connection_test_reaches_the_backend(qtbot, make_studio, sandbox) -> None:  # type: ignore[no-untyped-def]
    studio: Studio = make_studio()
    answer = await_in_qt(qtbot, studio.test_connection("", "sandbox"))
    assert "sandbox answers" in answer
    # a key and Runware's address (here the sandbox standing in for it) reach the account
    # the URL only, not announced: a changed URL would reopen the session behind the test
    studio.settings_vm.settings = studio.settings.model_copy(update={"api_url": sandbox.url})
    answer = await_in_qt(qtbot, studio.test_connection(sandbox.api_key, "runware"))
    assert answer.startswith("Connected to Runware") and "balance $" in answer
    with pytest.raises(Exception, match=r"(?i)key"):
        await_in_qt(qtbot, studio.test_connection("wrong-key", "runware"))
    dialog = studio.show_settings()
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert dialog.library_edit.text() == str(studio.options.data_dir)
    assert not dialog.library_edit.isEnabled()  # fixed by --data-dir
    dialog.reject()


# ---------------------------------------------------------------------- real input helpers
def click(widget: QWidget, pos: QPoint | None = None) -> None:
    QTest.mouseClick(
        widget,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        pos or widget.rect().center(),
    )


def choose(qtbot, combo: QComboBox, value: str) -> None:  # type: ignore[no-untyped-def]
    """Open the combo box with a click and click the entry whose data is ``value``."""
    click(combo)
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=5000)
    row = combo.findData(value)
    assert row >= 0, value
    target = view.visualRect(view.model().index(row, 0)).center()

    def clicked_through() -> bool:
        # a combo's popup ignores a release that comes too soon after it opened (as a
        # press-drag-release on the combo would): click again until it takes one
        if view.isVisible():
            click(view.viewport(), target)
        return not view.isVisible()

    qtbot.waitUntil(clicked_through, timeout=5000)
    assert combo.currentData() == value


def type_into(widget: QWidget, text: str) -> None:
    widget.setFocus()
    QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(widget, text)


# ---------------------------------------------------------------------- theme
@pytest.mark.usefixtures("app_theme")  # the application's look is put back after
def test_the_theme_chosen_in_settings_applies_at_once_and_after_a_restart(
    qtbot, make_studio, qapp: QApplication
) -> None:  # type: ignore[no-untyped-def]
    studio: Studio = make_studio()
    controller = install_theme(qapp, studio.settings_vm)
    system_says(Qt.ColorScheme.Dark)
    window = studio.window
    assert controller.scheme == "dark"
    assert is_dark(window.palette())
    dialog = studio.show_settings()
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert dialog.theme_combo.currentData() == "system"
    choose(qtbot, dialog.theme_combo, "light")
    assert controller.scheme == "dark"  # nothing changes before Save
    click(dialog.buttons.button(QDialogButtonBox.StandardButton.Save))
    qtbot.waitUntil(lambda: not is_dark(window.palette()), timeout=5000)
    assert controller.scheme == "light" and not dialog.isVisible()
    assert json.loads(studio.settings_store.path.read_text("utf-8"))["theme"] == "light"
    system_says(Qt.ColorScheme.Dark)  # the user's choice holds against the system
    assert not is_dark(window.palette())

    # a restart: the session ends, the theme is gone with the process, a new studio opens
    data_dir = studio.options.data_dir
    await_in_qt(qtbot, studio.stop(), timeout=30_000)
    controller.setParent(None)
    controller.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qapp.setPalette(palette_for("dark"))
    again: Studio = make_studio(data_dir)
    assert again.settings.theme == "light"
    restarted = install_theme(qapp, again.settings_vm)
    assert restarted is not controller and restarted.scheme == "light"
    assert not is_dark(qapp.palette())


# ---------------------------------------------------------------------- test connection
def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_test_connection_says_at_once_when_nothing_answers(
    qtbot, qloop_running, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    port = closed_port()
    url = f"http://127.0.0.1:{port}/v1"
    dialog = open_dialog(
        qtbot,
        SettingsStore(tmp_path / "s.json"),
        SecretStore(environ={}),
        lambda key, _backend: check_runware(key, url, ConnectionLimits(connect=3, total=10)),
    )
    type_into(dialog.key_edit, KEY)
    click(dialog.test_button)
    assert dialog.test_result.text() == "Testing…"  # the window is not held while it runs
    qtbot.waitUntil(lambda: dialog.test_result.text().startswith("✗"), timeout=15_000)
    assert dialog.test_result.text() == (
        f"✗ Cannot reach 127.0.0.1:{port}: connection refused (nothing listens there)."
    )
    assert KEY not in dialog.test_result.text()
    assert dialog.test_button.isEnabled()


@pytest.mark.asyncio
async def test_a_host_that_takes_the_connection_but_never_answers_is_bounded() -> None:
    with socket.socket() as silent:  # the kernel completes the handshake; nobody answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        with pytest.raises(StudioError) as raised:
            await check_runware(
                KEY, f"http://127.0.0.1:{port}/v1", ConnectionLimits(connect=1, total=1)
            )
    assert str(raised.value) == f"Cannot reach 127.0.0.1:{port}: no answer within 1 s."


def test_the_default_address_is_named_as_the_user_knows_it() -> None:
    from gui.runware.client import RUNWARE_URL

    with pytest.raises(StudioError, match="Enter an API key"):
        asyncio.run(check_runware("  ", RUNWARE_URL))
    assert urlsplit(RUNWARE_URL).hostname == "api.runware.ai"
