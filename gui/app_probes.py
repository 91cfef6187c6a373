"""Hooks that let a test drive the whole app process, the way a user runs it.

``SORA_STUDIO_TEST_EVENTS=1``
    The app prints one JSON line per event on stdout: ``{"event": "started", "jobs": N}`` once
    the studio has started (journal loaded, engine running), ``{"event": "raised"}`` when a
    second launch asked this window to come to the front, ``{"event": "journal-changed"}`` when
    another process changed the journal and the window showed it.
``SORA_STUDIO_TEST_WORKLOAD=FILE``
    FILE is a JSON list of ``{"prompt", "results"?, "duration"?, "model"?}``. Once started, the
    app submits each item whose prompt no job in the journal has yet (so a restart after a kill
    carries on where the last run stopped), waits until every one of them is final and prints
    ``{"event": "done", "jobs": [...]}``.

``SORA_STUDIO_TEST_BOARD=FILE``
    Once started, the app opens FILE (a ``*.board.json``) in the Storyboard tab and generates it
    as the Generate button does (gui/board_probe.py), printing ``{"event": "board", "shots":
    [...]}`` as the shots change and ``{"event": "board-done", ...}`` at the end.

None changes what the app does otherwise; each is off unless its variable is set.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

__all__ = ["BOARD_ENV", "EVENTS_ENV", "WORKLOAD_ENV", "events_enabled", "install", "say"]

EVENTS_ENV = "SORA_STUDIO_TEST_EVENTS"
WORKLOAD_ENV = "SORA_STUDIO_TEST_WORKLOAD"
BOARD_ENV = "SORA_STUDIO_TEST_BOARD"
_pending: list[asyncio.Future[None]] = []


def events_enabled() -> bool:
    return os.environ.get(EVENTS_ENV, "").strip() not in ("", "0") or bool(
        os.environ.get(WORKLOAD_ENV) or os.environ.get(BOARD_ENV)
    )


def say(event: str, **fields: Any) -> None:
    if events_enabled():
        sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
        sys.stdout.flush()


def install(studio: Any) -> None:
    """Start the probes the environment asks for (call once the loop is set)."""
    if not events_enabled():
        return
    workload = os.environ.get(WORKLOAD_ENV)
    _pending.append(asyncio.ensure_future(_run(studio, Path(workload) if workload else None)))
    board = os.environ.get(BOARD_ENV)
    if board:
        from gui.board_probe import generate_board

        _pending.append(asyncio.ensure_future(generate_board(studio, Path(board))))


async def _run(studio: Any, workload: Path | None) -> None:
    await studio.started.wait()
    if studio.session is None:
        say("start-failed", message=studio.start_error)
        return
    engine = studio.session  # submit, jobs and wait, as the window uses them
    say("started", jobs=len(engine.jobs()))
    if workload is None:
        return
    from gui.studio.jobs import JobSpec

    items = json.loads(workload.read_text("utf-8"))
    have = {job.spec.prompt for job in engine.jobs()}
    catalog = studio.catalog
    for item in items:
        if item["prompt"] in have:
            continue
        model = catalog[item["model"]] if item.get("model") else catalog.default
        spec = JobSpec(
            model=model.air,
            prompt=item["prompt"],
            width=model.default_size.width,
            height=model.default_size.height,
            duration=float(item.get("duration") or model.default_duration),
            number_results=int(item.get("results") or 1),
        )
        await engine.submit(spec)
    prompts = {item["prompt"] for item in items}
    mine = [job for job in engine.jobs() if job.spec.prompt in prompts]
    finals = [await engine.wait(job.id) for job in mine]
    say(
        "done",
        jobs=[
            {
                "prompt": job.spec.prompt,
                "state": job.state.value,
                "task_uuid": job.task_uuid,
                "error": job.error_message,
                "results": [
                    {"video_uuid": r.video_uuid, "path": r.local_path} for r in job.results
                ],
            }
            for job in finals
        ],
    )
