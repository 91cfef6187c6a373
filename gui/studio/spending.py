"""Money: the daily budget's verdict, spend totals, and the words the window shows for them.

Amounts are compared as decimals rounded to a millionth, so "80 % of $10.00" means exactly $8.00
and not whatever binary floating point makes of a sum of costs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from gui.studio.jobs import Job, JobState

__all__ = [
    "REFUSE_AT",
    "WARN_AT",
    "BudgetLevel",
    "BudgetState",
    "JobSpend",
    "SpendTotals",
    "balance_text",
    "budget_state",
    "format_money",
    "job_cost",
    "job_spend_rows",
    "spend_totals",
]

WARN_AT = Decimal("0.80")
REFUSE_AT = Decimal("1.00")
_CENT = Decimal("0.01")
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}

Amount = float | Decimal | int


def _dec(value: Amount) -> Decimal:
    # costs arrive as floats; six places keep fractions of a cent and drop binary noise
    return value if isinstance(value, Decimal) else Decimal(str(round(value, 6))).normalize()


def format_money(amount: Amount, currency: str = "USD") -> str:
    """``$1.20``; currencies without a symbol read ``1.20 CHF``."""
    value = _dec(amount).quantize(_CENT, rounding=ROUND_HALF_UP)
    sign, value = ("−", -value) if value < 0 else ("", value)
    symbol = _SYMBOLS.get(currency.upper())
    return f"{sign}{symbol}{value:,}" if symbol else f"{sign}{value:,} {currency.upper()}"


class BudgetLevel(StrEnum):
    NONE = "none"  # no daily budget is set
    OK = "ok"
    WARN = "warn"  # at or above 80 % of the budget
    REFUSE = "refuse"  # the budget is used up, or the next job would overshoot it


@dataclass(frozen=True)
class BudgetState:
    """Where today's spend stands against the daily budget, with the sentence to show."""

    level: BudgetLevel
    spent: Decimal
    budget: Decimal | None
    message: str
    currency: str = "USD"
    next_cost: Decimal = Decimal(0)

    @property
    def may_submit(self) -> bool:
        return self.level is not BudgetLevel.REFUSE

    @property
    def fraction(self) -> float | None:
        """Spent over budget (1.0 = all of it); None without a budget."""
        if self.budget is None:
            return None
        if self.budget <= 0:
            return 1.0
        return float(self.spent / self.budget)

    @property
    def remaining(self) -> Decimal | None:
        return None if self.budget is None else max(self.budget - self.spent, Decimal(0))


def budget_state(
    spent_today: Amount,
    daily_budget: Amount | None,
    *,
    next_cost: Amount = 0,
    currency: str = "USD",
) -> BudgetState:
    """The verdict on today's spend: ok below 80 %, a warning from 80 %, refusal from 100 %.

    With ``next_cost`` (the estimate of the job about to be sent) the warning also comes when that
    job would bring the spend to 80 %, and refusal when it would take it past the budget.
    """
    spent, nxt = _dec(spent_today), _dec(next_cost)

    def money(value: Decimal) -> str:
        return format_money(value, currency)

    if daily_budget is None:
        return BudgetState(
            BudgetLevel.NONE,
            spent,
            None,
            f"Today {money(spent)}. No daily budget is set.",
            currency,
            nxt,
        )
    budget = _dec(daily_budget)
    projected = spent + nxt
    left = max(budget - spent, Decimal(0))
    if spent >= budget * REFUSE_AT:
        level = BudgetLevel.REFUSE
        message = (
            f"Today's budget of {money(budget)} is used up ({money(spent)} spent). "
            "Nothing more will be sent today unless you raise the daily budget in Settings."
        )
    elif nxt > 0 and projected > budget * REFUSE_AT:
        level = BudgetLevel.REFUSE
        message = (
            f"This job (about {money(nxt)}) would take today's spend to {money(projected)}, "
            f"over the daily budget of {money(budget)}. {money(left)} is left today."
        )
    elif projected >= budget * WARN_AT:
        level = BudgetLevel.WARN
        percent = (spent / budget * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        message = (
            f"{percent} % of today's budget is spent ({money(spent)} of {money(budget)}); "
            f"{money(left)} is left."
        )
    else:
        level = BudgetLevel.OK
        message = f"Today {money(spent)} of {money(budget)}."
    return BudgetState(level, spent, budget, message, currency, nxt)


def balance_text(amount: Amount | None, currency: str = "USD") -> str:
    """The status bar's balance: ``Balance $12.34``, or a plain word when it is not known."""
    if amount is None:
        return "Balance: unknown"
    return f"Balance: {format_money(amount, currency)}"


def job_cost(job: Job) -> float | None:
    """What a job cost or will cost: the actual cost once known, else the estimate when Runware
    may bill it, else nothing (never sent, or refused before it was billed)."""
    if job.actual_cost is not None:
        return job.actual_cost
    costs = [r.cost for r in job.results if r.cost is not None]
    if costs:
        return round(sum(costs), 6)
    if job.possibly_billed and job.state is not JobState.FAILED:
        return job.estimated_cost
    return None


@dataclass(frozen=True)
class SpendTotals:
    today: Decimal
    last_7_days: Decimal
    all_time: Decimal
    currency: str = "USD"


def spend_totals(
    jobs: Iterable[Job], *, now: dt.datetime | None = None, currency: str = "USD"
) -> SpendTotals:
    """Totals from the jobs themselves (the journal keeps its own; this is for a plain list).

    "Today" is the local calendar day; "7 days" is today and the six days before it.
    """
    now = now or dt.datetime.now().astimezone()
    start_today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    start_week = start_today - dt.timedelta(days=6)
    today = week = total = Decimal(0)
    for job in jobs:
        cost = job_cost(job)
        if cost is None:
            continue
        amount = _dec(cost)
        when = dt.datetime.fromtimestamp(job.created_at, tz=now.tzinfo)
        total += amount
        if when >= start_week:
            week += amount
        if when >= start_today:
            today += amount
    return SpendTotals(today, week, total, currency)


@dataclass(frozen=True)
class JobSpend:
    """One row of the spending table: what was expected and what was charged."""

    job_id: str
    prompt: str
    model: str
    created_at: float
    state: JobState
    estimate: Decimal | None
    actual: Decimal | None

    @property
    def difference(self) -> Decimal | None:
        if self.estimate is None or self.actual is None:
            return None
        return self.actual - self.estimate


def job_spend_rows(jobs: Iterable[Job]) -> list[JobSpend]:
    """Rows for every job that was sent, newest first."""
    rows = []
    for job in jobs:
        if job.estimated_cost is None and job.actual_cost is None and not job.possibly_billed:
            continue
        actual = job.actual_cost
        if actual is None:
            costs = [r.cost for r in job.results if r.cost is not None]
            actual = round(sum(costs), 6) if costs else None
        rows.append(
            JobSpend(
                job_id=job.id,
                prompt=job.spec.prompt,
                model=job.spec.model,
                created_at=job.created_at,
                state=job.state,
                estimate=None if job.estimated_cost is None else _dec(job.estimated_cost),
                actual=None if actual is None else _dec(actual),
            )
        )
    rows.sort(key=lambda r: r.created_at, reverse=True)
    return rows
