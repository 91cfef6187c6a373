"""The options a model adds of its own: provider switches (e.g. "Generate audio") and a seed.

Built from the catalogue: a boolean setting is a check box, a number a spin box, text a field.
Settings the provider always applies (``fixed``) are shown checked and disabled, and not sent.
"""

from __future__ import annotations

import random

from PySide6.QtCore import QRegularExpression, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gui.runware.catalog import ProviderSetting
from gui.ui.compose.form_rules import ModelFields, seed_problem

__all__ = ["FIXED_TOOLTIP", "ModelOptions"]

FIXED_TOOLTIP = "always on for this model"
Value = bool | int | float | str


class ModelOptions(QWidget):
    """Provider settings and the seed, for models that take them. ``changed`` on every edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fields: ModelFields | None = None
        self.setting_widgets: dict[tuple[str, str], QWidget] = {}
        self.fixed_widgets: dict[tuple[str, str], QWidget] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(6)
        self._switches = QVBoxLayout()
        self._switches.setSpacing(4)
        outer.addLayout(self._switches)
        self._form = QFormLayout()
        self._form.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(self._form)
        self._build_seed()

    def _build_seed(self) -> None:
        self.seed_row = QWidget()
        row = QHBoxLayout(self.seed_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.seed_random = QCheckBox("Random")
        self.seed_random.setChecked(True)
        self.seed_random.setAccessibleName("Random seed")
        self.seed_random.setToolTip("Each video gets a new seed; none is sent")
        self.seed_edit = QLineEdit()
        self.seed_edit.setPlaceholderText("random")
        self.seed_edit.setAccessibleName("Seed")
        self.seed_edit.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"\d{0,10}"), self.seed_edit)
        )
        self.seed_edit.setEnabled(False)
        row.addWidget(self.seed_random)
        row.addWidget(self.seed_edit, 1)
        self.seed_error = QLabel()
        self.seed_error.setWordWrap(True)
        self.seed_error.setStyleSheet("color: #d93636;")
        self.seed_error.hide()
        self.seed_label = QLabel("S&eed")
        self.seed_label.setBuddy(self.seed_edit)
        self._form.addRow(self.seed_label, self.seed_row)
        self._form.addRow("", self.seed_error)
        self.seed_random.toggled.connect(self._on_random_toggled)
        self.seed_edit.textChanged.connect(self._on_seed_edited)

    # ---- the model
    def set_fields(self, fields: ModelFields) -> None:
        if fields == self._fields:
            return
        self._fields = fields
        while self._switches.count():
            item = self._switches.takeAt(0)
            if item is not None and (widget := item.widget()):
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()
        self.setting_widgets.clear()
        self.fixed_widgets.clear()
        for setting in fields.settings:
            row, editor = self._editor_for(setting)
            self.setting_widgets[(setting.provider, setting.name)] = editor
            self._switches.addWidget(row)
        for setting in fields.fixed_settings:
            widget = self._fixed_for(setting)
            self.fixed_widgets[(setting.provider, setting.name)] = widget
            self._switches.addWidget(widget)
        self._form.setRowVisible(self.seed_row, fields.seed is not None)
        self._show_seed_problem()

    @property
    def has_content(self) -> bool:
        f = self._fields
        return bool(f and (f.settings or f.fixed_settings or f.seed is not None))

    def _editor_for(self, setting: ProviderSetting) -> tuple[QWidget, QWidget]:
        """The row shown and the editor inside it that holds the value."""
        if setting.type == "boolean":
            box = QCheckBox(setting.label)
            box.setChecked(bool(setting.default))
            box.setAccessibleName(setting.label)
            box.toggled.connect(self.changed)
            return box, box
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        label = QLabel(setting.label)
        editor: QWidget
        if setting.type == "integer":
            spin = QSpinBox()
            low = int(setting.min) if setting.min is not None else -(2**31)
            high = int(setting.max) if setting.max is not None else 2**31 - 1
            spin.setRange(low, high)
            spin.setValue(int(setting.default or max(low, 0)))
            spin.valueChanged.connect(self.changed)
            editor = spin
        elif setting.type == "number":
            real = QDoubleSpinBox()
            real.setDecimals(2)
            real.setSingleStep(0.05)
            real.setRange(
                setting.min if setting.min is not None else -1e9,
                setting.max if setting.max is not None else 1e9,
            )
            real.setValue(float(setting.default or max(real.minimum(), 0.0)))
            real.valueChanged.connect(self.changed)
            editor = real
        elif setting.type == "enum":
            combo = QComboBox()
            if setting.default is None:
                combo.addItem("Provider's choice", None)  # nothing is sent
            for value in setting.values:
                combo.addItem(str(value), value)
            combo.setCurrentIndex(max(0, combo.findData(setting.default)))
            combo.currentIndexChanged.connect(self.changed)
            editor = combo
        else:
            line = QLineEdit(str(setting.default or ""))
            line.textChanged.connect(self.changed)
            editor = line
        editor.setAccessibleName(setting.label)
        label.setBuddy(editor)
        layout.addWidget(label)
        layout.addWidget(editor, 1)
        return row, editor

    def _fixed_for(self, setting: ProviderSetting) -> QWidget:
        if setting.type == "boolean":
            widget: QWidget = QCheckBox(setting.label)
            widget.setChecked(setting.default is not False)  # type: ignore[attr-defined]
        else:
            widget = QLabel(f"{setting.label}: {setting.default}")
        widget.setEnabled(False)
        widget.setToolTip(FIXED_TOOLTIP)
        widget.setAccessibleName(f"{setting.label} ({FIXED_TOOLTIP})")
        return widget

    # ---- values
    def settings(self) -> dict[str, dict[str, Value]]:
        out: dict[str, dict[str, Value]] = {}
        for (provider, name), widget in self.setting_widgets.items():
            out.setdefault(provider, {})[name] = _read(widget)
        return out

    def set_settings(self, values: dict[str, dict[str, Value]]) -> None:
        for (provider, name), widget in self.setting_widgets.items():
            value = values.get(provider, {}).get(name)
            if value is not None:
                _write(widget, value)

    def seed(self) -> str | None:
        if self._fields is None or self._fields.seed is None or self.seed_random.isChecked():
            return None
        return self.seed_edit.text()

    def set_seed(self, seed: str | None) -> None:
        self.seed_random.blockSignals(True)
        self.seed_random.setChecked(seed is None)
        self.seed_random.blockSignals(False)
        self.seed_edit.setEnabled(seed is not None)
        self.seed_edit.setText(seed or "")
        self._show_seed_problem()

    # ---- user actions
    def _on_random_toggled(self, random_seed: bool) -> None:
        self.seed_edit.setEnabled(not random_seed)
        if not random_seed and not self.seed_edit.text() and self._fields and self._fields.seed:
            limits = self._fields.seed
            # a concrete seed to start from, which the user can then keep or change
            self.seed_edit.setText(str(random.randint(limits.min, min(limits.max, 2**31 - 1))))
        if not random_seed:
            self.seed_edit.setFocus()
            self.seed_edit.selectAll()
        self._show_seed_problem()
        self.changed.emit()

    def _on_seed_edited(self, _text: str) -> None:
        self._show_seed_problem()
        self.changed.emit()

    def _show_seed_problem(self) -> None:
        seed = self.seed()
        limits = self._fields.seed if self._fields else None
        message = seed_problem(seed, limits) if seed is not None and limits else None
        self.seed_error.setText(message or "")
        self._form.setRowVisible(self.seed_error, bool(message))


def _read(editor: QWidget) -> Value:
    if isinstance(editor, QCheckBox):
        return editor.isChecked()
    if isinstance(editor, QSpinBox):
        return editor.value()
    if isinstance(editor, QDoubleSpinBox):
        return editor.value()
    if isinstance(editor, QComboBox):
        data = editor.currentData()
        return "" if data is None else data
    return editor.text() if isinstance(editor, QLineEdit) else ""


def _write(editor: QWidget, value: Value) -> None:
    if isinstance(editor, QCheckBox) and isinstance(value, bool):
        editor.setChecked(value)
    elif isinstance(editor, QSpinBox) and isinstance(value, int) and not isinstance(value, bool):
        editor.setValue(value)
    elif isinstance(editor, QDoubleSpinBox) and isinstance(value, int | float):
        editor.setValue(float(value))
    elif isinstance(editor, QComboBox):
        index = editor.findData(value)
        if index >= 0:
            editor.setCurrentIndex(index)
    elif isinstance(editor, QLineEdit) and isinstance(value, str):
        editor.setText(value)
