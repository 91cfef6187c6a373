"""The bridge delivers a burst of engine events a slice per turn of the Qt loop, in order, and a
job's change still waiting is not queued twice (structure only: counts and order, no durations)."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer

from gui.studio.jobs import Job, JobState
from gui.studio.pacing import SLICE_SECONDS, TurnBudget
from gui.ui.bridge import EngineBridge
from tests.ui.jobfactory import make_job


def _burn(seconds: float) -> None:
    """Use this much of the GUI thread's CPU (what the bridge counts), whatever the load."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_a_burst_is_delivered_in_order_over_several_turns(qtbot) -> None:  # type: ignore[no-untyped-def]
    bridge = EngineBridge()
    jobs = [make_job(JobState.SUBMITTED, prompt=f"burst {n}") for n in range(20)]
    seen: list[str] = []

    def slow_listener(job: Job) -> None:
        seen.append(job.id)
        _burn(SLICE_SECONDS * 0.4)  # three fit in a slice (0.4 × 3 > 1 ends it), never four

    bridge.job_added.connect(slow_listener)
    for job in jobs:
        bridge.events.job_added(job)
    at_once = len(seen)
    assert 1 <= at_once <= 3  # the rest wait for the next turns: the window paints meanwhile
    assert bridge.paced.deferred == 20 - at_once
    qtbot.waitUntil(lambda: len(seen) == 20, timeout=10_000)
    assert seen == [j.id for j in jobs]


def test_a_waiting_change_of_a_job_is_delivered_once(qtbot) -> None:  # type: ignore[no-untyped-def]
    bridge = EngineBridge()
    busy = make_job(JobState.SUBMITTED, prompt="busy")
    job = make_job(JobState.SUBMITTED, prompt="changing")
    changes: list[str] = []
    notices: list[str] = []
    bridge.job_added.connect(lambda _job: _burn(SLICE_SECONDS * 1.2))
    bridge.job_changed.connect(lambda j: changes.append(j.id))
    bridge.notice.connect(notices.append)
    bridge.events.job_added(busy)  # spends this turn's slice: what follows waits
    for _ in range(5):
        bridge.events.job_changed(job)
    bridge.events.notice("after")
    assert changes == [] and notices == []
    qtbot.waitUntil(lambda: notices == ["after"], timeout=10_000)
    assert changes == [job.id]


def test_a_waiting_spend_takes_the_newest_figures_in_its_place(qtbot) -> None:  # type: ignore[no-untyped-def]
    """A burst of submits announces today's spend after each journal flush: while one waits,
    a newer one replaces its figures (one restyle of the spend labels, not a hundred), and it
    keeps its place in the order."""
    bridge = EngineBridge()
    busy = make_job(JobState.SUBMITTED, prompt="busy")
    seen: list[object] = []
    bridge.job_added.connect(lambda _job: _burn(SLICE_SECONDS * 1.2))
    bridge.spend_changed.connect(lambda today, budget: seen.append((today, budget)))
    bridge.balance_changed.connect(lambda amount, currency: seen.append((amount, currency)))
    bridge.notice.connect(seen.append)
    bridge.events.job_added(busy)  # spends this turn's slice: what follows waits
    bridge.events.spend_changed(0.5, 10.0)
    bridge.events.notice("between")
    for n in range(1, 50):
        bridge.events.spend_changed(0.5 + n, 10.0)
    bridge.events.balance_changed(7.0, "USD")
    bridge.events.balance_changed(6.0, "USD")
    bridge.events.notice("after")
    assert seen == []
    qtbot.waitUntil(lambda: "after" in seen, timeout=10_000)
    assert seen == [(49.5, 10.0), "between", (6.0, "USD"), "after"]
    bridge.events.spend_changed(50.5, None)  # nothing waits now: a new entry again
    qtbot.waitUntil(lambda: seen[-1] == (50.5, None), timeout=10_000)
    assert len(seen) == 5


def test_a_turn_the_engine_spent_leaves_the_bridge_waiting(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The bridge and the engine's pacer share the GUI thread's budget (the app hands the
    bridge's to the engine): their slices never add up in one turn."""
    budget = TurnBudget()
    bridge = EngineBridge(budget=budget)
    notices: list[str] = []
    bridge.notice.connect(notices.append)
    budget.run(lambda: _burn(budget.seconds * 1.1), lambda end: QTimer.singleShot(0, end))
    bridge.events.notice("after the engine's slice")
    assert notices == [] and bridge.paced.deferred == 1
    qtbot.waitUntil(lambda: notices == ["after the engine's slice"], timeout=10_000)


def test_nothing_is_delivered_while_the_budget_is_held(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The jobs list holds the GUI thread's budget for a block of new rows: the window is told
    of nothing meanwhile, and of everything, in order, a breath after the release."""
    from gui.studio.pacing import BREATH_SECONDS
    from tests.ui.settle import settle

    bridge = EngineBridge()
    seen: list[tuple[str, float]] = []
    bridge.notice.connect(lambda text: seen.append((text, time.perf_counter())))
    bridge.budget.hold()
    for n in range(3):
        bridge.events.notice(f"notice {n}")
    settle(lambda: len(seen), quiet_passes=20)
    assert seen == []
    released = time.perf_counter()
    bridge.budget.release()
    qtbot.waitUntil(lambda: len(seen) == 3, timeout=10_000)
    assert [text for text, _ in seen] == ["notice 0", "notice 1", "notice 2"]
    assert seen[0][1] - released >= BREATH_SECONDS
