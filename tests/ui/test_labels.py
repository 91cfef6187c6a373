"""Words and numbers the window shows for jobs: costs, errors, states, times."""

from __future__ import annotations

from gui.runware.catalog import default_catalog
from gui.studio.jobs import JobState
from gui.ui.labels import clock, cost_text, error_text, seconds_text, state_label
from tests.ui.jobfactory import make_job


def test_cost_is_an_estimate_until_known_and_a_dash_when_nothing_was_charged() -> None:
    catalog = default_catalog()
    queued = make_job(JobState.QUEUED)
    assert cost_text(queued, catalog).startswith("~$")
    assert cost_text(make_job(JobState.READY), catalog) == "$0.40"
    assert cost_text(make_job(JobState.FAILED), catalog) == "—"
    cancelled = make_job(JobState.CANCELLED)  # sent, then abandoned: may still be billed
    assert cost_text(cancelled, catalog).startswith("~$")
    unsent = make_job(JobState.QUEUED)
    unsent.cancel()
    assert cost_text(unsent, catalog) == "—"


def test_errors_say_runwares_code_and_the_billing_risk() -> None:
    assert error_text(make_job(JobState.FAILED)).startswith("timeoutProvider: ")
    assert "may still be billed" in error_text(make_job(JobState.CANCELLED))
    unsent = make_job(JobState.QUEUED)
    unsent.cancel()
    assert "nothing was billed" in error_text(unsent)
    assert error_text(make_job(JobState.READY)) == ""


def test_times() -> None:
    assert clock(7) == "0:07" and clock(65) == "1:05" and clock(3723) == "1:02:03"
    assert seconds_text(4.0) == "4 s" and seconds_text(2.5) == "2.5 s"
    job = make_job(JobState.PROCESSING)
    assert state_label(job, job.created_at + 42) == "Generating 0:42"
    assert state_label(make_job(JobState.READY), 0) == "Ready"
