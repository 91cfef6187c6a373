"""Hosting the library, family tree, comparison and spending views in the window.

Those views are built separately and take plain data and callables; this object gives them the
studio's jobs and wires what they ask for to the window (play it, compare, continue, favourite).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QFrame, QScrollArea, QSplitter, QTabWidget

from gui.runware.catalog import Catalog
from gui.studio.jobs import Job
from gui.ui.bridge import EngineBridge
from gui.ui.compare.compare_view import CompareItem, CompareView
from gui.ui.library.library_view import LibraryView
from gui.ui.lineage.lineage_view import LineageView
from gui.ui.main_window import MainWindow
from gui.ui.spending.spending_panel import SpendingPanel
from gui.ui.studio_controller import StudioController

if TYPE_CHECKING:
    from gui.studio.engine import Engine
    from gui.studio.library import Library

__all__ = ["LibraryHost"]


class LibraryHost(QObject):
    """Puts the Library (with Family and Spending beside it) and Compare tabs in the window."""

    def __init__(
        self,
        window: MainWindow,
        bridge: EngineBridge,
        catalog: Catalog,
        controller: StudioController,
    ) -> None:
        super().__init__(window)
        self.window, self.catalog, self.controller = window, catalog, controller
        self.engine: Engine | None = None
        self.library: Library | None = None
        self.view = LibraryView(
            jobs=self._jobs, search=self._search, catalog=catalog, export=self._export
        )
        self.lineage = LineageView(self._jobs, thumbnails=self.view.thumbnails, catalog=catalog)
        self.spending = SpendingPanel(catalog)
        self.compare = CompareView()
        self.side = QTabWidget()
        self.side.setObjectName("LibrarySide")
        self.side.setDocumentMode(True)
        self.side.addTab(self.lineage, "Family")
        self.side.addTab(self.spending, "Spending")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("LibrarySplitter")
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.side)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setSizes([900, 380])
        # the hosted views ask for ~1,250 px; scroll inside the tab rather than widen the window
        self.scroll = QScrollArea()
        self.scroll.setObjectName("LibraryScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(self.splitter)
        window.set_library_view(self.scroll)
        window.tabs.addTab(self.compare, "Compare")
        # spending rows and totals are recomputed from all jobs: at most twice a second
        self._spending_refresh = QTimer(self)
        self._spending_refresh.setSingleShot(True)
        self._spending_refresh.setInterval(500)
        self._spending_refresh.timeout.connect(self._refresh_spending)
        self._stale = True  # the views have not been given the studio's jobs yet
        window.tabs.currentChanged.connect(self._refresh_if_shown)
        self._wire(bridge)

    def _wire(self, bridge: EngineBridge) -> None:
        bridge.job_added.connect(self._on_job_changed)
        bridge.job_changed.connect(self._on_job_changed)
        bridge.job_removed.connect(self._on_job_removed)
        bridge.spend_changed.connect(self.spending.set_budget)
        bridge.balance_changed.connect(self.spending.set_balance)
        v = self.view
        v.result_activated.connect(self.controller.show_result)
        v.compare_requested.connect(self.compare_results)
        v.favourite_toggled.connect(self._on_favourite_toggled)
        v.continue_requested.connect(self._on_continue_requested)
        v.lineage_requested.connect(self.show_family)
        v.exported.connect(self._on_exported)
        v.notice.connect(lambda text: self.window.status.showMessage(text, 10_000))
        self.lineage.job_selected.connect(lambda job_id: v.select_result(job_id))
        self.spending.job_selected.connect(lambda job_id: self.controller.show_result(job_id, 0))
        self.compare.result_selected.connect(self.controller.show_result)

    def attach(self, engine: Engine, library: Library) -> None:
        self.engine, self.library = engine, library
        self._stale = True
        self._refresh_if_shown()

    def _refresh_if_shown(self, *_: object) -> None:
        """Build the library when its tab is first shown: every result of a long history is a
        noticeable moment (10,000 jobs: ~0.3 s), which start-up need not wait for (P5)."""
        if self._stale and self.window.tabs.currentWidget() is self.scroll:
            self._stale = False
            self.view.refresh()
            self._refresh_spending()

    # ------------------------------------------------------------------ providers
    def _jobs(self) -> list[Job]:
        return self.engine.jobs() if self.engine is not None else []

    def _search(self, text: str) -> list[str]:
        return self.engine.journal.search(text, 500) if self.engine is not None else []

    async def _export(self, job_id: str, index: int, folder: Path) -> list[Path]:
        if self.engine is None or self.library is None:
            return []
        return await self.library.export(self.engine.get(job_id).results[index], folder)

    # ------------------------------------------------------------------ reactions
    def _on_job_changed(self, job: Job) -> None:
        if self._stale:
            return  # built from every job when it is first shown
        self.view.update_job(job)
        self._spending_refresh.start()

    def _on_job_removed(self, job_id: str) -> None:
        if self._stale:
            return
        self.view.remove_job(job_id)
        self._spending_refresh.start()

    def _refresh_spending(self) -> None:
        if self.engine is None:
            return
        self.spending.set_jobs(self.engine.jobs())
        self.spending.set_totals(self.engine.journal.spend())

    def _on_favourite_toggled(self, job_id: str, favourite: bool) -> None:
        if self.engine is not None:
            self.engine.set_favourite(job_id, favourite)

    def _on_continue_requested(self, job_id: str, index: int) -> None:
        job = self.engine.get(job_id) if self.engine is not None else None
        if job is not None and 0 <= index < len(job.results):
            self.controller.continue_from_last_frame(job, job.results[index])
            self.window.tabs.setCurrentIndex(0)

    def show_family(self, job_id: str) -> None:
        self.lineage.show_job(job_id, self._jobs())
        self.side.setCurrentWidget(self.lineage)

    def compare_results(self, keys: list[Any]) -> None:
        if self.engine is None:
            return
        items = []
        for job_id, index in keys:
            job = self.engine.get(job_id)
            result = job.results[index]
            if not result.local_path:
                continue
            model = self.catalog.get(job.spec.model)
            label = " ".join(job.spec.prompt.split())[:40]
            if job.spec.number_results > 1:
                label += f" (#{index + 1})"
            items.append(
                CompareItem(job_id, index, result.local_path, label, model.fps if model else 30.0)
            )
        if len(items) >= 2:
            self.compare.set_items(items)
            self.window.tabs.setCurrentWidget(self.compare)

    def _on_exported(self, paths: list[Path]) -> None:
        if paths:
            folder = Path(paths[0]).parent
            self.window.status.showMessage(f"Exported {len(paths)} files to {folder}.", 10_000)
