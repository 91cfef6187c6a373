"""The Library tab: the results grid with Family and Spending beside it, bound to its view-model.

Built when the tab is first shown after a session opens: every result of a long history is a
noticeable moment (10,000 jobs: ~0.3 s), which start-up need not wait for (P5).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QScrollArea, QSplitter, QTabWidget, QWidget

from gui.runware.catalog import Catalog
from gui.studio.jobs import Job
from gui.studio.session import Spend
from gui.ui.library.library_view import LibraryView
from gui.ui.lineage.lineage_view import LineageView
from gui.ui.spending.spending_panel import SpendingPanel
from gui.ui.viewmodels.library import LibraryViewModel

__all__ = ["LibraryTab"]


class LibraryTab(QScrollArea):
    """Library (with Family and Spending beside it); scrolls inside the tab when narrow."""

    result_activated = Signal(str, int)  # open it in the player
    continue_requested = Signal(str, int)
    notice = Signal(str)

    def __init__(self, vm: LibraryViewModel, catalog: Catalog, parent: QWidget | None = None):
        super().__init__(parent)
        self.vm = vm
        self.view = LibraryView(
            jobs=vm.jobs,
            search=vm.search,
            catalog=catalog,
            export=vm.export,
            boards=vm.board_labels,
        )
        self.lineage = LineageView(
            vm.jobs, thumbnails=self.view.thumbnails, catalog=catalog, boards=vm.board_labels
        )
        self.spending = SpendingPanel(catalog)
        self._stale = True  # not yet given the session's jobs
        # the family follows the selected tile, once the selection settles (arrowing through
        # tiles, or a click in the family itself selecting its tile, rebuild it once)
        self._family_follow = QTimer(self, singleShot=True, interval=0)
        self._family_follow.timeout.connect(self._follow_selection)
        self._build()
        self._bind()

    def _build(self) -> None:
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
        self.setObjectName("LibraryScroll")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidget(self.splitter)

    def _bind(self) -> None:
        vm, v = self.vm, self.view
        vm.refreshed.connect(self._on_refreshed)
        vm.job_changed.connect(self._on_job_changed)
        vm.job_removed.connect(self._on_job_removed)
        vm.spending_changed.connect(self._on_spending_changed)
        vm.link.bridge.spend_changed.connect(self.spending.set_budget)
        vm.link.bridge.balance_changed.connect(self.spending.set_balance)
        v.result_activated.connect(self.result_activated)
        v.compare_requested.connect(vm.compare)
        v.favourite_toggled.connect(vm.set_favourite)
        v.continue_requested.connect(self.continue_requested)
        v.lineage_requested.connect(self.show_family)
        v.exported.connect(self._on_exported)
        v.notice.connect(self.notice)
        v.grid.selectionModel().selectionChanged.connect(self._family_follow.start)
        self.lineage.job_selected.connect(lambda job_id: v.select_result(job_id))
        self.spending.job_selected.connect(lambda job_id: self.result_activated.emit(job_id, 0))

    # ------------------------------------------------------------------ showing
    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._refresh_if_stale() and self.vm.link.is_open:
            self.view.refresh_boards()  # boards may have changed in the Storyboard tab

    def _on_refreshed(self) -> None:
        self._stale = True
        if self.isVisible():
            self._refresh_if_stale()

    def _refresh_if_stale(self) -> bool:
        if self._stale and self.vm.link.is_open:
            self._stale = False
            self.view.refresh()
            self.vm.refresh_spending()
            return True
        return False

    def _on_job_changed(self, job: Job) -> None:
        if not self._stale:  # else built from every job when it is first shown
            self.view.update_job(job)

    def _on_job_removed(self, job_id: str) -> None:
        if not self._stale:
            self.view.remove_job(job_id)

    def _on_spending_changed(self, jobs: list[Job], totals: Spend) -> None:
        self.spending.set_jobs(jobs)
        self.spending.set_totals(totals)

    def show_family(self, job_id: str) -> None:
        self.lineage.show_job(job_id, self.vm.jobs())
        self.side.setCurrentWidget(self.lineage)

    def _follow_selection(self) -> None:
        """One tile selected: its family shows in the Family pane (without leaving Spending)."""
        items = self.view.selected_items()
        if len(items) != 1:
            return
        job_id = items[0].job_id
        family = self.lineage.family
        if family is not None and family.focus == job_id:
            return
        self.lineage.show_job(job_id, self.vm.jobs())

    def _on_exported(self, paths: list[Any]) -> None:
        if paths:
            folder = paths[0].parent
            self.notice.emit(f"Exported {len(paths)} files to {folder}.")
