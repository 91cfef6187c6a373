"""The settings dialog: the key goes to the keyring (never the file), values round-trip, and the
connection test runs through the callable the app hands in."""

from __future__ import annotations

import json
from pathlib import Path

import keyring.backend
import pytest
from PySide6.QtWidgets import QLineEdit

from gui.app import Studio
from gui.studio.settings import SecretStore, Settings, SettingsStore
from gui.ui.dialogs.settings_dialog import SettingsDialog
from tests.ui.conftest import await_in_qt

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
    dialog.key_edit.setText(KEY)
    dialog.save()
    assert dialog.isVisible()  # not closed: the user must read why
    assert not dialog.error.isHidden() and "RUNWARE_API_KEY" in dialog.error.text()
    assert not store.path.exists() or KEY not in store.path.read_text("utf-8")


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
