"""The common-lot exact search (``_exact_common``) makes the reference search's moves exactly: same
rounding of the seed, same greedy fill, same exchanges, so the same allocation and cost — on the
benchmark's market (5 books on one lot with minimum notionals, v2 and v3 pools paying gas), from
relaxed seeds and perturbed ones, for every venue set."""

from __future__ import annotations

import random
from decimal import Decimal
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

import bench_router
from slipstream.model.enums import Side
from slipstream.routing import RouterConfig, SmartRouter
from slipstream.routing.exact import _exact_common, _exact_reference
from slipstream.routing.optimiser import _Relaxer


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from([0.01, 0.05, 1.0]), st.sampled_from([Side.BUY, Side.SELL]),
       st.integers(1, 2_500_000), st.randoms(use_true_random=False))
def test_common_lot_search_equals_reference(seed: int, depth: float, side: Side, lots: int,
                                            rng: random.Random) -> None:
    view = bench_router.scenario(seed, depth=depth)
    intent = bench_router.intent(seed, Decimal(lots) * bench_router.LOT, side)
    prep = SmartRouter(RouterConfig(compare_alternatives=False)).prepare(intent, view)
    curves, total = prep.curves, prep.total
    assert len({c.step for c in curves}) == 1
    step = curves[0].step
    relaxer = _Relaxer(curves, total)
    sets = [m for k in (1, 2, 3, len(curves)) for m in combinations(range(len(curves)), k)]
    for members in [*rng.sample(sets, 4), tuple(range(len(curves)))]:
        relaxed, _, _ = relaxer.relax(members)
        seeds = [relaxed, {i: max(q + rng.uniform(-3.0, 3.0), 0.0) for i, q in relaxed.items()},
                 {i: max(q - rng.uniform(0.0, 40.0), 0.0) for i, q in relaxed.items()}]
        for s in seeds:
            want = _exact_reference(curves, members, dict(s), total)
            got = _exact_common(curves, members, dict(s), total, step)
            assert got == want, (members, s)
