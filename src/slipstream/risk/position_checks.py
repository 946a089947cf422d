"""Position, exposure and loss checks, per account and for the whole portfolio, per asset.

Worst case throughout: working orders count as filled. A buy is judged on
``position + working buys + order`` and a sell on ``position - working sells - order``; gross
exposure takes, per instrument, the larger magnitude of those two ends. An order that lowers
the measure it is judged on (a buy against a short) always passes, even above the limit, so a
breached book can always be reduced.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from slipstream.model.enums import Side
from slipstream.risk.base import RiskDenial
from slipstream.risk.checks import OrderRequest, RiskContext
from slipstream.risk.exposure import ExposureBook, InstrumentExposure, base_quantity, notional_value, total_pnl
from slipstream.risk.limits import ExposureLimits
from slipstream.risk.reasons import RiskReason as R

__all__ = ["ExposureCheck", "MaxLossCheck"]

_ZERO = Decimal(0)


@dataclass(slots=True)
class _Ends:
    """Worst-case ends of one instrument's holding, in base units and in quote value."""

    position: Decimal
    long_end: Decimal
    short_end: Decimal
    long_value: Decimal
    short_value: Decimal

    @property
    def gross_value(self) -> Decimal:
        return max(abs(self.long_value), abs(self.short_value))


def _ends(exposure: InstrumentExposure, price: Decimal | None, extra_buy: Decimal, extra_sell: Decimal) -> _Ends | None:
    instrument = exposure.instrument
    quantity = instrument.lots_to_quantity
    position_q = quantity(exposure.position_lots)
    long_q = position_q + quantity(exposure.buy_lots) + extra_buy
    short_q = position_q - quantity(exposure.sell_lots) - extra_sell
    values = [notional_value(instrument, q, price) for q in (long_q, short_q)]
    bases = [base_quantity(instrument, q, price) for q in (position_q, long_q, short_q)]
    if any(v is None for v in values) or any(b is None for b in bases):
        return None
    position, long_end, short_end = bases
    long_value, short_value = values
    return _Ends(position, long_end, short_end, long_value, short_value)  # type: ignore[arg-type]


class ExposureCheck:
    """POSITION_LIMIT, NET_EXPOSURE and GROSS_EXPOSURE for the order's account, then the portfolio.

    Reads holdings from ``book``, which the caller has synced with ``context.oms``.
    """

    def __init__(self, book: ExposureBook) -> None:
        self.book = book

    def check(self, request: OrderRequest, context: RiskContext) -> RiskDenial | None:
        asset = request.instrument.base
        scopes = (
            (request.account, context.limits.account(request.account, asset)),
            (None, context.limits.portfolio_asset(asset)),
        )
        for account, limits in scopes:
            if limits is None or limits == ExposureLimits():
                continue
            denial = self._check_scope(request, context, account, limits)
            if denial is not None:
                return denial
        return None

    def _check_scope(
        self, request: OrderRequest, context: RiskContext, account: str | None, limits: ExposureLimits
    ) -> RiskDenial | None:
        scope = "portfolio" if account is None else f"account:{account}"
        asset = request.instrument.base
        holdings = self.book.holdings(account, asset, exclude=request.order_id)
        key = (request.instrument.venue, request.instrument.symbol)
        if key not in holdings:
            holdings[key] = InstrumentExposure(request.instrument)
        buy = request.side is Side.BUY
        before: list[_Ends] = []
        after: list[_Ends] = []
        for k, exposure in holdings.items():
            extra = request.quantity if k == key else _ZERO
            price = exposure.valuation_price(context.references)
            if price is None and k == key:
                price = request.price
            now = _ends(exposure, price, _ZERO, _ZERO)
            then = _ends(exposure, price, extra if buy else _ZERO, _ZERO if buy else extra)
            if now is None or then is None:
                return RiskDenial.of(R.NO_REFERENCE_PRICE, symbol=exposure.instrument.symbol,
                                     venue=exposure.instrument.venue, scope=scope)
            before.append(now)
            after.append(then)
        position = sum((e.position for e in after), _ZERO)
        if limits.max_position is not None:
            end = sum((e.long_end if buy else -e.short_end for e in after), _ZERO)
            if end > limits.max_position:
                return RiskDenial.of(R.POSITION_LIMIT, scope=scope, asset=asset, side=request.side.value,
                                     position=position, worst_case=end if buy else -end, limit=limits.max_position)
        if limits.max_net_notional is not None:
            net = sum((e.long_value if buy else -e.short_value for e in after), _ZERO)
            if net > limits.max_net_notional:
                return RiskDenial.of(R.NET_EXPOSURE, scope=scope, asset=asset, side=request.side.value,
                                     worst_case=net if buy else -net, limit=limits.max_net_notional)
        if limits.max_gross_notional is not None:
            gross_before = sum((e.gross_value for e in before), _ZERO)
            gross_after = sum((e.gross_value for e in after), _ZERO)
            if gross_after > limits.max_gross_notional and gross_after > gross_before:
                return RiskDenial.of(R.GROSS_EXPOSURE, scope=scope, asset=asset, worst_case=gross_after,
                                     limit=limits.max_gross_notional)
        return None


class MaxLossCheck:
    """Refuses every order once realised + unrealised PnL is at or below ``-max_loss``."""

    def check(self, request: OrderRequest, context: RiskContext) -> RiskDenial | None:
        limit = context.limits.max_loss
        if limit is None:
            return None
        pnl = total_pnl(context.oms.portfolio.positions.values(), context.references)
        if pnl <= -limit:
            return RiskDenial.of(R.MAX_LOSS, pnl=pnl, limit=limit)
        return None
