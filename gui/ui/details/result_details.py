"""What a result was made from, and what to do next with it.

Shows prompt, model, parameters, seed, cost, videoUUID and videoId (with copy buttons) and
times. The actions only announce what the user asked for; the window carries them out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.runware.catalog import Catalog
from gui.studio.jobs import Job, JobState, Result, ResultState, prompt_excerpt
from gui.ui.labels import REMIX_TEXT, REMIX_TIP, clock, cost_text, error_text, money, seconds_text

__all__ = ["ResultDetails"]

_LINEAGE_WORDS = {
    "retry": "retry of",
    "remix": "remix of",
    "extend": "extension of",
    "lastFrame": "continued from the last frame of",
    "firstFrame": "from a frame of",
}


def _when(timestamp: float | None) -> str:
    if not timestamp:
        return "—"
    return dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


class _CopyField(QWidget):
    """A selectable value with a Copy button beside it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.value = QLabel("—", self)
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.value.setObjectName("MonoValue")
        # long IDs are clipped rather than widening the window; the tooltip and Copy have it all
        self.value.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.value.setMinimumWidth(80)
        self.button = QToolButton(self)
        self.button.setText("Copy")
        self.button.setAutoRaise(True)
        self.button.clicked.connect(self._copy)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.value, 1)
        row.addWidget(self.button)

    def set(self, text: str | None) -> None:
        self.value.setText(text or "—")
        self.value.setToolTip(text or "")
        self.button.setEnabled(bool(text))

    def _copy(self) -> None:
        if self.button.isEnabled():
            QGuiApplication.clipboard().setText(self.value.text())


