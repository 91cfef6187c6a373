"""The user's settings, observed: whoever cares reacts to ``changed`` at once (no restart)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from gui.studio.settings import Settings, SettingsStore

__all__ = ["SettingsViewModel"]


class SettingsViewModel(QObject):
    """Holds the current :class:`Settings`; every change is saved and announced."""

    changed = Signal(object, object)  # new Settings, old Settings
    save_failed = Signal(str)

    def __init__(self, store: SettingsStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.settings: Settings = store.load()
        self.problem = store.problem  # why the file could not be read, if it could not

    def update(self, **changes: Any) -> None:
        """Change some fields (validated as :class:`Settings` validates them)."""
        self.replace(Settings.model_validate({**self.settings.model_dump(), **changes}))

    def replace(self, new: Settings, *, save: bool = True) -> None:
        """Take a whole new set (the settings dialog saves it itself: ``save=False``)."""
        old = self.settings
        if new == old:
            return
        self.settings = new
        if save:
            try:
                self.store.save(new)
            except OSError as exc:
                self.save_failed.emit(f"The settings could not be saved: {exc}")
        self.changed.emit(new, old)
