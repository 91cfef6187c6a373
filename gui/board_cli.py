"""``sora-studio board generate FILE`` and ``sora-studio board export FILE OUT.mp4``.

``generate`` checks the whole board before anything is sent (one message naming the shot),
prints its price, then makes what is missing and finishes what an earlier run left unfinished
(the journal holds every take; see gui/studio/board_run.py). Progress goes to stderr, one line
per shot event; the chosen takes' files are printed on stdout in board order. ``export`` writes
the chosen takes as one film with its sidecar JSON. Exit status as ``sora-studio``: 0 done,
1 a shot failed (or the export did), 2 a bad board or bad arguments. No Qt is imported here.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
from pathlib import Path

from gui.runware.catalog import default_catalog
from gui.sandbox_host import open_studio_backend
from gui.studio.board import Board, BoardError, load_board
from gui.studio.board_export import ExportClip, ExportError, ExportSettings, export_film
from gui.studio.board_run import BoardRunner
from gui.studio.board_store import BoardStore
from gui.studio.errors import StudioError
from gui.studio.events import EngineEvents
from gui.studio.journal import Journal
from gui.studio.session import Session, open_session
from gui.studio.settings import SecretStore, Settings, SettingsStore

__all__ = ["main", "run"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(f"{self.prog}: {message}")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="sora-studio board", description="Storyboards: plan, generate, export.")
    sub = p.add_subparsers(dest="action", required=True, parser_class=_Parser, metavar="ACTION")
    common = _Parser(add_help=False)
    common.add_argument("--data-dir", type=Path, help="library folder (default: from Settings)")
    g = sub.add_parser(
        "generate", parents=[common], help="make the shots that are missing; resume a run"
    )
    g.add_argument("file", type=Path, help="a .board.json file")
    g.add_argument("--sandbox", action="store_true", help="use the offline sandbox")
    g.add_argument("--api-url", help="Runware API URL (default: from Settings)")
    g.add_argument("--regenerate-from", type=int, metavar="N", help="make shot N again")
    e = sub.add_parser("export", parents=[common], help="write the chosen takes as one film")
    e.add_argument("file", type=Path, help="a .board.json file")
    e.add_argument("out", type=Path, help="the film, .mp4 or .mov")
    e.add_argument("--crossfade", type=float, help="seconds of crossfade at each cut")
    return p


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


class _Quiet(EngineEvents):
    def notice(self, message: str) -> None:
        _say(message)

    def connection_changed(self, ok: bool, message: str, retry_in: float | None) -> None:
        again = f" (trying again in {retry_in:.0f} s)" if retry_in else ""
        _say(f"{message}{again}")


def _settings(args: argparse.Namespace) -> tuple[Settings, Path]:
    store = SettingsStore()
    settings = store.load()
    if store.problem:
        _say(store.problem)
    if getattr(args, "api_url", None):
        settings = settings.model_copy(update={"api_url": args.api_url})
    return settings, Path(args.data_dir or settings.library_folder)


def _on_shot(index: int, what: str, detail: str) -> None:
    _say(f"[board] shot {index + 1}: {what}" + (f" ({detail})" if detail else ""))


async def _generate(args: argparse.Namespace) -> int:
    catalog = default_catalog()
    board = load_board(args.file, catalog)  # every mistake found before anything is opened
    if args.regenerate_from is not None and not 1 <= args.regenerate_from <= len(board.shots):
        raise _UsageError(f"--regenerate-from: the board has shots 1 to {len(board.shots)}.")
    settings, data_dir = _settings(args)
    backend = open_studio_backend(
        settings, SecretStore(), data_dir=data_dir, force_sandbox=args.sandbox
    )
    session: Session = await open_session(
        backend, data_dir=data_dir, catalog=catalog, settings=settings, events=_Quiet()
    )
    store = BoardStore(session.journal.path)
    try:
        _say(f"Using {session.label}.")
        runner = BoardRunner(session.engine, store, catalog, on_shot=_on_shot)
        price, unknown = runner.estimate(board)
        words = f"${price:.2f}" + (
            f" (+ shots {', '.join(str(i + 1) for i in unknown)}, price not published)"
            if unknown
            else ""
        )
        _say(f"[board] {board.name}: {len(board.shots)} shots, {board.duration:g} s, {words}")
        regenerate = None if args.regenerate_from is None else args.regenerate_from - 1
        outcome = await runner.generate(board, regenerate_from=regenerate)
        for _, message in sorted(outcome.failed.items()):
            _say(message)
        for view in runner.views(runner.open(load_board(args.file, catalog))):
            if view.job is not None and view.chosen is not None and view.status.value == "ready":
                print(view.job.results[view.chosen.result].local_path, flush=True)
        return EXIT_OK if outcome.ok else EXIT_FAILED
    finally:
        store.close()
        await session.close()


def _export(args: argparse.Namespace) -> int:
    catalog = default_catalog()
    board = load_board(args.file, catalog)
    _, data_dir = _settings(args)
    journal = Journal.in_folder(data_dir)  # read only: no engine, nothing sent
    store = BoardStore(journal.path)
    try:
        runner = BoardRunner(_ReadOnlyEngine(journal), store, catalog)  # type: ignore[arg-type]
        clips = runner.clips(board)
        film = _export_settings(board, args.crossfade)
        sidecar = runner.sidecar(board, clips)
    finally:
        store.close()
        journal.close()
    cancel = threading.Event()

    def progress(share: float) -> None:
        _say(f"[export] {share:.0%}")

    try:
        report = export_film(
            [ExportClip(c.path, fit=c.shot.fit, label=f"Shot {c.index + 1}") for c in clips],
            args.out,
            film,
            progress=progress,
            cancel=cancel,
            sidecar=sidecar,
        )
    except KeyboardInterrupt:
        cancel.set()
        raise
    _say(f"[export] {report.frames} frames, {report.seconds:g} s; sidecar {report.sidecar}")
    print(report.path, flush=True)
    return EXIT_OK


def _export_settings(board: Board, crossfade: float | None) -> ExportSettings:
    return ExportSettings(
        width=board.width,
        height=board.height,
        fps=board.fps,
        crossfade=board.crossfade if crossfade is None else crossfade,
    )


class _ReadOnlyEngine:
    """What :class:`BoardRunner` reads of an engine, from the journal alone (for ``export``)."""

    def __init__(self, journal: Journal) -> None:
        self._jobs = {job.id: job for job in journal.load_jobs()}

    def get(self, job_id: str):  # type: ignore[no-untyped-def]
        return self._jobs[job_id]

    def jobs(self):  # type: ignore[no-untyped-def]
        return list(self._jobs.values())


def run(argv: list[str]) -> int:
    try:
        args = _parser().parse_args(argv)
        if args.action == "export":
            return _export(args)
        return asyncio.run(_generate(args))
    except _UsageError as exc:
        _say(str(exc))
        return EXIT_USAGE
    except BoardError as exc:
        _say(str(exc))
        return EXIT_USAGE
    except (ExportError, StudioError) as exc:
        _say(str(exc))
        return EXIT_FAILED
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        _say("Stopped; `sora-studio board generate` picks the board up again.")
        return 130


def main() -> None:
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
