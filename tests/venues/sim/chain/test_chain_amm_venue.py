"""AmmVenue: child orders become swaps; reports, gas and the lot/price mapping."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from chain_helpers import BLOCK, E18, GWEI, POOL, QUIET, USDC, swap_tx, v2_pool

from slipstream.engine.execution import ExecutionEngine
from slipstream.errors import ValidationError
from slipstream.model.enums import OrderStatus, OrderType, Side, TimeInForce
from slipstream.model.instruments import SpotPair
from slipstream.model.orders import ChildOrder
from slipstream.model.reports import ExecutionReport, ReportKind
from slipstream.venues.sim.chain import (
    ETHEREUM,
    AmmMarket,
    AmmVenue,
    AmmVenueConfig,
    Chain,
    ChainPreset,
    ChainTick,
    GasCharge,
)

INSTRUMENT = SpotPair.create("uni", "ETH", "USDC", Decimal("0.01"), Decimal("0.001"))


class Context:
    """Records deliveries; runs ChainTicks in time order."""

    def __init__(self) -> None:
        self.now = 0
        self.messages: list[tuple[int, Any]] = []

    def now_ns(self) -> int:
        return self.now

    def deliver(self, ts_ns: int, message: Any) -> None:
        self.messages.append((ts_ns, message))

    def rng(self, name: str) -> np.random.Generator:
        return np.random.default_rng(0)

    def run(self, venue: AmmVenue, until: int) -> None:
        while True:
            ticks = [(t, m) for t, m in self.messages if isinstance(m, ChainTick) and t <= until]
            if not ticks:
                break
            for item in ticks:
                self.messages.remove(item)
            ts, tick = min(ticks, key=lambda x: x[0])
            self.now = ts
            venue.on_chain_tick(tick)

    def reports(self, coid: str) -> list[ExecutionReport]:
        return [m for _, m in self.messages
                if isinstance(m, ExecutionReport) and m.client_order_id == coid]

    def charges(self) -> list[GasCharge]:
        return [m for _, m in self.messages if isinstance(m, GasCharge)]


def _setup(preset: ChainPreset = QUIET, seed: int = 1, **cfg: Any) -> tuple[Chain, AmmVenue, Context]:
    chain = Chain(preset, seed=seed)
    chain.add_pool(v2_pool())
    chain.fund("desk", "ETH", 10 * E18)
    chain.fund("desk", "WETH", 100 * E18)
    chain.fund("desk", "USDC", 300_000 * USDC)
    venue = AmmVenue("uni", chain, [AmmMarket(INSTRUMENT, POOL, base_token="WETH")],
                     AmmVenueConfig("desk", **cfg))
    ctx = Context()
    venue.attach(ctx)
    return chain, venue, ctx


def _order(coid: str, side: Side, lots: int, price: int | None = None, **kw: Any) -> ChildOrder:
    kind = OrderType.MARKET if price is None else OrderType.LIMIT
    return ChildOrder(client_order_id=coid, venue="uni", symbol="ETH/USDC", side=side, lots=lots,
                      order_type=kind, time_in_force=kw.pop("tif", TimeInForce.IOC),
                      price_units=price, **kw)


def test_market_sell_is_accepted_then_filled_with_gas() -> None:
    _chain, venue, ctx = _setup()
    venue.submit(_order("s1", Side.SELL, 2_000))  # 2 ETH
    ctx.run(venue, 5 * BLOCK)
    accepted, fill = ctx.reports("s1")
    assert accepted.kind is ReportKind.ACCEPTED and fill.kind is ReportKind.FILL
    receipt = venue.receipts["s1"]
    assert fill.venue_ts_ns == receipt.block_ts_ns == BLOCK
    assert fill.fill is not None and fill.fill.lots == 2_000 and fill.fill.gas_asset == "ETH"
    assert fill.fill.gas == Decimal(receipt.fee_wei).scaleb(-18) > 0
    assert receipt.amount_in == 2 * E18
    # average price: USDC received / ETH sold, rounded to the 0.01 price unit
    assert abs(fill.fill.price_units - receipt.amount_out / 2 / USDC * 100) <= 0.5
    (approve,) = ctx.charges()  # the approval was its own transaction
    assert approve.purpose == "approve" and approve.gas > 0
    assert venue.balances()["USDC"] == Decimal(300_000 * USDC + receipt.amount_out).scaleb(-6)


def test_limit_buy_is_exact_output_within_max_input() -> None:
    _chain, venue, ctx = _setup()
    venue.submit(_order("b1", Side.BUY, 1_500, price=310_000))  # 1.5 ETH at <= 3100
    ctx.run(venue, 5 * BLOCK)
    receipt = venue.receipts["b1"]
    assert receipt.amount_out == 1_500 * E18 // 1000
    assert receipt.amount_in <= 1_500 * 3100 * USDC // 1000
    assert ctx.reports("b1")[-1].kind is ReportKind.FILL


def test_unmarketable_limit_rejected_without_gas() -> None:
    chain, venue, ctx = _setup()
    venue.submit(_order("b2", Side.BUY, 1_000, price=290_000))
    (report,) = ctx.reports("b2")
    assert report.kind is ReportKind.REJECTED and "not marketable" in report.reason
    assert len(chain.mempool) == 0 and ctx.charges() == []


def test_revert_when_price_moves_reports_rejected_and_charges_gas() -> None:
    chain, venue, ctx = _setup()
    chain.fund("whale", "ETH", E18)
    chain.fund("whale", "WETH", 100 * E18)
    chain.account("whale").approved.add("WETH")
    quote = chain.pools[POOL].quote_exact_in(0, 1, E18).amount_out
    limit_units = -(-quote // (USDC // 100))  # ceil(quote per ETH) in cents: marketable only now
    venue.submit(_order("s2", Side.SELL, 1_000, price=limit_units - 1))
    chain.submit(swap_tx("whale", 0, 10 * E18, tip=5 * GWEI), 0)  # goes first, moves the price
    ctx.run(venue, 5 * BLOCK)
    rejected = ctx.reports("s2")[-1]
    assert rejected.kind is ReportKind.REJECTED and rejected.reason == "reverted: Too little received"
    swap_charge = [c for c in ctx.charges() if c.purpose == "swap"]
    assert len(swap_charge) == 1 and swap_charge[0].gas == Decimal(venue.receipts["s2"].fee_wei).scaleb(-18)


def test_private_relay_order_can_expire() -> None:
    preset = replace(QUIET, relay_inclusion_probability=0.0, relay_max_blocks=2)
    chain, venue, ctx = _setup(preset, private_relay=True)
    venue.submit(_order("p1", Side.SELL, 1_000))
    ctx.run(venue, 10 * BLOCK)
    assert ctx.reports("p1")[-1].kind is ReportKind.EXPIRED
    assert chain.account("desk").nonce == 0


def test_cancel_public_order_costs_a_noop() -> None:
    _chain, venue, ctx = _setup()
    venue.submit(_order("c1", Side.SELL, 1_000))
    venue.cancel("c1")
    ctx.run(venue, 5 * BLOCK)
    assert ctx.reports("c1")[-1].kind is ReportKind.CANCELED
    assert {c.purpose for c in ctx.charges()} == {"approve", "cancel"}
    venue.cancel("c1")
    assert ctx.reports("c1")[-1].kind is ReportKind.CANCEL_REJECTED


def test_unsupported_requests_rejected() -> None:
    _, venue, ctx = _setup()
    venue.submit(ChildOrder(client_order_id="x", venue="uni", symbol="BTC/USDC", side=Side.BUY,
                            lots=1, order_type=OrderType.MARKET))
    venue.submit(ChildOrder(client_order_id="y", venue="uni", symbol="ETH/USDC", side=Side.BUY,
                            lots=1, order_type=OrderType.POST_ONLY, price_units=1))
    venue.replace("y", 1, 1)
    assert ctx.reports("x")[0].kind is ReportKind.REJECTED
    assert [r.kind for r in ctx.reports("y")] == [ReportKind.REJECTED, ReportKind.REPLACE_REJECTED]


def test_lot_must_be_whole_base_units() -> None:
    chain = Chain(QUIET)
    chain.add_pool(v2_pool())
    tiny = SpotPair.create("uni", "USDC", "WETH", Decimal("0.01"), Decimal("0.0000001"))
    with pytest.raises(ValidationError):
        AmmVenue("uni", chain, [AmmMarket(tiny, POOL)], AmmVenueConfig("desk"))


def test_engine_integration_is_deterministic_and_measures_mev() -> None:
    def run(seed: int, private: bool) -> tuple[Any, ...]:
        chain = Chain(replace(ETHEREUM, sandwich_probability=1.0), seed=seed)
        chain.add_pool(v2_pool())
        chain.fund("desk", "ETH", 10 * E18)
        chain.fund("desk", "WETH", 100 * E18)
        venue = AmmVenue("uni", chain, [AmmMarket(INSTRUMENT, POOL, base_token="WETH")],
                         AmmVenueConfig("desk", private_relay=private, slippage_bps=100))
        engine = ExecutionEngine([venue], seed=seed)
        engine.loop.subscribe(ChainTick, venue.on_chain_tick)
        state = engine.submit_order(_order("e1", Side.SELL, 10_000))
        engine.run()
        receipt = venue.receipts["e1"]
        return state.status, receipt, state.filled_lots

    status, receipt, lots = run(2, private=False)
    assert status is OrderStatus.FILLED and lots == 10_000
    assert receipt.sandwiched and receipt.sandwich_loss > 0
    assert run(2, private=False) == (status, receipt, lots)
    status, private_receipt, _ = run(2, private=True)
    assert status is OrderStatus.FILLED and not private_receipt.sandwiched
    assert private_receipt.amount_out > receipt.amount_out
