"""The Storyboard tab: file and format bar, the row of shot cards, the film player, export.

Dialogs are attributes (``ask_open``, ``ask_save``, ``ask_export``, ``confirm``) so tests can
answer them; ``price_summary`` and ``film_source`` are set by the bindings (the view-model's).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from gui.runware.catalog import Catalog
from gui.studio.session import BOARD_SUFFIX, Board, ShotView
from gui.ui.storyboard.board_strip import BoardStrip
from gui.ui.storyboard.film_player import FilmPlayer

__all__ = ["StoryboardView"]

SIZES = ("1280x720", "720x1280", "1920x1080", "960x540", "640x360", "1080x1080")
BOARD_FILTER = f"Storyboards (*{BOARD_SUFFIX})"


def _ask_open(parent: QWidget) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, "Open a storyboard", "", BOARD_FILTER)
    return Path(name) if name else None


def _ask_save(parent: QWidget, suggested: str) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(parent, "Save the storyboard", suggested, BOARD_FILTER)
    if not name:
        return None
    return Path(name if name.endswith(BOARD_SUFFIX) else name + BOARD_SUFFIX)


def _ask_export(parent: QWidget, suggested: str) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(
        parent, "Export the film", suggested, "MP4 video (*.mp4);;QuickTime movie (*.mov)"
    )
    return Path(name) if name else None


def _confirm(parent: QWidget, text: str) -> bool:
    answer = QMessageBox.question(parent, "Generate board", text)
    return answer == QMessageBox.StandardButton.Yes


class StoryboardView(QWidget):
    new_requested = Signal()
    open_requested = Signal(object)  # Path
    save_requested = Signal(object)  # Path
    name_changed = Signal(str)
    format_changed = Signal(int, int, int)  # width, height, fps
    generate_requested = Signal()
    export_requested = Signal(object)  # Path
    cancel_export_requested = Signal()
    view_changed = Signal(int, object)  # scroll, selected card: settled for a moment

    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("StoryboardView")
        self.ask_open: Callable[[QWidget], Path | None] = _ask_open
        self.ask_save: Callable[[QWidget, str], Path | None] = _ask_save
        self.ask_export: Callable[[QWidget, str], Path | None] = _ask_export
        self.confirm: Callable[[QWidget, str], bool] = _confirm
        self.price_summary: Callable[[], str | None] = lambda: None
        self.film_source: Callable[[], list[tuple[Path, float]]] = list
        self.board: Board | None = None
        self._film_stale = True

        self.new_button = QPushButton("New", self)
        self.open_button = QPushButton("Open…", self)
        self.save_button = QPushButton("Save…", self)
        self.name = QLineEdit(self)
        self.name.setPlaceholderText("Board name")
        self.name.setMaximumWidth(220)
        self.size_box = QComboBox(self)
        self.size_box.setToolTip("The film's size (every shot is made at it)")
        for size in SIZES:
            self.size_box.addItem(size.replace("x", "×"), size)
        self.fps = QSpinBox(self)
        self.fps.setRange(1, 120)
        self.fps.setSuffix(" fps")
        self.generate_button = QPushButton("Generate board", self)
        self.generate_button.setObjectName("PrimaryButton")
        self.export_button = QPushButton("Export…", self)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.progress.setMaximumWidth(200)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.hide()
        bar = QHBoxLayout()
        left: tuple[QWidget, ...] = (self.new_button, self.open_button, self.save_button)
        for widget in (*left, self.name, self.size_box, self.fps):
            bar.addWidget(widget)
        bar.addStretch(1)
        right: tuple[QWidget, ...] = (self.generate_button, self.export_button, self.progress)
        for widget in (*right, self.cancel_button):
            bar.addWidget(widget)

        self.message = QLabel(self)
        self.message.setObjectName("BoardMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        self.strip = BoardStrip(catalog, self)
        self.player = FilmPlayer(self)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.strip)
        splitter.addWidget(self.player)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([330, 400])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)

        self.new_button.clicked.connect(self.new_requested)
        self.open_button.clicked.connect(self._open)
        self.save_button.clicked.connect(self._save)
        self.name.editingFinished.connect(lambda: self.name_changed.emit(self.name.text()))
        self.size_box.activated.connect(lambda _i: self._format())
        self.fps.editingFinished.connect(self._format)
        self.generate_button.clicked.connect(self._generate)
        self.export_button.clicked.connect(self._export)
        self.cancel_button.clicked.connect(self.cancel_export_requested)
        self.player.play_button.clicked.connect(self._play)
        # where the strip is scrolled and which card is selected, said once it settles
        self._pending_scroll: int | None = None
        self._view_settled = QTimer(self, singleShot=True, interval=400)
        self._view_settled.timeout.connect(self._say_view)
        scroll_bar = self.strip.horizontalScrollBar()
        scroll_bar.valueChanged.connect(lambda _v: self._view_settled.start())
        scroll_bar.rangeChanged.connect(self._apply_pending_scroll)
        self.strip.selection_changed.connect(lambda _i: self._view_settled.start())

    # ------------------------------------------------------------------ the last session's view
    def restore_view(self, scroll: int, selected: int | None) -> None:
        """Scroll the strip to ``scroll`` (once its cards are laid out) and select a card."""
        self.strip.select(selected)
        self._pending_scroll = scroll
        self._apply_pending_scroll()

    def _apply_pending_scroll(self, *_range: int) -> None:
        bar = self.strip.horizontalScrollBar()
        if self._pending_scroll is not None and bar.maximum() >= self._pending_scroll:
            bar.setValue(self._pending_scroll)
            self._pending_scroll = None

    def _say_view(self) -> None:
        if self._pending_scroll is None:  # not while the restored scroll waits for its room
            self.view_changed.emit(self.strip.horizontalScrollBar().value(), self.strip.selected)

    # ------------------------------------------------------------------ showing
    def set_board(self, board: Board | None) -> None:
        if board is None:
            return
        if self.board is None or board.shots != self.board.shots:
            self._film_stale = True
        self.board = board
        if not self.name.hasFocus():
            self.name.setText(board.name)
        label = board.size_label
        if self.size_box.findData(label) < 0:
            self.size_box.addItem(label.replace("x", "×"), label)
        self.size_box.setCurrentIndex(self.size_box.findData(label))
        self.fps.setValue(board.fps)

    def set_views(self, views: Sequence[ShotView]) -> None:
        self.strip.set_views(views)
        self._film_stale = True

    def set_busy(self, busy: bool) -> None:
        self.generate_button.setEnabled(not busy)
        self.generate_button.setText("Generating…" if busy else "Generate board")
        self.strip.set_editable(not busy)
        for widget in (self.open_button, self.new_button, self.size_box, self.fps):
            widget.setEnabled(not busy)

    def set_exporting(self, exporting: bool) -> None:
        self.export_button.setEnabled(not exporting)
        self.progress.setVisible(exporting)
        self.cancel_button.setVisible(exporting)

    def set_export_progress(self, share: float) -> None:
        self.progress.setValue(round(share * 1000))
        self.progress.setFormat(f"Exporting {share:.0%}")

    def set_message(self, text: str | None) -> None:
        self.message.setText(text or "")
        self.message.setVisible(bool(text))

    # ------------------------------------------------------------------ actions
    def _suggested(self, suffix: str) -> str:
        if self.board is not None and self.board.path is not None:
            return str(self.board.path.with_name(self.board.path.name.removesuffix(BOARD_SUFFIX)))
        return (self.board.name if self.board else "Board") + suffix

    def _open(self) -> None:
        path = self.ask_open(self)
        if path is not None:
            self.open_requested.emit(path)

    def _save(self) -> None:
        path = self.ask_save(self, self._suggested(BOARD_SUFFIX))
        if path is not None:
            self.save_requested.emit(path)

    def _format(self) -> None:
        width, height = (int(n) for n in str(self.size_box.currentData()).split("x"))
        if self.board and (width, height, self.fps.value()) != (
            self.board.width,
            self.board.height,
            self.board.fps,
        ):
            self.format_changed.emit(width, height, self.fps.value())

    def _generate(self) -> None:
        text = self.price_summary()
        if text is not None and self.confirm(self, text):
            self.generate_requested.emit()

    def _export(self) -> None:
        path = self.ask_export(self, self._suggested(".mp4"))
        if path is not None:
            self.export_requested.emit(path)

    def load_film(self) -> bool:
        """Put the chosen takes in the player (paused on the first frame)."""
        clips = self.film_source()
        self.player.set_film(clips)
        self._film_stale = False
        return bool(clips)

    def _play(self, checked: bool) -> None:
        if checked and self._film_stale and not self.load_film():
            self.player.play_button.setChecked(False)
            return
        self.player.set_playing(checked)
