"""``sora-studio generate | jobs | resume | models``: the studio without a window.

Progress goes to stderr; ``generate`` and ``resume`` print the library paths of the saved
videos on stdout, one per line. Exit status: 0 done, 1 a job failed (or could not run),
2 bad arguments (with the catalogue's message). No Qt is imported here.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from gui.runware.catalog import Catalog, ModelSpec, default_catalog
from gui.runware.errors import InputFileError
from gui.runware.images import check_image, frame_rules, source_rules
from gui.sandbox_host import open_studio_backend
from gui.studio.errors import BudgetExceeded, SpecRejected, StudioError
from gui.studio.events import EngineEvents
from gui.studio.jobs import FrameInput, Job, JobSpec, JobState, Result
from gui.studio.journal import Journal
from gui.studio.session import Session, open_session
from gui.studio.settings import SecretStore, Settings, SettingsStore
from gui.studio.spending import job_cost

__all__ = ["COMMANDS", "main", "run", "unknown_command"]

COMMANDS = ("generate", "jobs", "resume", "models", "board")
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A bad argument; the message is shown and the exit status is 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


WINDOW_HELP = """\
Without a command, sora-studio opens the window (one per library: a second launch brings the
running window to the front). Window options: --sandbox (use the offline sandbox), --data-dir
DIR (keep settings, journal and videos in DIR). `sora-studio COMMAND --help` describes a
command."""


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="sora-studio",
        description="Make videos with Sora 2 and Veo through Runware.",
        epilog=WINDOW_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(
        dest="command", required=True, parser_class=_Parser, title="commands", metavar="COMMAND"
    )
    common = _Parser(add_help=False)
    common.add_argument("--data-dir", type=Path, help="library folder (default: from Settings)")
    net = _Parser(add_help=False)
    net.add_argument("--sandbox", action="store_true", help="use the offline sandbox")
    net.add_argument("--api-url", help="Runware API URL (default: from Settings)")

    g = sub.add_parser("generate", parents=[common, net], help="make a video and wait for it")
    g.add_argument("prompt")
    g.add_argument("--model", help="the model's AIR or name, e.g. 'Sora 2' (see: models)")
    g.add_argument("--size", help="WIDTHxHEIGHT, e.g. 1280x720")
    g.add_argument("--duration", type=float, help="seconds")
    g.add_argument("--results", type=int, default=1, help="videos to make (1-4)")
    g.add_argument("--image", type=Path, help="first-frame image")
    g.add_argument("--last-image", type=Path, help="last-frame image (models that take one)")
    g.add_argument("--fit", choices=("crop", "pad"), default="crop", help="frame image fit")
    g.add_argument("--seed", type=int)
    g.add_argument("--remix", metavar="VIDEOID", help="remix an earlier result by its videoId")
    g.add_argument("--format", default="mp4", help="mp4, webm or mov")

    j = sub.add_parser("jobs", parents=[common], help="list the jobs in the journal")
    j.add_argument("--search", help="words in the prompt")
    j.add_argument("--limit", type=int, default=50)
    sub.add_parser("resume", parents=[common, net], help="finish the jobs a run left unfinished")
    sub.add_parser("models", help="list the models, their sizes, durations and prices")
    sub.add_parser("board", help="storyboards: board generate FILE, board export FILE OUT.mp4")
    return p


# ---------------------------------------------------------------------- building a spec
def _model(catalog: Catalog, wanted: str | None) -> ModelSpec:
    if wanted is None:
        return catalog.default
    try:
        return catalog.find(wanted)
    except LookupError as exc:
        raise UsageError(str(exc)) from None


def _size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*[x×X*]\s*(\d+)\s*", text)
    if not match:
        raise UsageError(f"--size must look like 1280x720, not {text!r}.")
    return int(match[1]), int(match[2])


def _frame(path: Path, frame: str, fit: str, model: ModelSpec) -> FrameInput:
    try:
        checked = check_image(path, source_rules(frame_rules(model)))
    except InputFileError as exc:
        raise UsageError(exc.message) from None
    sha = hashlib.sha256(checked.data).hexdigest()
    return FrameInput(frame=frame, path=str(path.resolve()), sha256=sha, fit=fit)


def build_spec(args: argparse.Namespace, catalog: Catalog) -> JobSpec:
    model = _model(catalog, args.model)
    width = height = None
    if args.size:
        width, height = _size(args.size)
    elif not args.image and not args.remix:
        width, height = model.default_size.width, model.default_size.height
    frames = []
    if args.image:
        frames.append(_frame(args.image, "first", args.fit, model))
    if args.last_image:
        frames.append(_frame(args.last_image, "last", args.fit, model))
    fmt = str(args.format).upper()
    if fmt not in ("MP4", "WEBM", "MOV"):
        raise UsageError(f"{model.name} writes {', '.join(model.output_formats)}, not {fmt}.")
    spec = JobSpec(
        model=model.air,
        prompt=args.prompt,
        width=width,
        height=height,
        duration=args.duration if args.duration is not None else model.default_duration,
        number_results=args.results,
        output_format=fmt,
        frames=tuple(frames),
        video_id=args.remix,
        seed=args.seed,
    )
    problems = spec.problems(catalog)
    if problems:
        raise UsageError(" ".join(p.message for p in problems))
    return spec


# ---------------------------------------------------------------------- progress
class _Progress(EngineEvents):
    """Engine events as short lines on stderr."""

    def __init__(self) -> None:
        self._last: dict[tuple[str, int], float] = {}

    def _say(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    def job_changed(self, job: Job) -> None:
        ready = len(job.ready_results)
        detail = f" ({ready}/{len(job.results)} saved)" if job.results else ""
        error = f": {job.error_message}" if job.error_message and job.state.is_final else ""
        self._say(f"[{job.id[:8]}] {job.state.value}{detail}{error}")

    def download_progress(self, job: Job, result: Result, done: int, total: int | None) -> None:
        key = (job.id, result.index)
        now = time.monotonic()
        if total and done < total and now - self._last.get(key, 0) < 0.5:
            return
        self._last[key] = now
        share = f"{100 * done // total}%" if total else f"{done} bytes"
        self._say(f"[{job.id[:8]}] video {result.index + 1}: {share}")

    def connection_changed(self, ok: bool, message: str, retry_in: float | None) -> None:
        again = f" (trying again in {retry_in:.0f} s)" if retry_in else ""
        self._say(f"{message}{again}")

    def notice(self, message: str) -> None:
        self._say(message)


# ---------------------------------------------------------------------- commands
def _settings(args: argparse.Namespace) -> tuple[Settings, Path]:
    store = SettingsStore()
    settings = store.load()
    if store.problem:
        print(store.problem, file=sys.stderr)
    if getattr(args, "api_url", None):
        settings = settings.model_copy(update={"api_url": args.api_url})
    return settings, Path(args.data_dir or settings.library_folder)


async def _open(args: argparse.Namespace) -> Session:
    settings, data_dir = _settings(args)
    backend = open_studio_backend(
        settings, SecretStore(), data_dir=data_dir, force_sandbox=args.sandbox
    )
    session = await open_session(
        backend,
        data_dir=data_dir,
        catalog=default_catalog(),
        settings=settings,
        events=_Progress(),
    )
    print(f"Using {session.label}.", file=sys.stderr)
    return session


def _report(jobs: Sequence[Job]) -> int:
    for job in jobs:
        for result in job.ready_results:
            print(result.local_path, flush=True)
    return EXIT_OK if all(j.state is JobState.READY for j in jobs) else EXIT_FAILED


async def _generate(args: argparse.Namespace) -> int:
    spec = build_spec(args, default_catalog())
    session = await _open(args)
    try:
        try:
            job = await session.submit(spec)
        except SpecRejected as exc:
            raise UsageError(str(exc)) from None
        except BudgetExceeded as exc:
            print(str(exc), file=sys.stderr)
            return EXIT_FAILED
        return _report([await session.wait(job.id)])
    finally:
        await session.close()


async def _resume(args: argparse.Namespace) -> int:
    session = await _open(args)
    try:
        waiting = [j for j in session.jobs() if not j.state.is_final]
        print(f"{len(waiting)} unfinished job(s).", file=sys.stderr)
        return _report([await session.wait(j.id) for j in waiting])
    finally:
        await session.close()


def _jobs(args: argparse.Namespace) -> int:
    _, data_dir = _settings(args)
    with Journal.in_folder(data_dir) as journal:
        jobs = journal.load_jobs()
        if args.search:
            by_id = {j.id: j for j in jobs}
            jobs = [by_id[i] for i in journal.search(args.search, args.limit) if i in by_id]
        else:
            jobs = jobs[-args.limit :]
    for job in jobs:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(job.created_at))
        cost = job_cost(job)  # the window's rule: a failed, unbilled job costs nothing
        money = "—" if cost is None else f"${cost:.2f}"
        prompt = job.spec.prompt.replace("\n", " ")
        print(f"{job.id[:8]}  {when}  {job.state.value:<11} {money:>7}  {prompt[:70]}")
    return EXIT_OK


def _models() -> int:
    """Every model, grouped by provider, with status, price and limits."""
    catalog = default_catalog()
    for provider in dict.fromkeys(m.provider for m in catalog):
        print(provider)
        for model in (m for m in catalog if m.provider == provider):
            status = "live" if model.is_live() else "deactivated"
            if model.deactivated_on is not None:
                status += f" ({'since' if not model.is_live() else 'until'} {model.deactivated_on})"
            print(f"  {model.name:<26} {model.air:<30} {status}")
            sizes = ", ".join(s.label for s in model.sizes)
            durations = ", ".join(f"{d:g}" for d in model.offered_durations())
            price = (
                ", ".join(model.pricing.rate_words())
                if model.price_known and model.pricing
                else "price not published"
            )
            frames = "+".join(model.frame_images.frames) if model.frame_images else "none"
            print(f"    sizes {sizes}")
            print(f"    {durations} s; frames {frames}; audio {model.audio.mode}; {price}")
            if model.notice:
                print(f"    {model.notice}")
    return EXIT_OK


def unknown_command(word: str) -> int:
    """``sora-studio frobnicate``: an error naming the commands, exit status 2."""
    print(
        f"sora-studio: unknown command {word!r}. Commands: {', '.join(COMMANDS)}; "
        "or no command to open the window. See `sora-studio --help`.",
        file=sys.stderr,
    )
    return EXIT_USAGE


def run(argv: list[str]) -> int:
    """Run one command; returns the exit status."""
    if argv[:1] == ["board"]:  # storyboards: their own module (gui/board_cli.py)
        from gui.board_cli import run as run_board

        return run_board(argv[1:])
    try:
        args = _parser().parse_args(argv)
        if args.command == "models":
            return _models()
        if args.command == "jobs":
            return _jobs(args)
        runner = _generate if args.command == "generate" else _resume
        return asyncio.run(runner(args))
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except StudioError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        print("Stopped waiting; `sora-studio resume` picks the jobs up again.", file=sys.stderr)
        return 130


def main() -> None:
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
