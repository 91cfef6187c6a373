"""Telling the user a job finished while they were looking elsewhere.

A system-tray message where the desktop has a tray; otherwise a status-bar message. Nothing is
shown while the window is active: the jobs panel already says it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QMainWindow, QSystemTrayIcon

from gui.studio.jobs import Job, JobState, prompt_excerpt
from gui.ui.labels import error_text

__all__ = ["Notifier"]


class Notifier(QObject):
    """Announces finished jobs when the window is not active."""

    def __init__(self, window: QMainWindow, icon: QIcon) -> None:
        super().__init__(window)
        self._window = window
        self.enabled = True
        self.sent: list[tuple[str, str]] = []  # (title, body), newest last; for the UI and tests
        self._tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self._tray = QSystemTrayIcon(icon, self)
            self._tray.setToolTip("Sora Studio")
            self._tray.messageClicked.connect(self._raise_window)

    @property
    def uses_tray(self) -> bool:
        return self._tray is not None

    def job_finished(self, job: Job) -> None:
        if not self.enabled or self._window.isActiveWindow():
            return
        excerpt = prompt_excerpt(job.spec.prompt, 70)
        if job.state is JobState.READY:
            count = len(job.ready_results)
            title = "Video ready" if count == 1 else f"{count} videos ready"
            body = excerpt
        elif job.state is JobState.FAILED:
            title, body = "Job failed", f"{excerpt}\n{error_text(job)}"
        elif job.state is JobState.EXPIRED:
            title, body = "Result expired", excerpt
        else:
            return
        self.sent.append((title, body))
        if self._tray is not None:
            self._tray.show()
            self._tray.showMessage(title, body, QSystemTrayIcon.MessageIcon.Information, 6000)
        else:
            self._window.statusBar().showMessage(f"{title}: {excerpt}", 10_000)

    def _raise_window(self) -> None:
        self._window.showNormal()
        self._window.raise_()
        self._window.activateWindow()
