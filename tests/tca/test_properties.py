"""Property tests of the TCA invariants (slipstream/tca/shortfall.py, benchmarks.py, markouts.py):

* the five shortfall components sum exactly to the Perold total;
* buying (or selling) exactly at the arrival price with no fees gives zero impact and slippage;
* scaling every price, fee and gas by a constant leaves every bps figure unchanged;
* mirroring every price around a level and swapping the side leaves every cost in the quote
  asset unchanged (one sign convention for buys and sells).
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from slipstream.tca import MarketPrint, MidSample, Side, TcaFill, TcaOrder, TcaResult, analyse

S = 1_000_000_000
D = Decimal

Scenario = tuple[TcaOrder, tuple[TcaFill, ...], tuple[MarketPrint, ...], tuple[MidSample, ...]]

cents = st.integers(min_value=1_000, max_value=99_000).map(lambda c: D(c) / 100)
fee_cents = st.integers(min_value=-500, max_value=5_000).map(lambda c: D(c) / 100)
gas_cents = st.integers(min_value=0, max_value=2_000).map(lambda c: D(c) / 100)
seconds = st.integers(min_value=0, max_value=120)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    side: Side = draw(st.sampled_from(["buy", "sell"]))
    quantity = D(draw(st.integers(min_value=1, max_value=100)))
    order = TcaOrder(
        side=side,
        quantity=quantity,
        decision_ts_ns=0,
        decision_price=draw(cents),
        arrival_ts_ns=0,
        arrival_price=draw(cents),
        start_ts_ns=0,
        end_ts_ns=60 * S,
        symbol="X-USD",
        quote_asset="USD",
        end_price=draw(cents),
    )
    fills: list[TcaFill] = []
    left = quantity
    for i in range(draw(st.integers(min_value=0, max_value=6))):
        if left <= 0:
            break
        qty = min(left, D(draw(st.integers(min_value=1, max_value=40))) / 4)
        left -= qty
        fee = draw(fee_cents)
        fills.append(
            TcaFill(
                ts_ns=draw(seconds) * S,
                venue=draw(st.sampled_from(["a", "b", "dex"])),
                side=side,
                quantity=qty,
                price=draw(cents),
                fee=fee,
                fee_asset="USD",
                fee_in_quote=fee,
                gas_in_quote=draw(gas_cents),
                liquidity=draw(st.sampled_from(["maker", "taker"])),
                order_type=draw(st.sampled_from(["limit", "market"])),
                child_id=f"c{i}",
                queue_wait_ns=draw(st.none() | st.integers(min_value=0, max_value=10 * S)),
                expected_cost_in_quote=draw(st.none() | fee_cents),
                reference_price=draw(st.none() | cents),
            )
        )
    prints = tuple(
        MarketPrint(draw(seconds) * S, draw(cents), D(draw(st.integers(1, 50))))
        for _ in range(draw(st.integers(min_value=0, max_value=5)))
    )
    mids = tuple(
        MidSample(draw(st.integers(min_value=0, max_value=400)) * S, draw(cents))
        for _ in range(draw(st.integers(min_value=0, max_value=6)))
    )
    return order, tuple(fills), prints, mids


def _bps_fields(result: TcaResult) -> dict[str, object]:
    out = result.to_dict(decimals=12)
    keys = [k for k in out if k.endswith("_bps") or k.endswith("rate") or k == "passive_share"]
    values: dict[str, object] = {k: out[k] for k in keys}
    for group in ("venues", "order_types"):
        values[group] = [
            {k: v for k, v in row.items() if k.endswith("_bps") or k == "maker_share"} for row in out[group]
        ]
    return values


@settings(max_examples=150, deadline=None)
@given(scenarios())
def test_components_sum_to_total(scenario: Scenario) -> None:
    order, fills, prints, mids = scenario
    result = analyse(order, fills, prints, mids)
    is_ = result.shortfall
    assert is_.delay + is_.impact + is_.opportunity + is_.fees + is_.gas == is_.total
    out = result.to_dict()
    assert json.loads(json.dumps(out)) == out
    parts = sum(out[k] for k in ("delay_bps", "impact_bps", "opportunity_bps", "fees_bps", "gas_bps"))
    assert abs(parts - out["implementation_shortfall_bps"]) < 1e-5
    for key in ("participation_rate", "fill_rate", "passive_share"):
        assert out[key] is None or 0.0 <= out[key] <= 1.0


@settings(max_examples=100, deadline=None)
@given(scenarios())
def test_trading_at_arrival_without_fees_costs_nothing(scenario: Scenario) -> None:
    order, fills, prints, mids = scenario
    at_arrival = tuple(
        replace(f, price=order.arrival_price, fee=D(0), fee_in_quote=D(0), gas_in_quote=D(0)) for f in fills
    )
    result = analyse(order, at_arrival, prints, mids)
    assert result.shortfall.impact == 0
    assert result.shortfall.fees == 0 and result.shortfall.gas == 0
    assert result.slippage_bps in (None, 0.0)
    assert all(row.slippage == 0 and row.all_in_cost == 0 for row in result.venues)


@settings(max_examples=100, deadline=None)
@given(scenarios(), st.sampled_from([D(2), D(7), D("0.5"), D("1000"), D("0.001")]))
def test_scaling_prices_leaves_bps_unchanged(scenario: Scenario, factor: Decimal) -> None:
    order, fills, prints, mids = scenario

    def scale(value: Decimal | None) -> Decimal | None:
        return None if value is None else value * factor

    scaled_order = replace(
        order,
        decision_price=order.decision_price * factor,
        arrival_price=order.arrival_price * factor,
        end_price=scale(order.end_price),
    )
    scaled_fills = tuple(
        replace(
            f,
            price=f.price * factor,
            fee=f.fee * factor,
            fee_in_quote=f.fee_in_quote * factor,
            gas_in_quote=f.gas_in_quote * factor,
            expected_cost_in_quote=scale(f.expected_cost_in_quote),
            reference_price=scale(f.reference_price),
        )
        for f in fills
    )
    scaled_prints = tuple(replace(p, price=p.price * factor) for p in prints)
    scaled_mids = tuple(replace(m, mid=m.mid * factor) for m in mids)
    base = analyse(order, fills, prints, mids)
    scaled = analyse(scaled_order, scaled_fills, scaled_prints, scaled_mids)
    assert _bps_fields(scaled) == _bps_fields(base)
    assert scaled.shortfall.total == base.shortfall.total * factor


@settings(max_examples=100, deadline=None)
@given(scenarios())
def test_mirrored_sell_has_the_same_costs(scenario: Scenario) -> None:
    order, fills, prints, mids = scenario
    level = D(2000)  # all prices are < 1,000, so 2 x 1,000 - p stays positive

    def mirror(value: Decimal | None) -> Decimal | None:
        return None if value is None else level - value

    other: Side = "sell" if order.side == "buy" else "buy"
    m_order = replace(
        order,
        side=other,
        decision_price=level - order.decision_price,
        arrival_price=level - order.arrival_price,
        end_price=mirror(order.end_price),
    )
    m_fills = tuple(
        replace(f, side=other, price=level - f.price, reference_price=mirror(f.reference_price)) for f in fills
    )
    m_prints = tuple(replace(p, price=level - p.price) for p in prints)
    m_mids = tuple(replace(m, mid=level - m.mid) for m in mids)
    base = analyse(order, fills, prints, mids)
    mirrored = analyse(m_order, m_fills, m_prints, m_mids)

    assert mirrored.shortfall.components == base.shortfall.components
    assert mirrored.shortfall.total == base.shortfall.total
    assert [m.pnl for m in mirrored.markouts] == [m.pnl for m in base.markouts]
    assert [(r.key, r.slippage, r.all_in_cost) for r in mirrored.venues] == [
        (r.key, r.slippage, r.all_in_cost) for r in base.venues
    ]
    if base.prediction is not None:
        assert mirrored.prediction is not None
        assert mirrored.prediction.error == base.prediction.error

    def sign(value: float | None) -> int | None:
        return None if value is None else (value > 0) - (value < 0)

    b, m = base.to_dict(decimals=12), mirrored.to_dict(decimals=12)
    for key in (
        "slippage_bps",
        "implementation_shortfall_bps",
        "vwap_slippage_bps",
        "twap_slippage_bps",
    ):
        assert sign(m[key]) == sign(b[key]), key
