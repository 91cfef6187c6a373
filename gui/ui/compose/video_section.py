"""The "Video" section: size, length, how many videos, and the output file's format and quality."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gui.runware.catalog import ModelSpec, Size
from gui.ui.compose.size_picker import ChoiceButtons, SizePicker

__all__ = ["VideoSection"]


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class VideoSection(QWidget):
    """Pickers offering only what the model makes. ``changed`` after any choice."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.size_label = QLabel("Si&ze")
        self.size_picker = SizePicker()
        self.size_note = QLabel()
        self.size_note.setProperty("role", "note")
        self.size_note.setWordWrap(True)
        self.size_note.hide()
        layout.addWidget(self.size_label)
        layout.addWidget(self.size_picker)
        layout.addWidget(self.size_note)

        form = QFormLayout()
        form.setContentsMargins(0, 4, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.duration = ChoiceButtons("Duration")
        self.duration.setToolTip("Length of the video in seconds")
        self.variations = ChoiceButtons("Videos")
        self.variations.setToolTip("How many videos to make from this prompt; each is billed")
        self.format_box = QComboBox()
        self.format_box.setAccessibleName("Output format")
        self.quality_slider = QSlider(Qt.Orientation.Horizontal)
        self.quality_slider.setAccessibleName("Output quality")
        self.quality_spin = QSpinBox()
        self.quality_spin.setAccessibleName("Output quality value")
        self.quality_spin.setFixedWidth(56)
        quality_row = QWidget()
        row = QHBoxLayout(quality_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.quality_slider, 1)
        row.addWidget(self.quality_spin)
        self.duration_label = QLabel("&Duration")
        self.variations_label = QLabel("&Videos")
        self.format_label = QLabel("F&ormat")
        self.quality_label = QLabel("&Quality")
        self.format_label.setBuddy(self.format_box)
        self.quality_label.setBuddy(self.quality_slider)
        form.addRow(self.duration_label, self.duration)
        form.addRow(self.variations_label, self.variations)
        form.addRow(self.format_label, self.format_box)
        form.addRow(self.quality_label, quality_row)
        layout.addLayout(form)

        self.size_picker.changed.connect(self.changed)
        self.duration.changed.connect(self.changed)
        self.variations.changed.connect(self.changed)
        self.format_box.currentIndexChanged.connect(self.changed)
        self.quality_slider.valueChanged.connect(self.quality_spin.setValue)
        self.quality_spin.valueChanged.connect(self.quality_slider.setValue)
        self.quality_spin.valueChanged.connect(self.changed)

    def set_model(self, model: ModelSpec) -> None:
        """Offer exactly the model's sizes, durations, counts, formats and quality range."""
        self.size_picker.set_sizes(model.sizes)
        self.duration.set_choices([(f"{_seconds(d)} s", d) for d in model.offered_durations()])
        limits = model.number_results
        self.variations.set_choices([(str(n), n) for n in range(limits.min, limits.max + 1)])
        self.format_box.blockSignals(True)
        self.format_box.clear()
        for fmt in model.output_formats:
            self.format_box.addItem(fmt, fmt)
        self.format_box.blockSignals(False)
        quality = model.output_quality
        for widget in (self.quality_slider, self.quality_spin):
            widget.blockSignals(True)
            widget.setRange(quality.min, quality.max)
            widget.blockSignals(False)
        self.quality_slider.setToolTip(
            f"{quality.min}–{quality.max}; higher is sharper and larger"
            + (f" (default {quality.default})" if quality.default is not None else "")
        )
        # mnemonics lead to the first button of a row
        for label, buttons in (
            (self.size_label, self.size_picker.buttons),
            (self.duration_label, self.duration.buttons),
            (self.variations_label, self.variations.buttons),
        ):
            # None clears the buddy; PySide6's stubs type the argument as QWidget only
            label.setBuddy(buttons[0] if buttons else None)  # type: ignore[arg-type]

    # ---- values
    def chosen_size(self) -> Size | None:
        return self.size_picker.current()

    def set_values(
        self,
        *,
        width: int | None,
        height: int | None,
        duration: float,
        number_results: int,
        output_format: str,
        output_quality: int,
    ) -> None:
        self.size_picker.set_current(width, height)
        self.duration.set_value(duration)
        self.variations.set_value(number_results)
        self.format_box.setCurrentIndex(max(0, self.format_box.findData(output_format)))
        self.quality_spin.setValue(output_quality)

    def set_remixing(self, remixing: bool, note: str) -> None:
        self.size_picker.setEnabled(not remixing)
        self.size_note.setText(note)
        self.size_note.setVisible(remixing)
