"""ExposureBook (running totals) against the reference scan of every order: same holdings, same
working-order counts and the same decision for every check, over random order flows."""

from __future__ import annotations

import contextlib
from decimal import Decimal

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from slipstream.engine.clock import SimulatedClock
from slipstream.engine.execution import ExecutionEngine
from slipstream.errors import ValidationError
from slipstream.model.enums import Side
from slipstream.model.instruments import Instrument
from slipstream.model.orders import ChildOrder
from slipstream.oms.manager import OrderManager
from slipstream.risk import (
    ExposureLimits,
    ReferenceKind,
    ReferencePriceTable,
    RiskEngine,
    RiskLimits,
    VenueLimits,
)
from slipstream.risk.base import RiskDenial
from slipstream.risk.exposure import ExposureBook, InstrumentExposure, _scan_exposure, _scan_open_orders
from slipstream.testing.stubs import btc_usdt, child, parent
from slipstream.venues.sim.quote import QuoteVenue

ACCOUNTS = ("a1", "a2")
VENUES = ("sim", "dex")  # "dex" has no reference price: it is valued at its last order price
LIMITS = RiskLimits(
    venues={"*": VenueLimits(max_open_orders=4)},
    accounts={"*": {"BTC": ExposureLimits(max_position=Decimal("0.3"), max_net_notional=Decimal(15_000))}},
    portfolio={"BTC": ExposureLimits(max_position=Decimal("0.5"), max_gross_notional=Decimal(25_000))},
)


class ScanBook(ExposureBook):
    """The reference: every answer recomputed from a scan of the OMS."""

    def __init__(self) -> None:
        super().__init__()
        self.oms: OrderManager | None = None

    def sync(self, oms: OrderManager) -> None:
        self.oms = oms

    def holdings(self, account: str | None, asset: str, exclude: str = "") -> dict[tuple[str, str], InstrumentExposure]:
        assert self.oms is not None
        return _scan_exposure(self.oms.orders.values(), account, asset, exclude)

    def open_orders(self, venue: str, exclude: str = "") -> int:
        assert self.oms is not None
        return _scan_open_orders(self.oms, venue, exclude)


def picture(exposures: dict[tuple[str, str], InstrumentExposure]) -> list[tuple[object, ...]]:
    return [(k, e.instrument, e.position_lots, e.buy_lots, e.sell_lots, e.last_price_units)
            for k, e in exposures.items()]


def assert_same_view(book: ExposureBook, oms: OrderManager, exclude: str = "") -> None:
    book.sync(oms)
    for account in (*ACCOUNTS, None):
        for asset in ("BTC", "ETH"):
            assert picture(book.holdings(account, asset, exclude)) == picture(
                _scan_exposure(oms.orders.values(), account, asset, exclude))
    for venue in VENUES:
        assert book.open_orders(venue, exclude) == _scan_open_orders(oms, venue, exclude)


class Comparing:
    """Stands in as the engine's risk: asks the live and the reference engine, asserts they agree."""

    def __init__(self, live: RiskEngine, reference: RiskEngine) -> None:
        self.live = live
        self.reference = reference
        self.decisions: list[RiskDenial | None] = []

    def check(self, order: ChildOrder, instrument: Instrument) -> RiskDenial | None:
        assert self.live.oms is not None
        want = self.reference.check(order, instrument)
        got = self.live.check(order, instrument)
        assert got == want
        assert_same_view(self.live.exposures, self.live.oms, exclude=order.client_order_id)
        self.decisions.append(got)
        return got


def build() -> tuple[ExecutionEngine, dict[str, QuoteVenue], RiskEngine, RiskEngine]:
    venues = {name: QuoteVenue(name, [btc_usdt(name)], latency_ns=1_000) for name in VENUES}
    engine = ExecutionEngine(list(venues.values()), clock=SimulatedClock(0))
    refs = ReferencePriceTable()
    refs.set("sim", "BTC/USDT", ReferenceKind.MID, Decimal(60_000))
    live = RiskEngine(LIMITS, references=refs).install(engine)
    reference = RiskEngine(LIMITS, references=refs).bind(engine.oms, engine.loop.clock)
    scan = ScanBook()
    reference.exposures = scan
    for check in reference._head:  # the reference's checks read the scan
        if hasattr(check, "book"):
            check.book = scan
    engine.risk = Comparing(live, reference)
    for venue in venues.values():
        venue.set_quote("BTC/USDT", 5_999_990, 6_000_010)
    engine.submit_parent(parent(quantity="100"))
    return engine, venues, live, reference


submit = st.tuples(st.just("submit"), st.sampled_from(ACCOUNTS), st.sampled_from(VENUES),
                   st.sampled_from([Side.BUY, Side.SELL]), st.integers(100, 30_000),
                   st.integers(-61, 60).map(lambda x: None if x == -61 else x))  # None: a market order
move = st.tuples(st.just("move"), st.sampled_from(VENUES), st.integers(-60, 60))
cancel = st.tuples(st.just("cancel"), st.integers(0, 50))
replace = st.tuples(st.just("replace"), st.integers(0, 50), st.integers(100, 30_000), st.integers(-30, 30))
parent_check = st.tuples(st.just("parent"), st.sampled_from([Side.BUY, Side.SELL]), st.integers(1, 90))
run = st.tuples(st.just("run"))
flows = st.lists(st.one_of(submit, submit, submit, move, cancel, replace, parent_check, run), min_size=5, max_size=40)


