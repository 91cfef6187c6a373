"""P3: HTTP requests per poll round with 1, 10 and 100 jobs in flight, and requests per finished
job, counted from the sandbox's request log (``DATA_DIR/requests.jsonl``).

The engine runs as the studio runs it: batched polls, the shipped poll timings (2 s, then ×1.5
while nothing changes, at most 10 s). Jobs in the in-flight phases carry a word the sandbox's
``task_failure`` fault matches: they stay "processing" without rendering. A round is counted
by the engine (``Engine.poll_rounds``); the log says how many requests carried getResponse.
Then 10 jobs run to ready, and every request the studio made for them is counted: submits
(tasks submitted together share requests), polls, downloads.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from tests.benchmarks.common import Figure, main
from tests.benchmarks.seed import SORA

COUNTS = (1, 10, 100)
FINISHED = 10
MARK = "inflight"
HOLD = 10.0  # seconds each in-flight set is polled (rounds at about 2, 5 and 9.5 s)


def _spec(prompt: str) -> Any:
    from gui.studio.jobs import JobSpec

    return JobSpec(model=SORA, prompt=prompt, width=1280, height=720, duration=4)


def _requests(sandbox: Any, start: int) -> list[dict[str, Any]]:
    return sandbox.requests()[start:]


async def measure(base: Path) -> dict[str, Any]:
    from gui.runware.catalog import default_catalog
    from gui.runware.client import RunwareClient
    from gui.sandbox.process import SandboxProcess
    from gui.studio.engine import Engine
    from gui.studio.jobs import JobState
    from gui.studio.journal import Journal
    from gui.studio.library import Library
    from gui.studio.settings import Settings

    faults = {"faults": [{"kind": "task_failure", "rate": 1.0, "prompt_contains": MARK}]}
    sandbox = await asyncio.to_thread(
        SandboxProcess.start, base / "sandbox", processing_seconds=24, faults=faults
    )
    settings = Settings(library_folder=base / "data")  # the shipped poll timings
    client = RunwareClient(sandbox.api_key, sandbox.url)
    journal = Journal.in_folder(base / "data")
    engine = Engine(client, journal, Library(base / "data"), default_catalog(), settings)
    await engine.start()
    out: dict[str, Any] = {"rounds": {}}
    try:
        for count in COUNTS:
            jobs = await asyncio.gather(
                *(engine.submit(_spec(f"{MARK} set {count} job {n}")) for n in range(count))
            )
            while not all(j.state is JobState.PROCESSING for j in jobs):
                await asyncio.sleep(0.05)
            start, rounds = len(sandbox.requests()), engine.poll_rounds
            await asyncio.sleep(HOLD)
            log = _requests(sandbox, start)
            rounds = engine.poll_rounds - rounds
            polls = [e for e in log if "getResponse" in (e.get("task_types") or [])]
            sizes = [len(e.get("task_uuids") or []) for e in polls]
            for job in jobs:  # out of the way of the next set
                await engine.cancel(job.id)
            out["rounds"][count] = (len(polls), rounds, sizes)

        start = len(sandbox.requests())
        settled = engine.poll_rounds
        jobs = await asyncio.gather(
            *(engine.submit(_spec(f"a lighthouse at dusk, take {n}")) for n in range(FINISHED))
        )
        await asyncio.wait_for(asyncio.gather(*(engine.wait(j.id) for j in jobs)), 300)
        log = _requests(sandbox, start)
        out["finished"] = {
            "ready": sum(j.state is JobState.READY for j in jobs),
            "submits": sum("videoInference" in (e.get("task_types") or []) for e in log),
            "polls": sum("getResponse" in (e.get("task_types") or []) for e in log),
            "downloads": sum(str(e.get("path", "")).startswith("/video/") for e in log),
            "other": sum(
                e.get("path") == "/v1"
                and not {"videoInference", "getResponse"} & set(e.get("task_types") or [])
                for e in log
            ),
            "rounds": engine.poll_rounds - settled,
        }
    finally:
        await engine.stop()
        await client.aclose()
        journal.close()
        await asyncio.to_thread(sandbox.stop)
    return out


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="bench-p3-") as tmp:
        got = asyncio.run(measure(Path(tmp)))
    figures = []
    per_round = []
    parts = []
    for count in COUNTS:
        requests, rounds, sizes = got["rounds"][count]
        per_round.append(requests / max(1, rounds))
        full = all(size == count for size in sizes)
        parts.append(
            f"{count} in flight: {requests} requests / {rounds} rounds"
            + ("" if full else f" (sizes {sorted(set(sizes))})")
        )
    figures.append(
        Figure(
            id="P3",
            figure="; ".join(parts),
            baseline="rounds counted by the engine (unbatched would be N requests a round)",
            ratio=" / ".join(f"{r:.2f}" for r in per_round) + " per round",
            target="1 per round",
            passed=all(abs(r - 1.0) < 1e-9 for r in per_round),
        )
    )
    fin = got["finished"]
    jobs = fin["ready"]
    total = fin["submits"] + fin["polls"] + fin["downloads"]
    # at most one submit request (a burst's tasks share requests), one download, a share of
    # each poll
    expected = 2 + fin["polls"] / max(1, jobs)
    figures.append(
        Figure(
            id="P3",
            figure=(
                f"{jobs} jobs to ready: {fin['submits']} submits + {fin['polls']} polls + "
                f"{fin['downloads']} downloads = {total / max(1, jobs):.2f} requests per job"
            ),
            baseline=(
                f"{fin['rounds']} poll rounds shared by {FINISHED} jobs; unbatched: "
                f"{2 + fin['polls']:.0f} per job"
            ),
            ratio=f"{total / max(1, jobs):.2f} per job",
            target="≤ 1 submit + 1 download + polls ÷ jobs",
            passed=jobs == FINISHED
            and 1 <= fin["submits"] <= jobs
            and fin["downloads"] == jobs
            and total / jobs <= expected + 1e-9,
            notes=f"{fin['other']} other API requests (balance)",
        )
    )
    return figures


if __name__ == "__main__":
    main(run)
