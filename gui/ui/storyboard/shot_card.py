"""One shot of a board as a card: prompt, model, duration, link, status, takes, thumbnail."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QPoint, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QMouseEvent, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.runware.catalog import Catalog
from gui.studio.session import ShotStatus, ShotView

__all__ = ["IMAGE_SUFFIXES", "LINK_LABELS", "ShotCard", "image_in"]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")

LINK_LABELS = {"none": "No link", "last-frame": "Last frame", "extend": "Extend", "image": "Image"}
THUMB_HEIGHT = 96
_STATUS_COLOURS = {
    ShotStatus.READY: "#3fa66a",
    ShotStatus.RUNNING: "#d8a23a",
    ShotStatus.STALE: "#b07cd8",
    ShotStatus.FAILED: "#d65c5c",
    ShotStatus.MISSING: "#7a7f87",
}


def _seconds(value: float) -> str:
    return f"{value:g} s"


def _pick_image(parent: QWidget) -> Path | None:
    patterns = " ".join(f"*{s}" for s in IMAGE_SUFFIXES)
    name, _ = QFileDialog.getOpenFileName(
        parent, "The shot's first frame", "", f"Images ({patterns})"
    )
    return Path(name) if name else None


def image_in(mime: QMimeData) -> Path | None:
    """The one local image file a drag carries, or None."""
    urls = [u for u in mime.urls() if u.isLocalFile()] if mime.hasUrls() else []
    if len(urls) != 1:
        return None
    path = Path(urls[0].toLocalFile())
    return path if path.suffix.lower() in IMAGE_SUFFIXES else None


class ShotCard(QFrame):
    """A card; its width is set by the strip (∝ the shot's duration). Drag it by its picture
    or its header to move it."""

    edited = Signal(int, dict)  # index, {field: value}
    duplicate_requested = Signal(int)
    remove_requested = Signal(int)
    regenerate_requested = Signal(int)
    take_chosen = Signal(int, str)  # index, take id
    drag_requested = Signal(int)
    pressed = Signal(int)  # a click on the card itself (its picture, header or edge) selects it

    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ShotCard")
        self.setAcceptDrops(True)  # an image file dropped here becomes its first frame
        # the file dialog (tests put a function here, as for the confirm dialogs)
        self.pick_file: Callable[[QWidget], Path | None] = _pick_image
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.catalog = catalog
        self.index = 0
        self.view: ShotView | None = None
        self._press: QPoint | None = None
        self._thumb_path: str | None = None

        self.number = QLabel(self)
        self.number.setObjectName("ShotNumber")
        self.status = QLabel(self)
        self.status.setObjectName("ShotStatus")
        self.link = QComboBox(self)
        self.link.setToolTip("How this shot follows the one before it")
        for key, label in LINK_LABELS.items():
            self.link.addItem(label, key)
        self.image_button = QToolButton(self)
        self.image_button.setText("Image…")
        self.image_button.setToolTip("Choose this shot's own first-frame image (or drop one here)")
        header = QHBoxLayout()
        header.addWidget(self.number)
        header.addWidget(self.status, 1)
        header.addWidget(self.link)
        header.addWidget(self.image_button)

        self.thumbnail = QLabel(self)
        self.thumbnail.setObjectName("ShotThumbnail")
        self.thumbnail.setFixedHeight(THUMB_HEIGHT)
        self.thumbnail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumbnail.setStyleSheet("background: #15171a; color: #8a8f98;")

        self.prompt = QLineEdit(self)
        self.prompt.setPlaceholderText("What happens in this shot")
        self.prompt.setAcceptDrops(False)  # drops belong to the board
        self.model = QComboBox(self)
        self.model.setMinimumContentsLength(8)
        self.model.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        for spec in catalog.live():
            self.model.addItem(spec.name, spec.air)
        self.duration = QComboBox(self)
        self.duration.setToolTip("Length of the shot")
        row = QHBoxLayout()
        row.addWidget(self.model, 1)
        row.addWidget(self.duration)

        self.takes = QComboBox(self)
        self.takes.setToolTip("The take that goes in the film")
        self.duplicate = QToolButton(self)
        self.duplicate.setText("Duplicate")
        self.remove = QToolButton(self)
        self.remove.setText("Remove")
        self.regenerate = QToolButton(self)
        self.regenerate.setText("Regenerate")
        self.regenerate.setToolTip(
            "Regenerate from here: a new take of this shot, and of the shots linked after it"
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.duplicate)
        buttons.addWidget(self.remove)
        buttons.addStretch(1)
        buttons.addWidget(self.regenerate)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self.thumbnail)
        layout.addWidget(self.prompt)
        layout.addLayout(row)
        layout.addWidget(self.takes)
        layout.addLayout(buttons)

        self.prompt.editingFinished.connect(self._prompt_done)
        self.model.activated.connect(lambda _i: self._emit(model=self.model.currentData()))
        self.duration.activated.connect(lambda _i: self._emit(duration=self.duration.currentData()))
        self.link.activated.connect(self._link_activated)
        self.image_button.clicked.connect(self.choose_image)
        self.takes.activated.connect(self._take_activated)
        self.duplicate.clicked.connect(lambda: self.duplicate_requested.emit(self.index))
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self.index))
        self.regenerate.clicked.connect(lambda: self.regenerate_requested.emit(self.index))

    # ------------------------------------------------------------------ showing
    def set_view(self, view: ShotView) -> None:
        self.view, self.index = view, view.index
        shot = view.shot
        spec = self.catalog.get(shot.model)
        self.number.setText(f"<b>{view.index + 1}</b>")
        colour = _STATUS_COLOURS[view.status]
        text = view.status.value + (f": {view.message}" if view.message else "")
        self.status.setText(f"<span style='color:{colour}'>● {view.status.value}</span>")
        self.status.setToolTip(text)
        if not self.prompt.hasFocus() and self.prompt.text() != shot.prompt:
            self.prompt.setText(shot.prompt)
            self.prompt.setCursorPosition(0)
        if self.model.findData(shot.model) < 0:
            self.model.addItem(spec.name if spec else shot.model, shot.model)
        self.model.setCurrentIndex(self.model.findData(shot.model))
        self.model.setToolTip(spec.name if spec else shot.model)
        self.duration.clear()
        for seconds in spec.durations if spec else (shot.duration,):
            self.duration.addItem(_seconds(seconds), float(seconds))
        self.duration.setCurrentIndex(max(0, self.duration.findData(float(shot.duration))))
        self.link.setCurrentIndex(self.link.findData(shot.link))
        first = view.index == 0
        for key in ("last-frame", "extend"):
            item = self.link.model().item(self.link.findData(key))  # type: ignore[attr-defined]
            item.setEnabled(not first)
        self.link.setToolTip(
            f"Image: {shot.image}" if shot.image else "How it follows the shot before"
        )
        image_name = Path(shot.image).name if shot.image else "Image…"
        self.image_button.setText(
            self.fontMetrics().elidedText(image_name, Qt.TextElideMode.ElideMiddle, 90)
        )
        # only an image link has a file to show or change (a drop works on any card)
        self.image_button.setVisible(shot.link == "image")
        self.image_button.setToolTip(
            f"First frame: {shot.image} (click to choose another, or drop one here)"
            if shot.image
            else "Choose this shot's own first-frame image (or drop one here)"
        )
        self._show_takes(view)
        self._show_thumbnail(view)
        self.setToolTip(text)

    def _show_takes(self, view: ShotView) -> None:
        self.takes.clear()
        made = [t for t in view.takes if t.job_id]
        for number, take in enumerate(made, 1):
            self.takes.addItem(f"Take {number} of {len(made)}", take.id)
        if not made:
            self.takes.addItem("No takes yet", None)
        chosen = self.takes.findData(view.chosen.id) if view.chosen else -1
        self.takes.setCurrentIndex(max(0, chosen))
        self.takes.setEnabled(len(made) > 1)

    def _show_thumbnail(self, view: ShotView) -> None:
        path = None
        if view.job is not None and view.chosen is not None and view.chosen.job_id == view.job.id:
            results = view.job.results
            if 0 <= view.chosen.result < len(results):
                path = results[view.chosen.result].thumbnail_path
        if path == self._thumb_path and path is not None:
            return
        self._thumb_path = path
        picture = QPixmap(path) if path and Path(path).exists() else QPixmap()
        if picture.isNull():
            self.thumbnail.setPixmap(QPixmap())
            self.thumbnail.setText("no take yet" if view.status is not ShotStatus.RUNNING else "…")
        else:
            self.thumbnail.setPixmap(
                picture.scaledToHeight(THUMB_HEIGHT, Qt.TransformationMode.SmoothTransformation)
            )

    @property
    def thumbnail_shown(self) -> bool:
        pixmap = self.thumbnail.pixmap()
        return pixmap is not None and not pixmap.isNull()

    # ------------------------------------------------------------------ editing
    def _emit(self, **changes: Any) -> None:
        self.edited.emit(self.index, changes)

    def _prompt_done(self) -> None:
        text = self.prompt.text().strip()
        if text and self.view is not None and text != self.view.shot.prompt:
            self._emit(prompt=text)

    def _link_activated(self, _row: int) -> None:
        link = self.link.currentData()
        if link == "image":  # its own first frame: which image?
            if not self.choose_image():
                shown = self.view.shot.link if self.view else "none"
                self.link.setCurrentIndex(self.link.findData(shown))
            return
        self._emit(link=link)

    def choose_image(self) -> bool:
        """Ask for the first-frame image (the file dialog); True once one was chosen."""
        path = self.pick_file(self)
        if path is None:
            return False
        self.set_image(path)
        return True

    def set_image(self, path: Path) -> None:
        self._emit(link="image", image=str(Path(path).resolve()))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.isEnabled() and image_in(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()  # cards and results: the row takes them

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self.isEnabled() and image_in(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        image = image_in(event.mimeData())
        if image is None:
            event.ignore()
            return
        self.set_image(image)
        event.acceptProposedAction()

    def _take_activated(self, _row: int) -> None:
        take_id = self.takes.currentData()
        chosen = self.view.chosen.id if self.view and self.view.chosen else None
        if isinstance(take_id, str) and take_id != chosen:
            self.take_chosen.emit(self.index, take_id)

    # ------------------------------------------------------------------ dragging
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
            self.pressed.emit(self.index)
        super().mousePressEvent(event)

    def set_selected(self, selected: bool) -> None:
        self.setProperty("selected", selected)
        self.setStyleSheet(
            "#ShotCard { border: 2px solid palette(highlight); border-radius: 4px; }"
            if selected
            else ""
        )

    @property
    def selected(self) -> bool:
        return bool(self.property("selected"))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is not None:
            moved = (event.position().toPoint() - self._press).manhattanLength()
            if moved >= QApplication.startDragDistance():
                self._press = None
                self.drag_requested.emit(self.index)
                return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._press = None
        super().mouseReleaseEvent(event)
