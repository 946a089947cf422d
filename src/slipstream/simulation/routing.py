"""The smart router inside a simulation: a consolidated view kept current from the loop, and
every routing decision journaled (what was expected, and what the alternatives would have cost).

Assets that settle as one are routed as one pair: the scenario's ``USD``, ``USDT`` and ``USDC``
quotes and ``WBTC`` for ``BTC`` (the simulated markets share one fair value; the stable-coin basis
is assumed zero, as the scenario documents).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from slipstream.engine.execution import ExecutionEngine
from slipstream.errors import InstrumentError
from slipstream.model.enums import InstrumentKind, Liquidity, OrderType, Side, TimeInForce
from slipstream.model.events import ChildCostExpected, Event, OrderRejected, RoutePlanned
from slipstream.model.feed import BookUpdate
from slipstream.model.instruments import Instrument
from slipstream.model.intents import ChildIntent, Urgency
from slipstream.model.orders import ChildOrder
from slipstream.routing import (
    AmmSource,
    BookSource,
    ConsolidatedView,
    GasModel,
    MevModel,
    Route,
    RouterConfig,
    SmartRouter,
    VenueConditions,
)
from slipstream.venues.sim.chain import AmmVenue
from slipstream.venues.sim.models import FEE_SCHEDULES

if TYPE_CHECKING:
    from slipstream.scenarios import SimMarket
    from slipstream.simulation.runner import SimulationRequest

__all__ = ["ASSET_ALIASES", "SmartIntentRouter", "make_router", "routing_summary"]

ASSET_ALIASES: Mapping[str, str] = {"WBTC": "BTC", "USD": "USDT", "USDC": "USDT", "WETH": "ETH"}
BOOK_SLIPPAGE_BPS = 5
"""Slack on book IOC limits: covers a few ticks of movement during the venue's latency."""
VENUE_FAILURES = ("VENUE_UNAVAILABLE", "RATE_LIMITED")
"""Reject codes that are the venue's failure, not the order's: the venue is excluded for a while."""


def canonical_pair(instrument: Instrument) -> tuple[str, str]:
    return ASSET_ALIASES.get(instrument.base, instrument.base), ASSET_ALIASES.get(instrument.quote, instrument.quote)


