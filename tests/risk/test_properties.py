"""Invariant: no sequence of fills of orders that passed the checks breaches a position limit."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from slipstream.model.enums import Side
from slipstream.risk import ExposureLimits, RiskLimits
from slipstream.testing.stubs import child

from .helpers import make_engine

LIMIT_LOTS = 30_000  # 0.3 BTC
LIMITS = RiskLimits(
    accounts={"default": {"BTC": ExposureLimits(max_position=Decimal("0.3"))}},
    portfolio={"BTC": ExposureLimits(max_position=Decimal("0.3"))},
)

submit = st.tuples(st.just("submit"), st.sampled_from([Side.BUY, Side.SELL]), st.integers(100, 40_000),
                   st.integers(-50, 50))
move = st.tuples(st.just("move"), st.integers(-60, 60))
cancel = st.tuples(st.just("cancel"), st.integers(0, 50))
actions = st.lists(st.one_of(submit, move, cancel), min_size=1, max_size=25)


def net_filled_lots(engine: object) -> int:
    orders = engine.oms.orders.values()  # type: ignore[attr-defined]
    return sum((1 if s.order.side is Side.BUY else -1) * s.filled_lots for s in orders)


@settings(max_examples=100, deadline=None)
@given(actions)
def test_approved_orders_never_breach_the_position_limit(steps: list[tuple[object, ...]]) -> None:
    engine, venue, _, _ = make_engine(LIMITS)
    bid = 5_999_990
    for n, step in enumerate(steps):
        if step[0] == "submit":
            _, side, lots, offset = step
            price = (bid + 10 if side is Side.BUY else bid) + int(offset)  # type: ignore[call-overload]
            engine.submit_order(child(f"o{n}", lots=int(lots), price_units=price, side=side,  # type: ignore[call-overload]
                                      parent_id=None))
        elif step[0] == "move":
            bid = max(5_000_000, bid + int(step[1]))  # type: ignore[call-overload]
            venue.set_quote("BTC/USDT", bid, bid + 10)
        else:
            working = engine.oms.working_orders()
            if working:
                engine.cancel_order(working[int(step[1]) % len(working)].order.client_order_id)  # type: ignore[call-overload]
        engine.run()
        assert abs(net_filled_lots(engine)) <= LIMIT_LOTS
    # the worst case: every working buy fills, then every working sell
    venue.set_quote("BTC/USDT", 1, 2)
    engine.run()
    assert abs(net_filled_lots(engine)) <= LIMIT_LOTS
    venue.set_quote("BTC/USDT", 9_999_998, 9_999_999)
    engine.run()
    assert abs(net_filled_lots(engine)) <= LIMIT_LOTS
