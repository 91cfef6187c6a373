"""One studio session: the client, journal, library and engine, opened and closed together.

The window (gui/app.py) and the command line (gui/cli.py) both open one with
:func:`open_session`. The composition root decides what the session talks to: it opens the
:class:`~gui.studio.backend.Backend` (starting the sandbox process, if any, itself; see
gui/sandbox_host.py) and hands it over; the session knows only a client on a URL. Closing the
session stops the engine, closes the client (letting go of the sandbox) and closes the
journal, in that order.

The UI talks to a session, never to the engine, the journal or the library behind it: every
question and action it needs is a method here.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from gui.runware.catalog import Catalog, ModelSpec
from gui.studio.atomic_files import write_atomic
from gui.studio.backend import Backend
from gui.studio.board import (
    BOARD_SUFFIX,
    Board,
    BoardError,
    Shot,
    TakeRef,
    board_from_dict,
    check_board,
    load_board,
)
from gui.studio.board import save_board as write_board
from gui.studio.board_export import ExportClip, ExportReport, ExportSettings, ExportWorker
from gui.studio.board_run import BoardOutcome, BoardRunner, ChosenClip, ShotStatus, ShotView
from gui.studio.board_store import BoardMembership, BoardStore, BoardView
from gui.studio.engine import ContinueFrom, Engine
from gui.studio.events import EngineEvents
from gui.studio.jobs import Job, JobSpec, Lineage
from gui.studio.journal import Journal, Spend
from gui.studio.library import Library
from gui.studio.pacing import TurnBudget
from gui.studio.settings import Settings

__all__ = [
    "BOARD_SUFFIX",
    "Board",
    "BoardError",
    "BoardMembership",
    "BoardOutcome",
    "BoardView",
    "ChosenClip",
    "ContinueFrom",
    "ExportReport",
    "ExportWorker",
    "Session",
    "Shot",
    "ShotStatus",
    "ShotView",
    "Spend",
    "TakeRef",
    "open_session",
    "reopen_needed",
]

# Settings whose change means another backend or another library: a new session
_REOPEN_FIELDS = ("backend", "api_url", "library_folder")


def reopen_needed(old: Settings, new: Settings) -> bool:
    """True when ``new`` cannot be applied to a running session (see :meth:`Session.apply`)."""
    return any(getattr(old, name) != getattr(new, name) for name in _REOPEN_FIELDS)


@dataclass
class Session:
    """What one open studio is made of; use its methods, close it with :meth:`close`."""

    backend: Backend
    journal: Journal
    library: Library
    engine: Engine
    _boards: BoardRunner | None = field(default=None, init=False, repr=False)

    # ------------------------------------------------------------------ what it is
    @property
    def label(self) -> str:
        return self.backend.label

    @property
    def is_sandbox(self) -> bool:
        return self.backend.is_sandbox

    @property
    def library_root(self) -> Path:
        return self.library.root

    @property
    def videos_folder(self) -> Path:
        return self.library.videos

    # ------------------------------------------------------------------ settings
    def apply(self, settings: Settings) -> None:
        """Take in edited settings at once (budget, downloads, polling); the rest of them
        (:func:`reopen_needed`) need a new session."""
        self.engine.apply_settings(settings)

    # ------------------------------------------------------------------ questions
    def jobs(self) -> list[Job]:
        return self.engine.jobs()

    def get(self, job_id: str) -> Job:
        return self.engine.get(job_id)

    def search(self, text: str, limit: int = 500) -> list[str]:
        """Ids of the jobs whose prompt matches ``text``, best first, then the takes of the
        storyboard shots whose board name or prompt matches."""
        found = [job.id for job in self.engine.search(text, limit)]
        known = set(found)
        found += [i for i in self._runner.store.search(text) if i not in known]
        return found[:limit]

    def board_memberships(
        self, job_ids: Iterable[str] | None = None
    ) -> dict[str, list[BoardMembership]]:
        """Which boards (and shots) jobs are takes of: every job's, or ``job_ids``'."""
        return self._runner.store.memberships(job_ids)

    def spend(self) -> Spend:
        return self.engine.spend()

    def request_of(self, job_id: str) -> dict[str, Any] | None:
        """The request body the job was sent with, as the journal kept it."""
        return self.engine.request_of(job_id)

    async def wait(self, job_id: str) -> Job:
        """The job once it is final."""
        return await self.engine.wait(job_id)

    def sync_with_journal(self) -> list[Job]:
        return self.engine.sync_with_journal()

    # ------------------------------------------------------------------ actions
    async def submit(self, spec: JobSpec, lineage: Lineage | None = None) -> Job:
        return await self.engine.submit(spec, lineage)

    async def cancel(self, job_id: str) -> Job:
        return await self.engine.cancel(job_id)

    async def retry(self, job_id: str) -> Job:
        return await self.engine.retry(job_id)

    def alternative(self, job_id: str) -> ModelSpec | None:
        """The closest live model for a job Runware refused because its model has gone."""
        return self.engine.alternative(job_id)

    async def retry_with(self, job_id: str, air: str) -> Job:
        return await self.engine.retry_with(job_id, air)

    async def delete(self, job_id: str) -> None:
        await self.engine.delete(job_id)

    def set_favourite(self, job_id: str, favourite: bool) -> None:
        self.engine.set_favourite(job_id, favourite)

    async def continue_from_last_frame(self, job_id: str, index: int) -> ContinueFrom:
        return await self.engine.continue_from_last_frame(job_id, index)

    async def export(self, job_id: str, index: int, folder: Path) -> list[Path]:
        return await self.engine.export(job_id, index, folder)

    async def refresh_balance(self) -> tuple[float, str]:
        return await self.engine.refresh_balance()

    async def keep_frame(self, png: bytes) -> tuple[Path, str]:
        """A still (PNG bytes) kept in the library's frames folder: its path and sha256. Written
        and synced on a worker thread (a job will refer to it: it must survive a crash)."""
        sha = hashlib.sha256(png).hexdigest()
        path = self.library.frames / f"{sha}.png"
        if not path.exists():
            await asyncio.to_thread(write_atomic, path, png)
        return path, sha

    async def fetch_image(self, url: str, suffix: str) -> Path:
        """Download an image address into the frames folder."""
        import uuid

        dest = self.library.frames / f"web-{uuid.uuid4().hex}{suffix}"
        return Path(await self.backend.client.download(url, dest))

    # ------------------------------------------------------------------ storyboards
    @property
    def _runner(self) -> BoardRunner:
        if self._boards is None:
            store = BoardStore(self.journal.path, self.journal)
            self._boards = BoardRunner(self.engine, store, self.engine.catalog)
        return self._boards

    def open_board(self, path: Path) -> Board:
        """Read and check a *.board.json (:class:`BoardError` naming the shot) and record it."""
        return self._runner.open(load_board(path, self.engine.catalog))

    def record_board(self, board: Board) -> Board:
        """The board as edited, in the journal; returned with the chosen takes it holds."""
        return self._runner.open(board)

    def last_board(self) -> tuple[Board, BoardView] | None:
        """The board the Storyboard tab showed last (as last edited), and how it was shown;
        None if there is none. :class:`BoardError` if it cannot be read back."""
        store = self._runner.store
        view = store.last_view()
        document = store.document(view.board_id) if view else None
        if view is None or document is None:
            return None
        board = board_from_dict(document, self.engine.catalog, store.path_of(view.board_id))
        return self._runner.open(board), view

    def remember_board_view(self, view: BoardView) -> None:
        """What the Storyboard tab shows now, for the next start."""
        self._runner.store.remember_view(view)

    def check_board(self, board: Board) -> None:
        """:class:`BoardError` naming the first shot that cannot be sent as it is."""
        check_board(board, self.engine.catalog)

    def save_board(self, board: Board, path: Path) -> Board:
        board = replace(board, path=Path(path).resolve())
        write_board(board, catalog=self.engine.catalog)
        return self._runner.open(board)

    def board_views(self, board: Board) -> list[ShotView]:
        return self._runner.views(board)

    def board_price(self, board: Board) -> tuple[Decimal, list[int]]:
        return self._runner.estimate(board)

    async def generate_board(
        self,
        board: Board,
        *,
        regenerate_from: int | None = None,
        on_shot: Callable[[int, str, str], None] | None = None,
    ) -> BoardOutcome:
        runner = self._runner
        runner.on_shot = on_shot or (lambda *_: None)
        return await runner.generate(board, regenerate_from=regenerate_from)

    def add_board_take(self, board: Board, shot_id: str, job_id: str, result: int) -> Board:
        """A library result becomes a shot's chosen take."""
        take = self._runner.store.add_take(board.id, shot_id, job_id, result)
        return self._runner.choose(board, shot_id, take.id, result)

    def choose_take(self, board: Board, shot_id: str, take_id: str, result: int = 0) -> Board:
        return self._runner.choose(board, shot_id, take_id, result)

    def board_clips(self, board: Board) -> list[ChosenClip]:
        return self._runner.clips(board)

    def export_board(
        self,
        board: Board,
        out: Path,
        *,
        on_progress: Callable[[float], None] | None = None,
        on_done: Callable[[ExportReport | None, BaseException | None], None] | None = None,
    ) -> ExportWorker:
        """The chosen takes as one film on a worker thread (started); cancel() stops it."""
        clips = self._runner.clips(board)
        worker = ExportWorker(
            [ExportClip(c.path, fit=c.shot.fit, label=f"Shot {c.index + 1}") for c in clips],
            out,
            ExportSettings(board.width, board.height, board.fps, crossfade=board.crossfade),
            sidecar=self._runner.sidecar(board, clips),
            on_progress=on_progress,
            on_done=on_done,
        )
        worker.start()
        return worker

    # ------------------------------------------------------------------ closing
    async def close(self) -> None:
        """Stop the engine, close the client (and the sandbox link), close the journal."""
        if self._boards is not None:
            self._boards.store.close()
        try:
            await self.engine.stop()
        finally:
            try:
                await self.backend.close()
            finally:
                self.journal.close()


