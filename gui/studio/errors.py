"""Errors the studio raises to its callers (the window and the CLI), each with a message to show."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gui.runware.catalog import Problem

if TYPE_CHECKING:
    from gui.studio.spending import BudgetState

__all__ = [
    "BudgetExceeded",
    "JobNotFound",
    "NothingToRemix",
    "SpecRejected",
    "StudioError",
    "UnsafeMediaName",
]


class StudioError(Exception):
    """Base of the studio's own errors; ``str(error)`` is meant for the user."""


class SpecRejected(StudioError):
    """The catalogue found problems with a job; nothing was sent."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(" ".join(p.message for p in self.problems) or "The request is invalid.")


class BudgetExceeded(StudioError):
    """The job would take today's spend over the daily budget; nothing was sent.

    ``state`` is the :class:`~gui.studio.spending.BudgetState` verdict with its numbers."""

    def __init__(self, state: BudgetState) -> None:
        self.state = state
        super().__init__(state.message)


class JobNotFound(StudioError, KeyError):
    """No job has this id."""

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        StudioError.__init__(self, f"There is no job {job_id!r}.")

    def __str__(self) -> str:
        return str(self.args[0])


class NothingToRemix(StudioError):
    """The chosen result has no video to build on (not finished, or no videoId)."""


class UnsafeMediaName(StudioError, ValueError):
    """The server named a file in a way that could escape the library; nothing was written."""
