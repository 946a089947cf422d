"""Implementation Shortfall: the Almgren–Chriss mean–variance optimal trajectory.

The plan is :func:`~slipstream.algos.schedules.optimal_schedule` over the horizon in seconds
with one step per slice interval; between step times the target is interpolated linearly.
Risk aversion ``λ`` is ``params.risk_aversion`` when given; otherwise ``urgency`` u ∈ [0, 1]
sets the trajectory's decay to ``κT = MAX_KAPPA_T · u`` (0: the straight TWAP line; 1: about
99.99 % done in the first half) and ``λ`` follows from the model's own relation
``cosh(κτ) = 1 + ½ (λσ²/η̃) τ²``, so urgency means the same shape for any impact model.
Higher ``λ`` front-loads the trajectory: the algo trades faster, as the theory says.
"""

from __future__ import annotations

import bisect
import math

import msgspec

from slipstream.algos.base import AlgoContext, ScheduleAlgo
from slipstream.algos.params import AlgoParams, resolve_end_ns
from slipstream.algos.schedules import AlmgrenChrissParams, optimal_schedule
from slipstream.errors import ValidationError
from slipstream.model.orders import ParentOrder

__all__ = ["MAX_KAPPA_T", "ImpactModel", "IsAlgo", "risk_aversion_for_urgency"]

MAX_KAPPA_T = 10.0
"""``κT`` at urgency 1 (the trajectory's e-folding count over the horizon)."""


class ImpactModel(msgspec.Struct, frozen=True, kw_only=True):
    """Almgren–Chriss market model in base-asset units, time in seconds (model values: floats).

    Args:
        sigma: price volatility, quote per base unit per √second.
        eta: temporary impact, quote per base unit per (base unit per second).
        gamma: permanent impact, quote per base unit per base unit.
        epsilon: fixed cost per base unit (half spread plus fees).
    """

    sigma: float = 1.0
    eta: float = 1.0
    gamma: float = 0.0
    epsilon: float = 0.0


def risk_aversion_for_urgency(urgency: float, model: ImpactModel, horizon_s: float, steps: int) -> float:
    """The ``λ`` whose optimal trajectory decays with ``κT = MAX_KAPPA_T · urgency``."""
    if urgency <= 0.0 or model.sigma <= 0.0:
        return 0.0
    tau = horizon_s / steps
    kappa = MAX_KAPPA_T * urgency / horizon_s
    kappa_tilde_sq = 2.0 * (math.cosh(kappa * tau) - 1.0) / (tau * tau)
    eta_tilde = model.eta - 0.5 * model.gamma * tau
    return kappa_tilde_sq * eta_tilde / (model.sigma * model.sigma)


class IsAlgo(ScheduleAlgo):
    """Implementation shortfall along the Almgren–Chriss trajectory.

    Args:
        model: the market model (default: unit σ and η, no permanent impact or fixed cost —
            with ``urgency`` only the shape matters).
    """

    name = "is"

    def __init__(self, model: ImpactModel | None = None) -> None:
        super().__init__()
        self.model = model if model is not None else ImpactModel()
        self._times: list[float] = [0.0, 1.0]
        self._done: list[float] = [0.0, 1.0]
        self.risk_aversion = 0.0

    def check(self, parent: ParentOrder, params: AlgoParams) -> None:
        horizon_ns = resolve_end_ns(parent, params) - parent.start_ts_ns
        tau = horizon_ns / 1e9 / max(1, math.ceil(horizon_ns / params.slice_interval_ns))
        if self.model.eta - 0.5 * self.model.gamma * tau <= 0:
            raise ValidationError(
                f"{parent.parent_id}: impact model has eta - gamma*tau/2 <= 0 at a {tau:g}s step; "
                "use a shorter slice interval"
            )

    def prepare(self, ctx: AlgoContext) -> None:
        horizon_ns = ctx.end_ns - self._plan_start
        horizon_s = horizon_ns / 1e9
        steps = max(1, math.ceil(horizon_ns / ctx.params.slice_interval_ns))
        params = ctx.params
        lam = params.risk_aversion
        if lam is None:
            lam = risk_aversion_for_urgency(params.urgency, self.model, horizon_s, steps)
        self.risk_aversion = lam
        quantity = max(1, ctx.quantity_units - self._plan_base) * float(ctx.parent.quantity_unit)
        bid, ask = ctx.best_bid(), ctx.best_ask()
        price = float((bid + ask) / 2) if bid is not None and ask is not None else 1.0
        m = self.model
        schedule = optimal_schedule(
            AlmgrenChrissParams(
                quantity=quantity, price=price, sigma=m.sigma, eta=m.eta, gamma=m.gamma, epsilon=m.epsilon,
                risk_aversion=lam, horizon=horizon_s, steps=steps,
            )
        )
        self._times = [t / horizon_s for t in schedule.times]
        self._done = [1.0 - x / quantity for x in schedule.holdings]

    def fraction(self, ctx: AlgoContext, plan_start_ns: int, end_ns: int, ts_ns: int) -> float:
        s = (ts_ns - plan_start_ns) / (end_ns - plan_start_ns)
        k = bisect.bisect_right(self._times, s) - 1
        if k >= len(self._times) - 1:
            return 1.0
        t0, t1 = self._times[k], self._times[k + 1]
        d0, d1 = self._done[k], self._done[k + 1]
        return d0 + (d1 - d0) * (s - t0) / (t1 - t0)