async def open_session(
    connect: Awaitable[Backend],
    *,
    data_dir: Path,
    catalog: Catalog,
    settings: Settings,
    events: EngineEvents | None = None,
    turn_budget: TurnBudget | None = None,
) -> Session:
    """Open the journal while ``connect`` opens the backend, then start the engine.

    Whatever fails, what was opened is closed again before the error is raised."""
    opening = asyncio.ensure_future(connect)
    await asyncio.sleep(0)  # a sandbox boots (another process) while this thread reads
    journal: Journal | None = None
    try:
        journal = Journal.in_folder(data_dir)
        jobs = journal.load_jobs()
    except BaseException:
        if journal is not None:
            journal.close()
        await _close_when_open(opening)
        raise
    try:
        backend = await opening
    except BaseException:
        journal.close()
        raise
    library = Library(data_dir)
    engine = Engine(
        backend.client, journal, library, catalog, settings, events, turn_budget=turn_budget
    )
    session = Session(backend=backend, journal=journal, library=library, engine=engine)
    try:
        await engine.start(jobs)
    except BaseException:
        await session.close()
        raise
    return session


async def _close_when_open(opening: asyncio.Future[Backend]) -> None:
    """Wait for a backend being opened and close it (start-up failed after it began)."""
    try:
        backend = await opening
    except Exception:
        return
    await backend.close()
