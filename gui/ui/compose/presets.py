"""Named presets of the compose settings, kept by a store the app provides."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

__all__ = ["MemoryPresetStore", "PresetBar", "PresetStore"]


@runtime_checkable
class PresetStore(Protocol):
    """Where presets live. The app backs it with its settings; values are plain JSON data."""

    def list(self) -> list[str]:
        """Preset names, in the order to show them."""
        ...

    def save(self, name: str, values: dict[str, Any]) -> None: ...

    def load(self, name: str) -> dict[str, Any] | None: ...

    def delete(self, name: str) -> None: ...


class MemoryPresetStore:
    """Presets in memory, for tests and for a studio without settings."""

    def __init__(self) -> None:
        self._presets: dict[str, str] = {}

    def list(self) -> list[str]:
        return sorted(self._presets, key=str.casefold)

    def save(self, name: str, values: dict[str, Any]) -> None:
        self._presets[name] = json.dumps(values)  # stored as text, as a settings file would

    def load(self, name: str) -> dict[str, Any] | None:
        text = self._presets.get(name)
        return copy.deepcopy(json.loads(text)) if text is not None else None

    def delete(self, name: str) -> None:
        self._presets.pop(name, None)


class PresetBar(QWidget):
    """A preset combo (type a name to save under it; pick one to apply it), Save and Delete.

    ``preset_chosen(values)`` asks the panel to load a preset's values.
    """

    preset_chosen = Signal(dict)
    preset_saved = Signal(str)  # its name, once it is in the store

    def __init__(
        self,
        store: PresetStore,
        current_values: Callable[[], dict[str, Any]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._current_values = current_values
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.label = QLabel("Pre&set")
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        name_edit = self.combo.lineEdit()
        assert name_edit is not None  # an editable combo box always has its line edit
        name_edit.setPlaceholderText("Preset name")
        self.combo.setAccessibleName("Preset")
        self.combo.setToolTip("Pick a preset to apply it, or type a name and press Save")
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setMinimumContentsLength(8)
        self.combo.activated.connect(self._on_activated)
        name_edit.returnPressed.connect(self._on_return_pressed)
        self.combo.editTextChanged.connect(self._update_buttons)
        self.label.setBuddy(self.combo)
        self.save_button = QPushButton("Save")
        self.save_button.setAccessibleName("Save preset")
        self.save_button.setToolTip("Save the current settings under this name")
        self.save_button.clicked.connect(self._on_save_clicked)
        self.delete_button = QPushButton("Delete")
        self.delete_button.setAccessibleName("Delete preset")
        self.delete_button.setToolTip("Delete the preset of this name")
        self.delete_button.clicked.connect(self._on_delete_clicked)
        for button in (self.save_button, self.delete_button):
            button.setAutoDefault(False)
        layout.addWidget(self.label)
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.save_button)
        layout.addWidget(self.delete_button)
        self.refresh()

    def set_store(self, store: PresetStore) -> None:
        self._store = store
        self.refresh()

    def names(self) -> list[str]:
        return [self.combo.itemText(i) for i in range(self.combo.count())]

    def refresh(self, keep_text: str | None = None) -> None:
        text = self.combo.currentText() if keep_text is None else keep_text
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItems(self._store.list())
        self.combo.setCurrentIndex(self.combo.findText(text, Qt.MatchFlag.MatchExactly))
        self.combo.setEditText(text)
        self.combo.blockSignals(False)
        self._update_buttons()

    # ---- actions, also called by the panel and by tests
    def save(self, name: str) -> bool:
        name = name.strip()
        if not name:
            return False
        self._store.save(name, self._current_values())
        self.refresh(keep_text=name)
        self.preset_saved.emit(name)
        return True

    def apply(self, name: str) -> bool:
        values = self._store.load(name)
        if values is None:
            return False
        self.preset_chosen.emit(values)
        return True

    def delete(self, name: str) -> bool:
        if name not in self._store.list():
            return False
        self._store.delete(name)
        self.refresh(keep_text="")
        return True

    # ---- user actions
    def _on_activated(self, index: int) -> None:
        self.apply(self.combo.itemText(index))

    def _on_save_clicked(self) -> None:
        self.save(self.combo.currentText())

    def _on_return_pressed(self) -> None:
        # Enter on a known name applies it (the combo does that); on a new name it saves
        if self.combo.currentText().strip() not in self._store.list():
            self._on_save_clicked()

    def _on_delete_clicked(self) -> None:
        self.delete(self.combo.currentText().strip())

    def _update_buttons(self, *_args: object) -> None:
        name = self.combo.currentText().strip()
        self.save_button.setEnabled(bool(name))
        self.delete_button.setEnabled(name in self._store.list())