class SmartIntentRouter:
    """Implements the executor's ``IntentRouter`` with :class:`~slipstream.routing.SmartRouter`.

    Args:
        engine: the engine whose loop feeds the view and whose journal records decisions.
        market: the simulated market (venues, scenario specs, chains).
        allowed: venues the router may use (empty: all spot venues of the pair).
        healthy: ``(venue, now_ns) -> bool``, e.g. "its circuit breaker is closed"; an unhealthy
            venue is not routed to, and an excluded one stays excluded while unhealthy.
        config: router policy (default: the scenario aliases and book slippage).

    A venue that refuses an order for its own reasons (``VENUE_UNAVAILABLE``, ``RATE_LIMITED``)
    is excluded from routes for the router's ``exclusion_ns`` (a rate limit: until its
    ``retry_after_ns``, at least), so the next slice goes elsewhere.
    """

    def __init__(
        self,
        engine: ExecutionEngine,
        market: SimMarket,
        allowed: tuple[str, ...] = (),
        *,
        healthy: Callable[[str, int], bool] | None = None,
        config: RouterConfig | None = None,
    ) -> None:
        self.engine = engine
        self.market = market
        self.allowed = set(allowed)
        self.healthy = healthy
        if config is None:
            config = RouterConfig(asset_aliases=dict(ASSET_ALIASES), book_slippage_bps=BOOK_SLIPPAGE_BPS)
        self.router = SmartRouter(config, health=healthy)
        self.view = ConsolidatedView()
        self._pending: dict[str, tuple[str, Decimal, Decimal]] = {}
        self._seen: set[str] = set()
        self._amm: dict[str, tuple[AmmVenue, Instrument, str, int, int]] = {}
        specs = {spec.name: spec for spec in market.scenario.venues}
        chain_specs = {spec.name: spec for spec in market.scenario.chains}
        self._fees: dict[str, tuple[Decimal, Decimal]] = {}
        for (venue_id, _), instrument in market.instruments.items():
            spec = specs.get(venue_id)
            if spec is None or instrument.kind is not InstrumentKind.SPOT or not self._permitted(venue_id):
                continue
            if spec.fee_schedule is not None and spec.fee_schedule in FEE_SCHEDULES:
                schedule = FEE_SCHEDULES[spec.fee_schedule]
                self._fees[venue_id] = (schedule.rate(Liquidity.TAKER), schedule.rate(Liquidity.MAKER))
            venue = market.venues[venue_id]
            if isinstance(venue, AmmVenue):
                chain_spec = chain_specs.get(spec.chain or "")
                native = Decimal(str(chain_spec.native_price_usd)) if chain_spec else Decimal(3000)
                pool_id, base_index, quote_index = venue.pool_of(instrument.symbol)
                pool = venue.chain.pools[pool_id]
                gas = GasModel(native_price=native)
                mev = MevModel(public_mempool=not venue.config.private_relay)
                block_s = venue.chain.preset.block_time_ns / 1e9
                source = AmmSource.snapshot(
                    venue_id,
                    instrument,
                    pool,
                    base_index,
                    quote_index,
                    gas=gas,
                    mev=mev,
                    block_time_s=block_s,
                    conditions=VenueConditions(received_ts_ns=engine.now_ns),
                )
                self.view.add(source)
                self._amm[venue_id] = (
                    venue,
                    instrument,
                    pool_id,
                    base_index,
                    quote_index,
                )
        engine.loop.subscribe(BookUpdate, self._on_book)
        engine.loop.subscribe(OrderRejected, self._on_reject)

    def _on_reject(self, event: OrderRejected) -> None:
        """Exclude a venue that refused an order for its own reasons (see the class docstring)."""
        code, _, context = event.reason.partition(" ")
        state = self.engine.oms.orders.get(event.client_order_id)
        if code not in VENUE_FAILURES or state is None:
            return
        until = event.ts_ns + self.router.config.exclusion_ns
        for item in context.split():
            key, _, value = item.partition("=")
            if key == "retry_after_ns" and value.isdigit():
                until = event.ts_ns + max(int(value), 1)
        self.router.exclude(state.order.venue, until)

    def _apply_health(self, now_ns: int) -> None:
        """Mark each source healthy or not (breaker-aware) before a decision."""
        if self.healthy is None:
            return
        for venue in self.view.venues():
            source = self.view.source(venue)
            healthy = self.healthy(venue, now_ns)
            if source.conditions.healthy != healthy:
                self.view.set_conditions(venue, dataclasses.replace(source.conditions, healthy=healthy))

    def _permitted(self, venue: str) -> bool:
        return not self.allowed or venue in self.allowed

    def _on_book(self, update: BookUpdate) -> None:
        instrument = self.engine.oms.instruments.get((update.venue, update.symbol))
        if instrument is None or instrument.kind is not InstrumentKind.SPOT or not self._permitted(update.venue):
            return
        if update.venue not in self._fees and (instrument.taker_fee or instrument.maker_fee):
            self._fees[update.venue] = (instrument.taker_fee, instrument.maker_fee)
        if update.venue not in self._seen:
            self._seen.add(update.venue)
            taker, maker = self._fees.get(update.venue, (instrument.taker_fee, instrument.maker_fee))
            self.view.add(BookSource.from_update(update, instrument, taker_fee=taker, maker_fee=maker))
        else:
            self.view.apply_book(update)

    def _refresh_pools(self, now_ns: int) -> None:
        for venue_id, (venue, _, pool_id, _, _) in self._amm.items():
            chain = venue.chain
            last_block = chain.genesis_ns + chain.block_number * chain.preset.block_time_ns
            self.view.apply_pool(venue_id, chain.pools[pool_id], min(now_ns, max(last_block, 0)))

    def _refresh_balances(self, side: Side) -> None:
        """What each venue's wallet can still pay or deliver, net of our working orders there."""
        reserved: dict[str, tuple[Decimal, Decimal]] = {}
        for state in self.engine.oms.working_orders():
            order, inst = state.order, state.instrument
            remaining = inst.lot_size * (state.lots - state.filled_lots)
            base, quote = reserved.get(order.venue, (Decimal(0), Decimal(0)))
            if order.side is Side.BUY:
                price = inst.price_unit * (state.price_units or 0)
                quote += remaining * price * (1 + inst.taker_fee)
            else:
                base += remaining
            reserved[order.venue] = (base, quote)
        for venue_id in self._seen | set(self._amm):
            venue = self.market.venues.get(venue_id)
            balances = venue.balances() if venue is not None else {}
            if not balances:
                continue
            source = self.view.source(venue_id)
            inst = source.instrument
            base_asset, quote_asset = inst.base, inst.quote
            if isinstance(venue, AmmVenue):  # the wallet holds the pool's tokens (WBTC for BTC)
                base_asset = source.pool.tokens[source.base_index]  # type: ignore[union-attr]
                quote_asset = source.pool.tokens[source.quote_index]  # type: ignore[union-attr]
            base_res, quote_res = reserved.get(venue_id, (Decimal(0), Decimal(0)))
            if side is Side.BUY:
                self.view.set_balance(
                    venue_id, None, max(balances.get(quote_asset, Decimal(0)) - quote_res, Decimal(0))
                )
            else:
                self.view.set_balance(venue_id, max(balances.get(base_asset, Decimal(0)) - base_res, Decimal(0)), None)

    def route(self, intent: ChildIntent, now_ns: int) -> Route:
        self._refresh_pools(now_ns)
        self._refresh_balances(intent.side)
        self._apply_health(now_ns)
        return self.router.route(intent, self.view.snapshot(now_ns))

    def orders_for(self, intent: ChildIntent, now_ns: int) -> list[ChildOrder]:
        route = self.route(intent, now_ns)
        orders = route.to_child_orders(intent.parent_id, intent.intent_id)
        self._record_route(intent, route, orders)
        if not orders and intent.urgency is Urgency.PASSIVE and intent.limit_price is not None:
            orders = self._rest_at_limit(intent, now_ns)
        return orders

    def _rest_at_limit(self, intent: ChildIntent, now_ns: int) -> list[ChildOrder]:
        """A patient intent whose limit leaves nothing to take (an iceberg slice at the touch):
        rest it, post-only, on the book with the best same-side touch, at the limit or the touch,
        whichever is further from the market."""
        best: tuple[Decimal, str, Instrument] | None = None
        buy = intent.side is Side.BUY
        for source in self.view.snapshot(now_ns).sources:
            if not isinstance(source, BookSource) or not source.conditions.healthy:
                continue
            own = source.bids if buy else source.asks
            if not own:
                continue
            touch = source.instrument.price_unit * own[0][0]
            if best is None or (touch > best[0] if buy else touch < best[0]):
                best = (touch, source.venue, source.instrument)
        if best is None:
            return []
        touch, venue, inst = best
        limit = intent.limit_price
        assert limit is not None
        price = min(touch, limit) if buy else max(touch, limit)
        lots = int(intent.quantity / inst.lot_size)
        units = inst.price_to_units(price, "down" if buy else "up")
        try:
            inst.check_order(units, lots)
        except InstrumentError:
            return []
        return [
            ChildOrder(
                client_order_id=f"{intent.intent_id}-0",
                venue=venue,
                symbol=inst.symbol,
                side=intent.side,
                lots=lots,
                order_type=OrderType.POST_ONLY,
                time_in_force=TimeInForce.GTC,
                price_units=units,
                parent_id=intent.parent_id,
            )
        ]

    def child_sent(self, original_id: str, order: ChildOrder) -> None:
        """The executor renamed and sent one of our orders: journal its expected cost."""
        expected = self._pending.pop(original_id, None)
        if expected is None:
            return
        _, cost, reference = expected
        self.engine.record(
            (
                ChildCostExpected(
                    ts_ns=self.engine.now_ns,
                    client_order_id=order.client_order_id,
                    expected_cost=cost,
                    reference_price=reference,
                ),
            )
        )

    def _record_route(self, intent: ChildIntent, route: Route, orders: list[ChildOrder]) -> None:
        reference = route.reference_mid if route.reference_mid > 0 else None
        single, equal = route.best_single_venue, route.equal_split
        legs = tuple((leg.venue, str(leg.quantity)) for leg in route.legs)
        event: Event = RoutePlanned(
            ts_ns=self.engine.now_ns,
            parent_id=intent.parent_id,
            intent_id=intent.intent_id,
            quantity=intent.quantity,
            legs=legs,
            expected_cost=route.costs.total,
            best_single_venue=",".join(single.venues) if single is not None else "",
            best_single_venue_cost=single.total if single is not None else None,
            equal_split_cost=equal.total if equal is not None else None,
            reference_price=reference,
            explanation=route.reason,
        )
        self.engine.record((event,))
        for order, leg in zip(orders, route.legs, strict=False):
            if reference is not None:
                self._pending[order.client_order_id] = (leg.venue, leg.costs.total, reference)


