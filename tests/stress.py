"""``make stress`` = ``python -m tests.stress [--runs N] [--busy K] [pytest args…]``.

Runs the whole suite N times (default 5), with two xdist workers as `make test` does, while K
processes (default 2) spin the CPU, and reports every failure with its test id, plus each run's
time and the load average. A run that
ends without a summary (a native crash, the watchdog) is reported with its exit status and the
end of its output.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTCOME = re.compile(r"^(FAILED|ERROR) (\S+)(?: - (.*))?")  # -rfE: the id, then the message
SUMMARY = re.compile(r"^=*\s*\d+ (passed|failed|errors?|skipped)\b.* in [\d.]+s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=int(os.environ.get("N", "5")))
    parser.add_argument("--busy", type=int, default=2, help="CPU-spinning processes")
    args, pytest_args = parser.parse_known_args(argv)
    if not any(arg == "-n" or arg.startswith(("-n", "--numprocesses")) for arg in pytest_args):
        pytest_args = ["-n", "2", *pytest_args]  # as CI and `make test` run it
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    env["COLUMNS"] = "400"  # pytest cuts a summary line to the width: room for the message
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy)]
    failures: list[str] = []
    try:
        for run in range(1, args.runs + 1):
            started = time.monotonic()
            done = subprocess.run(
                [sys.executable, "-X", "faulthandler", "-m", "pytest", "-q", "-rfE", *pytest_args],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
            )
            seconds = time.monotonic() - started
            lines = done.stdout.splitlines()
            found = [
                f"run {run}: {m[1]} {m[2]}" + (f"\n      {m[3][:300]}" if m[3] else "")
                for line in lines
                if (m := OUTCOME.match(line))
            ]
            summary = next(
                (line.strip("= ") for line in reversed(lines) if SUMMARY.match(line)), ""
            )
            load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
            print(f"run {run}/{args.runs}: {seconds:.0f} s, load {load}: {summary or 'no summary'}")
            if not summary or (done.returncode != 0 and not found):
                tail = "\n    ".join((done.stdout + done.stderr).strip().splitlines()[-40:])
                found.append(f"run {run}: exit status {done.returncode}, no test id:\n    {tail}")
            if done.returncode != 0 or "crashed" in done.stdout:
                # everything a failing run printed (a crashed worker's last words included)
                kept = Path(tempfile.gettempdir()) / f"sora-stress-run{run}-{os.getpid()}.log"
                kept.write_text(done.stdout + "\n--- stderr ---\n" + done.stderr, "utf-8")
                found.append(f"run {run}: its whole output is in {kept}")
            for line in found:
                print("  " + line)
            failures += found
            sys.stdout.flush()
    finally:
        for process in busy:
            process.kill()
            process.wait()
    print(f"\n{len(failures)} failure(s) in {args.runs} run(s) with {args.busy} busy process(es)")
    for line in failures:
        print("  " + line)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
