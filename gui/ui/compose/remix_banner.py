"""The banner shown while the form remixes an earlier result, with a way out."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

__all__ = ["REMIX_NOTE", "RemixBanner"]

REMIX_NOTE = "a remix keeps its source's size and first frame"


class RemixBanner(QFrame):
    """ "Remixing <source>" with the rule that applies, and a Leave remix button."""

    leave_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("remixBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "#remixBanner { background: palette(alternate-base); border: 1px solid "
            "palette(highlight); border-radius: 6px; }"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        words = QVBoxLayout()
        words.setSpacing(1)
        self.title = QLabel()
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.note = QLabel(REMIX_NOTE[0].upper() + REMIX_NOTE[1:] + ".")
        self.note.setWordWrap(True)
        self.note.setProperty("role", "note")
        words.addWidget(self.title)
        words.addWidget(self.note)
        self.leave_button = QPushButton("&Leave remix")
        self.leave_button.setAutoDefault(False)
        self.leave_button.setAccessibleName("Leave remix mode")
        self.leave_button.clicked.connect(self.leave_requested)
        layout.addLayout(words, 1)
        layout.addWidget(self.leave_button)
        self.hide()

    def show_source(self, source_label: str) -> None:
        self.title.setText(f"Remixing {source_label}" if source_label else "Remixing a video")
        self.setToolTip(f"The new video is made from {source_label or 'an earlier result'}.")
        self.show()
