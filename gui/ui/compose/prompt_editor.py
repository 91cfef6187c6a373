"""The prompt: a plain-text editor with a live character count and a searchable history."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QResizeEvent, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.studio.jobs import prompt_excerpt

__all__ = ["PromptEditor", "PromptHistoryPopup", "matching_prompts"]

PLACEHOLDER = (
    "Describe the action, the camera and the sound — e.g. “Slow dolly-in on a lighthouse at "
    "dusk; waves crash below, gulls call, a foghorn sounds twice.”"
)


def matching_prompts(history: list[str], query: str) -> list[str]:
    """Past prompts containing every word of ``query`` (any case), newest first, no repeats."""
    words = query.lower().split()
    seen: set[str] = set()
    out = []
    for prompt in history:
        key = prompt.strip()
        if not key or key in seen:
            continue
        seen.add(key)
        if all(w in key.lower() for w in words):
            out.append(prompt)
    return out


class PromptHistoryPopup(QFrame):
    """A filter field over past prompts; Enter or a double-click picks one."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._history: list[str] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Search past prompts")
        self.filter.setAccessibleName("Search past prompts")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._refill)
        self.filter.installEventFilter(self)
        self.list = QListWidget()
        self.list.setAccessibleName("Past prompts")
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(False)
        self.list.itemActivated.connect(lambda item: self._choose(item))
        self.empty = QLabel("No past prompts match.")
        self.empty.setProperty("role", "note")
        layout.addWidget(self.filter)
        layout.addWidget(self.list)
        layout.addWidget(self.empty)

    def set_history(self, history: list[str]) -> None:
        self._history = list(history)
        self._refill()

    def shown_prompts(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def pick_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self._choose(item)

    def _refill(self) -> None:
        self.list.clear()
        for prompt in matching_prompts(self._history, self.filter.text()):
            item = QListWidgetItem(prompt_excerpt(prompt, 160))
            item.setData(Qt.ItemDataRole.UserRole, prompt)
            item.setToolTip(prompt)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        self.empty.setText(
            "No past prompts yet." if not self._history else "No past prompts match."
        )
        self.empty.setVisible(self.list.count() == 0)

    def _choose(self, item: QListWidgetItem) -> None:
        self.chosen.emit(item.data(Qt.ItemDataRole.UserRole))
        self.close()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # arrows in the filter field move through the list, so the mouse is never needed
        if watched is self.filter and isinstance(event, QKeyEvent):
            key = event.key() if event.type() == QEvent.Type.KeyPress else None
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                step = 1 if key == Qt.Key.Key_Down else -1
                row = max(0, min(self.list.count() - 1, self.list.currentRow() + step))
                self.list.setCurrentRow(row)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.pick_current()
                return True
        return super().eventFilter(watched, event)


class PromptEditor(QWidget):
    """The prompt field. ``changed`` fires on every edit; undo and redo are the editor's own."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._min, self._max = 1, 6000
        self._history: list[str] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        self.edit = QPlainTextEdit()
        self.edit.setPlaceholderText(PLACEHOLDER)
        self.edit.setAccessibleName("Prompt")
        self.edit.setTabChangesFocus(True)  # Tab moves on through the form, as in a dialog
        self.edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.edit.textChanged.connect(self._on_text_changed)
        layout_of_text = self.edit.document().documentLayout()
        layout_of_text.documentSizeChanged.connect(lambda _size: self._fit_height())
        foot = QHBoxLayout()
        foot.setContentsMargins(0, 0, 0, 0)
        self.history_button = QToolButton()
        self.history_button.setText("History…")
        self.history_button.setToolTip("Search past prompts (Ctrl+R)")
        self.history_button.setAccessibleName("Search past prompts")
        self.history_button.setAutoRaise(True)
        self.history_button.clicked.connect(self.open_history)
        self.count = QLabel()
        self.count.setAccessibleName("Prompt length")
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        foot.addWidget(self.history_button)
        foot.addStretch(1)
        foot.addWidget(self.count)
        layout.addWidget(self.edit)
        layout.addLayout(foot)
        self.popup = PromptHistoryPopup(self)
        self.popup.chosen.connect(lambda text: self.set_text(text, undoable=True))
        shortcut = QShortcut(QKeySequence("Ctrl+R"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.open_history)
        self._update_count()
        self._fit_height()

    def text(self) -> str:
        return self.edit.toPlainText()

    def set_text(self, text: str, *, undoable: bool = True) -> None:
        """Replace the prompt; as one undoable edit when something was there to lose."""
        if text == self.text():
            return
        if undoable and self.text():
            cursor = self.edit.textCursor()
            cursor.beginEditBlock()
            cursor.select(QTextCursor.SelectionType.Document)
            cursor.insertText(text)
            cursor.endEditBlock()
            self.edit.setTextCursor(cursor)
        else:
            self.edit.setPlainText(text)

    def set_limits(self, minimum: int, maximum: int) -> None:
        self._min, self._max = minimum, maximum
        self._update_count()

    def set_history(self, history: list[str]) -> None:
        self._history = list(history)
        self.popup.set_history(self._history)

    def open_history(self) -> None:
        self.popup.set_history(self._history)
        self.popup.filter.clear()
        width = max(self.width(), 320)
        self.popup.resize(width, 280)
        self.popup.move(self.mapToGlobal(self.edit.geometry().bottomLeft()))
        self.popup.show()
        self.popup.filter.setFocus()

    def focus_and_select(self) -> None:
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.edit.selectAll()

    def count_text(self) -> str:
        return self.count.text()

    def over_limit(self) -> bool:
        return len(self.text()) > self._max

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        """Grow with the text between about five and fourteen lines; scroll beyond."""
        lines = max(1.0, self.edit.document().documentLayout().documentSize().height())
        line = self.edit.fontMetrics().lineSpacing()
        frame = 2 * self.edit.frameWidth() + 2 * int(self.edit.document().documentMargin())
        wanted = int(lines * line) + frame + 4
        self.edit.setFixedHeight(max(5 * line + frame, min(wanted, 14 * line + frame)))

    def _on_text_changed(self) -> None:
        self._update_count()
        self.changed.emit()

    def _update_count(self) -> None:
        n = len(self.text())
        self.count.setText(f"{n} / {self._max}")
        self.count.setStyleSheet("color: #d93636; font-weight: 600;" if n > self._max else "")
        self.count.setToolTip(
            f"At most {self._max} characters; {n - self._max} too many."
            if n > self._max
            else f"{self._min} to {self._max} characters"
        )
