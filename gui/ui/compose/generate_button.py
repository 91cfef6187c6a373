"""The Generate button with its price, the reason it is disabled, and the budget."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QPushButton, QSizePolicy, QWidget

from gui.runware.catalog import Problem
from gui.ui.compose.caption import Caption
from gui.ui.compose.form_rules import PriceLabel

__all__ = ["GenerateBar"]

REASON_LINES = 2  # under the button
BUDGET_LINES = 2  # under the reason


class GenerateBar(QWidget):
    """``button`` says what the request costs; ``reason`` why it cannot be sent yet."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setHorizontalSpacing(10)
        layout.setVerticalSpacing(4)
        self.button = QPushButton("&Generate")
        self.button.setDefault(True)
        self.button.setMinimumHeight(34)
        self.button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.button.setAccessibleName("Generate")
        font = self.button.font()
        font.setBold(True)
        self.button.setFont(font)
        # both keep their lines while empty, so words appearing never move the button
        self.reason = Caption(REASON_LINES)
        self.reason.setAccessibleName("Why Generate is unavailable")
        self.reason.setProperty("role", "note")
        self.budget = Caption(BUDGET_LINES)
        self.budget.setAccessibleName("Budget")
        self.budget.setProperty("role", "note")
        self.budget.hide()
        # the words under the button, across the panel's width: a narrow panel left them
        # too little room beside it ("Describe the video you want in the …")
        layout.addWidget(self.button, 0, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.reason, 1, 0)
        layout.addWidget(self.budget, 2, 0)

    def show_state(self, price: PriceLabel, problems: list[Problem]) -> None:
        self.button.setText(price.text.replace("Generate", "&Generate", 1))
        shortcut = "Ctrl+Enter"
        self.button.setToolTip(f"{price.tooltip}\n{shortcut}")
        self.button.setAccessibleDescription(price.tooltip)
        self.button.setEnabled(not problems)
        self.reason.setText(problems[0].message if problems else "")
        self.reason.setToolTip("\n".join(p.message for p in problems[1:]) if problems else "")
        self.reason.setVisible(bool(problems))

    def warn(self, text: str) -> None:
        """A warning under the button that does not stop it (e.g. "press again to confirm")."""
        self.reason.setText(text)
        self.reason.setToolTip(text)
        self.reason.setVisible(True)

    def set_budget(self, text: str | None) -> None:
        self.budget.setText(text or "")
        self.budget.setVisible(bool(text))

    def text(self) -> str:
        """The button's words without the mnemonic marker."""
        return self.button.text().replace("&", "")
