"""How a Job and its Results map onto journal rows, and back."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gui.studio.jobs import Job, JobSpec, JobState, Lineage, Result, ResultState

__all__ = ["JOB_COLUMNS", "RESULT_COLUMNS", "job_from_row", "job_row", "result_row"]

JOB_COLUMNS: tuple[str, ...] = (
    "id",
    "task_uuid",
    "model",
    "prompt",
    "spec_json",
    "state",
    "created_at",
    "updated_at",
    "submitted_at",
    "finished_at",
    "error_code",
    "error_message",
    "error_retryable",
    "possibly_billed",
    "estimated_cost",
    "actual_cost",
    "parent_job_id",
    "lineage_kind",
    "source_video_id",
    "source_image_hash",
    "favourite",
)

RESULT_COLUMNS: tuple[str, ...] = (
    "job_id",
    "idx",
    "state",
    "video_uuid",
    "video_url",
    "video_id",
    "seed",
    "cost",
    "local_path",
    "thumbnail_path",
    "error",
)


def job_row(job: Job) -> tuple[Any, ...]:
    lineage = job.lineage
    return (
        job.id,
        job.task_uuid,
        job.spec.model,
        job.spec.prompt,
        job.spec.model_dump_json(),
        job.state.value,
        job.created_at,
        job.updated_at,
        job.submitted_at,
        job.finished_at,
        job.error_code,
        job.error_message,
        int(job.error_retryable),
        int(job.possibly_billed),
        job.estimated_cost,
        job.actual_cost,
        lineage.parent_job_id,
        lineage.kind,
        lineage.source_video_id,
        lineage.source_image_hash,
        int(job.favourite),
    )


def result_row(job_id: str, result: Result) -> tuple[Any, ...]:
    return (
        job_id,
        result.index,
        result.state.value,
        result.video_uuid,
        result.video_url,
        result.video_id,
        result.seed,
        result.cost,
        result.local_path,
        result.thumbnail_path,
        result.error,
    )


def job_from_row(row: tuple[Any, ...], result_rows: Iterable[tuple[Any, ...]]) -> Job:
    (
        job_id,
        task_uuid,
        _model,
        _prompt,
        spec_json,
        state,
        created_at,
        updated_at,
        submitted_at,
        finished_at,
        error_code,
        error_message,
        error_retryable,
        possibly_billed,
        estimated_cost,
        actual_cost,
        parent_job_id,
        lineage_kind,
        source_video_id,
        source_image_hash,
        favourite,
    ) = row
    return Job(
        spec=JobSpec.model_validate_json(spec_json),
        id=job_id,
        task_uuid=task_uuid,
        state=JobState(state),
        created_at=created_at,
        updated_at=updated_at,
        submitted_at=submitted_at,
        finished_at=finished_at,
        error_code=error_code,
        error_message=error_message,
        error_retryable=bool(error_retryable),
        possibly_billed=bool(possibly_billed),
        estimated_cost=estimated_cost,
        actual_cost=actual_cost,
        lineage=Lineage(
            parent_job_id=parent_job_id,
            kind=lineage_kind,
            source_video_id=source_video_id,
            source_image_hash=source_image_hash,
        ),
        results=[_result_from_row(r) for r in result_rows],
        favourite=bool(favourite),
    )


def _result_from_row(row: tuple[Any, ...]) -> Result:
    (_job, idx, state, video_uuid, video_url, video_id, seed, cost, path, thumb, error) = row
    return Result(
        index=idx,
        state=ResultState(state),
        video_uuid=video_uuid,
        video_url=video_url,
        video_id=video_id,
        seed=seed,
        cost=cost,
        local_path=path,
        thumbnail_path=thumb,
        error=error,
    )
