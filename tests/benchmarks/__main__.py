"""``make bench`` = ``python -m tests.benchmarks [P1 P5 …]``: every benchmark, each in its own
process, then the table in bench-results/benchmarks.md (and on stdout).

Every figure is held against a baseline measured in the same run, because the machines these
run on are shared and noisy; timings are medians of several repetitions.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime

from tests.benchmarks.common import ROOT, child_env, compile_bytecode

MODULES = {
    "P1": "p1_first_paint",
    "P2": "p2_stalls",
    "P3": "p3_requests",
    "P4": "p4_download",
    "P5": "p5_journal",
    "P6": "p6_memory",
    "P7": "p7_render",
    "P8": "p8_submit_burst",
    "P9": "p9_big_frame",
    "P10": "p10_slow_disk",
    "P11": "p11_board_export",
}
OUTPUT = ROOT / "bench-results" / "benchmarks.md"
RUN_LINE = "`make bench` on "
TIMEOUT = 480  # seconds for one benchmark


def run_one(name: str) -> tuple[list[dict[str, object]], float, str]:
    started = time.perf_counter()
    module = f"tests.benchmarks.{MODULES[name]}"
    try:
        done = subprocess.run(
            [sys.executable, "-m", module],
            cwd=ROOT,
            env=child_env(),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return [], time.perf_counter() - started, f"timed out after {TIMEOUT} s"
    seconds = time.perf_counter() - started
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("BENCH-RESULT "):
            return json.loads(line.removeprefix("BENCH-RESULT ")), seconds, ""
    tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-12:])
    return [], seconds, f"exit status {done.returncode}: {tail}"


def cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(rows: list[dict[str, object]], kept: list[str] | None = None) -> str:
    lines = [
        "| id | figure | baseline | ratio | target | result |",
        "|----|--------|----------|-------|--------|--------|",
    ]
    for row in rows:
        result = "pass" if row["passed"] else "**miss**"
        lines.append(
            "| "
            + " | ".join(cell(row[k]) for k in ("id", "figure", "baseline", "ratio", "target"))
            + f" | {result} |"
        )
    lines += kept or []
    order = {name: i for i, name in enumerate(MODULES)}
    head, body = lines[:2], lines[2:]
    body.sort(key=lambda line: order.get(line.split(" | ")[0].removeprefix("| ").strip(), 99))
    return "\n".join(head + body)


def earlier(chosen: list[str]) -> tuple[list[str], list[str]]:
    """Rows and notes of the benchmarks not run now, from the last table written, each row marked
    with the run it comes from: a partial run (``python -m tests.benchmarks P8``) keeps them."""
    if not OUTPUT.exists():
        return [], []
    text = OUTPUT.read_text("utf-8").splitlines()
    header = next((line for line in text if line.startswith(RUN_LINE)), "")
    stamp = header.removeprefix(RUN_LINE).split(" UTC")[0].split(" (")[0].strip()
    when = f"{stamp} UTC" if stamp else "an earlier run"
    rows, notes = [], []
    for line in text:
        if line.startswith("| P"):
            cells = line.split(" | ")
            if cells[0].removeprefix("| ").strip() in chosen:
                continue
            if "(run of " not in cells[1]:
                cells[1] += f" (run of {when})"
            rows.append(" | ".join(cells))
        elif line.startswith("- P") and line[2:].split(":")[0] not in chosen:
            notes.append(line)
    return rows, notes


def machine() -> str:
    try:
        load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    return (
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, load average at the end {load}"
    )


def main(argv: list[str]) -> int:
    chosen = [a.upper() for a in argv] or list(MODULES)
    unknown = [c for c in chosen if c not in MODULES]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(MODULES)}")
        return 2
    started = time.perf_counter()
    compile_bytecode()
    rows: list[dict[str, object]] = []
    notes: list[str] = []
    failures = 0
    for name in chosen:
        print(f"{name} …", end=" ", flush=True)
        figures, seconds, problem = run_one(name)
        if problem:
            failures += 1
            print(f"FAILED ({seconds:.0f} s)\n{problem}", flush=True)
            rows.append(
                {
                    "id": name,
                    "figure": "did not run: " + problem.splitlines()[0][:200],
                    "baseline": "",
                    "ratio": "",
                    "target": "",
                    "passed": False,
                }
            )
            continue
        print(f"{seconds:.0f} s", flush=True)
        rows.extend(figures)
        notes.extend(f"{f['id']}: {f['notes']}" for f in figures if f.get("notes"))
    total = time.perf_counter() - started
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    kept_rows, kept_notes = ([], []) if chosen == list(MODULES) else earlier(chosen)
    ran = "" if chosen == list(MODULES) else f" ({', '.join(chosen)}; other rows say their run)"
    text = "\n".join(
        [
            "# Benchmarks",
            "",
            f"{RUN_LINE}{when}{ran}: {machine()}; {total / 60:.1f} minutes in all.",
            "Ratios compare with a baseline measured in the same run; timings are medians.",
            "",
            table(rows, kept_rows),
            "",
            *([f"- {n}" for n in notes] or []),
            *kept_notes,
            "",
        ]
    )
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(text, "utf-8")
    print()
    print(text)
    print(f"written to {OUTPUT.relative_to(ROOT)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
