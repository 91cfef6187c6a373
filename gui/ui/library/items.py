"""What the library grid shows: one item per result, and the query that filters and orders them.

Plain data, no Qt: a :class:`LibraryItem` is built from a :class:`Job` and one of its results;
:func:`apply_query` picks and orders items for a :class:`LibraryQuery` in one pass, which stays
fast at tens of thousands of results where a per-row proxy model would not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from gui.studio.jobs import Job, JobState, Result, ResultState

__all__ = ["LibraryItem", "LibraryQuery", "SortOrder", "Status", "apply_query", "items_of"]

ResultKey = tuple[str, int]


class Status(StrEnum):
    READY = "ready"
    IN_PROGRESS = "in_progress"
    FAILED = "failed"  # failed, cancelled or expired

    @property
    def label(self) -> str:
        return {"ready": "Ready", "in_progress": "In progress", "failed": "Failed"}[self.value]


class SortOrder(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    COST = "cost"  # most expensive first
    DURATION = "duration"  # longest first

    @property
    def label(self) -> str:
        return {
            "newest": "Newest first",
            "oldest": "Oldest first",
            "cost": "Highest cost",
            "duration": "Longest",
        }[self.value]


_FAILED_JOB = {JobState.FAILED, JobState.CANCELLED, JobState.EXPIRED}
_FAILED_RESULT = {ResultState.FAILED, ResultState.EXPIRED}


@dataclass(frozen=True)
class LibraryItem:
    """One result as the grid shows it."""

    job_id: str
    index: int
    prompt: str
    model: str
    job_state: JobState
    result_state: ResultState
    created_at: float
    duration: float
    cost: float | None = None
    favourite: bool = False
    video_path: str | None = None
    thumbnail_path: str | None = None
    error: str | None = None
    boards: tuple[str, ...] = ()  # "Rain · shot 2": the storyboard shots it is a take of

    @property
    def key(self) -> ResultKey:
        return (self.job_id, self.index)

    @property
    def status(self) -> Status:
        if self.result_state is ResultState.READY:
            return Status.READY
        if self.job_state in _FAILED_JOB or self.result_state in _FAILED_RESULT:
            return Status.FAILED
        return Status.IN_PROGRESS

    @property
    def state_word(self) -> str | None:
        """What a card without a picture says: "Generating…", "Failed", "Cancelled", "Expired"."""
        if self.status is Status.IN_PROGRESS:
            return "Generating…"
        if self.status is Status.FAILED:
            if self.job_state is JobState.CANCELLED:
                return "Cancelled"
            if self.job_state is JobState.EXPIRED or self.result_state is ResultState.EXPIRED:
                return "Expired"
            return "Failed"
        return None

    @property
    def playable(self) -> bool:
        return self.status is Status.READY and bool(self.video_path)

    @property
    def sidecar_path(self) -> str | None:
        """The library keeps a JSON sidecar beside each video, named like it."""
        return str(Path(self.video_path).with_suffix(".json")) if self.video_path else None

    @classmethod
    def of(cls, job: Job, result: Result, boards: tuple[str, ...] = ()) -> LibraryItem:
        cost = result.cost
        if cost is None and job.actual_cost is not None and len(job.results) == 1:
            cost = job.actual_cost
        return cls(
            job_id=job.id,
            index=result.index,
            prompt=job.spec.prompt,
            model=job.spec.model,
            job_state=job.state,
            result_state=result.state,
            created_at=job.created_at,
            duration=job.spec.duration,
            cost=cost,
            favourite=job.favourite,
            video_path=result.local_path,
            thumbnail_path=result.thumbnail_path,
            error=result.error or job.error_message,
            boards=boards,
        )


def items_of(job: Job, boards: tuple[str, ...] = ()) -> list[LibraryItem]:
    """The job's results as items; a job still waiting for its results shows placeholders."""
    results = list(job.results)
    if len(results) < job.spec.number_results:
        known = {r.index for r in results}
        results += [Result(index=i) for i in range(job.spec.number_results) if i not in known]
    return [LibraryItem.of(job, r, boards) for r in sorted(results, key=lambda r: r.index)]


@dataclass(frozen=True)
class LibraryQuery:
    """Which items to show and in what order. Empty filters let everything through."""

    matching_jobs: frozenset[str] | None = None  # the prompt search's hits; None = no search
    models: frozenset[str] = field(default_factory=frozenset)
    status: Status | None = None
    since: float | None = None  # created at or after (epoch seconds)
    until: float | None = None  # created before
    favourites_only: bool = False
    sort: SortOrder = SortOrder.NEWEST

    def accepts(self, item: LibraryItem) -> bool:
        return (
            (self.matching_jobs is None or item.job_id in self.matching_jobs)
            and (not self.models or item.model in self.models)
            and (self.status is None or item.status == self.status)
            and (self.since is None or item.created_at >= self.since)
            and (self.until is None or item.created_at < self.until)
            and (not self.favourites_only or item.favourite)
        )


def apply_query(items: Iterable[LibraryItem], query: LibraryQuery) -> list[LibraryItem]:
    chosen = [i for i in items if query.accepts(i)]
    # newest first, then result index, is the tie-breaker for every order
    chosen.sort(key=lambda i: (-i.created_at, i.job_id, i.index))
    if query.sort is SortOrder.OLDEST:
        chosen.sort(key=lambda i: (i.created_at, i.job_id, i.index))
    elif query.sort is SortOrder.COST:
        chosen.sort(key=lambda i: -(i.cost if i.cost is not None else -1.0))
    elif query.sort is SortOrder.DURATION:
        chosen.sort(key=lambda i: -i.duration)
    return chosen
