"""Generating a board: every shot a job through the engine, in dependency order, resumable.

Independent shots are submitted at once; a linked shot (``last-frame``, ``extend``) as soon as
the shot before it has a chosen take that is ready. Each take is written to the journal before
its job is submitted (see gui/studio/board_store.py), and the engine journals the job before its
request leaves, so after a crash :meth:`BoardRunner.generate` picks up where it stopped: a take
whose job is still running is waited for (the engine recovers it with its own taskUUID), a take
that is ready is chosen, and only what is missing is sent.

A shot's chosen take *fits* when it was made from the board's current shot (prompt, model,
duration, size, image) and, for a linked shot, from the chosen take of the shot before it (by
lineage). Choosing another take for a shot therefore re-marks every shot linked after it as
stale, without any flag to keep in step; "regenerate from here" makes a new take for one shot
and, through the links, for the shots that continue it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from gui.runware.catalog import Catalog
from gui.studio.board import Board, BoardError, Shot, TakeRef, board_to_dict, save_board, shot_spec
from gui.studio.board_store import BoardStore, StoredTake, spec_key
from gui.studio.engine import Engine
from gui.studio.errors import JobNotFound, StudioError
from gui.studio.jobs import Job, JobSpec, JobState, Lineage, Result, ResultState

__all__ = [
    "BoardOutcome",
    "BoardRunner",
    "ChosenClip",
    "ShotFailed",
    "ShotStatus",
    "ShotView",
]

log = logging.getLogger(__name__)


class ShotStatus(StrEnum):
    READY = "ready"  # its chosen take fits and is saved
    STALE = "stale"  # it has a take, made from something the board no longer holds
    MISSING = "missing"  # no take yet
    RUNNING = "running"  # a take is being made
    FAILED = "failed"  # its last take failed


class ShotFailed(StudioError):
    """A shot's take could not be made; the message names the shot."""


@dataclass(frozen=True)
class ShotView:
    """A shot as the window and the CLI show it."""

    index: int
    shot: Shot
    status: ShotStatus
    takes: tuple[StoredTake, ...]
    chosen: StoredTake | None
    job: Job | None  # the chosen (or running) take's job
    message: str | None = None


@dataclass(frozen=True)
class ChosenClip:
    """A shot's chosen take, saved: what the export and the player use."""

    index: int
    shot: Shot
    job: Job
    result: Result
    path: Path


@dataclass(frozen=True)
class BoardOutcome:
    made: dict[int, str]  # shot index → job id of the take made (or finished) in this run
    reused: list[int]
    failed: dict[int, str]  # shot index → message

    @property
    def ok(self) -> bool:
        return not self.failed


ShotListener = Callable[[int, str, str], None]  # (shot index, what happened, detail)


def _ignore(index: int, what: str, detail: str) -> None:
    return None