def make_router(request: SimulationRequest, market: SimMarket) -> Any:
    """The router a request asks for (``None``: the executor's top-of-book default)."""
    if request.router == "top":
        return None
    return SmartIntentRouter(market.engine, market, request.venues)


def routing_summary(events: list[Event]) -> dict[str, Any]:
    """Expected cost of the routes taken vs the best single venue and an equal split, summed
    over every routing decision (quote asset; positive saving = the route was cheaper)."""
    routed = Decimal(0)
    single = Decimal(0)
    equal = Decimal(0)
    decisions = 0
    notional = Decimal(0)
    venues: dict[str, int] = {}
    for event in events:
        if not isinstance(event, RoutePlanned) or event.best_single_venue_cost is None:
            continue
        decisions += 1
        routed += event.expected_cost
        single += event.best_single_venue_cost
        equal += event.equal_split_cost if event.equal_split_cost is not None else event.expected_cost
        if event.reference_price is not None:
            notional += event.quantity * event.reference_price
        for venue, _ in event.legs:
            venues[venue] = venues.get(venue, 0) + 1
    bps = (lambda x: float(x / notional * 10_000)) if notional else (lambda x: 0.0)
    return {
        "decisions": decisions,
        "expected_cost": str(routed.quantize(Decimal("0.0001"))),
        "best_single_venue_cost": str(single.quantize(Decimal("0.0001"))),
        "equal_split_cost": str(equal.quantize(Decimal("0.0001"))),
        "saving_vs_best_single_venue_bps": round(bps(single - routed), 4),
        "saving_vs_equal_split_bps": round(bps(equal - routed), 4),
        "legs_by_venue": dict(sorted(venues.items())),
    }
