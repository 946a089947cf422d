"""Sandwich attacks on public-mempool swaps.

A searcher sees a pending swap with its limit (minimum output or maximum input), buys the same
direction first (front-run), lets the victim trade at the worse price, and sells back
(back-run). It chooses the front-run size on exact copies of the pool:

1. the largest front-run that still leaves the victim inside its limit (the victim must not
   revert, or the bundle earns nothing) — found by doubling then bisection, since the victim's
   result worsens monotonically with the front-run;
2. within that bound, the size maximising the round trip's profit, by integer ternary search
   (profit is unimodal in the size for constant-product and concentrated-liquidity curves),
   always comparing against the bound itself.

So a sandwich can never take more than the victim's tolerance: the victim's result stays at or
inside its limit. Whether the attack happens (profit after the attacker's own gas, and a seeded
coin flip with the configured probability) is the chain's decision.

Assumptions: the attacker has unlimited capital (flash liquidity), pays the victim's tip + 1 wei
on the front-run and no tip on the back-run (one bundle, ordered by the builder).
"""

from __future__ import annotations

from dataclasses import dataclass

from slipstream.errors import ValidationError
from slipstream.venues.sim.amm.base import AmmRevert, Pool, SwapResult
from slipstream.venues.sim.chain.execution import SwapOutcome, run_swap, swap_gas_units

__all__ = ["SandwichPlan", "SandwichRecord", "plan_sandwich"]

_MAX_DOUBLINGS = 256


@dataclass(frozen=True, slots=True)
class SandwichPlan:
    """The chosen attack, in the victim's token_in units unless stated."""

    front_in: int
    front_out: int  # token_out units bought by the front-run, sold back by the back-run
    back_out: int
    profit: int  # back_out - front_in (token_in units, before gas)
    front_gas: int
    back_gas: int
    victim_loss: int  # output shortfall (exact in) or extra input (exact out), limited token
    victim: SwapResult


@dataclass(frozen=True, slots=True)
class SandwichRecord:
    """An executed sandwich, for the result's MEV accounting."""

    block_number: int
    victim_tx: str
    pool_id: str
    token_in: int
    front_in: int
    front_out: int
    back_out: int
    profit_token_in: int
    gas_units: int  # front-run + back-run
    gas_wei: int
    profit_wei: int  # net of gas, valued in the native asset
    victim_loss: int


@dataclass(frozen=True, slots=True)
class _Trial:
    ok: bool
    profit: int
    front: SwapResult | None
    back_out: int
    back_gas: int
    victim: SwapOutcome | None


def _trial(pool: Pool, exact_in: bool, token_in: int, token_out: int, amount: int, limit: int,
           front_in: int) -> _Trial:
    copy = pool.copy()
    try:
        front = copy.swap_exact_in(token_in, token_out, front_in)
    except (AmmRevert, ValidationError):
        return _Trial(False, 0, None, 0, 0, None)
    victim = run_swap(copy, exact_in, token_in, token_out, amount, limit, commit=True)
    if not victim.ok or front.amount_out <= 0:
        return _Trial(victim.ok, -front_in, front, 0, 0, victim)
    try:
        back = copy.swap_exact_in(token_out, token_in, front.amount_out)
    except (AmmRevert, ValidationError):
        return _Trial(True, -front_in, front, 0, 0, victim)
    return _Trial(True, back.amount_out - front_in, front, back.amount_out,
                  swap_gas_units(copy, back), victim)


def _largest_safe_front_run(pool: Pool, exact_in: bool, token_in: int, token_out: int,
                            amount: int, limit: int) -> int:
    """Largest front-run (token_in units) leaving the victim within its limit; 0 if none."""
    def ok(x: int) -> bool:
        return _trial(pool, exact_in, token_in, token_out, amount, limit, x).ok

    lo, hi = 0, max(1, amount if exact_in else limit)
    for _ in range(_MAX_DOUBLINGS):
        if not ok(hi):
            break
        lo, hi = hi, hi * 2
    else:
        return lo
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(mid):
            lo = mid
        else:
            hi = mid
    return lo


def plan_sandwich(pool: Pool, exact_in: bool, token_in: int, token_out: int, amount: int,
                  limit: int) -> SandwichPlan | None:
    """The most profitable sandwich of one pending swap that keeps the victim within its limit.

    Args:
        pool: the pool as the victim will find it (not modified).
        exact_in, token_in, token_out, amount, limit: the victim's swap, as in
            :func:`~slipstream.venues.sim.chain.execution.run_swap`.

    Returns:
        The plan, or None when the victim would revert anyway or no size earns a gross profit.
    """
    baseline = run_swap(pool, exact_in, token_in, token_out, amount, limit, commit=False)
    if baseline.result is None:
        return None
    bound = _largest_safe_front_run(pool, exact_in, token_in, token_out, amount, limit)
    if bound <= 0:
        return None

    def profit(x: int) -> int:
        return _trial(pool, exact_in, token_in, token_out, amount, limit, x).profit

    lo, hi = 1, bound
    tolerance = max(2, bound >> 20)
    while hi - lo > tolerance:
        m1 = lo + (hi - lo) // 3
        m2 = hi - (hi - lo) // 3
        if profit(m1) < profit(m2):
            lo = m1 + 1
        else:
            hi = m2 - 1 if m2 - 1 >= lo else lo
    candidates = sorted({lo, hi, (lo + hi) // 2, bound})
    best = max(candidates, key=lambda x: (profit(x), -x))
    trial = _trial(pool, exact_in, token_in, token_out, amount, limit, best)
    if not trial.ok or trial.profit <= 0 or trial.front is None or trial.victim is None:
        return None
    victim = trial.victim.result
    base = baseline.result
    assert victim is not None
    loss = base.amount_out - victim.amount_out if exact_in else victim.amount_in - base.amount_in
    return SandwichPlan(
        front_in=best,
        front_out=trial.front.amount_out,
        back_out=trial.back_out,
        profit=trial.profit,
        front_gas=swap_gas_units(pool, trial.front),
        back_gas=trial.back_gas,
        victim_loss=loss,
        victim=victim,
    )