@settings(max_examples=120, deadline=None)
@given(flows)
def test_running_totals_decide_exactly_as_the_scan(steps: list[tuple[object, ...]]) -> None:
    engine, venues, live, reference = build()
    bid = dict.fromkeys(VENUES, 5_999_990)
    for n, step in enumerate(steps):
        kind = step[0]
        if kind == "submit":
            _, account, venue, side, lots, offset = step
            price = None if offset is None else bid[venue] + 5 + int(offset)  # type: ignore[call-overload]
            order = child(f"o{n}", lots=int(lots), price_units=price, venue=str(venue), side=side,  # type: ignore[call-overload, arg-type]
                          parent_id=None)
            engine.submit_order(msgspec.structs.replace(order, account=str(account)))
        elif kind == "move":
            _, venue, delta = step
            bid[str(venue)] = max(5_000_000, bid[str(venue)] + int(delta))  # type: ignore[call-overload]
            venues[str(venue)].set_quote("BTC/USDT", bid[str(venue)], bid[str(venue)] + 10)
        elif kind in ("cancel", "replace"):
            working = engine.oms.working_orders()
            if working:
                state = working[int(step[1]) % len(working)]  # type: ignore[call-overload]
                coid = state.order.client_order_id
                if kind == "cancel":
                    engine.cancel_order(coid)
                else:
                    price = None if state.price_units is None else state.price_units + int(step[3])  # type: ignore[call-overload]
                    with contextlib.suppress(ValidationError):  # e.g. a new size below the filled
                        engine.replace_order(coid, price, int(step[2]))  # type: ignore[call-overload]
        elif kind == "parent":
            side = step[1]
            spec = msgspec.structs.replace(parent(f"Q{n}", quantity=str(Decimal(int(step[2])) / 100)), side=side)  # type: ignore[call-overload]
            assert live.check_parent(spec) == reference.check_parent(spec)
        else:
            engine.run()
        assert_same_view(live.exposures, engine.oms)
    engine.run()
    assert_same_view(live.exposures, engine.oms)
    for coid in engine.oms.orders:  # leaving out any one order (filled ones included)
        assert_same_view(live.exposures, engine.oms, exclude=coid)
    assert_same_view_after_replay(engine)


def assert_same_view_after_replay(engine: ExecutionEngine) -> None:
    """A restarted engine's totals, fed by replay, equal the scan of the replayed OMS."""
    restarted = ExecutionEngine([], journal=engine.journal, clock=SimulatedClock(0))
    risk = RiskEngine(LIMITS).install(restarted)
    risk.exposures.sync(restarted.oms)  # empty: from here on only replayed events feed it
    restarted.replay()
    assert_same_view(risk.exposures, restarted.oms)
    assert restarted.oms.snapshot() == engine.oms.snapshot()


def test_denials_happen_in_these_flows() -> None:
    """The limits above are tight enough that flows hit open-order and exposure denials."""
    engine, _, _, _ = build()
    for n in range(6):
        engine.submit_order(msgspec.structs.replace(
            child(f"b{n}", lots=1_000, price_units=5_900_000, parent_id=None), account="a1"))
    engine.cancel_order("b0")
    engine.run()
    engine.submit_order(msgspec.structs.replace(
        child("big", lots=40_000, price_units=5_900_000, parent_id=None), account="a1"))
    decisions = engine.risk.decisions  # type: ignore[attr-defined]
    codes = [d.code for d in decisions if d is not None]
    assert codes == ["MAX_OPEN_ORDERS", "MAX_OPEN_ORDERS", "POSITION_LIMIT"]
    assert "MAX_OPEN_ORDERS" in codes


def test_bound_without_an_engine_rebuilds_each_time() -> None:
    """bind() only: the book cannot be told of changes, so it recomputes (same answers)."""
    engine, _, _, _ = build()
    engine.submit_order(child("x1", parent_id=None))
    engine.run()
    book = ExposureBook()
    assert_same_view(book, engine.oms)
    engine.submit_order(child("x2", parent_id=None, side=Side.SELL))
    engine.cancel_order("x1")
    engine.run()
    assert_same_view(book, engine.oms)



def test_an_order_counted_again_keeps_its_creation_rank() -> None:
    """A cancelled unfilled order leaves the totals; a late fill brings it back in its old place."""
    from slipstream.risk.exposure import _Ranked

    first, last = _Ranked(first=True), _Ranked(first=False)
    for ranked in (first, last):
        ranked.add("a", 0)
        ranked.add("b", 1)
        ranked.add("c", 2)
    first.discard("a")
    last.discard("c")
    assert (first.best(""), last.best("")) == ("b", "b")  # drops the stale heads
    first.add("a", 0)
    last.add("c", 2)
    assert (first.best(""), last.best("")) == ("a", "c")
    assert (first.best("a"), last.best("c")) == ("b", "b")
    assert first.best("a") == "b" and first.best("") == "a"  # skipping does not lose the head
