"""The Storyboard tab's view-model: one board being edited, its shots' states, generate, export.

The board is a frozen :class:`Board`; every edit makes a new one, records it in the journal
(when a session is open) and re-reads the shots' states (:class:`ShotView`) from there. Shot
states follow the runner live (its ``on_shot`` calls and the engine's job changes).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from gui.runware.catalog import Catalog
from gui.studio.errors import StudioError
from gui.studio.jobs import Job
from gui.studio.session import (
    Board,
    BoardError,
    BoardView,
    ExportReport,
    ExportWorker,
    Session,
    Shot,
    ShotStatus,
    ShotView,
)
from gui.studio.spending import budget_state
from gui.ui.viewmodels.properties import Property
from gui.ui.viewmodels.studio_link import StudioLink

__all__ = ["FilmClip", "StoryboardViewModel"]

FilmClip = tuple[Path, float]  # a chosen take's file and its shot's length in seconds


def _shot_id() -> str:
    return f"shot-{uuid.uuid4().hex[:8]}"


class StoryboardViewModel(QObject):
    """The board on the Storyboard tab and what can be done with it."""

    board_changed = Signal(object)  # Board
    views_changed = Signal(object)  # list[ShotView]
    busy_changed = Signal(bool)
    exporting_changed = Signal(bool)
    export_progress_changed = Signal(float)
    message_changed = Signal(object)  # str | None
    exported = Signal(object)  # ExportReport
    view_restored = Signal(int, object)  # scroll, selected card (or None): the last session's
    _worker_progress = Signal(float)  # from the export thread, delivered queued
    _worker_done = Signal(object, object)

    board = Property[Board | None](None)
    views = Property[list[ShotView]]([])
    busy = Property[bool](False)
    exporting = Property[bool](False)
    export_progress = Property[float](0.0)
    message = Property[str | None](None)

    def __init__(self, link: StudioLink, catalog: Catalog, parent: QObject | None = None):
        super().__init__(parent)
        self.link = link
        self.catalog = catalog
        self._worker: ExportWorker | None = None
        self._worker_progress.connect(self._on_export_progress)
        self._worker_done.connect(self._on_export_done)
        self._view = BoardView("", 0, None)  # what the tab shows (remembered for the next start)
        self._written: BoardView | None = None
        self._reopened_last = False  # the last session's board is offered once, at start-up
        link.opened.connect(self._on_opened)
        link.bridge.job_changed.connect(self._on_job_changed)
        self.new_board()

    # ------------------------------------------------------------------ reading
    @property
    def current(self) -> Board:
        assert self.board is not None
        return self.board

    def _session(self) -> Session | None:
        return self.link.session if self.link.is_open else None

    def refresh(self) -> None:
        """Record the board and read its shots' states again."""
        board, session = self.current, self._session()
        if session is None:
            self.views = [
                ShotView(i, s, ShotStatus.MISSING, (), None, None)
                for i, s in enumerate(board.shots)
            ]
            return
        try:
            self.board = session.record_board(board)
            self.views = session.board_views(self.current)
        except StudioError as exc:
            self.message = str(exc)

    def _set(self, board: Board) -> None:
        self.board = board
        self.refresh()
        self._remember()

    # ------------------------------------------------------------------ between sessions
    def _on_opened(self) -> None:
        """The session opened: the board open at the end of the last session comes back
        (at start-up only; a session reopened for new settings keeps the board on screen)."""
        session = self._session()
        if self._reopened_last or session is None:
            self.refresh()
            return
        self._reopened_last = True
        try:
            last = session.last_board()
        except StudioError as exc:
            self.message = f"The last storyboard could not be reopened: {exc}"
            last = None
        if last is None:
            self.refresh()
            return
        board, view = last
        self._view = self._written = view
        self.board = board
        self.refresh()
        self.view_restored.emit(view.scroll, view.selected)

    def remember_view(self, scroll: int, selected: int | None) -> None:
        """Where the tab is scrolled and which card is selected (kept for the next start)."""
        self._view = BoardView(self._view.board_id, scroll, selected)
        self._remember()

    def _remember(self) -> None:
        session, board = self._session(), self.board
        if session is None or board is None or not board.shots:
            return  # an empty board is not worth coming back to
        if self._view.board_id != board.id:
            self._view = BoardView(board.id, 0, None)
        if self._view == self._written:
            return
        try:
            session.remember_board_view(self._view)
            self._written = self._view
        except OSError as exc:  # a full or read-only disk: the board itself is in the journal
            self.message = f"Could not remember the open board: {exc}"

    def _on_job_changed(self, job: Job) -> None:
        if any(t.job_id == job.id for v in self.views for t in v.takes):
            self.refresh()

    # ------------------------------------------------------------------ editing
    def new_board(self, name: str = "Untitled board") -> None:
        self.message = None
        self._set(Board(uuid.uuid4().hex, name, 1280, 720, 24, ()))

    def set_format(self, width: int, height: int, fps: int) -> None:
        self._set(replace(self.current, width=width, height=height, fps=fps))

    def set_name(self, name: str) -> None:
        if name.strip() and name != self.current.name:
            self._set(replace(self.current, name=name.strip()))

    def add_shot(self) -> None:
        """A new card after the last one, with its model and length (or the default model)."""
        shots = self.current.shots
        if shots:
            model, duration = shots[-1].model, shots[-1].duration
        else:
            spec = self.catalog.default
            model, duration = spec.air, min(spec.durations)
        shot = Shot(_shot_id(), f"Shot {len(shots) + 1}", duration, model)
        self._set(replace(self.current, shots=(*shots, shot)))

    def duplicate_shot(self, index: int) -> None:
        shots = list(self.current.shots)
        shots.insert(index + 1, replace(shots[index], id=_shot_id(), take=None))
        self._set(replace(self.current, shots=tuple(shots)))

    def remove_shot(self, index: int) -> None:
        shots = list(self.current.shots)
        del shots[index]
        if shots and shots[0].link in ("last-frame", "extend"):
            shots[0] = replace(shots[0], link="none")
        self._set(replace(self.current, shots=tuple(shots)))

    def move_shot(self, source: int, target: int) -> None:
        """Move the card at ``source`` so that it lands at ``target`` (an index before the
        move, 0 … len): dropped before the card that was at ``target``."""
        shots = list(self.current.shots)
        if not 0 <= source < len(shots) or target in (source, source + 1):
            return
        shot = shots.pop(source)
        shots.insert(target - 1 if target > source else target, shot)
        if shots[0].link in ("last-frame", "extend"):
            shots[0] = replace(shots[0], link="none")
        self._set(replace(self.current, shots=tuple(shots)))

    def edit_shot(self, index: int, **changes: Any) -> None:
        """Change a shot's prompt, model, duration, link or image."""
        shot = self.current.shots[index]
        if "model" in changes:
            spec = self.catalog[changes["model"]]
            duration = float(changes.get("duration", shot.duration))
            if duration not in spec.durations:
                changes["duration"] = min(spec.durations, key=lambda d: abs(d - duration))
        if changes.get("link", shot.link) != "image":
            changes["image"] = None
        new = replace(shot, **changes)
        if new != shot:
            shots = tuple(new if s.id == shot.id else s for s in self.current.shots)
            self._set(replace(self.current, shots=shots))

    def add_from_result(self, job_id: str, result: int = 0, at: int | None = None) -> None:
        """A card made from a library result: its prompt, model and length, that take chosen."""
        session = self._session()
        if session is None:
            self.message = "The studio is still starting; try again in a moment."
            return
        job = session.get(job_id)
        shot = Shot(_shot_id(), job.spec.prompt, float(job.spec.duration), job.spec.model)
        shots = list(self.current.shots)
        shots.insert(len(shots) if at is None else at, shot)
        board = replace(self.current, shots=tuple(shots))
        if job.spec.width and job.spec.height and not self.current.shots:
            board = replace(board, width=job.spec.width, height=job.spec.height)
        try:
            board = session.record_board(board)
            self._set(session.add_board_take(board, shot.id, job_id, result))
        except StudioError as exc:
            self.message = str(exc)
            self._set(board)

    # ------------------------------------------------------------------ files
    def open(self, path: Path) -> bool:
        session = self._session()
        if session is None:
            self.message = "The studio is still starting; try again in a moment."
            return False
        try:
            board = session.open_board(path)
        except StudioError as exc:
            self.message = str(exc)
            return False
        self.message = None
        self._set(board)
        return True

    def save(self, path: Path) -> bool:
        session = self._session()
        try:
            if session is None:
                raise StudioError("The studio is still starting; try again in a moment.")
            self._set(session.save_board(self.current, path))
        except (StudioError, OSError) as exc:
            self.message = f"The board was not saved: {exc}"
            return False
        self.message = None
        return True

    # ------------------------------------------------------------------ generating
    def price_summary(self) -> str | None:
        """What generating the board costs and where that leaves today's budget; None (and a
        :attr:`message`) when the board cannot be sent as it is."""
        session = self._session()
        if session is None:
            self.message = "The studio is still starting; try again in a moment."
            return None
        board = self.current
        if not board.shots:
            self.message = "The board has no shots: add a card first."
            return None
        try:
            session.check_board(board)
            price, unknown = session.board_price(board)
        except BoardError as exc:
            self.message = str(exc)
            return None
        self.message = None
        todo = [v for v in self.views if v.status is not ShotStatus.READY]
        budget = session.engine.settings.daily_budget
        verdict = budget_state(session.spend().today, budget, next_cost=price)
        extra = (
            f" (shots {', '.join(str(i + 1) for i in unknown)}: price not published)"
            if unknown
            else ""
        )
        return (
            f"Generate “{board.name}”: {len(board.shots)} shots, {board.duration:g} s, "
            f"{len(todo)} to make.\nWhole board: ${price:.2f}{extra}.\n{verdict.message}"
        )

    def generate(self, regenerate_from: int | None = None) -> None:
        if self.busy:
            return
        self.link.run(
            "Generating the board",
            lambda session: self._generate(session, regenerate_from),
        )

    async def _generate(self, session: Session, regenerate_from: int | None) -> None:
        self.busy = True
        self.message = None
        try:
            outcome = await session.generate_board(
                self.current,
                regenerate_from=regenerate_from,
                on_shot=lambda *_: self.refresh(),
            )
            if outcome.failed:
                self.message = " ".join(m for _, m in sorted(outcome.failed.items()))
        finally:
            self.busy = False
            self.refresh()

    def choose_take(self, index: int, take_id: str) -> None:
        session = self._session()
        view = self.views[index]
        take = next((t for t in view.takes if t.id == take_id), None)
        if session is None or take is None:
            return
        try:
            self._set(session.choose_take(self.current, view.shot.id, take_id, take.result))
        except StudioError as exc:
            self.message = str(exc)

    # ------------------------------------------------------------------ the film
    def film(self) -> list[FilmClip]:
        """The chosen takes in order, for the player; empty (and a message) if one is missing."""
        session = self._session()
        if session is None:
            return []
        try:
            return [(c.path, c.shot.duration) for c in session.board_clips(self.current)]
        except StudioError as exc:
            self.message = str(exc)
            return []

    def export(self, out: Path) -> None:
        session = self._session()
        if session is None or self.exporting:
            return
        try:
            self._worker = session.export_board(
                self.current,
                out,
                on_progress=self._worker_progress.emit,
                on_done=self._worker_done.emit,
            )
        except StudioError as exc:
            self.message = str(exc)
            return
        self.message = None
        self.export_progress = 0.0
        self.exporting = True

    def cancel_export(self) -> None:
        if self._worker is not None:
            self._worker.cancel()

    def _on_export_progress(self, share: float) -> None:
        if self.exporting:
            self.export_progress = share

    def _on_export_done(self, report: ExportReport | None, error: BaseException | None) -> None:
        self._worker = None
        self.exporting = False
        if report is not None:
            self.export_progress = 1.0
            self.message = f"Exported {report.path.name}: {report.seconds:g} s."
            self.exported.emit(report)
        else:
            self.export_progress = 0.0
            self.message = f"The export stopped: {error}"