class BoardRunner:
    """Boards on one engine. The store is the journal's board tables (same data folder)."""

    def __init__(
        self,
        engine: Engine,
        store: BoardStore,
        catalog: Catalog,
        *,
        on_shot: ShotListener | None = None,
    ) -> None:
        self.engine = engine
        self.store = store
        self.catalog = catalog
        self.on_shot = on_shot or _ignore

    # ------------------------------------------------------------------ the board and the journal
    def open(self, board: Board) -> Board:
        """Record the board in the journal and take in the takes its file names.

        The journal's chosen takes win; a take the file names that the journal does not hold
        for this board (a shared file, a new library) is kept when its job is in this library."""
        self._record(board)
        shots = []
        for shot in board.shots:
            chosen = self.store.chosen(board.id, shot.id)
            if chosen is None and shot.take is not None and self._job(shot.take.job_id):
                known = self.store.takes(board.id, shot.id)
                match = next((t for t in known if t.job_id == shot.take.job_id), None)
                if match is None:
                    match = self.store.add_take(
                        board.id, shot.id, shot.take.job_id, shot.take.result
                    )
                self.store.choose(match.id, shot.take.result)
                chosen = self.store.chosen(board.id, shot.id)
            take = (
                TakeRef(chosen.job_id, chosen.result)
                if chosen is not None and chosen.job_id
                else None
            )
            shots.append(shot if shot.take == take else _with_take(shot, take))
        return replace(board, shots=tuple(shots))

    def _record(self, board: Board) -> None:
        document = board_to_dict(board, self.catalog)
        self.store.save_board(
            board.id,
            board.name,
            document,
            board.path,
            [(s.id, item) for s, item in zip(board.shots, document["shots"], strict=True)],
        )

    def _job(self, job_id: str | None) -> Job | None:
        if job_id is None:
            return None
        try:
            return self.engine.get(job_id)
        except (JobNotFound, KeyError):
            return None

    def choose(self, board: Board, shot_id: str, take_id: str, result: int = 0) -> Board:
        """Put another take of a shot in the film. The shots linked after it become stale."""
        take = next((t for t in self.store.takes(board.id, shot_id) if t.id == take_id), None)
        if take is None or take.job_id is None:
            raise BoardError(f"Shot {board.index_of(shot_id) + 1} has no such take.")
        self.store.choose(take.id, result)
        return self._write(board.with_take(shot_id, TakeRef(take.job_id, result)))

    def _write(self, board: Board) -> Board:
        self._record(board)
        if board.path is not None:
            save_board(board, catalog=self.catalog)
        return board

    # ------------------------------------------------------------------ status
    def views(self, board: Board) -> list[ShotView]:
        """Every shot's state as the journal has it (staleness follows the links)."""
        views: list[ShotView] = []
        before: ShotView | None = None
        for index, shot in enumerate(board.shots):
            takes = tuple(self.store.takes(board.id, shot.id))
            chosen = self.store.chosen(board.id, shot.id)
            job = self._job(chosen.job_id) if chosen else None
            running = next(
                (
                    j
                    for t in reversed(takes)
                    if (j := self._job(t.job_id)) is not None and not j.state.is_final
                ),
                None,
            )
            pred = _pred(before, shot)
            if running is not None:
                status, job = ShotStatus.RUNNING, running
            elif chosen is not None and job is not None and self._fits(board, index, job, pred):
                linked_stale = shot.link in ("last-frame", "extend") and (
                    before is None or before.status is not ShotStatus.READY
                )
                status = ShotStatus.STALE if linked_stale else ShotStatus.READY
            elif chosen is not None:
                status = ShotStatus.STALE
            elif (
                takes
                and (last := self._job(takes[-1].job_id)) is not None
                and (last.state.is_final and last.state is not JobState.READY)
            ):
                status, job = ShotStatus.FAILED, last
            else:
                status = ShotStatus.MISSING
            message = job.error_message if status is ShotStatus.FAILED and job else None
            view = ShotView(index, shot, status, takes, chosen, job, message)
            views.append(view)
            before = view
        return views

    def estimate(self, board: Board) -> tuple[Decimal, list[int]]:
        """The whole board's price, and the shots whose price is not published."""
        total, unknown = Decimal(0), []
        for index in range(len(board.shots)):
            price = shot_spec(board, index, self.catalog).estimate(self.catalog)
            if price is None:
                unknown.append(index)
            else:
                total += price
        return total, unknown

    # ------------------------------------------------------------------ generating
    async def generate(self, board: Board, *, regenerate_from: int | None = None) -> BoardOutcome:
        """Make every shot that has no fitting, saved take; wait for those being made.

        ``regenerate_from``: that shot gets a new take whatever it has (and the shots linked
        after it follow). Shots fail on their own; a shot linked to a failed one is not sent.
        """
        board = self.open(board)
        made: dict[int, str] = {}
        reused: list[int] = []
        failed: dict[int, str] = {}
        futures: list[asyncio.Future[tuple[Job, int]]] = [
            asyncio.get_running_loop().create_future() for _ in board.shots
        ]
        lock = asyncio.Lock()  # one board file write at a time
        state = {"board": board}

        async def ensure(index: int) -> None:
            shot = board.shots[index]
            try:
                pred: tuple[Job, int] | None = None
                if shot.link in ("last-frame", "extend"):
                    try:
                        pred = await futures[index - 1]
                    except ShotFailed:
                        raise ShotFailed(
                            f"Shot {index + 1} was not made: shot {index} has no take to "
                            f"{'continue' if shot.link == 'last-frame' else 'extend'}."
                        ) from None
                job, result, fresh = await self._ensure_shot(
                    board, index, pred, force=index == regenerate_from
                )
                async with lock:
                    current = state["board"]
                    chosen = TakeRef(job.id, result)
                    if current.shots[index].take != chosen:
                        state["board"] = self._write(current.with_take(shot.id, chosen))
                (made.__setitem__(index, job.id) if fresh else reused.append(index))
                futures[index].set_result((job, result))
            except ShotFailed as exc:
                failed[index] = str(exc)
                futures[index].set_exception(exc)
                self.on_shot(index, "failed", str(exc))
            except BaseException as exc:
                if not futures[index].done():
                    futures[index].set_exception(ShotFailed(str(exc) or type(exc).__name__))
                raise

        tasks = [asyncio.create_task(ensure(i), name=f"shot {i + 1}") for i in range(len(futures))]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for future in futures:  # retrieved: never "exception was never retrieved"
                if future.done() and not future.cancelled():
                    future.exception()
        return BoardOutcome(made=made, reused=sorted(reused), failed=failed)

    async def _ensure_shot(
        self, board: Board, index: int, pred: tuple[Job, int] | None, *, force: bool
    ) -> tuple[Job, int, bool]:
        """The shot's chosen take once it is ready: (job, result index, made in this run)."""
        shot = board.shots[index]
        chosen = self.store.chosen(board.id, shot.id)
        if not force and chosen is not None:
            job = self._job(chosen.job_id)
            if (
                job is not None
                and job.state is JobState.READY
                and self._fits(board, index, job, pred)
                and _saved(job, chosen.result)
            ):
                self.on_shot(index, "reused", job.id)
                return job, chosen.result, False
        spec, lineage = await self._spec(board, index, pred)
        key = spec_key(spec)
        if not force:  # a take under way (or done) from an earlier run, for this same input
            for take in reversed(self.store.takes(board.id, shot.id)):
                job_id = take.job_id
                if job_id is None and take.spec_json == key:
                    job_id = await self.store.adopt_soon(take, self.engine.jobs())
                    if job_id is None:  # planned, never written as a job: send it now
                        return await self._submit(board, index, spec, lineage, take)
                job = self._job(job_id)
                if job is None or not self._fits(board, index, job, pred):
                    continue
                if job.state is JobState.READY or not job.state.is_final:
                    self.on_shot(index, "resumed", job.id)
                    return await self._finish(board, index, take, job)
        take, written = self.store.plan_take_soon(board.id, shot.id, spec)
        await written  # the take is durable before its job is submitted (the loop runs on)
        return await self._submit(board, index, spec, lineage, take)

    async def _spec(
        self, board: Board, index: int, pred: tuple[Job, int] | None
    ) -> tuple[JobSpec, Lineage]:
        shot = board.shots[index]
        if shot.link == "last-frame":
            assert pred is not None
            job, result = pred
            start = await self.engine.continue_from_last_frame(job.id, result)
            return shot_spec(board, index, self.catalog, frame=start.frame), start.lineage
        if shot.link == "extend":
            assert pred is not None
            job, result = pred
            video_id = job.results[result].video_id
            if not video_id:
                raise ShotFailed(f"Shot {index + 1}: shot {index}'s take has no videoId to extend.")
            spec = shot_spec(board, index, self.catalog, video_id=video_id)
            return spec, Lineage(parent_job_id=job.id, kind="extend", source_video_id=video_id)
        spec = shot_spec(board, index, self.catalog)
        if shot.link == "image":
            return spec, Lineage(kind="firstFrame", source_image_hash=spec.frames[0].sha256)
        return spec, Lineage()

    async def _submit(
        self, board: Board, index: int, spec: JobSpec, lineage: Lineage, take: StoredTake
    ) -> tuple[Job, int, bool]:
        try:
            job = await self.engine.submit(spec, lineage)
        except StudioError as exc:  # refused before anything was sent
            await self.store.forget_take_soon(take.id)
            raise ShotFailed(f"Shot {index + 1}: {exc}") from None
        await self.store.set_job_soon(take.id, job.id)
        self.on_shot(index, "submitted", f"job {job.id[:8]}, task {job.task_uuid}")
        return await self._finish(board, index, take, job, fresh=True)

    async def _finish(
        self, board: Board, index: int, take: StoredTake, job: Job, *, fresh: bool = True
    ) -> tuple[Job, int, bool]:
        job = await self.engine.wait(job.id)
        if job.state is not JobState.READY or not _saved(job, 0):
            why = job.error_message or f"it ended {job.state.value}"
            raise ShotFailed(f"Shot {index + 1}'s take failed: {why}")
        await self.store.choose_soon(take.id, 0)
        self.on_shot(index, "ready", job.results[0].local_path or "")
        return job, 0, fresh

    # ------------------------------------------------------------------ fitting
    def _fits(self, board: Board, index: int, job: Job, pred: tuple[Job, int] | None) -> bool:
        """Was this job made from the shot as the board has it now (and its link's source)?"""
        shot = board.shots[index]
        spec = job.spec
        if (spec.model, spec.prompt, float(spec.duration)) != (
            shot.model,
            shot.prompt,
            float(shot.duration),
        ):
            return False
        if (
            shot.link != "extend"
            and spec.width is not None
            and ((spec.width, spec.height) != (board.width, board.height))
        ):
            return False
        if shot.link == "none":
            return not spec.frames and spec.video_id is None
        if shot.link == "image":
            try:
                expected = shot_spec(board, index, self.catalog).frames[0].sha256
            except BoardError:
                return False
            return bool(spec.frames) and spec.frames[0].sha256 == expected
        if pred is None:
            return False
        source, result = pred
        video_id = source.results[result].video_id if result < len(source.results) else None
        if shot.link == "extend":
            return spec.video_id is not None and spec.video_id == video_id
        return (
            job.lineage.kind == "lastFrame"
            and job.lineage.parent_job_id == source.id
            and job.lineage.source_video_id == video_id
        )

    # ------------------------------------------------------------------ the film
    def clips(self, board: Board) -> list[ChosenClip]:
        """Every shot's chosen, saved take in order; :class:`BoardError` naming a shot without."""
        board = self.open(board)
        out = []
        for view in self.views(board):
            where = f"Shot {view.index + 1}"
            if view.status is not ShotStatus.READY or view.job is None or view.chosen is None:
                raise BoardError(
                    f"{where} has no ready take ({view.status.value}): generate the board first."
                )
            result = view.job.results[view.chosen.result]
            assert result.local_path is not None
            out.append(ChosenClip(view.index, view.shot, view.job, result, Path(result.local_path)))
        return out

    def sidecar(self, board: Board, clips: list[ChosenClip]) -> dict[str, Any]:
        """What the exported film was made of: each shot's prompt, model, take and lineage."""
        shots = []
        for clip in clips:
            model = self.catalog.get(clip.shot.model)
            lineage = clip.job.lineage
            shots.append(
                {
                    "index": clip.index + 1,
                    "id": clip.shot.id,
                    "prompt": clip.shot.prompt,
                    "model": {"air": clip.shot.model, "name": model.name if model else None},
                    "duration": clip.shot.duration,
                    "link": clip.shot.link,
                    "take": {
                        "job": clip.job.id,
                        "task_uuid": clip.job.task_uuid,
                        "result": clip.result.index,
                        "video_uuid": clip.result.video_uuid,
                        "video_id": clip.result.video_id,
                        "seed": clip.result.seed,
                        "cost": clip.result.cost,
                        "file": str(clip.path),
                    },
                    "lineage": {
                        "parent_job": lineage.parent_job_id,
                        "kind": lineage.kind,
                        "source_video_id": lineage.source_video_id,
                        "source_image_sha256": lineage.source_image_hash,
                    },
                }
            )
        return {
            "board": {
                "id": board.id,
                "name": board.name,
                "file": None if board.path is None else str(board.path),
                "size": board.size_label,
                "fps": board.fps,
                "crossfade": board.crossfade,
            },
            "shots": shots,
        }


def _with_take(shot: Shot, take: TakeRef | None) -> Shot:
    return replace(shot, take=take)


def _pred(before: ShotView | None, shot: Shot) -> tuple[Job, int] | None:
    if shot.link not in ("last-frame", "extend") or before is None:
        return None
    if before.job is None or before.chosen is None or before.status is not ShotStatus.READY:
        return None
    return before.job, before.chosen.result


def _saved(job: Job, result: int) -> bool:
    return (
        0 <= result < len(job.results)
        and job.results[result].state is ResultState.READY
        and bool(job.results[result].local_path)
    )
