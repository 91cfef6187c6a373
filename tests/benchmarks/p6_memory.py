"""P6: resident memory of the studio with 1,000 jobs in the jobs panel and 100 thumbnails painted,
minus that of a bare QMainWindow.

The studio runs in a child process as ``sora-studio --sandbox`` would (sandbox backend, the
whole window), on a data folder whose journal holds 1,000 finished jobs; the newest 100 show
real 320×180 JPEG thumbnails. Once started, the jobs list is scrolled page by page through
those 100 rows, each page painted after its thumbnails are decoded; then ``VmRSS`` is read
from /proc. The bare window reads its own ``VmRSS`` after its first paint. Each is measured
``REPEATS`` times (alternating), medians compared.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.common import Figure, child_env, isolated_home, main, median, timed_lines
from tests.benchmarks.seed import seed_journal, thumbnail_files

JOBS = 1_000
THUMBNAILS = 100
REPEATS = 3
TARGET_MB = 150.0


async def show_thumbnails(studio: Any) -> int:
    """Scroll the jobs list through the rows with thumbnails; returns how many were painted."""
    from PySide6.QtWidgets import QAbstractItemView

    from gui.ui.jobs.model import JobRole

    await asyncio.wait_for(studio.started.wait(), 120)
    if studio.session is None:
        raise RuntimeError(f"the studio did not start: {studio.start_error}")
    window = studio.window
    panel = window.jobs_panel
    view, proxy = panel.view, panel.proxy
    cache = panel.thumbnails
    painted: set[str] = set()
    row = 0
    while row < min(THUMBNAILS, proxy.rowCount()):
        view.scrollTo(proxy.index(row, 0), QAbstractItemView.ScrollHint.PositionAtTop)
        await asyncio.sleep(0.05)  # Qt lays the page out (never processEvents inside a task)
        window.repaint()  # asks the cache for this page's thumbnails
        first = last = max(0, view.indexAt(view.viewport().rect().topLeft()).row())
        height = view.viewport().height()
        while (
            last + 1 < proxy.rowCount() and view.visualRect(proxy.index(last + 1, 0)).top() < height
        ):
            last += 1  # rows on screen, the one cut off at the bottom included
        page = {
            path
            for r in range(first, last + 1)
            if (path := proxy.index(r, 0).data(JobRole.THUMBNAIL_PATH))
        }
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(cache.pixmap(p) is None for p in page):
            await asyncio.sleep(0.02)
        window.repaint()  # now with the decoded pixmaps
        painted |= {p for p in page if cache.pixmap(p) is not None}
        row = max(last, row + 1)
    await asyncio.sleep(0.5)  # let what the paints started settle
    return len(painted)


def child(data: Path) -> int:
    """The studio with ``data``; prints ``thumbnails <n>`` and ``rss-mb <VmRSS>``."""
    import qasync
    from PySide6.QtWidgets import QApplication

    from gui.app import LaunchOptions, Studio, configure_application
    from tests.benchmarks.common import vm_rss_mb

    app = QApplication(sys.argv[:1])
    configure_application(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    studio = Studio(LaunchOptions(sandbox=True, data_dir=data))

    async def drive() -> None:
        running = asyncio.ensure_future(studio.run())
        try:
            shown = await show_thumbnails(studio)
            print(f"thumbnails {shown}", flush=True)
            print(f"rss-mb {vm_rss_mb():.2f}", flush=True)
        finally:
            studio.window.close()
            await running

    with loop:
        loop.run_until_complete(drive())
    return 0


def run() -> list[Figure]:
    import shutil

    with tempfile.TemporaryDirectory(prefix="bench-p6-") as tmp:
        base = Path(tmp)
        thumbs = thumbnail_files(base / "thumbs", THUMBNAILS)
        template = seed_journal(base / "template", JOBS, thumbnails=thumbs)
        app_rss, bare_rss, shown = [], [], []
        for n in range(REPEATS):
            _, marks, done = timed_lines(
                [sys.executable, "-m", "tests.benchmarks.bare_window", "rss"], child_env()
            )
            if "rss-mb" not in marks:
                raise RuntimeError(f"the bare window printed no RSS:\n{done.stderr[-2000:]}")
            bare_rss.append(marks["rss-mb"])
            data = base / f"data-{n}"
            shutil.copytree(template, data)
            env = child_env(**isolated_home(base / f"home-{n}"))
            args = [sys.executable, "-m", "tests.benchmarks.p6_memory", "--child", str(data)]
            _, marks, done = timed_lines(args, env, timeout=300)
            if "rss-mb" not in marks:
                raise RuntimeError(
                    f"the studio printed no RSS:\n{done.stdout}\n{done.stderr[-3000:]}"
                )
            app_rss.append(marks["rss-mb"])
            shown.append(int(marks["thumbnails"]))
    extra = median(app_rss) - median(bare_rss)
    return [
        Figure(
            id="P6",
            figure=(
                f"studio with {JOBS:,} jobs, {min(shown)} thumbnails painted: "
                f"{median(app_rss):.0f} MB RSS (median of {REPEATS})"
            ),
            baseline=f"bare QMainWindow {median(bare_rss):.0f} MB",
            ratio=f"+{extra:.0f} MB",
            target=f"≤ +{TARGET_MB:.0f} MB",
            passed=extra <= TARGET_MB and min(shown) == THUMBNAILS,
        )
    ]


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        sys.exit(child(Path(sys.argv[2])))
    main(run)
