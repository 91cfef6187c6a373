"""What to do, at start, with every job a previous run left unfinished.

Nothing here sends anything: the plan says which jobs never left the machine (send them),
which were sent without an answer (ask Runware first), which to poll, and which downloads to
resume. A taskUUID is only ever sent again after Runware has said it never received it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from gui.studio.jobs import Job, JobState, Result, ResultState
from gui.studio.journal import Submission

__all__ = ["RecoveryPlan", "plan_recovery"]


@dataclass
class RecoveryPlan:
    resend: list[Job] = field(default_factory=list)  # the request never left: carry on
    unconfirmed: list[Job] = field(default_factory=list)  # sent, no answer: poll before anything
    poll: list[Job] = field(default_factory=list)  # acknowledged: poll as usual
    downloads: list[tuple[Job, Result]] = field(default_factory=list)  # resume these
    keep_parts: set[str] = field(default_factory=set)  # videoUUIDs whose .part may resume


def plan_recovery(jobs: Iterable[Job], submissions: Iterable[Submission]) -> RecoveryPlan:
    attempted = {s.task_uuid for s in submissions}
    plan = RecoveryPlan()
    for job in jobs:
        if job.state.is_final:
            continue
        if job.state in (JobState.QUEUED, JobState.UPLOADING):
            (plan.unconfirmed if job.task_uuid in attempted else plan.resend).append(job)
            continue
        if any(r.state is ResultState.PENDING for r in job.results) or not job.results:
            plan.poll.append(job)
        for result in job.results:
            if result.state in (ResultState.AVAILABLE, ResultState.DOWNLOADING):
                plan.downloads.append((job, result))
                if result.video_uuid:
                    plan.keep_parts.add(result.video_uuid)
    return plan
