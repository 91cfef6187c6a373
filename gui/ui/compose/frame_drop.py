"""A drop zone for one frame image: drop a file or an image URL, paste, or choose a file.

The zone checks the file (off the UI thread when it is big), shows it fitted to the video's
aspect with a crop/pad choice, and says plainly why a file was refused. Downloading a dropped
URL is the app's job: the zone announces it with ``image_url_dropped`` and shows "fetching…".
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, Qt, QUrl, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.runware.catalog import Problem
from gui.runware.images import FrameFit, ImageRules, side_problem
from gui.studio.jobs import FrameInput
from gui.ui.compose.background_task import BackgroundTasks
from gui.ui.compose.caption import Caption
from gui.ui.compose.compose_values import FrameChoice
from gui.ui.compose.frame_files import (
    FrameFacts,
    InputFileError,
    aspect_differs,
    fit_to_size,
    frame_warning,
    prepare_frame,
    read_dropped,
    save_pasted_image,
)
from gui.ui.compose.frame_preview import FramePreview

__all__ = ["FrameDropZone", "short_name"]

# Lines kept for the caption under the image (file name, warning or refusal), shown or not.
CAPTION_LINES = 3
NAME_CHARS = 28


def short_name(name: str, limit: int = NAME_CHARS) -> str:
    """A file name cut in the middle when long (a frame kept from a result is named by its
    64-character hash): its start and its extension stay readable."""
    if len(name) <= limit:
        return name
    tail = max(6, len(Path(name).suffix) + 4)
    return f"{name[: limit - tail - 1]}…{name[-tail:]}"


class FrameDropZone(QWidget):
    """One frame image (``frame`` is "first" or "last").

    Signals: ``changed`` after anything that alters the frame or its state;
    ``image_url_dropped(url, frame)`` when an http(s) image address was dropped or pasted.
    """

    changed = Signal()
    image_url_dropped = Signal(str, str)

    def __init__(
        self,
        frame: str,
        rules: ImageRules,
        tasks: BackgroundTasks,
        cache_dir: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.frame = frame
        self._rules = rules
        self._tasks = tasks
        self._cache_dir = cache_dir
        self._facts: FrameFacts | None = None
        self._fit: FrameFit = "crop"
        self._target = (1280, 720)
        self._prepared: dict[tuple[str, FrameFit, int, int], tuple[str, str]] = {}
        self._pending: str | None = None  # "checking", "fetching" or "fitting"
        self._pending_path: str | None = None
        self._error: str | None = None
        self._token = 0
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(f"{frame.capitalize()} frame image")
        self.setToolTip(
            "Drop an image file or an image address, paste an image (Ctrl+V), or click to "
            "choose a file. Delete removes it."
        )
        self._build()

    # ---- building
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.title = QLabel(f"{self.frame.capitalize()} frame")
        self.title.setProperty("role", "fieldLabel")
        self.preview = FramePreview(self)
        self.preview.clicked.connect(self.choose_file)
        self.remove_button = QToolButton(self.preview)
        self.remove_button.setText("×")
        self.remove_button.setToolTip("Remove this image (Delete)")
        self.remove_button.setAccessibleName(f"Remove the {self.frame} frame image")
        self.remove_button.setAutoRaise(False)
        self.remove_button.setFixedSize(22, 22)
        self.remove_button.clicked.connect(self.clear)
        self.remove_button.hide()
        self.fit_box = QComboBox()
        self.fit_box.addItem("Crop to fill", "crop")
        self.fit_box.addItem("Pad to fit", "pad")
        self.fit_box.setAccessibleName(f"How the {self.frame} frame meets the video's shape")
        self.fit_box.setToolTip(
            "When the image's shape differs from the video's: crop it to fill "
            "the frame, or pad it with black bars"
        )
        self.fit_box.currentIndexChanged.connect(self._on_fit_chosen)
        keep_place = self.fit_box.sizePolicy()
        keep_place.setRetainSizeWhenHidden(True)  # appearing, it moves nothing below
        self.fit_box.setSizePolicy(keep_place)
        self.fit_box.hide()
        self.message = Caption(CAPTION_LINES)
        self.message.setProperty("role", "note")
        self.message.hide()
        layout.addWidget(self.title)
        layout.addWidget(self.preview)
        layout.addWidget(self.fit_box)
        layout.addWidget(self.message)

    # ---- what the panel asks
    def frame_input(self) -> FrameInput | None:
        """The frame to send: None while empty, busy, or when no image was accepted."""
        if self._facts is None or self._pending or self._size_problem():
            return None  # a size the model refuses is named by the panel (frame_size_problem)
        if self._unfitted():
            return None  # never the unfitted file; waiting_problem() says so
        path, sha = self._sent_file()
        return FrameInput(frame=self.frame, path=path, sha256=sha)

    def waiting_problem(self) -> Problem | None:
        state = self._pending or ("fitting" if self._unfitted() else None)
        if not state:
            return None
        what = {"checking": "being checked", "fetching": "being fetched", "fitting": "being fitted"}
        return Problem(
            code="frameImagePending",
            parameter="inputs.frameImages",
            message=f"The {self.frame} frame image is still {what[state]}…",
        )

    def choice(self) -> FrameChoice | None:
        path = self._pending_path if self._pending == "checking" else None
        path = path or (self._facts.path if self._facts else None)
        return FrameChoice(path=path, fit=self._fit) if path else None

    @property
    def facts(self) -> FrameFacts | None:
        return self._facts

    @property
    def fit(self) -> FrameFit:
        return self._fit

    def message_text(self) -> str:
        return self.message.text() if not self.message.isHidden() else ""

    # ---- what the panel tells it
    def set_rules(self, rules: ImageRules) -> None:
        if rules == self._rules:
            return
        self._rules = rules
        if self._facts is not None:  # the image must pass the new model's checks too
            self.set_path(self._facts.path)

    def set_target(self, width: int, height: int) -> None:
        if (width, height) == self._target:
            return
        self._target = (width, height)
        self.preview.target = (width, height)
        self._prepare_fit()

    def set_fit(self, fit: str) -> None:
        index = self.fit_box.findData(fit)
        if index >= 0:
            self.fit_box.setCurrentIndex(index)

    def set_path(self, path: str | Path) -> None:
        """Check ``path`` and, when it is a usable image, make it this frame: checked,
        previewed and fitted to the present shape from one decode on a worker, whatever its
        size (a 1280×720 PNG took 50-70 ms of the GUI thread); "being checked" meanwhile."""
        path = str(path)
        self._token += 1
        token = self._token
        self._pending, self._pending_path, self._error = "checking", path, None
        self._show_state()
        rules, fit, (width, height), cache = self._rules, self._fit, self._target, self._cache_dir

        def checked(
            result: tuple[FrameFacts, tuple[Path, str] | None] | None,
            error: BaseException | None,
        ) -> None:
            facts, fitted = result if result is not None else (None, None)
            if facts is not None and fitted is not None:  # kept like any fitted file
                key = (facts.sha256, fit, width, height)
                self._prepared[key] = (str(fitted[0]), fitted[1])
            self._on_checked(token, facts, error)

        self._tasks.run(lambda: prepare_frame(path, rules, fit, width, height, cache), checked)

    def set_fetching(self, url: str) -> None:
        self._token += 1
        self._pending, self._pending_path, self._error = "fetching", None, None
        self._show_state(f"Fetching {QUrl(url).host() or 'the image'}…")

    def fetch_failed(self, message: str) -> None:
        if self._pending == "fetching":
            self._pending = None
        self._error = message
        self._show_state()

    def clear(self) -> None:
        self._token += 1
        self._facts, self._pending, self._pending_path, self._error = None, None, None, None
        self._show_state()

    # ---- user actions
    def choose_file(self) -> None:
        if not self.isEnabled():
            return
        start = str(Path(self._facts.path).parent) if self._facts else ""
        path, _ = QFileDialog.getOpenFileName(
            self,
            f"Choose the {self.frame} frame image",
            start,
            "Images (*.png *.jpg *.jpeg *.webp);;All files (*)",
        )
        if path:
            self.set_path(path)

    def paste(self) -> None:
        self._take(QGuiApplication.clipboard().mimeData(), pasted=True)

    def _take(self, mime: QMimeData | None, pasted: bool = False) -> bool:
        found = read_dropped(mime) if mime is not None else None
        if found is None:
            self._error = (
                "The clipboard holds no image, image file or image address."
                if pasted
                else "Drop an image file or an image address."
            )
            self._show_state()
            return False
        kind, value = found
        if kind == "file":
            self.set_path(str(value))
        elif kind == "image":
            try:
                self.set_path(save_pasted_image(value, self._cache_dir))  # type: ignore[arg-type]
            except OSError as exc:
                self._error = f"The pasted image could not be saved ({exc.strerror})."
                self._show_state()
        else:
            self.set_fetching(str(value))
            self.image_url_dropped.emit(str(value), self.frame)
        return True

    def _on_fit_chosen(self, _index: int) -> None:
        self._fit = "pad" if self.fit_box.currentData() == "pad" else "crop"
        self.preview.fit = self._fit
        self._prepare_fit()

    # ---- events
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.isEnabled() and read_dropped(event.mimeData()) is not None:
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            self.preview.hovering = True
            self.preview.update()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        event.accept() if self.isEnabled() else event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.preview.hovering = False
        self.preview.update()

    def dropEvent(self, event: QDropEvent) -> None:
        self.preview.hovering = False
        if not self.isEnabled():
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self._take(event.mimeData())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste()
        elif event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and (
            self._facts or self._pending
        ):
            self.clear()
        elif event.key() in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.choose_file()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._place_remove_button()

    # ---- internals
    def _on_checked(
        self, token: int, facts: FrameFacts | None, error: BaseException | None
    ) -> None:
        if token != self._token:
            return  # a newer image was given meanwhile
        self._pending, self._pending_path = None, None
        if error is not None or facts is None:
            # the earlier image, if any, stays: refusing a new file should not lose a good one
            self._error = (
                str(error.args[0])
                if isinstance(error, InputFileError)
                else (f"The file could not be read: {error}")
            )
            # the kept image's fitting was superseded by this check: start it again (a no-op
            # when its fitted file is ready) so the kept image is sent fitted, not dropped
            self._prepare_fit()
            return
        self._facts, self._error = facts, None
        self._prepare_fit()

    def _unfitted(self) -> bool:
        """An image whose shape differs from the video's, with no fitted file made yet."""
        key = self._fit_key()
        return key is not None and key not in self._prepared and not self._size_problem()

    def _size_problem(self) -> str | None:
        """Why the video's size cannot be this frame's size (it is fitted to it), or None."""
        return side_problem(*self._target, self._rules) if self._facts is not None else None

    def _fit_key(self) -> tuple[str, FrameFit, int, int] | None:
        if self._facts is None:
            return None
        tw, th = self._target
        if not aspect_differs(self._facts.width, self._facts.height, tw, th):
            return None
        return (self._facts.sha256, self._fit, tw, th)

    def _sent_file(self) -> tuple[str, str]:
        assert self._facts is not None
        key = self._fit_key()
        if key is None:
            return self._facts.path, self._facts.sha256
        return self._prepared[key]

    def _prepare_fit(self) -> None:
        """Make the cropped or padded file when the image's shape differs from the video's."""
        key = self._fit_key()
        if self._pending in ("checking", "fetching"):
            return
        if key is None or key in self._prepared or self._size_problem():
            self._pending = None
            self._show_state()
            return
        assert self._facts is not None
        self._token += 1
        token, source, cache, rules = self._token, self._facts.path, self._cache_dir, self._rules
        self._pending = "fitting"
        self._show_state()
        _sha, fit, width, height = key

        def done(result: tuple[Path, str] | None, error: BaseException | None) -> None:
            if result is not None:  # worth keeping even when a newer request superseded it
                self._prepared[key] = (str(result[0]), result[1])
            if token != self._token:
                return
            self._pending = None
            if result is None:
                self._error = f"The image could not be fitted to the video: {error}"
            self._show_state()

        self._tasks.run(lambda: fit_to_size(source, fit, width, height, rules, cache), done)

    def _show_state(self, busy_text: str | None = None) -> None:
        facts = self._facts
        self.preview.image = facts.preview if facts else None
        self.preview.fit = self._fit
        # × also gives up a fetch that never ends, so it cannot block Generate for good
        self.remove_button.setVisible(facts is not None or self._pending == "fetching")
        # the crop/pad choice matters only when the image's shape differs from the video's
        self.fit_box.setVisible(self._fit_key() is not None)
        self._place_remove_button()
        text, tone = "", "note"
        if self._error:
            text, tone = self._error, "error"
        elif self._pending == "checking":
            text = "Checking the image…"
        elif self._pending == "fetching":
            text = busy_text or "Fetching…"
        elif facts is not None and (why := self._size_problem()):
            size = "×".join(str(side) for side in self._target)
            text, tone = f"Cannot be sent at {size}: {why}.", "error"
        elif facts is not None:
            warning = frame_warning(facts, *self._target, self._fit)
            if warning:
                text, tone = warning, "warning"
            else:
                text = f"{short_name(Path(facts.path).name)} · {facts.width}×{facts.height}"
        self.message.setText(text)
        self.message.setProperty("tone", tone)
        color = {"error": "#d93636", "warning": "#b26a00"}.get(tone)
        self.message.setStyleSheet(f"color: {color};" if color else "")
        self.message.setVisible(bool(text))
        self.preview.setToolTip(
            f"{facts.path}\n{facts.width}×{facts.height} {facts.format}" if facts else ""
        )
        self.preview.update()
        self.changed.emit()

    def _place_remove_button(self) -> None:
        rect = self.preview.frame_rect().toRect()
        self.remove_button.move(rect.right() - self.remove_button.width() - 3, rect.top() + 3)
