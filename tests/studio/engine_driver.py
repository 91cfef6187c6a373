"""A child process that runs the engine on a data folder against a given sandbox, for crash tests.

    python engine_driver.py --data DIR --url URL --key KEY --hold STAGE [--results N] [--frame F]
        submits one job and stops at STAGE, printing {"held": STAGE, "job": ID} on stdout;
        it then waits for SIGKILL.
    python engine_driver.py --data DIR --url URL --key KEY
        starts the engine (which recovers whatever the journal holds), waits until every job is
        final and prints {"jobs": [...]} on stdout.

    python engine_driver.py --data DIR --url URL --key KEY --workload FILE
        starts the engine (recovering what the journal holds), prints {"started": N} (N jobs
        already journalled), submits every job of FILE whose prompt the journal does not hold
        yet, waits until every job is final and prints {"jobs": [...]}. FILE is a JSON list of
        {"prompt", "results", "frame" (an image path or null)}; the reliability tests kill this
        at random moments and run it again.

STAGE is a stage-gate name (queued, uploading, submitting, submitted, processing, downloading)
or ``downloading-partial``: stopped inside a download, after its first bytes were written.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

from gui.runware.catalog import default_catalog
from gui.runware.client import RetryPolicy, RunwareClient
from gui.studio.engine import Engine
from gui.studio.events import EngineEvents
from gui.studio.jobs import FrameInput, Job, JobSpec, Result
from gui.studio.journal import Journal
from gui.studio.library import Library
from gui.studio.settings import PollTimings, Settings

FAST = PollTimings(first_delay=0.05, max_interval=0.25, error_delay=0.1, download_retry=0.1)


def say(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


class HoldingEvents(EngineEvents):
    def __init__(self, hold: str | None) -> None:
        self.hold = hold

    def download_progress(self, job: Job, result: Result, done: int, total: int | None) -> None:
        if self.hold == "downloading-partial" and done > 0:
            say(
                {
                    "held": self.hold,
                    "job": job.id,
                    "video": result.video_uuid,
                    "done": done,
                    "total": total,
                }
            )
            time.sleep(3600)  # the whole loop stops here, mid-download, until SIGKILL


async def submit_workload(engine: Engine, path: Path) -> None:
    """Submit each job of the workload the journal does not hold yet (matched by prompt): a job
    that never reached the journal never left the machine, so it is simply made now."""
    known = {job.spec.prompt for job in engine.jobs()}
    say({"started": len(known)})
    specs = []
    for item in json.loads(path.read_text("utf-8")):
        if item["prompt"] in known:
            continue
        frames: tuple[FrameInput, ...] = ()
        if item.get("frame"):
            image = Path(item["frame"])
            sha = hashlib.sha256(image.read_bytes()).hexdigest()
            frames = (FrameInput(frame="first", path=str(image), sha256=sha),)
        specs.append(
            JobSpec(
                model=default_catalog().default.air,
                prompt=item["prompt"],
                width=1280,
                height=720,
                duration=4,
                number_results=item["results"],
                frames=frames,
            )
        )
    await asyncio.gather(*(engine.submit(spec) for spec in specs))


async def main(args: argparse.Namespace) -> None:
    held: list[str] = []

    async def gate(stage: str, job: Job) -> None:
        if stage == args.hold:
            if not held:
                held.append(job.id)
                say({"held": stage, "job": job.id})
            await asyncio.Future()  # never resolves: the test kills this process

    client = RunwareClient(
        args.key, args.url, retry=RetryPolicy(attempts=4, base_delay=0.05, max_delay=0.2)
    )
    journal = Journal.in_folder(args.data)
    engine = Engine(
        client,
        journal,
        Library(args.data),
        default_catalog(),
        Settings(library_folder=args.data, poll=FAST),
        HoldingEvents(args.hold),
        stage_gate=gate if args.hold else None,
    )
    await engine.start()
    if args.workload:
        await submit_workload(engine, args.workload)
    if args.hold:
        frames: tuple[FrameInput, ...] = ()
        if args.frame:
            sha = hashlib.sha256(args.frame.read_bytes()).hexdigest()
            frames = (FrameInput(frame="first", path=str(args.frame), sha256=sha),)
        spec = JobSpec(
            model=default_catalog().default.air,
            prompt="a clockmaker repairs a pocket watch",
            width=1280,
            height=720,
            duration=4,
            number_results=args.results,
            frames=frames,
        )
        submitting = asyncio.create_task(engine.submit(spec))
        await asyncio.wait([submitting, asyncio.get_running_loop().create_future()])
    jobs = [await engine.wait(j.id) for j in engine.jobs()]
    say(
        {
            "jobs": [
                {
                    "id": j.id,
                    "state": j.state.value,
                    "task_uuid": j.task_uuid,
                    "error": j.error_message,
                    "results": [
                        {"state": r.state.value, "path": r.local_path, "url": r.video_url}
                        for r in j.results
                    ],
                }
                for j in jobs
            ]
        }
    )
    await engine.stop()
    await client.aclose()
    journal.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--hold")
    parser.add_argument("--results", type=int, default=2)
    parser.add_argument("--frame", type=Path)
    parser.add_argument("--workload", type=Path)
    asyncio.run(main(parser.parse_args()))
