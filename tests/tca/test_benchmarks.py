"""Edge cases of arrival/VWAP/TWAP slippage (slipstream/tca/benchmarks.py); the full numbers are
checked in test_analysis.py."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from slipstream.tca import MarketPrint, MidSample, TcaFill, TcaOrder
from slipstream.tca.benchmarks import benchmark_slippage, interval_volume, time_weighted_mid

S = 1_000_000_000
D = Decimal
OrderFactory = Callable[..., TcaOrder]
FillFactory = Callable[..., TcaFill]


def test_twap_starts_at_first_sample_when_none_precedes_the_interval() -> None:
    mids = [MidSample(20 * S, D(100)), MidSample(40 * S, D(110))]
    # [20 s, 40 s) at 100 and [40 s, 60 s] at 110 -> 105, over 40 s of the 60 s interval.
    integral, length = time_weighted_mid(mids, 0, 60 * S) or (D(0), 0)
    assert (integral / length, length) == (D(105), 40 * S)


def test_twap_uses_mid_in_force_at_start_and_ignores_later_samples() -> None:
    mids = [MidSample(0, D(100)), MidSample(50 * S, D(200)), MidSample(70 * S, D(999))]
    integral, length = time_weighted_mid(mids, 10 * S, 60 * S) or (D(0), 0)
    assert integral / length == D(120)  # 100 x 40 s + 200 x 10 s over 50 s


def test_twap_of_zero_length_interval_is_the_mid_then() -> None:
    mids = [MidSample(0, D(100)), MidSample(5 * S, D(101))]
    assert time_weighted_mid(mids, 7 * S, 7 * S) == (D(101), 1)
    assert time_weighted_mid(mids, 7 * S, 60 * S) == (D(101) * 53 * S, 53 * S)
    assert time_weighted_mid([], 0, S) is None
    assert time_weighted_mid([MidSample(90 * S, D(1))], 0, 60 * S) is None


def test_flagged_own_prints_are_replaced_by_fills(make_order: OrderFactory, make_fill: FillFactory) -> None:
    order = make_order(quantity=D(5))
    fills = [make_fill(ts_ns=S, quantity=D(2), price=D(101))]
    tape = [
        MarketPrint(S, D(101), D(2), is_ours=True),
        MarketPrint(2 * S, D(99), D(6)),
        MarketPrint(61 * S, D(50), D(100)),  # after end_ts
    ]
    volume = interval_volume(order, fills, tape)
    assert volume.market_quantity == D(8)
    assert volume.market_notional == D(202 + 594)
    assert (volume.our_quantity, volume.our_notional) == (D(2), D(202))


def test_fills_outside_interval_count_for_slippage_not_participation(
    make_order: OrderFactory, make_fill: FillFactory
) -> None:
    order = make_order(quantity=D(5))
    fills = [make_fill(ts_ns=90 * S, quantity=D(2), price=D(101))]
    volume = interval_volume(order, fills, [MarketPrint(S, D(100), D(8))])
    assert volume.our_quantity == 0 and volume.market_quantity == D(8)
    result = benchmark_slippage(order, fills, [MarketPrint(S, D(100), D(8))], [])
    assert result.arrival_slippage_bps == 100.0  # bought at 101 vs arrival 100
    assert result.vwap == D(100) and result.vwap_slippage_bps == 100.0
    assert result.twap is None and result.twap_slippage_bps is None


def test_sell_above_benchmark_is_a_saving(make_order: OrderFactory, make_fill: FillFactory) -> None:
    order = make_order(side="sell")
    fills = [make_fill(side="sell", price=D(102))]
    result = benchmark_slippage(order, fills, [], [MidSample(0, D(101))])
    assert result.arrival_slippage_bps == -200.0
    assert result.twap == D(101)
    assert result.twap_slippage_bps is not None and result.twap_slippage_bps < 0
