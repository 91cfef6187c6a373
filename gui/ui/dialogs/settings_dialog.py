"""Settings: API key (kept in the keyring), backend, library folder, downloads, budget, notices,
theme.

The dialog never talks to the network. "Test connection" calls the coroutine the app hands in,
which goes through the studio's client; the dialog only shows its answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.studio.settings import SecretStorageUnavailable, SecretStore, Settings, SettingsStore

__all__ = ["ConnectionTest", "SettingsDialog"]

# (api key as typed, backend choice) → a sentence to show; raises with a message on failure
ConnectionTest = Callable[[str, str], Awaitable[str]]

_THEMES = (
    ("system", "Follow the system (dark when it does not say)"),
    ("dark", "Dark"),
    ("light", "Light"),
)
_BACKENDS = (
    ("auto", "Automatic — Runware when a key is set, otherwise the offline sandbox"),
    ("runware", "Runware (billed to your account)"),
    ("sandbox", "Offline sandbox (synthetic videos, free)"),
)


class SettingsDialog(QDialog):
    """Edits :class:`Settings`; saves them and the key when the user presses Save."""

    settings_saved = Signal(object)  # the new Settings

    def __init__(
        self,
        settings: Settings,
        store: SettingsStore,
        secrets: SecretStore,
        test_connection: ConnectionTest | None = None,
        *,
        library_fixed: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setObjectName("SettingsDialog")
        self.setMinimumWidth(560)
        self._settings = settings
        self._store = store
        self._secrets = secrets
        self._test_connection = test_connection
        self._library_fixed = library_fixed
        self._test_task: asyncio.Task[None] | None = None
        self._original_key = secrets.get() or ""
        layout = QVBoxLayout(self)
        layout.addWidget(self._build_account())
        layout.addWidget(self._build_studio())
        self.error = QLabel(self)
        self.error.setObjectName("DialogError")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        self.notice = QLabel(self)  # saved, with something to know (the key kept for now only)
        self.notice.setObjectName("WarningLabel")
        self.notice.setWordWrap(True)
        self.notice.hide()
        layout.addWidget(self.notice)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._load(settings)

    # ------------------------------------------------------------------ building
    def _build_account(self) -> QGroupBox:
        box = QGroupBox("Runware account", self)
        form = QFormLayout(box)
        self.key_edit = QLineEdit(box)
        self.key_edit.setObjectName("ApiKeyEdit")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText("Paste your Runware API key")
        self.key_edit.setClearButtonEnabled(True)
        self.show_key = QToolButton(box)
        self.show_key.setText("Show")
        self.show_key.setCheckable(True)
        self.show_key.toggled.connect(self._on_show_key_toggled)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.show_key)
        form.addRow("API key", key_row)

        self.key_note = QLabel(box)
        self.key_note.setWordWrap(True)
        self.key_note.setObjectName("MutedLabel")
        self.storage_warning = QLabel(box)
        self.storage_warning.setObjectName("WarningLabel")
        self.storage_warning.setWordWrap(True)
        form.addRow("", self.key_note)
        form.addRow("", self.storage_warning)

        self.test_button = QPushButton("Test connection", box)
        self.test_button.clicked.connect(self._on_test_clicked)
        self.test_button.setEnabled(self._test_connection is not None)
        self.test_result = QLabel(box)
        self.test_result.setWordWrap(True)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)
        form.addRow("", test_row)

        self.backend_combo = QComboBox(box)
        for value, text in _BACKENDS:
            self.backend_combo.addItem(text, value)
        form.addRow("Backend", self.backend_combo)
        return box

    def _build_studio(self) -> QGroupBox:
        box = QGroupBox("Studio", self)
        form = QFormLayout(box)
        self.library_edit = QLineEdit(box)
        self.library_button = QPushButton("Choose…", box)
        self.library_button.clicked.connect(self._on_choose_library)
        row = QHBoxLayout()
        row.addWidget(self.library_edit, 1)
        row.addWidget(self.library_button)
        form.addRow("Library folder", row)
        self.library_note = QLabel(box)
        self.library_note.setObjectName("MutedLabel")
        self.library_note.setWordWrap(True)
        form.addRow("", self.library_note)

        self.downloads_spin = QSpinBox(box)
        self.downloads_spin.setRange(1, 16)
        self.downloads_spin.setSuffix(" at once")
        form.addRow("Downloads", self.downloads_spin)

        self.budget_spin = QDoubleSpinBox(box)
        self.budget_spin.setRange(0, 100_000)
        self.budget_spin.setDecimals(2)
        self.budget_spin.setPrefix("$")
        self.budget_spin.setSingleStep(5)
        self.budget_spin.setSpecialValueText("No limit")
        self.budget_spin.setToolTip("Jobs that would take today's spend past this are refused")
        form.addRow("Daily budget", self.budget_spin)

        self.notify_check = QCheckBox(
            "Tell me when a job finishes while the window is in the background", box
        )
        form.addRow("Notifications", self.notify_check)

        self.theme_combo = QComboBox(box)
        self.theme_combo.setObjectName("ThemeCombo")
        for value, text in _THEMES:
            self.theme_combo.addItem(text, value)
        form.addRow("Theme", self.theme_combo)
        return box

    def _load(self, settings: Settings) -> None:
        self.key_edit.setText(self._original_key)
        source = self._secrets.source
        if source == "environment":
            self.key_note.setText(
                f"The key in use comes from {SecretStore.ENV}; a key saved here is used when "
                "that variable is not set."
            )
        elif source == "session":
            self.key_note.setText(
                "The key is kept in memory for this session only (the keyring refused it); "
                f"set {SecretStore.ENV} to keep it."
            )
        elif self._secrets.secure:
            self.key_note.setText(f"Stored in {self._secrets.backend_name}, never in a file.")
        else:
            self.key_note.setText("The key is never written to a file.")
        if not self._secrets.secure:
            self.storage_warning.setText(
                "⚠ No secure key storage (OS keyring) is available on this machine: a key "
                "entered here is used for this session only. To keep one, set "
                f"{SecretStore.ENV} in the environment."
            )
            self.storage_warning.show()
        else:
            self.storage_warning.hide()
        index = self.backend_combo.findData(settings.backend)
        self.backend_combo.setCurrentIndex(max(0, index))
        folder = self._library_fixed or settings.library_folder
        self.library_edit.setText(str(folder))
        fixed = self._library_fixed is not None
        self.library_edit.setEnabled(not fixed)
        self.library_button.setEnabled(not fixed)
        self.library_note.setText(
            "Set by --data-dir for this session."
            if fixed
            else "Videos, thumbnails and the journal."
        )
        self.downloads_spin.setValue(settings.concurrent_downloads)
        self.budget_spin.setValue(settings.daily_budget or 0.0)
        self.notify_check.setChecked(settings.notifications)
        self.theme_combo.setCurrentIndex(max(0, self.theme_combo.findData(settings.theme)))

    # ------------------------------------------------------------------ values
    def values(self) -> Settings:
        """The settings as edited (not yet saved)."""
        budget = self.budget_spin.value()
        update: dict[str, object] = {
            "backend": self.backend_combo.currentData(),
            "concurrent_downloads": self.downloads_spin.value(),
            "daily_budget": budget if budget > 0 else None,
            "notifications": self.notify_check.isChecked(),
            "theme": self.theme_combo.currentData(),
        }
        if self._library_fixed is None and self.library_edit.text().strip():
            update["library_folder"] = Path(self.library_edit.text().strip()).expanduser()
        return self._settings.model_copy(update=update)

    @property
    def api_key(self) -> str:
        return self.key_edit.text().strip()

    def save(self) -> None:
        """Keep the key in the keyring and the rest in the settings file, then close.

        A key the keyring refuses does not hold the rest back: it is kept in memory for this
        session, everything else is saved and applied, and the dialog stays open to say so."""
        new = Settings.model_validate(self.values().model_dump())
        try:
            self._store.save(new)
        except OSError as exc:
            self._show_error(f"The settings could not be written: {exc.strerror or exc}.")
            return
        notice = None
        if self.api_key != self._original_key:
            try:
                if self.api_key:
                    notice = self._secrets.keep(self.api_key)
                else:
                    self._secrets.delete()
            except SecretStorageUnavailable as exc:
                notice = f"Saved, but the key could not be removed: {exc}"
            self._original_key = self.api_key
        self._settings = new
        self.error.hide()
        self.settings_saved.emit(new)
        if notice is None:
            self.accept()
            return
        self.notice.setText(f"⚠ {notice}")
        self.notice.show()
        self.storage_warning.hide()  # the notice says it for this key
        self.adjustSize()  # room for the notice: the labels above keep their lines
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText("Close")  # everything is saved: nothing left to cancel

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    # ------------------------------------------------------------------ reactions
    def _on_show_key_toggled(self, shown: bool) -> None:
        self.key_edit.setEchoMode(
            QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        )
        self.show_key.setText("Hide" if shown else "Show")

    def _on_choose_library(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Library folder", self.library_edit.text())
        if folder:
            self.library_edit.setText(folder)

    def _on_test_clicked(self) -> None:
        if self._test_connection is None or (self._test_task and not self._test_task.done()):
            return
        self.test_button.setEnabled(False)
        self.test_result.setProperty("ok", None)
        self.test_result.setText("Testing…")
        self._test_task = asyncio.ensure_future(self._run_test())

    async def _run_test(self) -> None:
        assert self._test_connection is not None
        try:
            message = await self._test_connection(
                self.api_key, str(self.backend_combo.currentData())
            )
            self.test_result.setText(f"✓ {message}")
            self.test_result.setObjectName("OkLabel")
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # any failure is the answer to show
            self.test_result.setText(f"✗ {exc}")
            self.test_result.setObjectName("WarningLabel")
        finally:
            self.test_button.setEnabled(True)
            self.test_result.style().unpolish(self.test_result)
            self.test_result.style().polish(self.test_result)

    def done(self, result: int) -> None:
        if self._test_task is not None and not self._test_task.done():
            self._test_task.cancel()
        super().done(result)
