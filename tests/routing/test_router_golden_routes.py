"""Speed work must not change a single route: seeded routes' JSON is compared byte for byte with
``data/golden_routes.jsonl``, recorded on the revision before the decision-time optimisations.
Re-recorded once, for the relaxation-bound fix (bounds read at the water-filling's overshoot could
prune the optimal venue set): one case's search statistics changed, no route did.

Regenerate (only when a route change is intended and reviewed):
``python tests/routing/test_router_golden_routes.py --write``.
"""

from __future__ import annotations

import importlib.util
import json
import random
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import ModuleType

from slipstream.model.enums import Side
from slipstream.model.intents import ChildIntent, Urgency
from slipstream.routing import RouterConfig, SmartRouter

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "data" / "golden_routes.jsonl"
BENCH = HERE.parents[1] / "benchmarks" / "bench_router.py"


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def cases() -> Iterator[tuple[str, bytes]]:
    """(case id, route JSON) for every reference route, in a fixed order."""
    bench = _load("bench_router_golden", BENCH)
    small = _load("router_cases_golden", HERE / "router_cases.py")
    configs = {
        "plain": RouterConfig(),
        "max2": RouterConfig(max_venues=2),
        "slip": RouterConfig(book_slippage_bps=3, compare_alternatives=False),
    }
    # bench scenarios (5 books × 50 levels + 3 pools) at full, thin and very thin depth; views reused
    for depth in (1.0, 0.05, 0.01):
        for v in range(4):
            view = bench.scenario(500 + v, depth=depth)
            routers = {k: SmartRouter(c) for k, c in configs.items()}
            for k in range(12):
                seed = 700 + 31 * v + k
                it = bench.intent(seed)
                name = ("plain", "max2", "slip")[k % 3]
                yield f"bench d={depth} v={v} k={k} {name}", routers[name].route(it, view).to_json()
    # small views with limits, patient intents and every pool kind
    for seed in range(200):
        rng = random.Random(seed)
        view = small.small_view(seed, amm=("v2", "v3", "none")[seed % 3])
        side = rng.choice((Side.BUY, Side.SELL))
        qty = Decimal(rng.randint(1, 60)) / 10
        mid = Decimal(view.sources[0].asks[0][0]) / 100  # type: ignore[union-attr]
        limit = None
        if seed % 4 == 1:
            off = Decimal(rng.randint(1, 40)) / 10_000
            limit = (mid * (1 + off) if side is Side.BUY else mid * (1 - off)).quantize(Decimal("0.01"))
        urgency = Urgency.PASSIVE if seed % 5 == 2 else Urgency.TAKE
        it = ChildIntent(intent_id=f"g{seed}", parent_id="p", symbol="BTC/USDT", side=side, quantity=qty,
                         urgency=urgency, limit_price=limit)
        cfg = (RouterConfig(), RouterConfig(max_venues=1), RouterConfig(book_slippage_bps=5))[seed % 3]
        yield f"small s={seed}", SmartRouter(cfg).route(it, view).to_json()


def test_routes_are_byte_identical_to_the_recorded_reference() -> None:
    expected = [json.loads(line) for line in GOLDEN.read_text().splitlines()]
    got = list(cases())
    assert len(got) == len(expected) >= 300
    for (case, route), ref in zip(got, expected, strict=True):
        assert case == ref["case"]
        assert route.decode() == ref["route"], case


if __name__ == "__main__":
    if "--write" in sys.argv:
        GOLDEN.parent.mkdir(exist_ok=True)
        with GOLDEN.open("w") as fh:
            for case, route in cases():
                fh.write(json.dumps({"case": case, "route": route.decode()}) + "\n")
