"""The collapsed "Advanced" section: safety checks, how long results are kept, and where to."""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.ui.compose.form_rules import ModelFields, http_url_problem, ttl_problem

__all__ = ["AdvancedSection"]

_SAFETY = (("Default", None), ("None", "none"), ("Fast", "fast"), ("Full", "full"))


class AdvancedSection(QWidget):
    """A toggle with an arrow over a form; each field says beside it what is wrong with it."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.toggle = QToolButton()
        self.toggle.setText("&Advanced")
        self.toggle.setCheckable(True)
        self.toggle.setAutoRaise(True)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setAccessibleName("Advanced options")
        self.toggle.toggled.connect(self.set_expanded)
        self.body = QWidget()
        self.form = QFormLayout(self.body)
        self.form.setContentsMargins(18, 0, 0, 0)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.errors: dict[str, QLabel] = {}
        self._build_fields()
        self.body.hide()
        layout.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.body)

    def _build_fields(self) -> None:
        self.safety = QComboBox()
        for label, mode in _SAFETY:
            self.safety.addItem(label, mode)
        self.safety.setAccessibleName("Safety check")
        self.safety.setToolTip(
            "Runware's content check on the result: Default leaves it to Runware; Fast checks "
            "a few frames, Full checks them all"
        )
        self.safety.currentIndexChanged.connect(self._on_edited)
        self.ttl = QLineEdit()
        self.ttl.setPlaceholderText("default")
        self.ttl.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,9}"), self.ttl))
        self.ttl.setAccessibleName("Keep results for (seconds)")
        self.ttl.setToolTip("How long Runware keeps result URLs, in seconds (at least 60)")
        self.webhook = QLineEdit()
        self.webhook.setPlaceholderText("https://…")
        self.webhook.setAccessibleName("Webhook URL")
        self.webhook.setToolTip("Runware also posts each result to this address")
        self.upload = QLineEdit()
        self.upload.setPlaceholderText("https://…")
        self.upload.setAccessibleName("Upload endpoint")
        self.upload.setToolTip("Runware also uploads each video to this address (HTTP PUT)")
        for key, label, field in (
            ("safety", "Safet&y", self.safety),
            ("ttl", "&TTL (s)", self.ttl),
            ("webhook", "&Webhook URL", self.webhook),
            ("upload", "&Upload endpoint", self.upload),
        ):
            caption = QLabel(label)
            caption.setBuddy(field)
            self.form.addRow(caption, field)
            error = QLabel()
            error.setWordWrap(True)
            error.setStyleSheet("color: #d93636;")
            error.setAccessibleName(f"Problem with {caption.text().replace('&', '')}")
            self.form.addRow("", error)
            self.form.setRowVisible(error, False)
            self.errors[key] = error
            if isinstance(field, QLineEdit):
                field.textChanged.connect(self._on_edited)

    # ---- the model
    def set_fields(self, fields: ModelFields) -> None:
        for field, shown in (
            (self.safety, fields.safety),
            (self.ttl, fields.ttl),
            (self.webhook, fields.webhook),
            (self.upload, fields.upload_endpoint),
        ):
            self.form.setRowVisible(field, shown)
        self.setVisible(fields.has_advanced)
        self._show_problems()

    def set_expanded(self, expanded: bool) -> None:
        if self.toggle.isChecked() != expanded:
            self.toggle.setChecked(expanded)  # comes back here through toggled
            return
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.body.setVisible(expanded)

    # ---- values
    def values(self) -> tuple[str | None, str, str, str]:
        return (
            self.safety.currentData() if self.form.isRowVisible(self.safety) else None,
            self.ttl.text(),
            self.webhook.text(),
            self.upload.text(),
        )

    def set_values(self, safety: str | None, ttl: str, webhook: str, upload: str) -> None:
        index = self.safety.findData(safety)
        self.safety.setCurrentIndex(max(0, index))
        self.ttl.setText(ttl)
        self.webhook.setText(webhook)
        self.upload.setText(upload)
        self._show_problems()

    def problem_count(self) -> int:
        return sum(1 for label in self.errors.values() if label.text())

    # ---- internals
    def _on_edited(self, *_args: object) -> None:
        self._show_problems()
        self.changed.emit()

    def _show_problems(self) -> None:
        checks = {
            "safety": None,
            "ttl": ttl_problem(self.ttl.text()) if self.form.isRowVisible(self.ttl) else None,
            "webhook": http_url_problem(self.webhook.text())
            if self.form.isRowVisible(self.webhook)
            else None,
            "upload": http_url_problem(self.upload.text())
            if self.form.isRowVisible(self.upload)
            else None,
        }
        for key, message in checks.items():
            self.errors[key].setText(message or "")
            self.form.setRowVisible(self.errors[key], bool(message))
        count = self.problem_count()
        # a collapsed section still says that something inside needs fixing
        self.toggle.setText(f"&Advanced · {count} to fix" if count else "&Advanced")
        self.toggle.setStyleSheet("color: #d93636;" if count else "")
