"""Daily budget verdicts at the right spend, totals and the words shown."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gui.studio.jobs import JobState
from gui.studio.spending import (
    BudgetLevel,
    balance_text,
    budget_state,
    format_money,
    job_spend_rows,
    spend_totals,
)


@pytest.mark.parametrize(
    ("spent", "level", "may_submit"),
    [
        (0, BudgetLevel.OK, True),
        (7.9, BudgetLevel.OK, True),  # 79 %
        (7.99, BudgetLevel.OK, True),
        (8.0, BudgetLevel.WARN, True),  # 80 %
        (9.99, BudgetLevel.WARN, True),
        (10.0, BudgetLevel.REFUSE, False),  # 100 %
        (12.5, BudgetLevel.REFUSE, False),
    ],
)
def test_budget_levels_at_79_80_and_100_percent(spent, level, may_submit):
    state = budget_state(spent, 10.0)
    assert state.level is level
    assert state.may_submit is may_submit


def test_float_sums_do_not_slip_under_the_threshold():
    spent = 0.1 + 0.7  # 0.7999999999999999 in binary floating point
    assert budget_state(spent, 1.0).level is BudgetLevel.WARN  # $0.80 is 80 % of $1.00


def test_messages_say_what_happened_and_what_to_do():
    warn = budget_state(8.0, 10.0)
    assert "80 %" in warn.message and "$2.00" in warn.message
    refuse = budget_state(10.0, 10.0)
    assert "used up" in refuse.message and "Settings" in refuse.message
    assert budget_state(3.2, 10).message == "Today $3.20 of $10.00."


def test_the_next_job_counts_towards_the_verdict():
    assert budget_state(6.0, 10.0, next_cost=2.0).level is BudgetLevel.WARN
    over = budget_state(6.0, 10.0, next_cost=4.8)
    assert over.level is BudgetLevel.REFUSE
    assert "$10.80" in over.message and "$4.00" in over.message
    assert budget_state(6.0, 10.0, next_cost=4.0).level is BudgetLevel.WARN  # lands exactly on it


def test_no_budget_never_refuses():
    state = budget_state(1e6, None)
    assert state.level is BudgetLevel.NONE and state.may_submit and state.fraction is None


def test_money_and_balance_words():
    assert format_money(1234.5) == "$1,234.50"
    assert format_money(2, "CHF") == "2.00 CHF"
    assert format_money(-0.5) == "−$0.50"
    assert balance_text(12.345) == "Balance: $12.35"
    assert balance_text(None) == "Balance: unknown"


def test_totals_today_week_and_all_time(make_job):
    now = dt.datetime(2026, 3, 10, 15, 0).astimezone()
    at = lambda days, hour=12: (now - dt.timedelta(days=days)).replace(hour=hour).timestamp()  # noqa: E731
    jobs = [
        make_job(created_at=at(0, 1), cost=1.0),
        make_job(created_at=at(1), cost=2.0),
        make_job(created_at=at(6), cost=4.0),
        make_job(created_at=at(7), cost=8.0),
        make_job(created_at=at(0), state=JobState.PROCESSING, cost=None, estimate=0.5),
        make_job(created_at=at(0), state=JobState.FAILED, cost=None, estimate=16.0),
    ]
    totals = spend_totals(jobs, now=now)
    assert totals.today == Decimal("1.5")
    assert totals.last_7_days == Decimal("7.5")
    assert totals.all_time == Decimal("15.5")


def test_rows_show_estimate_against_actual(make_job):
    job = make_job("waves", cost=1.5, estimate=1.2)
    (row,) = job_spend_rows([job])
    assert row.estimate == Decimal("1.2") and row.actual == Decimal("1.5")
    assert row.difference == Decimal("0.3")
