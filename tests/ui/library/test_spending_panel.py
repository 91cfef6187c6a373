"""The spending panel: the budget bar's verdict, totals, estimate against actual."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from gui.studio.jobs import JobState
from gui.studio.spending import BudgetLevel, SpendTotals
from gui.ui.spending.spending_panel import SpendingPanel


@pytest.fixture
def panel(qtbot):
    widget = SpendingPanel()
    qtbot.addWidget(widget)
    widget.resize(820, 420)
    widget.show()
    return widget


@pytest.mark.parametrize(
    ("spent", "level", "bar"),
    [(7.9, BudgetLevel.OK, 790), (8.0, BudgetLevel.WARN, 800), (10.0, BudgetLevel.REFUSE, 1000)],
)
def test_the_bar_warns_at_80_and_refuses_at_100_percent(panel, spent, level, bar):
    state = panel.set_budget(spent, 10.0)
    assert state.level is level and panel.budget_level is level
    assert panel.bar.value() == bar and panel.bar.property("level") == level.value
    assert panel.budget_label.text() == state.message
    assert f"${spent:.2f} of $10.00 today" in panel.bar.format()


def test_over_budget_fills_the_bar_and_no_budget_hides_it(panel):
    panel.set_budget(25.0, 10.0)
    assert panel.bar.value() == 1000 and "250 %" in panel.bar.format()
    panel.set_budget(3.0, None)
    assert panel.bar.isHidden() and panel.budget_level is BudgetLevel.NONE
    assert "No daily budget" in panel.budget_label.text()


def test_totals_from_the_journal_and_from_jobs(panel, journal, make_job):
    now = time.time()
    jobs = [
        make_job(cost=1.25, created_at=now - 60),
        make_job(cost=2.5, created_at=now - 3 * 86400),
    ]
    journal.insert_jobs(jobs)
    panel.set_totals(journal.spend())
    assert (panel.today_label.text(), panel.week_label.text(), panel.all_label.text()) == (
        "$1.25",
        "$3.75",
        "$3.75",
    )
    panel.set_totals(SpendTotals(Decimal("0.5"), Decimal("7"), Decimal("1234.567")))
    assert panel.all_label.text() == "$1,234.57"


def test_each_job_shows_estimate_against_actual(panel, make_job, qtbot):
    over = make_job("over the estimate", cost=1.5, estimate=1.2, created_at=200)
    exact = make_job("on the estimate", cost=0.8, estimate=0.8, created_at=100)
    waiting = make_job("still running", state=JobState.PROCESSING, estimate=2.4, created_at=300)
    panel.set_jobs([over, exact, waiting])
    model = panel.jobs_model
    text = [[model.index(r, c).data() for c in (0, 2, 3, 4)] for r in range(model.rowCount())]
    assert text == [
        ["still running", "$2.40", "—", "—"],
        ["over the estimate", "$1.20", "$1.50", "+$0.30"],
        ["on the estimate", "$0.80", "$0.80", "$0.00"],
    ]
    assert model.index(1, 4).data(Qt.ItemDataRole.ForegroundRole).name() == "#c8443a"
    with qtbot.waitSignal(panel.job_selected) as got:
        panel.table.doubleClicked.emit(model.index(1, 0))
    assert got.args == [over.id]


def test_balance_text_and_a_look(panel, make_job):
    panel.set_balance(12.345)
    assert panel.balance_label.text() == "Balance: $12.35"
    panel.set_budget(8.4, 10.0)
    panel.set_totals(SpendTotals(Decimal("8.4"), Decimal("21.9"), Decimal("148.25")))
    panel.set_jobs(
        [
            make_job("a red kite over golden dunes at sunset", cost=2.4, estimate=2.4),
            make_job("harbour at dawn, fishing boats drift", cost=6.0, estimate=5.5),
            make_job("forest path in fog", state=JobState.PROCESSING, estimate=1.2),
        ]
    )
    assert panel.grab().save("/tmp/sora-studio-spending.png")
