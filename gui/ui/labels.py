"""Words and numbers as the window shows them: states, money, durations, elapsed time."""

from __future__ import annotations

from decimal import Decimal

from gui.runware.catalog import Catalog
from gui.studio.jobs import Job, JobState
from gui.studio.spending import format_money

__all__ = [
    "REMIX_TEXT",
    "REMIX_TIP",
    "RUNNING_STATES",
    "clock",
    "cost_text",
    "error_text",
    "money",
    "seconds_text",
    "state_label",
]

# The remix action (jobs list and details), saying precisely what it does: the catalogue's
# remix by videoId (Sora 2). No model is sent a video to extend (Veo's inputs.video is not
# offered), so the words promise none.
REMIX_TEXT = "Remix with a new prompt…"
REMIX_TIP = (
    "Start a new job from this video by its videoId, with a prompt you edit: a remix keeps "
    "the video's size and first frame. (Extending a video is not offered.)"
)

RUNNING_STATES = frozenset(
    {
        JobState.QUEUED,
        JobState.UPLOADING,
        JobState.SUBMITTED,
        JobState.PROCESSING,
        JobState.DOWNLOADING,
    }
)

_STATE_WORDS = {
    JobState.QUEUED: "Queued",
    JobState.UPLOADING: "Uploading",
    JobState.SUBMITTED: "Submitted",
    JobState.PROCESSING: "Generating",
    JobState.DOWNLOADING: "Downloading",
    JobState.READY: "Ready",
    JobState.FAILED: "Failed",
    JobState.CANCELLED: "Cancelled",
    JobState.EXPIRED: "Expired",
}


def money(amount: float | Decimal | None, currency: str = "USD") -> str:
    return "—" if amount is None else format_money(amount, currency)


def clock(seconds: float) -> str:
    """0:07, 1:05, 1:02:03."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def seconds_text(value: float) -> str:
    return f"{int(value)} s" if float(value).is_integer() else f"{value:g} s"


def state_label(job: Job, now: float) -> str:
    """The state chip's text; running jobs carry their elapsed time."""
    word = _STATE_WORDS.get(job.state, str(job.state).title())
    if job.state in RUNNING_STATES:
        return f"{word} {clock(now - job.created_at)}"
    return word


def cost_text(job: Job, catalog: Catalog) -> str:
    """Actual cost once known, "~estimate" before, "price unknown" when there is none, and a
    dash for a job that ended without being charged."""
    if job.actual_cost is not None:
        return money(job.actual_cost)
    actual = [r.cost for r in job.results if r.cost is not None]
    if actual and job.state.is_final:  # what the journal counts (gui.studio.spending.job_cost)
        return money(sum(actual))
    if job.state is JobState.FAILED or (job.state.is_final and not job.possibly_billed):
        return "—"  # not counted as spent (see gui.studio.spending.job_cost)
    estimate: float | Decimal | None = job.estimated_cost
    if estimate is None:
        estimate = job.spec.estimate(catalog)
    if estimate is None:
        return "price unknown"
    return f"~{money(estimate)}"


def error_text(job: Job) -> str:
    """What went wrong, in Runware's words (code and message), or the cancel note."""
    if job.state is JobState.FAILED:
        code = job.error_code or "error"
        return f"{code}: {job.error_message or 'no message'}"
    if job.state is JobState.CANCELLED:  # Job.cancel() words it, billing risk included
        return job.error_message or "Cancelled."
    if job.state is JobState.EXPIRED:
        return job.error_message or "The result URL expired before it was downloaded."
    return ""
