"""Participation, fill rate, passive share and queue wait (slipstream/tca/participation.py)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from slipstream.tca import MarketPrint, TcaFill, TcaOrder
from slipstream.tca.participation import participation

S = 1_000_000_000
D = Decimal


def test_participation_statistics(make_order: Callable[..., TcaOrder], make_fill: Callable[..., TcaFill]) -> None:
    order = make_order(quantity=D(10))
    fills = [
        make_fill(ts_ns=S, quantity=D(1), liquidity="maker", queue_wait_ns=4 * S, child_id="a"),
        make_fill(ts_ns=2 * S, quantity=D(3), liquidity="maker", queue_wait_ns=S, child_id="b"),
        make_fill(ts_ns=3 * S, quantity=D(2), child_id="c"),
    ]
    tape = [MarketPrint(S, D(100), D(10)), MarketPrint(5 * S, D(100), D(14))]
    stats = participation(order, fills, tape)
    assert stats.filled_quantity == D(6)
    assert stats.participation_rate == 0.2  # 6 / (24 + 6)
    assert stats.fill_rate == 0.6
    assert stats.passive_share == 4 / 6
    assert stats.avg_queue_wait_s == 1.75  # (1 x 4 s + 3 x 1 s) / 4


def test_participation_undefined_without_volume(
    make_order: Callable[..., TcaOrder],
) -> None:
    stats = participation(make_order(), [], [])
    assert stats.participation_rate is None and stats.passive_share is None
    assert stats.avg_queue_wait_s is None and stats.fill_rate == 0.0
