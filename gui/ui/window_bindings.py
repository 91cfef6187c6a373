"""Binds the window's widgets to their view-models: signals to actions, properties to setters.

No logic lives here beyond choosing which tab to show: what happens is decided in the
view-models (gui/ui/viewmodels/), how it looks in the widgets. Widgets never see each other or
the session; this is the one module that names both sides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QUrl

from gui.studio.jobs import Job, JobSpec, Result
from gui.ui.compare.compare_view import CompareItem, CompareView
from gui.ui.compose.compose_panel import ComposePanel
from gui.ui.library_tab import LibraryTab
from gui.ui.main_window import MainWindow
from gui.ui.notifier import Notifier
from gui.ui.player import media_safety
from gui.ui.storyboard.storyboard_view import StoryboardView
from gui.ui.viewmodels.compose import ComposeViewModel
from gui.ui.viewmodels.jobs import JobsViewModel
from gui.ui.viewmodels.library import CompareChoice, LibraryViewModel
from gui.ui.viewmodels.player import PlayerViewModel
from gui.ui.viewmodels.properties import bind
from gui.ui.viewmodels.storyboard import StoryboardViewModel
from gui.ui.viewmodels.studio_link import StudioLink

__all__ = ["ViewModels", "WindowBindings"]

NOTICE_MS = 10_000


@dataclass(frozen=True)
class ViewModels:
    link: StudioLink
    compose: ComposeViewModel
    jobs: JobsViewModel
    player: PlayerViewModel
    library: LibraryViewModel


class WindowBindings(QObject):
    """Connects :class:`MainWindow`'s parts (and the Library and Compare tabs) to ``vms``."""

    def __init__(
        self,
        window: MainWindow,
        compose: ComposePanel,
        vms: ViewModels,
        *,
        open_url: Callable[[QUrl], object],
        notifier: Notifier,
    ) -> None:
        super().__init__(window)
        self.window, self.compose, self.vms = window, compose, vms
        self.open_url = open_url
        self.notifier = notifier
        self.library_tab = LibraryTab(vms.library, window.catalog)
        self.compare = CompareView()
        window.set_library_view(self.library_tab)
        window.tabs.addTab(self.compare, "Compare")
        self.storyboard_vm = StoryboardViewModel(vms.link, window.catalog, self)
        self.storyboard = StoryboardView(window.catalog)
        window.add_tab(self.storyboard, "Storyboard")
        self._bind_status()
        self._bind_compose()
        self._bind_jobs()
        self._bind_player()
        self._bind_library()
        self._bind_storyboard()

    # ------------------------------------------------------------------ bindings
    def _bind_status(self) -> None:
        b, status = self.vms.link.bridge, self.window.status
        b.connection_changed.connect(status.set_connection)
        b.balance_changed.connect(status.set_balance)
        b.spend_changed.connect(status.set_spend)
        b.notice.connect(lambda text: status.showMessage(text, NOTICE_MS))
        self.vms.link.notice.connect(lambda text: status.showMessage(text, NOTICE_MS))

    def _bind_compose(self) -> None:
        vm, panel, w = self.vms.compose, self.compose, self.window
        panel.generate_requested.connect(vm.generate)
        panel.image_url_dropped.connect(vm.fetch_image)
        bind(vm, "budget_message", panel.set_budget_state)
        bind(vm, "prompt_history", panel.set_prompt_history)
        bind(vm, "real_backend", panel.set_real_backend)
        vm.frame_image_set.connect(panel.set_frame_image)
        vm.frame_fetch_failed.connect(panel.frame_fetch_failed)
        vm.remix_started.connect(panel.start_remix)
        vm.remix_cleared.connect(panel.clear_remix)
        vm.focus_requested.connect(self.focus_prompt)
        vm.submitted.connect(self.vms.jobs.select_next_added)
        w.generate_action.triggered.connect(self._generate_from_toolbar)
        w.focus_prompt_action.triggered.connect(self.focus_prompt)
        panel.presets.preset_saved.connect(
            lambda name: w.status.showMessage(f"Preset '{name}' saved", NOTICE_MS)
        )

    def _bind_jobs(self) -> None:
        vm, panel, w = self.vms.jobs, self.window.jobs_panel, self.window
        player = self.vms.player
        panel.sent_request = vm.sent_request
        panel.current_job_changed.connect(player.show)
        panel.play_requested.connect(self._play_job)
        panel.cancel_requested.connect(vm.cancel)
        panel.retry_requested.connect(vm.retry)
        panel.alternative = vm.alternative
        panel.retry_with_requested.connect(vm.retry_with)
        panel.remix_requested.connect(self._remix_job_id)
        panel.reveal_requested.connect(vm.reveal_id)
        panel.delete_requested.connect(vm.delete)
        vm.select_requested.connect(panel.select_job)
        vm.deleting.connect(player.release)
        vm.job_finished.connect(self.notifier.job_finished)
        vm.folder_requested.connect(lambda folder: self.open_url(QUrl.fromLocalFile(folder)))
        w.open_library_action.triggered.connect(vm.open_library_folder)

    def _bind_player(self) -> None:
        vm, player, details = self.vms.player, self.window.player, self.window.details
        vm.show_requested.connect(lambda job, index, fps: player.show_job(job, index, fps=fps))
        vm.play_requested.connect(self._play_now)
        player.result_changed.connect(vm.shown)
        player.result_changed.connect(details.show_result)  # details follow the player
        compose = self.vms.compose
        details.remix_requested.connect(compose.start_remix)
        details.use_frame_requested.connect(self.use_current_frame)
        details.continue_requested.connect(
            lambda job, result: compose.continue_from_last_frame(job.id, result.index)
        )
        details.retry_requested.connect(self.vms.jobs.retry)
        details.reveal_requested.connect(self.vms.jobs.reveal)

    def _bind_library(self) -> None:
        tab, vm = self.library_tab, self.vms.library
        tab.result_activated.connect(self.show_result)
        tab.continue_requested.connect(self._continue_from_library)
        tab.notice.connect(lambda text: self.window.status.showMessage(text, NOTICE_MS))
        vm.compare_ready.connect(self._show_compare)
        self.compare.result_selected.connect(self.show_result)

    def _bind_storyboard(self) -> None:
        view, vm, strip = self.storyboard, self.storyboard_vm, self.storyboard.strip
        view.price_summary = vm.price_summary
        view.film_source = vm.film
        bind(vm, "board", view.set_board)
        bind(vm, "views", view.set_views)
        bind(vm, "busy", view.set_busy)
        bind(vm, "exporting", view.set_exporting)
        bind(vm, "export_progress", view.set_export_progress)
        bind(vm, "message", view.set_message)
        view.new_requested.connect(vm.new_board)
        view.open_requested.connect(vm.open)
        view.save_requested.connect(vm.save)
        view.name_changed.connect(vm.set_name)
        view.format_changed.connect(vm.set_format)
        view.generate_requested.connect(vm.generate)
        view.export_requested.connect(vm.export)
        view.cancel_export_requested.connect(vm.cancel_export)
        strip.add_requested.connect(vm.add_shot)
        strip.move_requested.connect(vm.move_shot)
        strip.result_dropped.connect(vm.add_from_result)
        strip.edited.connect(lambda index, changes: vm.edit_shot(index, **changes))
        strip.duplicate_requested.connect(vm.duplicate_shot)
        strip.remove_requested.connect(vm.remove_shot)
        strip.regenerate_requested.connect(vm.generate)
        strip.take_chosen.connect(vm.choose_take)
        vm.view_restored.connect(view.restore_view)
        view.view_changed.connect(vm.remember_view)

    # ------------------------------------------------------------------ showing
    def show_result(self, job_id: str, index: int = 0) -> None:
        """Open one result in the Studio tab: select its job and play that variation."""
        job = self.vms.jobs.job(job_id)
        if job is None:
            return
        panel = self.window.jobs_panel
        self.window.tabs.setCurrentIndex(0)
        if not panel.select_job(job_id):  # hidden by the filter: show everything again
            panel.search.clear()
            panel.set_state_filter("All")
            panel.select_job(job_id)
        self.vms.player.show(job, index)

    def focus_prompt(self) -> None:
        self.window.tabs.setCurrentIndex(0)
        self.compose.focus_prompt()

    def use_current_frame(self, job: Job, result: Result) -> None:
        """The frame on screen becomes the next job's first frame."""
        image = self.window.player.current_frame_image()
        if image is None:
            self.window.status.showMessage(
                "No frame is on screen yet: play or step the video first.", 8000
            )
            return
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]  # stubs say bytes; PySide wants str
        buffer.close()
        self.vms.compose.use_frame(bytes(data.data()), job, result)

    def _generate_from_toolbar(self) -> None:
        spec = self.compose.spec()
        if isinstance(spec, JobSpec):
            self.vms.compose.generate(spec)
        else:
            self.focus_prompt()

    def _play_job(self, job_id: str) -> None:
        job = self.vms.jobs.job(job_id)
        if job is not None:
            self.vms.player.play(job)

    def _play_now(self) -> None:
        media_safety.play(self.window.player.media)
        self.window.player.setFocus()

    def _remix_job_id(self, job_id: str) -> None:
        job = self.vms.jobs.job(job_id)
        if job is None:
            return
        shown = self.vms.player.result if self.vms.player.showing(job_id) else None
        result = (
            shown
            if shown and shown.video_id
            else next((r for r in job.results if r.video_id), None)
        )
        if result is not None:
            self.vms.compose.start_remix(job, result)

    def _continue_from_library(self, job_id: str, index: int) -> None:
        self.vms.compose.continue_from_last_frame(job_id, index)
        self.window.tabs.setCurrentIndex(0)

    def _show_compare(self, chosen: list[CompareChoice]) -> None:
        self.compare.set_items([CompareItem(*c) for c in chosen])
        self.window.tabs.setCurrentWidget(self.compare)
