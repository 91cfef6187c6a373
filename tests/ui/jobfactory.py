"""Building Job objects in given states for list-model tests, through the job's own transitions."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from gui.runware.catalog import default_catalog
from gui.studio.jobs import Job, JobSpec, JobState

if TYPE_CHECKING:
    from gui.ui.jobs.panel import JobsPanel

_counter = itertools.count()


def a_model_air(accepts_video_id: bool = True) -> str:
    """A catalogue model (no AIR is written in UI code or tests outside resources/)."""
    return next(m.air for m in default_catalog() if m.accepts_video_id == accepts_video_id)


def make_spec(prompt: str = "A lighthouse at dusk, waves rolling in", **kw: object) -> JobSpec:
    model = default_catalog().get(str(kw.pop("model", ""))) or default_catalog()[a_model_air()]
    size = model.default_size
    values: dict[str, object] = {
        "model": model.air,
        "prompt": prompt,
        "width": size.width,
        "height": size.height,
        "duration": model.durations[0],
    }
    values.update(kw)
    return JobSpec.model_validate(values)


def make_job(state: JobState = JobState.QUEUED, prompt: str | None = None, **kw: object) -> Job:
    n = next(_counter)
    job = Job(spec=make_spec(prompt or f"Prompt number {n}: a fox in the snow", **kw))
    job.created_at = 1_700_000_000 + n
    advance(job, state)
    return job


def advance(job: Job, state: JobState, *, video_id: str = "video_abc") -> Job:
    """Move ``job`` to ``state`` along a legal path."""
    if state is JobState.QUEUED:
        return job
    if state is JobState.CANCELLED:
        job.mark_submitted()
        job.cancel()
        return job
    if state is JobState.FAILED:
        job.mark_submitted()
        job.fail("timeoutProvider", "The external provider did not respond in time.")
        return job
    if state is JobState.EXPIRED:
        job.mark_submitted()
        job.expire("The result URL expired before it was downloaded.")
        return job
    if state is JobState.UPLOADING:
        job.mark_uploading()
        return job
    job.mark_submitted()
    if state is JobState.SUBMITTED:
        return job
    job.mark_processing()
    if state is JobState.PROCESSING:
        return job
    job.ensure_results()
    for r in job.results:
        r.mark_available(
            video_uuid=f"vu-{job.id[:6]}-{r.index}",
            video_url="http://127.0.0.1/x.mp4",
            video_id=f"{video_id}_{r.index}",
            seed=42,
            cost=0.4,
        )
    job.mark_downloading()
    if state is JobState.DOWNLOADING:
        return job
    for r in job.results:
        r.mark_downloading()
        r.mark_ready(f"/tmp/{r.video_uuid}.mp4")
    job.mark_ready()
    return job


def make_jobs_panel(qtbot, jobs: list[Job]) -> JobsPanel:  # type: ignore[no-untyped-def]
    """A jobs panel listing ``jobs``, shown at the size the window gives it."""
    from gui.ui.jobs.model import JobListModel
    from gui.ui.jobs.panel import JobsPanel

    model = JobListModel(default_catalog())
    model.set_jobs(jobs)
    panel = JobsPanel(model, default_catalog())
    qtbot.addWidget(panel)
    panel.resize(420, 700)
    panel.show()
    return panel
