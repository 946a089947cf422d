"""A Venue that trades AMM pools through the simulated chain.

Order mapping (instrument lots and price units <-> token base units):
    * quantity: ``lots * lot_size`` whole base tokens = ``lots * lot_size * 10**base_decimals``
      base units (the market is refused at construction unless one lot is a whole number of
      base units);
    * BUY  -> exact-output swap quote -> base of that amount; maximum input =
      ``floor(quantity * limit_price * 10**quote_decimals)`` quote units;
    * SELL -> exact-input swap of that amount; minimum output =
      ``ceil(quantity * limit_price * 10**quote_decimals)``;
    * MARKET orders take the limit from the current quote widened by ``slippage_bps`` (the
      tolerance a sandwich can take); LIMIT orders use their price as the limit;
    * a LIMIT that the current pool would not fill is rejected before any transaction (the
      wallet's simulation), so it costs no gas; every order is fill-or-revert at inclusion,
      whatever its time in force; GTD sets the router deadline.

Reports: ACCEPTED when the swap enters the mempool (``venue_order_id`` = tx hash); FILL when it
is included, for all the lots, at the average price rounded half-even to the price unit (the
exact token amounts are in :attr:`AmmVenue.receipts`), ``fee`` 0 (the pool fee is inside the
price) and ``gas`` = the transaction's gas cost in the native asset; REJECTED
(``reason="reverted: ..."``) when it reverts; EXPIRED when the private relay gives up;
CANCELED when a cancel lands.

Gas paid without a fill — a revert, an approval, a wrap, a cancelling no-op — cannot ride on a
Fill, so the venue delivers a :class:`GasCharge` message for each (also kept in
:attr:`AmmVenue.gas_charges`); the engine should journal it and debit the balance.

Time: the chain produces blocks when advanced. The venue advances it to the context's time on
every request, and while it has pending transactions it delivers a :class:`ChainTick` for the
next block; subscribe :meth:`AmmVenue.on_chain_tick` to ``ChainTick`` on the loop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import ceil, floor
from typing import Any

import msgspec

from slipstream.errors import ValidationError
from slipstream.model.enums import Liquidity, OrderStatus, OrderType, Side, TimeInForce
from slipstream.model.instruments import Instrument
from slipstream.model.orders import ChildOrder
from slipstream.model.reports import ExecutionReport, Fill, GasCharge, ReportKind
from slipstream.venues.base import VenueContext, VenueHealth
from slipstream.venues.sim.amm.base import AmmRevert
from slipstream.venues.sim.chain.chain import Chain
from slipstream.venues.sim.chain.execution import run_swap
from slipstream.venues.sim.chain.transactions import Receipt, Transaction, TxKind, TxStatus

__all__ = ["AmmMarket", "AmmVenue", "AmmVenueConfig", "ChainTick", "GasCharge"]

_BPS = 10_000


class ChainTick(msgspec.Struct, frozen=True):
    """Wake-up for ``venue_id`` at the next block time."""

    venue_id: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class AmmMarket:
    """One listed instrument and the pool it trades on.

    ``base_token``/``quote_token`` name the pool's tokens when they differ from the
    instrument's assets (``ETH/USDC`` trading on a ``WETH``/``USDC`` pool).
    """

    instrument: Instrument
    pool_id: str
    base_token: str = ""
    quote_token: str = ""


@dataclass(frozen=True, slots=True)
class AmmVenueConfig:
    """How our wallet sends swaps.

    Args:
        account: the chain account that signs and pays.
        private_relay: send through the private relay (no sandwich, slower, may be dropped).
        slippage_bps: market orders' tolerance around the current quote.
        priority_fee_wei: tip per gas (None: the preset's default).
        base_fee_multiplier: max fee = next base fee * this + tip (wallets use 2).
        gas_limit_buffer_bps: gas limit = estimated gas * (1 + buffer).
        latency_ns: delay from the chain event to our receipt of the report.
        auto_approve: send an approval before the first swap of a token.
        auto_wrap: wrap native into the wrapped token when a swap needs more of it.
    """

    account: str
    private_relay: bool = False
    slippage_bps: int = 50
    priority_fee_wei: int | None = None
    base_fee_multiplier: int = 2
    gas_limit_buffer_bps: int = 2_000
    latency_ns: int = 0
    auto_approve: bool = True
    auto_wrap: bool = True

    def __post_init__(self) -> None:
        if not 0 <= self.slippage_bps < _BPS or self.gas_limit_buffer_bps < 0:
            raise ValidationError("slippage must be in [0, 10000) bps and buffer >= 0")
        if self.base_fee_multiplier < 1 or (self.priority_fee_wei or 0) < 0:
            raise ValidationError("base fee multiplier must be >= 1 and the tip >= 0")


@dataclass(frozen=True, slots=True)
class _Market:
    instrument: Instrument
    pool_id: str
    base_index: int
    quote_index: int
    base_scale: int  # 10**decimals
    quote_scale: int


@dataclass(frozen=True, slots=True)
class _Tracked:
    client_order_id: str
    purpose: str  # swap / approve / wrap / cancel
    order: ChildOrder | None = None
    token: str = ""  # approvals: the token approved


def _to_decimal(amount: int, decimals: int) -> Decimal:
    return Decimal(amount).scaleb(-decimals)


class AmmVenue:
    """Simulated on-chain venue: child orders become swap transactions on ``chain``.

    Args:
        venue_id: the venue's name (instruments' ``venue`` must match).
        chain: the chain holding the pools and our account.
        markets: listed instruments and their pools.
        config: wallet behaviour.

    Raises:
        ValidationError: unknown pool or token, or a lot that is not whole token base units.
    """

    def __init__(self, venue_id: str, chain: Chain, markets: Sequence[AmmMarket],
                 config: AmmVenueConfig) -> None:
        self._venue_id = venue_id
        self.chain = chain
        self.config = config
        self._markets: dict[str, _Market] = {}
        for market in markets:
            self._markets[market.instrument.symbol] = self._resolve(market)
        self._ctx: VenueContext | None = None
        self._tracked: dict[str, _Tracked] = {}
        self._swap_tx: dict[str, str] = {}  # client order id -> swap tx hash
        self._approving: set[str] = set()
        self._tick_at: int | None = None
        self._fills: list[ExecutionReport] = []
        self.receipts: dict[str, Receipt] = {}  # client order id -> swap receipt
        self.gas_charges: list[GasCharge] = []
        chain.on_receipt(self._on_receipt)

    def _resolve(self, market: AmmMarket) -> _Market:
        instrument = market.instrument
        if instrument.venue != self._venue_id:
            raise ValidationError(f"{instrument.symbol} is listed on {instrument.venue}")
        pool = self.chain.pools.get(market.pool_id)
        if pool is None:
            raise ValidationError(f"unknown pool {market.pool_id}")
        base, quote = market.base_token or instrument.base, market.quote_token or instrument.quote
        if base not in pool.tokens or quote not in pool.tokens:
            raise ValidationError(f"pool {market.pool_id} does not hold {base} and {quote}")
        bi, qi = pool.tokens.index(base), pool.tokens.index(quote)
        lot = Fraction(instrument.lot_size) * 10 ** pool.decimals[bi]
        if lot.denominator != 1:
            raise ValidationError(f"{instrument.symbol}: one lot is not whole {base} base units")
        return _Market(instrument, market.pool_id, bi, qi, 10 ** pool.decimals[bi],
                       10 ** pool.decimals[qi])

    # ---- Venue protocol: identity -------------------------------------------------------------
    @property
    def venue_id(self) -> str:
        return self._venue_id

    @property
    def instruments(self) -> Sequence[Instrument]:
        return [m.instrument for m in self._markets.values()]

    def pool_of(self, symbol: str) -> tuple[str, int, int]:
        """(pool id, base token index, quote token index) behind a listed symbol (for routers).

        Raises:
            ValidationError: the symbol is not listed here.
        """
        market = self._markets.get(symbol)
        if market is None:
            raise ValidationError(f"{symbol} is not listed on {self._venue_id}")
        return market.pool_id, market.base_index, market.quote_index

    def loop_subscriptions(self) -> Sequence[tuple[type, Callable[[Any], None]]]:
        """Block production is driven by :class:`ChainTick` messages on the engine loop."""
        return ((ChainTick, self.on_chain_tick),)

    def attach(self, context: VenueContext) -> None:
        self._ctx = context

    def health(self) -> VenueHealth:
        return VenueHealth.HEALTHY

    def balances(self) -> dict[str, Decimal]:
        """Our account's balances in whole units (native asset included)."""
        acct = self.chain.account(self.config.account)
        return {asset: _to_decimal(amount, self.chain.decimals.get(asset, 0))
                for asset, amount in sorted(acct.balances.items())}

    # ---- reports ------------------------------------------------------------------------------
    def _now(self) -> int:
        assert self._ctx is not None, "venue not attached"
        return self._ctx.now_ns()

    def _report(self, coid: str, kind: ReportKind, venue_ts: int, **kw: object) -> None:
        assert self._ctx is not None, "venue not attached"
        ts = max(venue_ts, 0) + self.config.latency_ns
        report = ExecutionReport(venue=self._venue_id, client_order_id=coid, kind=kind,
                                 venue_ts_ns=venue_ts, receive_ts_ns=ts, **kw)  # type: ignore[arg-type]
        if kind is ReportKind.FILL:
            self._fills.append(report)
        self._ctx.deliver(ts, report)

    def _charge(self, receipt: Receipt, tracked: _Tracked) -> None:
        assert self._ctx is not None, "venue not attached"
        native = self.chain.preset.native_asset
        charge = GasCharge(venue=self._venue_id, account=self.config.account,
                           client_order_id=tracked.client_order_id, tx_hash=receipt.tx_hash,
                           purpose=tracked.purpose, gas=_to_decimal(receipt.fee_wei, 18),
                           gas_asset=native, venue_ts_ns=receipt.block_ts_ns,
                           reason=receipt.revert_reason)
        self.gas_charges.append(charge)
        self._ctx.deliver(receipt.block_ts_ns + self.config.latency_ns, charge)

    # ---- requests -----------------------------------------------------------------------------
    def submit(self, order: ChildOrder) -> None:
        """Turn ``order`` into a swap transaction (after an approval/wrap when needed)."""
        now = self._now()
        self.chain.advance(now)
        coid = order.client_order_id
        if coid in self._swap_tx:
            return  # idempotent: the same order id is sent once
        market = self._markets.get(order.symbol)
        if market is None:
            self._report(coid, ReportKind.REJECTED, now, reason="unknown symbol")
            return
        if order.order_type not in (OrderType.MARKET, OrderType.LIMIT):
            self._report(coid, ReportKind.REJECTED, now,
                         reason=f"amm: {order.order_type.value} orders are not supported")
            return
        try:
            txs = self._build(order, market, now)
            hashes = [self.chain.submit(tx, now) for tx, _ in txs]
        except (ValidationError, AmmRevert) as exc:
            self._report(coid, ReportKind.REJECTED, now, reason=f"amm: {exc}")
            return
        for tx_hash, (tx, purpose) in zip(hashes, txs, strict=True):
            self._tracked[tx_hash] = _Tracked(coid, purpose, order if purpose == "swap" else None,
                                              tx.token)
            if purpose == "approve":
                self._approving.add(tx.token)
        self._swap_tx[coid] = hashes[-1]
        self._report(coid, ReportKind.ACCEPTED, now, venue_order_id=hashes[-1])
        self._schedule_tick()

    def _build(self, order: ChildOrder, market: _Market, now: int
               ) -> list[tuple[Transaction, str]]:
        """The transactions for one order: [approve], [wrap], swap.

        Raises:
            ValidationError: not marketable at the limit, or the pool cannot fill it.
            AmmRevert: the pool reverts on the quote.
        """
        chain, cfg = self.chain, self.config
        pool = chain.pools[market.pool_id]
        instrument = market.instrument
        quantity = Fraction(instrument.lot_size) * order.lots
        amount = int(quantity * market.base_scale)
        buy = order.side is Side.BUY
        token_in, token_out = ((market.quote_index, market.base_index) if buy
                               else (market.base_index, market.quote_index))
        quote = run_swap(pool, not buy, token_in, token_out, amount, 0 if not buy else 2**255,
                         commit=False)
        if quote.result is None:
            raise ValidationError(f"pool cannot fill: {quote.revert_reason}")
        if order.order_type is OrderType.LIMIT:
            assert order.price_units is not None
            price = Fraction(instrument.price_unit) * order.price_units
            value = quantity * price * market.quote_scale
            limit = floor(value) if buy else ceil(value)
            expected = quote.result.amount_in if buy else quote.result.amount_out
            if (buy and expected > limit) or (not buy and expected < limit):
                raise ValidationError("limit not marketable at the current pool price")
        elif buy:
            limit = quote.result.amount_in * (_BPS + cfg.slippage_bps) // _BPS
        else:
            limit = -(-quote.result.amount_out * (_BPS - cfg.slippage_bps) // _BPS)
        tip = cfg.priority_fee_wei if cfg.priority_fee_wei is not None \
            else chain.preset.default_priority_fee_wei
        max_fee = chain.next_base_fee * cfg.base_fee_multiplier + tip
        nonce = chain.pending_nonce(cfg.account)
        acct = chain.account(cfg.account)
        sym_in = pool.tokens[token_in]
        txs: list[tuple[Transaction, str]] = []
        if cfg.auto_approve and sym_in not in acct.approved and sym_in not in self._approving:
            txs.append((Transaction(cfg.account, nonce, TxKind.APPROVE, 60_000, max_fee, tip,
                                    token=sym_in, private=cfg.private_relay), "approve"))
        need = amount if not buy else limit
        shortfall = need - acct.balances.get(sym_in, 0)
        if cfg.auto_wrap and sym_in == chain.preset.wrapped_native and shortfall > 0:
            txs.append((Transaction(cfg.account, nonce + len(txs), TxKind.WRAP, 70_000, max_fee,
                                    tip, amount=shortfall, private=cfg.private_relay), "wrap"))
        gas_limit = quote.gas_units * (_BPS + cfg.gas_limit_buffer_bps) // _BPS
        deadline = order.expire_ts_ns if order.time_in_force is TimeInForce.GTD else None
        kind = TxKind.SWAP_EXACT_OUT if buy else TxKind.SWAP_EXACT_IN
        txs.append((Transaction(cfg.account, nonce + len(txs), kind, gas_limit, max_fee, tip,
                                pool_id=market.pool_id, token_in=token_in, token_out=token_out,
                                amount=amount, limit=limit, private=cfg.private_relay,
                                deadline_ns=deadline), "swap"))
        return txs

    def cancel(self, client_order_id: str) -> None:
        """Withdraw a pending swap (private: free; public: a 21,000-gas replacement no-op)."""
        now = self._now()
        self.chain.advance(now)
        tx_hash = self._swap_tx.get(client_order_id)
        if tx_hash is None or tx_hash not in self.chain.mempool:
            self._report(client_order_id, ReportKind.CANCEL_REJECTED, now,
                         reason="unknown or already on chain")
            return
        noop = self.chain.cancel(tx_hash, now)
        if noop is not None:
            self._tracked[noop] = _Tracked(client_order_id, "cancel")
            self._schedule_tick()

    def replace(self, client_order_id: str, price_units: int | None, lots: int) -> None:
        self._report(client_order_id, ReportKind.REPLACE_REJECTED, self._now(),
                     reason="amm swaps cannot be amended; cancel and resubmit")

    # ---- time ---------------------------------------------------------------------------------
    def _has_pending(self) -> bool:
        return any(h in self.chain.mempool for h in self._tracked)

    def _schedule_tick(self) -> None:
        if self._ctx is None or not self._has_pending():
            return
        at = self.chain.next_block_ts_ns
        if self._tick_at != at:
            self._tick_at = at
            self._ctx.deliver(at, ChainTick(self._venue_id, at))

    def on_chain_tick(self, tick: ChainTick) -> None:
        """Produce the blocks due at ``tick`` (subscribe this to ``ChainTick`` on the loop)."""
        if tick.venue_id != self._venue_id:
            return
        if self._tick_at == tick.ts_ns:
            self._tick_at = None
        self.chain.advance(tick.ts_ns)
        self._schedule_tick()

    def advance(self, now_ns: int) -> None:
        """Drive the chain directly (harnesses without a loop)."""
        self.chain.advance(now_ns)

    # ---- receipts -----------------------------------------------------------------------------
    def _on_receipt(self, receipt: Receipt) -> None:
        tracked = self._tracked.get(receipt.tx_hash)
        if tracked is None:
            return
        if tracked.purpose == "approve":
            self._approving.discard(tracked.token)
        if receipt.status is TxStatus.DROPPED:
            self._on_dropped(receipt, tracked)
            return
        if tracked.purpose != "swap":
            self._charge(receipt, tracked)
            if tracked.purpose == "cancel":
                self._report(tracked.client_order_id, ReportKind.CANCELED, receipt.block_ts_ns)
            return
        self.receipts[tracked.client_order_id] = receipt
        if receipt.status is TxStatus.REVERTED:
            self._charge(receipt, tracked)
            self._report(tracked.client_order_id, ReportKind.REJECTED, receipt.block_ts_ns,
                         reason=f"reverted: {receipt.revert_reason}")
            return
        self._fill(receipt, tracked)

    def _on_dropped(self, receipt: Receipt, tracked: _Tracked) -> None:
        if tracked.purpose != "swap":
            return  # a dropped approval/wrap drops the swap behind it (nonce gap)
        coid = tracked.client_order_id
        reason = receipt.revert_reason
        if reason == "replaced":
            return  # our cancel's no-op took its nonce; CANCELED comes with the no-op
        self.receipts[coid] = receipt
        if reason == "canceled":
            self._report(coid, ReportKind.CANCELED, receipt.block_ts_ns)
        elif reason.startswith("relay"):
            self._report(coid, ReportKind.EXPIRED, receipt.block_ts_ns, reason=reason)
        else:
            self._report(coid, ReportKind.REJECTED, receipt.block_ts_ns, reason=f"dropped: {reason}")

    def _fill(self, receipt: Receipt, tracked: _Tracked) -> None:
        order = tracked.order
        assert order is not None
        market = self._markets[order.symbol]
        instrument = market.instrument
        quantity = Fraction(instrument.lot_size) * order.lots
        quote_amount = receipt.amount_in if order.side is Side.BUY else receipt.amount_out
        price = Fraction(quote_amount, market.quote_scale) / quantity
        price_units = max(1, round(price / Fraction(instrument.price_unit)))
        fill = Fill(trade_id=receipt.tx_hash, lots=order.lots, price_units=price_units,
                    liquidity=Liquidity.TAKER, gas=_to_decimal(receipt.fee_wei, 18),
                    gas_asset=self.chain.preset.native_asset)
        self._report(order.client_order_id, ReportKind.FILL, receipt.block_ts_ns, fill=fill,
                     cum_lots=order.lots, leaves_lots=0, venue_order_id=receipt.tx_hash)

    # ---- reconciliation -----------------------------------------------------------------------
    def open_orders(self) -> list[ExecutionReport]:
        now = self._now() if self._ctx else 0
        out = []
        for coid, tx_hash in sorted(self._swap_tx.items()):
            if tx_hash in self.chain.mempool:
                order = self._tracked[tx_hash].order
                out.append(ExecutionReport(
                    venue=self._venue_id, client_order_id=coid, kind=ReportKind.STATUS,
                    venue_ts_ns=now, receive_ts_ns=now, venue_order_id=tx_hash,
                    status=OrderStatus.ACCEPTED, leaves_lots=order.lots if order else None))
        return out

    def fills_since(self, ts_ns: int) -> list[ExecutionReport]:
        return [r for r in self._fills if r.venue_ts_ns >= ts_ns]
