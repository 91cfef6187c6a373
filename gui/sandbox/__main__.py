"""``python -m gui.sandbox`` / ``sora-sandbox``: run the Runware-compatible sandbox server.

Once it accepts requests it prints ONE line of JSON to stdout and nothing else there::

    {"url": "http://127.0.0.1:PORT/v1", "origin": "http://127.0.0.1:PORT", "api_key": "…"}

Logs go to stderr. SIGTERM or SIGINT stops it cleanly with exit status 0. API keys may also
come from the environment variable ``SORA_SANDBOX_API_KEYS`` (comma-separated), which keeps
them out of the process list.

One sandbox serves a data folder at a time (exit status 3 when another holds it; see guard.py).
``--parent-pid`` and ``--watch-stdin`` tie its life to the app that started it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from aiohttp import web

from gui.sandbox.config import DEFAULT_API_KEY, SandboxConfig
from gui.sandbox.faults import Scenario
from gui.sandbox.guard import FolderBusy, FolderLock, die_with_parent, watch_stdin
from gui.sandbox.render import RenderPool
from gui.sandbox.server import create_app
from gui.sandbox.state import Sandbox

__all__ = ["main", "parse_args"]

KEYS_ENV = "SORA_SANDBOX_API_KEYS"
EXIT_BUSY = 3  # another sandbox serves the data folder
log = logging.getLogger("gui.sandbox")
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="sora-sandbox", description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    p.add_argument("--port", type=int, default=0, help="port; 0 picks a free one")
    p.add_argument("--data-dir", type=Path, required=True, help="videos, images and the log")
    p.add_argument("--api-key", action="append", default=[], help="a valid key (repeatable)")
    p.add_argument("--balance", type=Decimal, default=Decimal("1000"), help="USD per key")
    p.add_argument(
        "--processing-seconds", type=float, default=3.0, help="wait before a result renders"
    )
    p.add_argument("--stagger-seconds", type=float, default=None, help="delay per result index")
    p.add_argument("--faults", type=Path, default=None, help="scenario JSON (see faults.py)")
    p.add_argument("--public-host", default=None, help="URL prefix of file URLs")
    p.add_argument("--unknown-price-per-second", type=Decimal, default=Decimal("0.10"))
    p.add_argument("--render-workers", type=int, default=2, help="renders at once")
    p.add_argument("--render-mode", choices=("process", "thread"), default="process")
    p.add_argument("--log-level", default="WARNING")
    p.add_argument(
        "--parent-pid", type=int, default=None, help="stop when this process ends (Linux)"
    )
    p.add_argument(
        "--watch-stdin", action="store_true", help="stop when stdin closes (the launcher ended)"
    )
    return p.parse_args(argv)


def _config(args: argparse.Namespace) -> SandboxConfig:
    keys = [*args.api_key]
    keys += [k.strip() for k in os.environ.get(KEYS_ENV, "").split(",") if k.strip()]
    return SandboxConfig(
        data_dir=args.data_dir.resolve(),
        host=args.host,
        port=args.port,
        api_keys=tuple(dict.fromkeys(keys)) or (DEFAULT_API_KEY,),
        balance=args.balance,
        processing_seconds=max(0.0, args.processing_seconds),
        stagger_seconds=args.stagger_seconds,
        public_host=args.public_host,
        unknown_price_per_second=args.unknown_price_per_second,
        render_workers=max(1, args.render_workers),
        render_kind=args.render_mode,
        faults_file=args.faults,
    )


async def serve(
    config: SandboxConfig,
    scenario: Scenario,
    pool: RenderPool,
    lock: FolderLock | None = None,
    watch: bool = False,
) -> None:
    sandbox = Sandbox(config, scenario, pool=pool)
    # a hung reply (a fault) or an open WebSocket must not hold up a SIGTERM for long
    runner = web.AppRunner(
        create_app(sandbox), access_log=None, handle_signals=False, shutdown_timeout=1.0
    )
    await runner.setup()
    site = web.TCPSite(runner, config.host, config.port, reuse_address=True)
    await site.start()
    port = int(runner.addresses[0][1])
    shown = "127.0.0.1" if config.host in ("0.0.0.0", "") else config.host
    shown = f"[{shown}]" if ":" in shown else shown
    origin = f"http://{shown}:{port}"
    await sandbox.start(origin)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # signal.signal, not loop.add_signal_handler: closing the loop would put the default
    # action (death) back while the cleanup still runs
    for sig in STOP_SIGNALS:
        signal.signal(sig, lambda _sig, _frame: loop.call_soon_threadsafe(stop.set))
    if watch:
        watch_stdin(lambda: loop.call_soon_threadsafe(stop.set))
    if lock is not None:
        parent = os.getppid()  # the launcher: a reuser checks it still lives
        lock.publish({"url": f"{origin}/v1", "origin": origin, "port": port, "parent": parent})
    line = {"url": f"{origin}/v1", "origin": origin, "api_key": config.api_keys[0]}
    stdout = sys.stdout
    stdout.write(json.dumps(line) + "\n")
    stdout.flush()
    sys.stdout = sys.stderr  # nothing else may reach stdout: the launcher reads one line
    log.warning("sandbox serving %s (data in %s)", origin, config.data_dir)
    try:
        await stop.wait()
    finally:
        # Stopping now: a second SIGTERM (the launcher sends one when a stdin close has not
        # ended it yet) must not kill it halfway through its cleanup (status -15). Ignored
        # from here to the exit; the launcher's SIGKILL still ends a cleanup that hangs.
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        await sandbox.close_sockets()
        await runner.cleanup()
        await sandbox.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.parent_pid is not None:
        die_with_parent(args.parent_pid)  # before anything else: an orphan must not start
    logging.basicConfig(
        level=getattr(logging, str(args.log_level).upper(), logging.WARNING),
        stream=sys.stderr,
        format="%(asctime)s sandbox %(levelname)s %(message)s",
    )
    config = _config(args)
    scenario = Scenario()
    if config.faults_file is not None:
        try:
            scenario = Scenario.model_validate_json(config.faults_file.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            print(f"sora-sandbox: cannot use {config.faults_file}: {exc}", file=sys.stderr)
            return 2
    lock = FolderLock(config.data_dir)
    try:
        lock.acquire()
    except FolderBusy as exc:
        print(f"sora-sandbox: {exc}", file=sys.stderr)
        return EXIT_BUSY
    pool = RenderPool(config.render_workers, config.render_kind)
    pool.start()  # forks the render workers now, while this process has one thread
    try:
        asyncio.run(serve(config, scenario, pool, lock, args.watch_stdin))
    except OSError as exc:
        print(f"sora-sandbox: cannot listen on {config.host}:{config.port}: {exc}", file=sys.stderr)
        return 1
    finally:
        pool.shutdown()
        lock.release()
    return 0


if __name__ == "__main__":
    sys.exit(main())
