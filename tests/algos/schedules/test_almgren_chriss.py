"""Tests for slipstream.algos.schedules.almgren_chriss.

Reference: R. Almgren and N. Chriss, "Optimal execution of portfolio transactions", J. Risk 3
(2000). The worked example's inputs (Section 3.4 per the issue; section number not checked against
the text): X = 10^6 shares, S0 = 50, 30 % annual volatility -> σ = 0.95 $/share/√day, bid-ask 1/8
-> ε = 1/16, η = 2.5e-6, γ = 2.5e-7, T = 5 days, N = 5, λ_u = 1e-6.

The paper's text beyond its abstract was not reachable from this machine, so the golden values are:

1. closed forms of the paper, evaluated here by independent code: η̃ = η − γτ/2, κ̃² = λσ²/η̃,
   cosh(κτ) = 1 + κ̃²τ²/2, the naive (straight-line) strategy's E = εX + ηX²/T + ½γX²(1 − 1/N) and
   V = ⅓σ²X²T(1 − 1/N)(1 − 1/(2N)) (Section 2.1), and the optimal strategy's E and V in tanh/sinh
   form (Section 2.2);
2. an independent published implementation run on exactly these inputs: DROP v4.66.0
   (repo lakshmiDRIP/DROP, src/main/java/org/drip/sample/almgrenchriss/), whose coverage
   output https://lakshmidrip.github.io/DROP/junit/classes/org.drip.coverage.execution.AlmgrenChriss.html
   prints "SHORT END COST DISTRIBUTION, PENALTY, AND DECAY" (MEAN in $M, SIGMA^2 in $²·1e12,
   PENALTY = E + λV in $M, HALFLIFE = 1/κ in days, for "LAMBDA" = λ·1e6);
3. a brute-force optimum: the tridiagonal first-order system of E + λV solved with numpy, and
   random perturbations of the optimum never lowering E + λV.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slipstream.algos.schedules import (
    AlmgrenChrissParams,
    efficient_frontier,
    optimal_schedule,
    trajectory_cost,
)
from slipstream.errors import ValidationError

PAPER = AlmgrenChrissParams(
    quantity=1e6,
    price=50.0,
    sigma=0.95,
    eta=2.5e-6,
    gamma=2.5e-7,
    epsilon=0.0625,
    risk_aversion=1e-6,
    horizon=5.0,
    steps=5,
)


# --- golden: the paper's example -------------------------------------------------------------


def test_paper_example_kappa_and_eta_tilde() -> None:
    schedule = optimal_schedule(PAPER)
    assert schedule.tau == 1.0
    assert schedule.eta_tilde == pytest.approx(2.375e-6, rel=1e-15)
    assert schedule.kappa_tilde_sq == pytest.approx(0.38, rel=1e-14)  # 1e-6·0.9025/2.375e-6
    # cosh(κ) = 1.19  ->  κ = arccosh(1.19) ≈ 0.6071 per day (the paper's "κ ≈ 0.6/day")
    assert schedule.kappa == pytest.approx(math.acosh(1.19), rel=1e-13)
    assert round(schedule.kappa, 4) == 0.6071
    assert round(schedule.half_life, 2) == 1.65
    # the continuous-time κ̃ is slightly larger than the discrete κ
    assert math.sqrt(schedule.kappa_tilde_sq) > schedule.kappa


def test_paper_example_trajectory() -> None:
    schedule = optimal_schedule(PAPER)
    kappa = math.acosh(1.19)
    expected = [1e6 * math.sinh(kappa * (5 - k)) / math.sinh(5 * kappa) for k in range(6)]
    assert schedule.holdings == pytest.approx(expected, rel=1e-12, abs=1e-6)
    # rounded to whole shares
    assert [round(x) for x in schedule.holdings] == [
        1_000_000, 541_956, 289_854, 147_897, 62_142, 0,
    ]
    assert [round(n) for n in schedule.trades] == [458_044, 252_101, 141_957, 85_756, 62_142]
    assert math.fsum(schedule.trades) == pytest.approx(1e6, rel=1e-12)
    assert schedule.times == (0.0, 1.0, 2.0, 3.0, 4.0, 5.0)


def _paper_closed_form_e_v(params: AlmgrenChrissParams, kappa: float) -> tuple[float, float]:
    """The optimal strategy's E and V in the paper's tanh/sinh form (Section 2.2)."""
    x, t, tau = params.quantity, params.horizon, params.tau
    eta_tilde = params.eta - 0.5 * params.gamma * tau
    e = (
        0.5 * params.gamma * x * x
        + params.epsilon * x
        + eta_tilde * x * x * math.tanh(0.5 * kappa * tau)
        * (tau * math.sinh(2 * kappa * t) + 2 * t * math.sinh(kappa * tau))
        / (2 * tau * tau * math.sinh(kappa * t) ** 2)
    )
    v = (
        0.5 * params.sigma**2 * x * x
        * (tau * math.sinh(kappa * t) * math.cosh(kappa * (t - tau)) - t * math.sinh(kappa * tau))
        / (math.sinh(kappa * t) ** 2 * math.sinh(kappa * tau))
    )
    return e, v


@pytest.mark.parametrize("risk_aversion", [1e-8, 1e-7, 1e-6, 2e-6, 1e-5])
def test_expected_cost_and_variance_match_paper_closed_form(risk_aversion: float) -> None:
    params = replace(PAPER, risk_aversion=risk_aversion)
    schedule = optimal_schedule(params)
    e, v = _paper_closed_form_e_v(params, schedule.kappa)
    assert schedule.expected_cost == pytest.approx(e, rel=1e-11)
    assert schedule.variance == pytest.approx(v, rel=1e-11)


def test_paper_example_cost_numbers() -> None:
    schedule = optimal_schedule(PAPER)
    # E ≈ $0.911M and sqrt(V) ≈ $0.603M for λ = 1e-6 (evaluated closed forms, see module doc)
    assert schedule.expected_cost == pytest.approx(911_226.99, abs=0.01)
    assert schedule.std == pytest.approx(603_430.67, abs=0.01)
    assert schedule.utility == pytest.approx(911_226.99 + 1e-6 * schedule.variance, abs=0.01)


def test_naive_strategy_closed_form() -> None:
    naive = optimal_schedule(replace(PAPER, risk_aversion=0.0))
    x, t, n = 1e6, 5.0, 5
    assert naive.kappa == 0.0
    assert math.isinf(naive.half_life)
    assert naive.holdings == pytest.approx([1e6, 8e5, 6e5, 4e5, 2e5, 0.0], rel=1e-15)
    e = 0.0625 * x + 2.5e-6 * x * x / t + 0.5 * 2.5e-7 * x * x * (1 - 1 / n)
    v = 0.95**2 * x * x * t * (1 - 1 / n) * (1 - 1 / (2 * n)) / 3
    assert naive.expected_cost == pytest.approx(e, rel=1e-14)
    assert naive.expected_cost == pytest.approx(662_500.0, rel=1e-14)
    assert naive.variance == pytest.approx(v, rel=1e-14)
    assert naive.variance == pytest.approx(1.083e12, rel=1e-14)
    # the twap trajectory costed through the general formula agrees
    cost = trajectory_cost(PAPER, naive.holdings)
    assert (cost.expected_cost, cost.variance) == (naive.expected_cost, naive.variance)


# DROP v4.66.0 output for the paper's inputs, "SHORT END" table (see module docstring):
# (LAMBDA·1e-6, MEAN $M, SIGMA^2 1e12 $², PENALTY $M, HALFLIFE days)
DROP_SHORT_END = [
    (0.001, 0.6625, 1.0812, 0.6636, 51.30),
    (0.002, 0.6625, 1.0794, 0.6647, 36.27),
    (0.003, 0.6625, 1.0776, 0.6657, 29.62),
    (0.004, 0.6625, 1.0758, 0.6668, 25.65),
    (0.005, 0.6625, 1.0740, 0.6679, 22.94),
    (0.006, 0.6625, 1.0722, 0.6690, 20.94),
    (0.007, 0.6625, 1.0704, 0.6700, 19.39),
    (0.008, 0.6626, 1.0687, 0.6711, 18.14),
    (0.009, 0.6626, 1.0669, 0.6722, 17.10),
]


@pytest.mark.parametrize(("lam_micro", "mean", "var", "penalty", "half_life"), DROP_SHORT_END)
def test_matches_drop_published_output(
    lam_micro: float, mean: float, var: float, penalty: float, half_life: float
) -> None:
    schedule = optimal_schedule(replace(PAPER, risk_aversion=lam_micro * 1e-6))
    assert round(schedule.expected_cost / 1e6, 4) == mean
    assert round(schedule.variance / 1e12, 4) == var
    assert round(schedule.utility / 1e6, 4) == penalty
    assert round(schedule.half_life, 2) == half_life


# --- brute force -------------------------------------------------------------------------------


def _brute_force_holdings(params: AlmgrenChrissParams) -> list[float]:
    """Minimise E + λV over x_1..x_{N-1} by solving the (tridiagonal) normal equations."""
    n, tau = params.steps, params.tau
    eta_tilde = params.eta - 0.5 * params.gamma * tau
    a = eta_tilde / tau
    b = params.risk_aversion * params.sigma**2 * tau
    size = n - 1
    if size == 0:
        return [params.quantity, 0.0]
    matrix = np.zeros((size, size))
    rhs = np.zeros(size)
    for i in range(size):
        matrix[i, i] = 2 * a + b
        if i > 0:
            matrix[i, i - 1] = -a
        if i < size - 1:
            matrix[i, i + 1] = -a
    rhs[0] = a * params.quantity
    inner = np.linalg.solve(matrix, rhs)
    return [params.quantity, *inner.tolist(), 0.0]


@pytest.mark.parametrize("risk_aversion", [0.0, 1e-7, 1e-6, 2e-6, 3e-5])
@pytest.mark.parametrize("steps", [1, 2, 5, 20])
def test_closed_form_equals_brute_force_minimum(risk_aversion: float, steps: int) -> None:
    params = replace(PAPER, risk_aversion=risk_aversion, steps=steps)
    schedule = optimal_schedule(params)
    assert schedule.holdings == pytest.approx(_brute_force_holdings(params), rel=1e-9, abs=1e-6)


def test_random_perturbations_never_improve_the_objective() -> None:
    rng = random.Random(20000)
    params = replace(PAPER, steps=10)
    schedule = optimal_schedule(params)
    best = schedule.utility
    for _ in range(200):
        scale = 10 ** rng.uniform(0, 4)
        inner = [x + rng.gauss(0.0, scale) for x in schedule.holdings[1:-1]]
        cost = trajectory_cost(params, [params.quantity, *inner, 0.0])
        assert cost.expected_cost + params.risk_aversion * cost.variance >= best * (1 - 1e-12)


# --- general E/V and frontier ------------------------------------------------------------------


def test_trajectory_cost_of_block_trade_and_custom_path() -> None:
    block = trajectory_cost(PAPER, [1e6, 0, 0, 0, 0, 0])
    # ½γX² + εX + η̃X²/τ = 125 000 + 62 500 + 2 375 000; no holdings left, no risk
    assert block.expected_cost == pytest.approx(2_562_500.0, rel=1e-14)
    assert block.variance == 0.0 and block.std == 0.0
    # a path that overshoots and buys back pays ε on both legs
    zigzag = trajectory_cost(PAPER, [1e6, -1e5, 0, 0, 0, 0])
    assert zigzag.expected_cost == pytest.approx(
        125_000 + 0.0625 * 1.2e6 + 2.375e-6 * (1.1e6**2 + 1e5**2), rel=1e-14
    )
    assert zigzag.variance == pytest.approx(0.9025 * 1e10, rel=1e-14)


@pytest.mark.parametrize(
    ("holdings", "reason"),
    [
        ([1e6, 0.0], r"needs steps \+ 1"),
        ([1e6, 5e5, 0, 0, 0, 1.0], "end at 0"),
        ([9e5, 5e5, 0, 0, 0, 0], "start at quantity"),
        ([1e6, math.nan, 0, 0, 0, 0], "finite"),
    ],
)
def test_trajectory_cost_rejects_bad_paths(holdings: list[float], reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        trajectory_cost(PAPER, holdings)


def test_efficient_frontier_is_monotone() -> None:
    lambdas = [0.0, 1e-8, 1e-7, 5e-7, 1e-6, 2e-6, 1e-5, 1e-4]
    frontier = efficient_frontier(PAPER, lambdas)
    assert [p.risk_aversion for p in frontier] == lambdas
    for slow, fast in itertools.pairwise(frontier):
        assert fast.expected_cost > slow.expected_cost
        assert fast.variance < slow.variance
        assert fast.kappa > slow.kappa
    assert frontier[4].std == pytest.approx(optimal_schedule(PAPER).std, rel=1e-15)
    with pytest.raises(ValidationError, match="risk_aversion"):
        efficient_frontier(PAPER, [1e-6, -1.0])


def test_higher_risk_aversion_trades_faster_in_paper_example() -> None:
    slow = optimal_schedule(replace(PAPER, risk_aversion=1e-7))
    fast = optimal_schedule(replace(PAPER, risk_aversion=2e-6))
    assert fast.trades[0] > slow.trades[0]
    assert all(f < s for f, s in zip(fast.holdings[1:-1], slow.holdings[1:-1], strict=True))
    assert fast.std < slow.std and fast.expected_cost > slow.expected_cost


def test_large_kappa_does_not_overflow() -> None:
    schedule = optimal_schedule(replace(PAPER, risk_aversion=1.0, steps=2000, horizon=2000.0))
    assert schedule.kappa * schedule.params.horizon > 1000  # sinh(κT) would overflow
    assert all(math.isfinite(x) for x in schedule.holdings)
    assert math.fsum(schedule.trades) == pytest.approx(1e6, rel=1e-12)


def test_to_dict_is_json_ready() -> None:
    data = optimal_schedule(PAPER).to_dict()
    assert data["params"]["steps"] == 5
    assert data["kappa"] == pytest.approx(math.acosh(1.19))
    assert len(data["holdings"]) == 6 and len(data["trades"]) == 5
    assert optimal_schedule(replace(PAPER, risk_aversion=0.0)).to_dict()["half_life"] is None


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"quantity": 0.0}, "quantity must be > 0"),
        ({"quantity": -5.0}, "quantity must be > 0"),
        ({"price": 0.0}, "price must be > 0"),
        ({"sigma": -0.1}, "sigma must be >= 0"),
        ({"eta": 0.0}, "eta must be > 0"),
        ({"gamma": -1e-9}, "gamma must be >= 0"),
        ({"epsilon": -0.01}, "epsilon must be >= 0"),
        ({"risk_aversion": -1e-6}, "risk_aversion must be >= 0"),
        ({"horizon": 0.0}, "horizon must be > 0"),
        ({"steps": 0}, "steps must be an integer >= 1"),
        ({"steps": 2.5}, "steps must be an integer >= 1"),
        ({"sigma": math.inf}, "sigma must be a finite number"),
        ({"eta": math.nan}, "eta must be a finite number"),
        ({"eta": 1e-7}, "eta_tilde"),  # η̃ = 1e-7 − 2.5e-7/2 < 0 with τ = 1
    ],
)
def test_validation(change: dict[str, float], reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        replace(PAPER, **change)


def test_eta_tilde_error_suggests_more_steps() -> None:
    with pytest.raises(ValidationError, match="more steps"):
        replace(PAPER, eta=1e-7)
    # more, shorter intervals make the same η admissible
    assert replace(PAPER, eta=1e-7, steps=50).eta_tilde > 0


# --- properties --------------------------------------------------------------------------------


@st.composite
def params_strategy(draw: st.DrawFn) -> AlmgrenChrissParams:
    steps = draw(st.integers(1, 60))
    horizon = draw(st.floats(0.01, 100.0))
    eta = draw(st.floats(1e-9, 1e-2))
    tau = horizon / steps
    gamma = draw(st.floats(0.0, 0.99)) * 2 * eta / tau
    return AlmgrenChrissParams(
        quantity=draw(st.floats(1.0, 1e9)),
        price=draw(st.floats(0.01, 1e5)),
        sigma=draw(st.floats(0.0, 50.0)),
        eta=eta,
        gamma=gamma,
        epsilon=draw(st.floats(0.0, 1.0)),
        risk_aversion=draw(st.floats(0.0, 1e-2)),
        horizon=horizon,
        steps=steps,
    )


@settings(max_examples=200, deadline=None)
@given(params_strategy())
def test_trajectory_shape(params: AlmgrenChrissParams) -> None:
    schedule = optimal_schedule(params)
    x = schedule.holdings
    assert len(x) == params.steps + 1 and len(schedule.trades) == params.steps
    assert x[0] == params.quantity and x[-1] == 0.0
    assert all(a >= b for a, b in itertools.pairwise(x))  # a sell never buys back
    assert all(n >= 0.0 for n in schedule.trades)
    assert math.fsum(schedule.trades) == pytest.approx(params.quantity, rel=1e-12)
    assert schedule.expected_cost >= 0.0 and schedule.variance >= 0.0


@settings(max_examples=200, deadline=None)
@given(params_strategy(), st.floats(1.0001, 100.0))
def test_higher_risk_aversion_front_loads(params: AlmgrenChrissParams, factor: float) -> None:
    low = optimal_schedule(params)
    high = optimal_schedule(replace(params, risk_aversion=params.risk_aversion * factor + 1e-12))
    tolerance = 1e-9 * params.quantity
    assert all(h <= lo + tolerance for h, lo in zip(high.holdings, low.holdings, strict=True))
    assert high.variance <= low.variance * (1 + 1e-9) + 1e-9
    assert high.expected_cost >= low.expected_cost * (1 - 1e-9) - 1e-9


@settings(max_examples=100, deadline=None)
@given(params_strategy())
def test_zero_and_vanishing_risk_aversion_is_twap(params: AlmgrenChrissParams) -> None:
    n = params.steps
    twap = [params.quantity * (n - k) / n for k in range(n + 1)]
    assert optimal_schedule(replace(params, risk_aversion=0.0)).holdings == pytest.approx(
        twap, rel=1e-12, abs=1e-9
    )
    # κT ≈ 1e-6: within ~1e-12 relative of the straight line
    eta_tilde = params.eta_tilde
    tiny = (1e-6 / params.horizon) ** 2 * eta_tilde / max(params.sigma**2, 1e-300)
    near = optimal_schedule(replace(params, risk_aversion=min(tiny, 1e300)))
    assert near.holdings == pytest.approx(twap, rel=1e-9, abs=1e-9 * params.quantity)


@settings(max_examples=100, deadline=None)
@given(params_strategy())
def test_optimum_beats_twap_on_the_objective(params: AlmgrenChrissParams) -> None:
    schedule = optimal_schedule(params)
    n = params.steps
    twap = trajectory_cost(params, [params.quantity * (n - k) / n for k in range(n + 1)])
    objective = twap.expected_cost + params.risk_aversion * twap.variance
    assert schedule.utility <= objective * (1 + 1e-9)
