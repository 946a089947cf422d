"""Almgren–Chriss implementation-shortfall schedule (linear impact, mean–variance optimal).

The model is the discrete-time one of R. Almgren and N. Chriss, "Optimal execution of portfolio
transactions", J. Risk 3 (2000), Sections 1–2. A seller holds ``X`` shares at ``t_0 = 0`` and
must hold none at ``t_N = T``; ``τ = T/N``. Holdings ``x_k`` at ``t_k = kτ``, trades
``n_k = x_{k-1} − x_k``.

* price: ``S_k = S_{k-1} + σ τ^{1/2} ξ_k − τ g(n_k/τ)`` with permanent impact ``g(v) = γ v``;
* fill price of trade ``k``: ``S_{k-1} − h(n_k/τ)`` with temporary impact
  ``h(v) = ε sgn(v) + η v``.

Then the implementation shortfall (``X S_0`` minus cash captured) has, for any static trajectory,

* ``E[x] = ½γX² + ε Σ|n_k| + (η̃/τ) Σ n_k²`` with ``η̃ = η − ½γτ``,
* ``V[x] = σ² Σ τ x_k²``  (k = 1..N).

Minimising ``E + λV`` gives ``x_k = X sinh(κ(T − t_k)) / sinh(κT)`` where
``cosh(κτ) = 1 + ½κ̃²τ²`` and ``κ̃² = λσ²/η̃``; ``λ = 0`` gives the straight line (TWAP).

Units (the paper's): time in one unit of your choice (the paper uses days); ``σ`` is the absolute
price volatility in $/share/√time-unit (not a percentage: 30 % a year on a $50 stock is
``0.3·50/√250 ≈ 0.95`` $/share/√day); ``η`` in ($/share)/(share/time-unit); ``γ`` in
($/share)/share; ``ε`` in $/share (half the spread plus fees); ``λ`` in 1/$. Costs come out in $.

Assumptions: arithmetic random walk with no drift (the paper's α term is ignored, as it is for a
short horizon), a sell program (a buy is the mirror image and has the same schedule in absolute
shares), static trajectory decided at ``t = 0``, ``λ ≥ 0``. These are model values, hence floats;
turning them into lots is the algo's job.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from slipstream.errors import ValidationError

__all__ = [
    "AlmgrenChrissParams",
    "AlmgrenChrissSchedule",
    "FrontierPoint",
    "TrajectoryCost",
    "efficient_frontier",
    "optimal_schedule",
    "trajectory_cost",
]

_ENDPOINT_TOLERANCE = 1e-9  # relative tolerance on x_0 = X and x_N = 0 for caller trajectories


def _require(condition: bool, reason: str) -> None:
    if not condition:
        raise ValidationError(f"invalid Almgren–Chriss parameters: {reason}")


@dataclass(frozen=True, slots=True)
class AlmgrenChrissParams:
    """Inputs of the Almgren–Chriss model, validated at construction (units: module docstring).

    Args:
        quantity: ``X``, shares to sell (> 0).
        price: ``S_0``, arrival price in $/share (> 0); only used to report costs in basis points.
        sigma: ``σ``, absolute volatility in $/share/√time-unit (≥ 0).
        eta: ``η``, temporary impact in ($/share) per (share/time-unit) (> 0).
        gamma: ``γ``, permanent impact in ($/share) per share (≥ 0).
        epsilon: ``ε``, fixed cost per share in $ (≥ 0): half spread plus fees.
        risk_aversion: ``λ``, in 1/$ (≥ 0).
        horizon: ``T``, in time units (> 0).
        steps: ``N``, number of trading intervals (≥ 1).

    Raises:
        ValidationError: a value is not finite, out of range, or ``η̃ = η − γτ/2 ≤ 0``
            (the discrete model is then not convex: trading in one block would be "free").
    """

    quantity: float
    price: float
    sigma: float
    eta: float
    gamma: float
    epsilon: float
    risk_aversion: float
    horizon: float
    steps: int

    def __post_init__(self) -> None:
        for name in (
            "quantity", "price", "sigma", "eta", "gamma", "epsilon", "risk_aversion", "horizon",
        ):
            value = getattr(self, name)
            _require(
                isinstance(value, int | float) and not isinstance(value, bool)
                and math.isfinite(value),
                f"{name} must be a finite number, got {value!r}",
            )
        _require(
            isinstance(self.steps, int) and not isinstance(self.steps, bool) and self.steps >= 1,
            f"steps must be an integer >= 1, got {self.steps!r}",
        )
        _require(self.quantity > 0, f"quantity must be > 0, got {self.quantity!r}")
        _require(self.price > 0, f"price must be > 0, got {self.price!r}")
        _require(self.sigma >= 0, f"sigma must be >= 0, got {self.sigma!r}")
        _require(self.eta > 0, f"eta must be > 0, got {self.eta!r}")
        _require(self.gamma >= 0, f"gamma must be >= 0, got {self.gamma!r}")
        _require(self.epsilon >= 0, f"epsilon must be >= 0, got {self.epsilon!r}")
        _require(
            self.risk_aversion >= 0, f"risk_aversion must be >= 0, got {self.risk_aversion!r}"
        )
        _require(self.horizon > 0, f"horizon must be > 0, got {self.horizon!r}")
        _require(
            self.eta_tilde > 0,
            f"eta_tilde = eta - gamma*tau/2 = {self.eta_tilde!r} must be > 0 "
            f"(eta={self.eta!r}, gamma={self.gamma!r}, tau={self.tau!r}); use more steps",
        )

    @property
    def tau(self) -> float:
        """Interval length ``τ = T/N``."""
        return self.horizon / self.steps

    @property
    def eta_tilde(self) -> float:
        """Discrete-time temporary impact ``η̃ = η − ½γτ``."""
        return self.eta - 0.5 * self.gamma * self.tau

    def to_dict(self) -> dict[str, float | int]:
        """Plain mapping of the inputs (for JSON)."""
        return {
            "quantity": self.quantity,
            "price": self.price,
            "sigma": self.sigma,
            "eta": self.eta,
            "gamma": self.gamma,
            "epsilon": self.epsilon,
            "risk_aversion": self.risk_aversion,
            "horizon": self.horizon,
            "steps": self.steps,
        }


@dataclass(frozen=True, slots=True)
class TrajectoryCost:
    """Mean and variance of the implementation shortfall of one static trajectory, in $ and $²."""

    expected_cost: float
    variance: float

    @property
    def std(self) -> float:
        """Standard deviation of the shortfall, ``sqrt(V)``, in $."""
        return math.sqrt(self.variance)


@dataclass(frozen=True, slots=True)
class AlmgrenChrissSchedule:
    """The optimal trajectory for one parameter set, with its cost statistics.

    ``times``/``holdings`` have ``N + 1`` entries (k = 0..N, ``holdings[0] = X``,
    ``holdings[N] = 0``); ``trades`` has ``N`` entries (``trades[k-1] = n_k``, sold in
    ``(t_{k-1}, t_k]``) and sums to ``X``.
    """

    params: AlmgrenChrissParams
    tau: float
    eta_tilde: float
    kappa_tilde_sq: float
    kappa: float
    times: tuple[float, ...]
    holdings: tuple[float, ...]
    trades: tuple[float, ...]
    expected_cost: float
    variance: float

    @property
    def std(self) -> float:
        """``sqrt(V[cost])`` in $."""
        return math.sqrt(self.variance)

    @property
    def half_life(self) -> float:
        """``θ = 1/κ``, the trade's half-life in time units (``inf`` when ``κ = 0``)."""
        return math.inf if self.kappa == 0.0 else 1.0 / self.kappa

    @property
    def utility(self) -> float:
        """The minimised objective ``E + λV`` in $."""
        return self.expected_cost + self.params.risk_aversion * self.variance

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (``half_life`` is ``None`` when infinite)."""
        return {
            "params": self.params.to_dict(),
            "tau": self.tau,
            "eta_tilde": self.eta_tilde,
            "kappa_tilde_sq": self.kappa_tilde_sq,
            "kappa": self.kappa,
            "half_life": None if self.kappa == 0.0 else self.half_life,
            "times": list(self.times),
            "holdings": list(self.holdings),
            "trades": list(self.trades),
            "expected_cost": self.expected_cost,
            "variance": self.variance,
            "std_cost": self.std,
            "utility": self.utility,
        }


@dataclass(frozen=True, slots=True)
class FrontierPoint:
    """One point of the efficient frontier: the optimum for one ``λ``."""

    risk_aversion: float
    kappa: float
    expected_cost: float
    variance: float

    @property
    def std(self) -> float:
        """``sqrt(V)`` in $."""
        return math.sqrt(self.variance)


def _kappa(kappa_tilde_sq: float, tau: float) -> float:
    # cosh(κτ) = 1 + κ̃²τ²/2  ⇔  sinh(κτ/2) = κ̃τ/2, which stays accurate for tiny κ̃.
    return 2.0 * math.asinh(0.5 * math.sqrt(kappa_tilde_sq) * tau) / tau


def _sinh_ratio(kappa: float, remaining: float, horizon: float) -> float:
    """``sinh(κ·remaining)/sinh(κ·horizon)`` without overflow for large ``κT``."""
    elapsed = horizon - remaining
    return (
        math.exp(-kappa * elapsed)
        * math.expm1(-2.0 * kappa * remaining)
        / math.expm1(-2.0 * kappa * horizon)
    )


def _holdings(params: AlmgrenChrissParams, kappa: float) -> tuple[float, ...]:
    n, quantity, tau = params.steps, params.quantity, params.tau
    if kappa * params.horizon == 0.0:
        inner = [quantity * (n - k) / n for k in range(1, n)]
    else:
        inner = [
            quantity * _sinh_ratio(kappa, (n - k) * tau, params.horizon) for k in range(1, n)
        ]
    return (quantity, *inner, 0.0)


def trajectory_cost(params: AlmgrenChrissParams, holdings: Sequence[float]) -> TrajectoryCost:
    """``E[x]`` and ``V[x]`` of any static trajectory under the model (paper, Section 1.5).

    ``params.risk_aversion`` is ignored. Use it to cost a TWAP, a VWAP-shaped or any custom
    trajectory against the optimum on the same footing.

    Args:
        params: market and impact parameters; ``holdings`` must have ``params.steps + 1`` entries.
        holdings: ``x_0..x_N`` in shares, ``x_0 = X`` and ``x_N = 0`` (within 1e-9·X).

    Returns:
        The expected shortfall ``½γX² + εΣ|n_k| + (η̃/τ)Σn_k²`` and variance ``σ²τΣx_k²``.

    Raises:
        ValidationError: wrong length, non-finite entry, or endpoints not ``X`` and ``0``.
    """
    xs = [float(x) for x in holdings]
    if len(xs) != params.steps + 1:
        raise ValidationError(
            f"trajectory needs steps + 1 = {params.steps + 1} holdings, got {len(xs)}"
        )
    if not all(math.isfinite(x) for x in xs):
        raise ValidationError("trajectory holdings must be finite")
    tolerance = _ENDPOINT_TOLERANCE * params.quantity
    if abs(xs[0] - params.quantity) > tolerance or abs(xs[-1]) > tolerance:
        raise ValidationError(
            f"trajectory must start at quantity={params.quantity!r} and end at 0, "
            f"got {xs[0]!r} .. {xs[-1]!r}"
        )
    trades = [xs[k - 1] - xs[k] for k in range(1, len(xs))]
    expected = (
        0.5 * params.gamma * params.quantity**2
        + params.epsilon * math.fsum(abs(n) for n in trades)
        + params.eta_tilde / params.tau * math.fsum(n * n for n in trades)
    )
    variance = params.sigma**2 * params.tau * math.fsum(x * x for x in xs[1:])
    return TrajectoryCost(expected_cost=expected, variance=variance)


def optimal_schedule(params: AlmgrenChrissParams) -> AlmgrenChrissSchedule:
    """The mean–variance optimal trajectory ``x_k = X sinh(κ(T−t_k))/sinh(κT)`` (paper, §2.2).

    Args:
        params: validated model inputs.

    Returns:
        The schedule with κ (discrete, from ``cosh(κτ) = 1 + κ̃²τ²/2``), ``κ̃²``, ``η̃``, holdings,
        trades and ``E``/``V`` of the shortfall (from :func:`trajectory_cost`).
    """
    tau, eta_tilde = params.tau, params.eta_tilde
    kappa_tilde_sq = params.risk_aversion * params.sigma**2 / eta_tilde
    kappa = _kappa(kappa_tilde_sq, tau)
    holdings = _holdings(params, kappa)
    trades = tuple(holdings[k - 1] - holdings[k] for k in range(1, params.steps + 1))
    cost = trajectory_cost(params, holdings)
    return AlmgrenChrissSchedule(
        params=params,
        tau=tau,
        eta_tilde=eta_tilde,
        kappa_tilde_sq=kappa_tilde_sq,
        kappa=kappa,
        times=tuple(k * tau for k in range(params.steps + 1)),
        holdings=holdings,
        trades=trades,
        expected_cost=cost.expected_cost,
        variance=cost.variance,
    )


def efficient_frontier(
    params: AlmgrenChrissParams, risk_aversions: Iterable[float]
) -> tuple[FrontierPoint, ...]:
    """``(E, V)`` of the optimal strategy for each ``λ`` (paper, Section 2.4), in the given order.

    Args:
        params: model inputs; its own ``risk_aversion`` is replaced by each ``λ`` in turn.
        risk_aversions: the ``λ`` values (each ≥ 0, finite).

    Raises:
        ValidationError: a ``λ`` is negative or not finite.
    """
    points = []
    for risk_aversion in risk_aversions:
        schedule = optimal_schedule(replace(params, risk_aversion=risk_aversion))
        points.append(
            FrontierPoint(
                risk_aversion=schedule.params.risk_aversion,
                kappa=schedule.kappa,
                expected_cost=schedule.expected_cost,
                variance=schedule.variance,
            )
        )
    return tuple(points)
