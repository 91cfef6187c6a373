"""The pacer spreads a burst of synchronous pieces over turns of the loop (structure only: which
pieces ran in which turn, counted by a ticker on the loop; never a duration)."""

from __future__ import annotations

import asyncio
import functools
import time

import pytest

from gui.studio.pacing import BREATH_SECONDS, Pacer, TurnBudget

SLICE = 0.004


def _burn(seconds: float) -> None:
    """Use this much of the thread's CPU (what the pacer counts), whatever the machine's load."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


class _Turns:
    """Counts turns of the loop: a callback that reschedules itself once per turn."""

    def __init__(self) -> None:
        self.n = 0
        self._on = True
        asyncio.get_running_loop().call_soon(self._tick)

    def _tick(self) -> None:
        if self._on:
            self.n += 1
            asyncio.get_running_loop().call_soon(self._tick)

    def stop(self) -> None:
        self._on = False


@pytest.mark.asyncio
async def test_a_piece_without_a_backlog_runs_at_once() -> None:
    pacer = Pacer(TurnBudget(SLICE))
    ran: list[int] = []

    def piece() -> int:
        ran.append(1)
        return 7

    future = pacer.run(piece)
    assert future.done() and future.result() == 7 and ran == [1]
    assert pacer.deferred == 0


@pytest.mark.asyncio
async def test_a_burst_runs_in_order_a_slice_per_turn() -> None:
    pacer = Pacer(TurnBudget(SLICE))
    turns = _Turns()
    ran: list[tuple[int, int]] = []  # (piece, turn it ran in)

    def piece(n: int) -> int:
        ran.append((n, turns.n))
        _burn(SLICE * 0.6)  # two fit in a slice (0.6 + 0.6 ≥ 1 ends it), never three
        return n

    futures = [pacer.run(functools.partial(piece, n)) for n in range(20)]
    results = await asyncio.gather(*futures)
    turns.stop()
    assert results == list(range(20))
    assert [n for n, _ in ran] == list(range(20))  # first come, first served
    per_turn: dict[int, int] = {}
    for _, turn in ran:
        per_turn[turn] = per_turn.get(turn, 0) + 1
    assert max(per_turn.values()) <= 2 and len(per_turn) >= 10
    assert pacer.deferred >= 18


@pytest.mark.asyncio
async def test_a_failing_piece_fails_its_own_future_only() -> None:
    pacer = Pacer(TurnBudget(SLICE))

    def bad() -> int:
        _burn(SLICE)
        raise ValueError("no")

    first = pacer.run(bad)
    second = pacer.run(lambda: 2)  # the slice is spent: waits for the next turn
    assert not second.done()
    with pytest.raises(ValueError, match="no"):
        await first
    assert await second == 2


@pytest.mark.asyncio
async def test_a_cancelled_piece_never_runs() -> None:
    pacer = Pacer(TurnBudget(SLICE))
    pacer.run(lambda: _burn(SLICE))
    ran: list[str] = []
    waiting = pacer.run(lambda: ran.append("cancelled"))
    after = pacer.run(lambda: ran.append("after"))
    waiting.cancel()
    await after
    assert ran == ["after"]


@pytest.mark.asyncio
async def test_pacers_sharing_a_budget_do_not_stack_their_slices_in_one_turn() -> None:
    """The engine's pacer and the window's bridge share the GUI thread's budget: what one
    spent in a turn leaves the other nothing, so the turn stays one slice long."""
    budget = TurnBudget(SLICE)
    engine_side, window_side = Pacer(budget), Pacer(budget)
    spent = engine_side.run(lambda: _burn(SLICE * 1.1))
    assert spent.done()
    waiting = window_side.run(lambda: "painted")
    assert not waiting.done() and window_side.deferred == 1  # the next turn, not this one
    assert await waiting == "painted"


@pytest.mark.asyncio
async def test_work_inside_counted_work_is_counted_once() -> None:
    """A piece that tells the window (whose emit is counted too) spends its own time once."""
    budget = TurnBudget(SLICE)
    pacer = Pacer(budget)

    def piece() -> None:
        budget.run(lambda: _burn(SLICE * 0.6), asyncio.get_running_loop().call_soon)

    pacer.run(piece)
    assert budget.spent is not None and budget.spent < SLICE  # 0.6 of it, not 1.2
    second = pacer.run(lambda: "same turn")
    assert second.done() and pacer.deferred == 0


# ---------------------------------------------------------------- work kept apart from slices
@pytest.mark.asyncio
async def test_a_held_budget_starts_no_piece_until_it_is_released() -> None:
    """The jobs list holds the budget for a block of new rows: no piece starts meanwhile,
    however many turns go by, and the first one starts a breath after the release."""
    budget = TurnBudget(SLICE)
    pacer = Pacer(budget)
    assert budget.hold() == 0.0  # nothing ran lately: no breath to wait for
    ran: list[float] = []
    waiting = pacer.run(lambda: ran.append(time.perf_counter()))
    for _ in range(50):
        await asyncio.sleep(0)
    assert not waiting.done() and not ran
    released = time.perf_counter()
    budget.release()
    await asyncio.wait_for(waiting, 10)
    assert ran[0] - released >= BREATH_SECONDS


@pytest.mark.asyncio
async def test_a_hold_waits_for_a_breath_after_the_last_piece() -> None:
    budget = TurnBudget(SLICE)
    Pacer(budget).run(lambda: _burn(SLICE * 0.2))
    assert 0.0 < budget.hold() <= BREATH_SECONDS
    budget.release()


@pytest.mark.asyncio
async def test_a_hold_whose_holder_never_lets_go_lapses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("gui.studio.pacing.HOLD_SECONDS", 0.05)
    budget = TurnBudget(SLICE)
    budget.hold()
    assert await asyncio.wait_for(Pacer(budget).run(lambda: "ran"), 10) == "ran"


@pytest.mark.asyncio
async def test_long_work_kept_apart_is_followed_by_a_breath() -> None:
    """A repaint of the window that took more than half a slice: the next piece waits a
    breath after it; a short one leaves the pieces alone."""
    budget = TurnBudget(SLICE)
    pacer = Pacer(budget)
    budget.apart(lambda: _burn(SLICE * 0.1))
    assert budget.wait() == 0.0 and pacer.run(lambda: None).done()

    before = time.perf_counter()
    assert budget.apart(lambda: _burn(SLICE * 0.7) or "painted") == "painted"
    assert budget.apart_ended >= before
    ran: list[float] = []
    waiting = pacer.run(lambda: ran.append(time.perf_counter()))
    assert not waiting.done()
    await asyncio.wait_for(waiting, 10)
    assert ran[0] - budget.apart_ended >= BREATH_SECONDS


@pytest.mark.asyncio
async def test_work_kept_apart_inside_a_piece_is_the_piece_s() -> None:
    budget = TurnBudget(SLICE)
    before = budget.apart_ended
    Pacer(budget).run(lambda: budget.apart(lambda: _burn(SLICE * 0.7)))
    assert budget.apart_ended == before and budget.wait() == 0.0
