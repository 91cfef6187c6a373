"""What the engine announces. Plain callbacks: the UI adapts them into Qt signals in one bridge.

Subclass :class:`EngineEvents` and override what you need; every method is a no-op by default.
Callbacks run on the event loop's thread and must return quickly.
"""

from __future__ import annotations

from gui.studio.jobs import Job, Result

__all__ = ["EngineEvents"]


class EngineEvents:
    def job_added(self, job: Job) -> None:
        """A new job exists (already committed to the journal)."""

    def job_changed(self, job: Job) -> None:
        """A job's state, results, costs or error changed (already committed)."""

    def job_removed(self, job_id: str) -> None:
        """A job was deleted from the library."""

    def result_ready(self, job: Job, result: Result) -> None:
        """One video is whole in the library and can be played."""

    def download_progress(self, job: Job, result: Result, done: int, total: int | None) -> None:
        """Bytes of a result's download so far."""

    def connection_changed(self, ok: bool, message: str, retry_in: float | None) -> None:
        """The link to Runware broke or came back; ``retry_in`` seconds until the next try."""

    def balance_changed(self, amount: float, currency: str) -> None:
        """The account balance as Runware last reported it."""

    def spend_changed(self, today: float, budget: float | None) -> None:
        """Today's spend (actual where known, estimates otherwise) and the daily budget."""

    def notice(self, message: str) -> None:
        """Something the user should read that belongs to no single job."""
