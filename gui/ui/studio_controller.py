"""What the window's parts do together, and what they ask of the studio.

The controller listens to the bridge (engine events) and to the widgets (user intents) and calls
the engine. Routine errors go where they belong — beside the Generate button, on the job, in
the status bar — never into a modal box.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QUrl
from PySide6.QtGui import QDesktopServices

from gui.runware.catalog import Catalog
from gui.studio.atomic_files import write_atomic
from gui.studio.errors import BudgetExceeded, SpecRejected, StudioError
from gui.studio.jobs import Job, JobSpec, Lineage, Result
from gui.studio.spending import BudgetLevel, budget_state
from gui.ui.bridge import EngineBridge
from gui.ui.main_window import MainWindow
from gui.ui.notifier import Notifier
from gui.ui.player import media_safety

if TYPE_CHECKING:
    from gui.studio.engine import Engine
    from gui.studio.library import Library

__all__ = ["StudioController"]

log = logging.getLogger(__name__)

ImageFetcher = Callable[[str], Awaitable[Path]]


class StudioController(QObject):
    """Wires the window to the engine through the bridge."""

    def __init__(self, window: MainWindow, bridge: EngineBridge, catalog: Catalog) -> None:
        super().__init__(window)
        self.window = window
        self.bridge = bridge
        self.catalog = catalog
        self.engine: Engine | None = None
        self.library: Library | None = None
        self.fetch_image: ImageFetcher | None = None
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl
        self.notifier = Notifier(window, window.windowIcon())
        self._tasks: set[asyncio.Future[Any]] = set()
        self._finished: set[str] = set()
        self._remix: Lineage | None = None
        self._frame_sources: dict[str, Lineage] = {}
        self._select_next_added = False
        self._wire_bridge()
        self._wire_widgets()

    # ------------------------------------------------------------------ wiring
    def _wire_bridge(self) -> None:
        b, w = self.bridge, self.window
        b.job_added.connect(self._on_job_added)
        b.job_changed.connect(self._on_job_changed)
        b.job_removed.connect(w.jobs_model.remove_job)
        b.result_ready.connect(lambda job, _r: self._on_job_changed(job))
        b.download_progress.connect(
            lambda job, _r, done, total: w.jobs_model.set_progress(job.id, done, total)
        )
        b.connection_changed.connect(w.status.set_connection)
        b.balance_changed.connect(w.status.set_balance)
        b.spend_changed.connect(self._on_spend_changed)
        b.notice.connect(lambda text: w.status.showMessage(text, 10_000))

    def _wire_widgets(self) -> None:
        w = self.window
        panel = w.jobs_panel
        panel.current_job_changed.connect(self._show_job)
        panel.play_requested.connect(self._play_job)
        panel.cancel_requested.connect(self.cancel)
        panel.retry_requested.connect(self.retry)
        panel.remix_requested.connect(self._remix_job_id)
        panel.reveal_requested.connect(self._reveal_job_id)
        panel.delete_requested.connect(self.delete)
        w.player.result_changed.connect(w.details.show_result)  # details follow the player
        d = w.details
        d.remix_requested.connect(self.start_remix)
        d.use_frame_requested.connect(self.use_current_frame)
        d.continue_requested.connect(self.continue_from_last_frame)
        d.retry_requested.connect(self.retry)
        d.reveal_requested.connect(self.reveal)
        w.open_library_action.triggered.connect(self.open_library_folder)
        w.generate_action.triggered.connect(self._generate_from_toolbar)
        w.focus_prompt_action.triggered.connect(self._focus_prompt)
        self.connect_compose(w.compose)

    def connect_compose(self, compose: Any) -> None:
        """Listen to a compose panel (called again when the window gets a new one)."""
        compose.generate_requested.connect(self.submit)
        if hasattr(compose, "image_url_dropped"):
            compose.image_url_dropped.connect(self._on_image_url_dropped)

    # ------------------------------------------------------------------ attaching the studio
    def attach(
        self, engine: Engine, library: Library, *, fetch_image: ImageFetcher | None = None
    ) -> None:
        """The engine has started: show its jobs (unfinished ones marked as resumed)."""
        self.engine, self.library, self.fetch_image = engine, library, fetch_image
        self.window.jobs_panel.sent_request = engine.journal.request_of
        jobs = engine.jobs()
        resumed = {j.id for j in jobs if not j.state.is_final}
        self._finished = {j.id for j in jobs if j.state.is_final}
        self.window.jobs_model.set_jobs(jobs, resumed=resumed)
        if resumed:
            n = len(resumed)
            self.window.status.showMessage(
                f"Resuming {n} unfinished job{'s' if n != 1 else ''} from the last session.", 10_000
            )
        self._update_prompt_history()
        self.run_task(engine.refresh_balance(), "Reading the balance", quiet=True)

    def _with_engine(self, what: str, make: Callable[[Engine], Coroutine[Any, Any, Any]]) -> None:
        """Run ``make(engine)``, or say the studio is not ready yet."""
        if self.engine is None:
            self.window.status.showMessage(
                f"{what}: the studio is still starting; try again in a moment.", 8000
            )
            return
        self.run_task(make(self.engine), what)

    # ------------------------------------------------------------------ engine events
    def _on_job_added(self, job: Job) -> None:
        self.window.jobs_model.add_job(job)
        if self._select_next_added:
            self._select_next_added = False
            self.window.jobs_panel.select_job(job.id)

    def _on_job_changed(self, job: Job) -> None:
        self.window.jobs_model.update_job(job)
        current = self.window.player.job
        if current is not None and current.id == job.id:
            self.window.player.show_job(job, fps=self._fps(job))
        if job.state.is_final and job.id not in self._finished:
            self._finished.add(job.id)
            self.notifier.job_finished(job)

    def _on_spend_changed(self, today: float, budget: float | None) -> None:
        self.window.status.set_spend(today, budget)
        state = budget_state(today, budget)
        warn = state.level in (BudgetLevel.WARN, BudgetLevel.REFUSE)
        self._compose_call("set_budget_state", state.message if warn else None)

    # ------------------------------------------------------------------ generating
    def submit(self, spec: JobSpec) -> None:
        """Send a spec from the compose panel; problems come back beside its Generate button."""
        if self.engine is None:
            self._compose_call(
                "set_budget_state", "The studio is still starting; try again in a moment."
            )
            return
        lineage = self._lineage_for(spec)
        self._compose_call("set_budget_state", None)
        self._select_next_added = True
        self._with_engine("Generate", lambda engine: self._submit(engine, spec, lineage))

    async def _submit(self, engine: Engine, spec: JobSpec, lineage: Lineage | None) -> None:
        try:
            await engine.submit(spec, lineage)
        except (SpecRejected, BudgetExceeded, StudioError) as exc:
            self._select_next_added = False
            self._compose_call("set_budget_state", str(exc))
            return
        if lineage is not None and lineage.kind in ("remix", "extend"):
            self._remix = None
            self._compose_call("clear_remix")
        self._update_prompt_history()

    def _lineage_for(self, spec: JobSpec) -> Lineage | None:
        if spec.video_id and self._remix and self._remix.source_video_id == spec.video_id:
            return self._remix
        for frame in spec.frames:
            if frame.sha256 in self._frame_sources:
                return self._frame_sources[frame.sha256]
        return None

    def _generate_from_toolbar(self) -> None:
        spec = self._compose_call("spec")
        if isinstance(spec, JobSpec):
            self.submit(spec)
        else:
            self._focus_prompt()

    def _update_prompt_history(self) -> None:
        if self.engine is None:
            return
        seen: dict[str, None] = {}
        for job in reversed(self.engine.jobs()):
            seen.setdefault(job.spec.prompt, None)
            if len(seen) >= 50:
                break
        self._compose_call("set_prompt_history", list(seen))

    # ------------------------------------------------------------------ job actions
    def cancel(self, job_id: str) -> None:
        self._with_engine("Cancel", lambda engine: engine.cancel(job_id))

    def retry(self, job_id: str) -> None:
        self._select_next_added = True
        self._with_engine("Retry", lambda engine: engine.retry(job_id))

    def delete(self, job_id: str) -> None:
        player = self.window.player
        if player.job is not None and player.job.id == job_id:
            player.show_job(None)  # let go of the file before it is deleted
        self._with_engine("Delete", lambda engine: engine.delete(job_id))

    def start_remix(self, job: Job, result: Result) -> None:
        """Load a result into the compose panel as the source of a remix or extension."""
        if not result.video_id:
            self.window.status.showMessage("This video has no videoId to remix from.", 8000)
            return
        label = f"“{' '.join(job.spec.prompt.split())[:40]}”"
        if job.spec.number_results > 1:
            label += f" (variation {result.index + 1})"
        self._remix = Lineage(parent_job_id=job.id, kind="remix", source_video_id=result.video_id)
        self._compose_call("start_remix", result.video_id, job.spec.prompt, job.spec.model, label)
        self._focus_prompt()

    def use_current_frame(self, job: Job, result: Result) -> None:
        """The frame on screen becomes the next job's first frame (a PNG in the library)."""
        image = self.window.player.current_frame_image()
        if image is None or self.library is None:
            self.window.status.showMessage(
                "No frame is on screen yet: play or step the video first.", 8000
            )
            return
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        buffer.close()
        png = bytes(data.data())
        sha = hashlib.sha256(png).hexdigest()
        path = self.library.frames / f"{sha}.png"
        if not path.exists():
            write_atomic(path, png)
        self._frame_sources[sha] = Lineage(
            parent_job_id=job.id,
            kind="firstFrame",
            source_video_id=result.video_id,
            source_image_hash=sha,
        )
        self._compose_call("set_frame_image", str(path), "first")
        self._focus_prompt()

    def continue_from_last_frame(self, job: Job, result: Result) -> None:
        async def work(engine: Engine) -> None:
            start = await engine.continue_from_last_frame(job.id, result.index)
            self._frame_sources[start.frame.sha256] = start.lineage
            self._compose_call("set_frame_image", str(start.path), "first")
            self._focus_prompt()

        self._with_engine("Continue from last frame", work)

    def reveal(self, job: Job, result: Result | None) -> None:
        path = (result.local_path if result else None) or next(
            (r.local_path for r in job.results if r.local_path), None
        )
        folder = Path(path).parent if path else (self.library.videos if self.library else None)
        if folder is not None:
            self.open_url(QUrl.fromLocalFile(str(folder)))

    def open_library_folder(self) -> None:
        if self.library is not None:
            self.open_url(QUrl.fromLocalFile(str(self.library.root)))

    def _reveal_job_id(self, job_id: str) -> None:
        job = self.window.jobs_model.job(job_id)
        if job is not None:
            self.reveal(job, None)

    def _remix_job_id(self, job_id: str) -> None:
        job = self.window.jobs_model.job(job_id)
        if job is None:
            return
        player = self.window.player
        chosen = player.result if player.job is not None and player.job.id == job_id else None
        result = (
            chosen
            if chosen and chosen.video_id
            else next((r for r in job.results if r.video_id), None)
        )
        if result is not None:
            self.start_remix(job, result)

    # ------------------------------------------------------------------ showing
    def _fps(self, job: Job) -> int | None:
        model = self.catalog.get(job.spec.model)
        return model.fps if model else None

    def _show_job(self, job: Job | None) -> None:
        self.window.player.show_job(job, fps=self._fps(job) if job else None)

    def show_result(self, job_id: str, index: int = 0) -> None:
        """Open one result in the Studio tab: select its job and play that variation."""
        job = self.window.jobs_model.job(job_id)
        if job is None:
            return
        panel = self.window.jobs_panel
        self.window.tabs.setCurrentIndex(0)
        if not panel.select_job(job_id):  # hidden by the filter: show everything again
            panel.search.clear()
            panel.set_state_filter("All")
            panel.select_job(job_id)
        self.window.player.show_job(job, index, fps=self._fps(job))

    def _play_job(self, job_id: str) -> None:
        job = self.window.jobs_model.job(job_id)
        if job is None:
            return
        self._show_job(job)
        media_safety.play(self.window.player.media)
        self.window.player.setFocus()

    def _focus_prompt(self) -> None:
        self.window.tabs.setCurrentIndex(0)
        self._compose_call("focus_prompt")

    def _on_image_url_dropped(self, url: str, frame: str) -> None:
        if self.fetch_image is None:
            self.window.status.showMessage(
                "Images from the web can be used once the studio has started.", 8000
            )
            return
        fetch = self.fetch_image

        async def work() -> None:
            try:
                path = await fetch(url)
            except Exception as exc:  # any failure is shown on the drop zone
                self._compose_call("frame_fetch_failed", frame, f"Could not fetch the image: {exc}")
                return
            self._compose_call("set_frame_image", str(path), frame)

        self.run_task(work(), "Fetching the image")

    # ------------------------------------------------------------------ plumbing
    def _compose_call(self, name: str, *args: object) -> Any:
        method = getattr(self.window.compose, name, None)
        return method(*args) if callable(method) else None

    def run_task(
        self, coro: Coroutine[Any, Any, Any], what: str, *, quiet: bool = False
    ) -> asyncio.Future[Any]:
        """Run a coroutine on the loop; a failure becomes a status-bar message."""
        future = asyncio.ensure_future(coro)
        self._tasks.add(future)

        def done(f: asyncio.Future[Any]) -> None:
            self._tasks.discard(f)
            if f.cancelled():
                return
            exc = f.exception()
            if exc is not None:
                log.info("%s failed: %s", what, exc, exc_info=not isinstance(exc, StudioError))
                if not quiet:
                    self.window.status.showMessage(f"{what}: {exc}", 12_000)

        future.add_done_callback(done)
        return future

    async def drain(self) -> None:
        """Wait for the work started from the window (used in tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def cancel_work(self) -> None:
        """Stop what the window started (at shutdown); the engine keeps its own jobs safe."""
        for task in list(self._tasks):
            task.cancel()
        await self.drain()
