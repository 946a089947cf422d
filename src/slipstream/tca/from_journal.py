"""Build TCA inputs from a journal alone, so any past run can be analysed again.

What is read: ``InstrumentListed`` (the increments behind integer prices and lots),
``ParentOrderSubmitted`` (decision time, side, quantity, window), ``OrderCreated`` and
``OrderAccepted`` (venue, order type, queue start), ``OrderFilled`` (fills, fees, gas),
``ChildCostExpected`` (router predictions), ``MidObserved`` (the mid path; also converts fees and
gas paid in other assets, via ``ASSET/QUOTE`` mids) and ``MarketTradeObserved`` (the tape).
Overfill excess (``FillAnomaly``) is not part of the parent's execution and is left out.

Decision price: the last mid at or before the parent was submitted (else the first after).
Arrival price: the last mid at or before the parent's start time (else the first after).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from decimal import Decimal

import msgspec

from slipstream.errors import ValidationError
from slipstream.model.events import (
    ChildCostExpected,
    Event,
    InstrumentListed,
    MarketTradeObserved,
    MidObserved,
    OrderAccepted,
    OrderCreated,
    OrderFilled,
    ParentOrderSubmitted,
)
from slipstream.tca.analysis import TcaConfig, analyse
from slipstream.tca.inputs import MarketPrint, MidSample, TcaFill, TcaOrder
from slipstream.tca.result import TcaResult

__all__ = ["JournalTcaInputs", "analyse_events", "tca_inputs_from_events"]


class JournalTcaInputs(msgspec.Struct, frozen=True):
    """Everything :func:`slipstream.tca.analyse` needs for one parent order."""

    order: TcaOrder
    fills: tuple[TcaFill, ...]
    prints: tuple[MarketPrint, ...]
    mids: tuple[MidSample, ...]
    unconverted_assets: tuple[str, ...] = ()


def _mid_at(times: list[int], mids: list[Decimal], ts: int) -> Decimal | None:
    i = bisect.bisect_right(times, ts) - 1
    if i >= 0:
        return mids[i]
    return mids[0] if mids else None


def tca_inputs_from_events(
    events: Iterable[Event],
    parent_id: str | None = None,
    schedule: tuple[tuple[int, Decimal], ...] = (),
) -> JournalTcaInputs:
    """Collect one parent's TCA inputs from journal events (in journal order).

    Args:
        events: the journal's events.
        parent_id: which parent; default the first parent in the journal.
        schedule: optional planned trajectory (ts_ns, cumulative quantity) for the report.

    Raises:
        ValidationError: no such parent, or no mid price for its symbol in the journal.
    """
    listed: dict[tuple[str, str], InstrumentListed] = {}
    parent: ParentOrderSubmitted | None = None
    created: dict[str, OrderCreated] = {}
    accepted_at: dict[str, int] = {}
    expected: dict[str, ChildCostExpected] = {}
    filled: list[OrderFilled] = []
    mid_series: dict[str, tuple[list[int], list[Decimal]]] = {}
    trades: list[MarketTradeObserved] = []
    last_ts = 0
    for event in events:
        last_ts = max(last_ts, event.ts_ns)
        if isinstance(event, InstrumentListed):
            listed[(event.venue, event.symbol)] = event
        elif isinstance(event, ParentOrderSubmitted):
            if parent is None and (parent_id is None or event.parent.parent_id == parent_id):
                parent = event
        elif isinstance(event, OrderCreated):
            created[event.order.client_order_id] = event
        elif isinstance(event, OrderAccepted):
            accepted_at.setdefault(event.client_order_id, event.venue_ts_ns)
        elif isinstance(event, OrderFilled):
            filled.append(event)
        elif isinstance(event, ChildCostExpected):
            expected[event.client_order_id] = event
        elif isinstance(event, MidObserved):
            times, values = mid_series.setdefault(event.symbol, ([], []))
            times.append(event.ts_ns)
            values.append(event.mid)
        elif isinstance(event, MarketTradeObserved):
            trades.append(event)
    if parent is None:
        raise ValidationError(f"no parent order {parent_id or ''} in the journal".replace("  ", " "))
    spec = parent.parent
    times, values = mid_series.get(spec.symbol, ([], []))
    if not values:
        raise ValidationError(f"journal has no mid prices for {spec.symbol}; TCA needs MidObserved events")
    quote = spec.symbol.split("/")[1].split(":")[0]
    decision_price = _mid_at(times, values, parent.ts_ns)
    start = max(spec.start_ts_ns, parent.ts_ns)
    arrival_price = _mid_at(times, values, start)
    assert decision_price is not None and arrival_price is not None
    unconverted: set[str] = set()

    def in_quote(amount: Decimal, asset: str, price: Decimal, base: str, ts: int) -> Decimal:
        if not amount or not asset or asset == quote:
            return amount
        if asset == base:
            return amount * price
        series = mid_series.get(f"{asset}/{quote}")
        rate = _mid_at(series[0], series[1], ts) if series else None
        if rate is None:
            unconverted.add(asset)
            return Decimal(0)
        return amount * rate

    fills: list[TcaFill] = []
    fill_end = start
    for event in filled:
        order = created.get(event.client_order_id)
        if order is None or order.order.parent_id != spec.parent_id:
            continue
        child = order.order
        inst = listed.get((child.venue, child.symbol))
        if inst is None:
            raise ValidationError(f"instrument {child.symbol} at {child.venue} is not listed in the journal")
        f = event.fill
        quantity = inst.lot_size * f.lots * inst.contract_size
        price = inst.price_unit * f.price_units
        ts = event.venue_ts_ns or event.ts_ns
        fill_end = max(fill_end, ts)
        prediction = expected.get(child.client_order_id)
        wait = None
        if f.liquidity.value == "maker" and child.client_order_id in accepted_at:
            wait = max(0, ts - accepted_at[child.client_order_id])
        fills.append(
            TcaFill(
                ts_ns=ts,
                venue=child.venue,
                side=spec.side.value,  # type: ignore[arg-type]
                quantity=quantity,
                price=price,
                fee=f.fee,
                fee_asset=f.fee_asset or quote,
                fee_in_quote=in_quote(f.fee, f.fee_asset, price, inst.base, ts),
                gas_in_quote=in_quote(f.gas, f.gas_asset, price, inst.base, ts),
                liquidity=f.liquidity.value,  # type: ignore[arg-type]
                order_type=f"{child.order_type.value}/{child.time_in_force.value}",
                child_id=child.client_order_id,
                queue_wait_ns=wait,
                expected_cost_in_quote=prediction.expected_cost if prediction else None,
                reference_price=prediction.reference_price if prediction else None,
            )
        )
    end = spec.end_ts_ns if spec.end_ts_ns is not None else max(fill_end, last_ts)
    end = max(end, start + 1)
    order = TcaOrder(
        side=spec.side.value,  # type: ignore[arg-type]
        quantity=spec.quantity,
        decision_ts_ns=parent.ts_ns,
        decision_price=decision_price,
        arrival_ts_ns=start,
        arrival_price=arrival_price,
        start_ts_ns=start,
        end_ts_ns=end,
        symbol=spec.symbol,
        quote_asset=quote,
        schedule=schedule,
    )
    prints = tuple(
        MarketPrint(ts_ns=t.ts_ns, price=t.price, quantity=t.quantity, is_ours=t.ours)
        for t in trades
        if t.symbol.split(":")[0] == spec.symbol.split(":")[0] and t.quantity > 0
    )
    mids = tuple(MidSample(ts_ns=t, mid=m) for t, m in zip(times, values, strict=True))
    return JournalTcaInputs(order, tuple(fills), prints, mids, tuple(sorted(unconverted)))


def analyse_events(
    events: Iterable[Event],
    parent_id: str | None = None,
    schedule: tuple[tuple[int, Decimal], ...] = (),
    config: TcaConfig | None = None,
) -> tuple[TcaResult, JournalTcaInputs]:
    """TCA of one parent straight from journal events; returns the result and the inputs used."""
    inputs = tca_inputs_from_events(events, parent_id, schedule)
    return analyse(inputs.order, inputs.fills, inputs.prints, inputs.mids, config), inputs
