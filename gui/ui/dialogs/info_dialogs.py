"""The About box and the keyboard-shortcuts list."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

__all__ = ["AboutDialog", "ShortcutsDialog"]


class AboutDialog(QDialog):
    def __init__(self, version: str, backend: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Sora Studio")
        layout = QVBoxLayout(self)
        title = QLabel("<h2>Sora Studio</h2>", self)
        body = QLabel(
            f"<p>Version {version}</p>"
            "<p>A desktop studio for making videos with OpenAI Sora 2 and other video models "
            "through the Runware inference API: write a prompt, generate, watch jobs finish, "
            "play, remix and extend.</p>"
            f"<p>Backend: {backend}</p>"
            "<p>Built with Qt for Python (PySide6). Video playback uses FFmpeg (LGPL).</p>",
            self,
        )
        body.setWordWrap(True)
        body.setTextFormat(Qt.TextFormat.RichText)
        body.setOpenExternalLinks(True)
        layout.addWidget(title)
        layout.addWidget(body)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)


class ShortcutsDialog(QDialog):
    """A two-column table of keys and what they do."""

    def __init__(self, rows: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setHorizontalHeaderLabels(["Keys", "Does"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        self.table.horizontalHeader().setStretchLastSection(True)
        for row, (keys, what) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(keys))
            self.table.setItem(row, 1, QTableWidgetItem(what))
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, 480)