class ResultDetails(QWidget):
    """The selected result's facts and the next steps from it."""

    remix_requested = Signal(object, object)  # Job, Result
    use_frame_requested = Signal(object, object)  # Job, Result (the player's current frame)
    continue_requested = Signal(object, object)  # Job, Result (its last frame)
    retry_requested = Signal(str)
    reveal_requested = Signal(object, object)  # Job, Result | None

    def __init__(
        self,
        catalog: Catalog,
        parent: QWidget | None = None,
        *,
        find_job: Callable[[str], Job | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ResultDetails")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # the theme paints it
        self._catalog = catalog
        self._find_job = find_job  # a parent job by id, to name it by its prompt
        self.job: Job | None = None
        self.result: Result | None = None
        self._build_fields()
        self._build_actions()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        layout.addWidget(self.prompt)
        layout.addWidget(self.error)
        columns = QHBoxLayout()
        columns.setSpacing(24)
        columns.addLayout(self._left, 1)
        columns.addLayout(self._right, 1)
        layout.addLayout(columns)
        layout.addStretch(1)
        layout.addLayout(self._actions)
        self.show_result(None, None)

    def _build_fields(self) -> None:
        self.prompt = QLabel(self)
        self.prompt.setObjectName("DetailsPrompt")
        self.prompt.setWordWrap(True)
        self.prompt.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.prompt.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.error = QLabel(self)
        self.error.setObjectName("DetailsError")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model_label = QLabel(self)
        self.params_label = QLabel(self)
        self.params_label.setWordWrap(True)
        self.seed_label = QLabel(self)
        self.cost_label = QLabel(self)
        self.time_label = QLabel(self)
        self.time_label.setWordWrap(True)
        self.video_uuid = _CopyField(self)
        self.video_id = _CopyField(self)
        self._left = QFormLayout()
        self._right = QFormLayout()
        for form in (self._left, self._right):
            form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
            form.setHorizontalSpacing(10)
            form.setVerticalSpacing(4)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._left.addRow("Model", self.model_label)
        self._left.addRow("Parameters", self.params_label)
        self._left.addRow("Seed", self.seed_label)
        self._left.addRow("Cost", self.cost_label)
        self._right.addRow("videoUUID", self.video_uuid)
        self._right.addRow("videoId", self.video_id)
        self._right.addRow("Time", self.time_label)

    def _build_actions(self) -> None:
        self.remix_button = QPushButton(REMIX_TEXT, self)
        self.remix_button.setToolTip(REMIX_TIP)
        self.use_frame_button = QPushButton("Use this frame", self)
        self.use_frame_button.setToolTip("Use the frame on screen as the next job's first frame")
        self.continue_button = QPushButton("Continue from last frame", self)
        self.use_frame_button.setAccessibleName("Use frame as first frame")
        self.continue_button.setToolTip("Start a new job from this video's last frame")
        self.retry_button = QPushButton("Retry", self)
        self.reveal_button = QPushButton("Reveal", self)
        self.reveal_button.setToolTip("Show the file in its folder")
        self._actions = QHBoxLayout()
        self._actions.setSpacing(6)
        for button in (self.remix_button, self.use_frame_button, self.continue_button):
            self._actions.addWidget(button)
        self._actions.addStretch(1)
        self._actions.addWidget(self.retry_button)
        self._actions.addWidget(self.reveal_button)
        self.remix_button.clicked.connect(lambda: self._announce(self.remix_requested))
        self.use_frame_button.clicked.connect(lambda: self._announce(self.use_frame_requested))
        self.continue_button.clicked.connect(lambda: self._announce(self.continue_requested))
        self.reveal_button.clicked.connect(self._on_reveal)
        self.retry_button.clicked.connect(self._on_retry)

    # ------------------------------------------------------------------ showing
    def show_result(self, job: Job | None, result: Result | None) -> None:
        self.job, self.result = job, result
        if job is None:
            self.prompt.setText("Select a job to see how it was made.")
            self.prompt.setProperty("empty", True)
            for label in (self.model_label, self.params_label, self.seed_label, self.cost_label):
                label.setText("—")
            self.time_label.setText("—")
            self.video_uuid.set(None)
            self.video_id.set(None)
            self.error.hide()
        else:
            self._fill(job, result)
        self.prompt.style().unpolish(self.prompt)
        self.prompt.style().polish(self.prompt)
        self._update_actions()

    def _fill(self, job: Job, result: Result | None) -> None:
        spec = job.spec
        model = self._catalog.get(spec.model)
        self.prompt.setText(spec.prompt)
        self.prompt.setProperty("empty", False)
        self.model_label.setText(f"{model.name if model else spec.model}  ({spec.model})")
        params = [spec.size_label, seconds_text(spec.duration), spec.output_format]
        if spec.output_quality is not None:
            params.append(f"quality {spec.output_quality}")
        if spec.number_results > 1:
            which = f"variation {result.index + 1} of " if result else ""
            params.append(f"{which}{spec.number_results}")
        if spec.frames:
            params.append("first frame image" if len(spec.frames) == 1 else "frame images")
        if job.lineage.kind:
            params.append(self._lineage_text(job))
        self.params_label.setText(" · ".join(params))
        seed = result.seed if result and result.seed is not None else spec.seed
        self.seed_label.setText("—" if seed is None else str(seed))
        cost = cost_text(job, self._catalog)
        if result is not None and result.cost is not None and spec.number_results > 1:
            cost = f"{money(result.cost)} (job {cost})"
        self.cost_label.setText(cost)
        self.video_uuid.set(result.video_uuid if result else None)
        self.video_id.set(result.video_id if result else None)
        times = [f"created {_when(job.created_at)}"]
        if job.finished_at:
            times.append(f"took {clock(job.finished_at - job.created_at)}")
        self.time_label.setText(", ".join(times))
        problem = error_text(job) or (result.error if result and result.error else "")
        self.error.setText(problem)
        self.error.setVisible(bool(problem))

    def _lineage_text(self, job: Job) -> str:
        """What the job was made from, in words: "remix of “a kite over…”" (ids are for copying,
        in the videoId and videoUUID fields, not for reading)."""
        kind = job.lineage.kind or ""
        words = _LINEAGE_WORDS.get(kind, kind)
        parent_id = job.lineage.parent_job_id
        parent = self._find_job(parent_id) if self._find_job and parent_id else None
        source = f"“{prompt_excerpt(parent.spec.prompt)}”" if parent else "an earlier job"
        return f"{words} {source}"

    def _update_actions(self) -> None:
        job, result = self.job, self.result
        model = self._catalog.get(job.spec.model) if job else None
        playable = bool(result and result.state is ResultState.READY and result.local_path)
        takes_first_frame = bool(model and model.accepts_frame("first"))
        self.remix_button.setEnabled(
            bool(model and model.accepts_video_id and result and result.video_id)
        )
        self.use_frame_button.setEnabled(playable and takes_first_frame)
        self.continue_button.setEnabled(playable and takes_first_frame)
        self.retry_button.setEnabled(bool(job and job.state.is_final))
        self.reveal_button.setEnabled(
            bool(job and (playable or any(r.local_path for r in job.results)))
        )
        # a model that takes no videoId never offers remix at all
        self.remix_button.setVisible(model is None or model.accepts_video_id)
        if job is not None and job.state is JobState.READY and not playable:
            self.use_frame_button.setEnabled(False)

    def _on_reveal(self) -> None:
        if self.job is not None:
            self.reveal_requested.emit(self.job, self.result)

    def _on_retry(self) -> None:
        if self.job is not None:
            self.retry_requested.emit(self.job.id)

    def _announce(self, signal: SignalInstance) -> None:
        if self.job is not None and self.result is not None:
            signal.emit(self.job, self.result)
