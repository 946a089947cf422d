"""Perpetual swaps on the simulated book venue: index, mark price and funding.

Funding follows Binance's USDⓈ-M rule (Binance "Introduction to Binance Futures Funding
Rates"): ``rate = P + clamp(I - P, -clamp, +clamp)`` with interest ``I`` (0.01% per 8 h) and
premium index ``P = (mark - index) / index``, capped at ``±cap``. It is charged at every
multiple of the instrument's ``funding_interval_s`` since the epoch (00:00, 08:00, 16:00 UTC)
on the venue's net position: ``amount = -position × contract value × rate`` — positive rates
make longs pay shorts. Contract value is ``lots × lot × contract_size × mark`` in the quote for
linear perpetuals and ``lots × lot × contract_size / mark`` coins for inverse ones.

Simplifications (written down, not hidden): the premium is the instantaneous one at the funding
time, not the venue's time-weighted average; the mark price is the median of the funding-basis
price ``index × (1 + rate × time-to-funding / interval)``, the book mid and the last trade (the
venue's moving-average basis is replaced by the mid).
"""

from __future__ import annotations

from decimal import Decimal

from slipstream.errors import ValidationError
from slipstream.marketdata.book import ASK, BID
from slipstream.model.instruments import Perpetual
from slipstream.model.reports import FundingPayment
from slipstream.venues.sim.book_venue import BookVenue

__all__ = ["FundingPayment", "PerpetualFunding", "funding_amount", "funding_rate"]

_NS = 1_000_000_000


def funding_rate(mark: Decimal, index: Decimal, interest: Decimal = Decimal("0.0001"),
                 clamp: Decimal = Decimal("0.0005"), cap: Decimal = Decimal("0.0075")) -> Decimal:
    """Binance-style funding rate for one interval from the premium of ``mark`` over ``index``."""
    if index <= 0:
        raise ValidationError(f"index price must be positive, got {index}")
    premium = (mark - index) / index
    rate = premium + min(max(interest - premium, -clamp), clamp)
    return min(max(rate, -cap), cap)


def funding_amount(instrument: Perpetual, position_lots: int, mark: Decimal, rate: Decimal) -> Decimal:
    """What the holder of ``position_lots`` receives (negative: pays), in the settle asset."""
    contracts = instrument.lot_size * position_lots * instrument.contract_size
    value = contracts / mark if instrument.inverse else contracts * mark
    return -value * rate


class PerpetualFunding:
    """Keeps index/mark prices of a venue's perpetuals and settles their funding.

    Args:
        venue: the book venue listing the perpetuals.
        interest: interest component per interval.
        clamp: bound on ``interest - premium``.
        cap: bound on the rate.
    """

    def __init__(self, venue: BookVenue, interest: Decimal = Decimal("0.0001"),
                 clamp: Decimal = Decimal("0.0005"), cap: Decimal = Decimal("0.0075")) -> None:
        self.venue = venue
        self.interest, self.clamp, self.cap = interest, clamp, cap
        self.index: dict[str, Decimal] = {}
        self.last_trade: dict[str, Decimal] = {}
        self.fixed_rate: dict[str, Decimal] = {}
        self.last_rate: dict[str, Decimal] = {}
        self.payments: list[FundingPayment] = []
        self._perps = [i for i in venue.instruments if isinstance(i, Perpetual)]
        self.until_ns: int | None = None

    def start(self, from_ns: int, until_ns: int | None = None) -> None:
        """Schedule funding at every interval boundary after ``from_ns`` (up to ``until_ns``,
        so that a loop run without an end time still finishes)."""
        self.until_ns = until_ns
        for perp in self._perps:
            interval = perp.funding_interval_s * _NS
            self._schedule(perp, (from_ns // interval + 1) * interval)

    def set_index(self, symbol: str, index: Decimal) -> None:
        self.index[symbol] = index

    def set_rate(self, symbol: str, rate: Decimal | None) -> None:
        """Force the next funding rates (``None``: back to the premium formula)."""
        if rate is None:
            self.fixed_rate.pop(symbol, None)
        else:
            self.fixed_rate[symbol] = rate

    def mark_price(self, symbol: str, now_ns: int) -> Decimal:
        """Median of funding-basis price, book mid and last trade (those that exist)."""
        perp = next(p for p in self._perps if p.symbol == symbol)
        index = self.index.get(symbol)
        if index is None:
            raise ValidationError(f"{symbol}: no index price set")
        interval = perp.funding_interval_s * _NS
        to_funding = Decimal(interval - now_ns % interval) / Decimal(interval)
        candidates = [index * (1 + self.last_rate.get(symbol, self.interest) * to_funding)]
        book = self.venue.book(symbol)
        bid, ask = book.best(BID), book.best(ASK)
        if bid is not None and ask is not None:
            candidates.append(perp.price_unit * (bid + ask) / 2)
        if symbol in self.last_trade:
            candidates.append(self.last_trade[symbol])
        candidates.sort()
        if len(candidates) == 2:
            return (candidates[0] + candidates[1]) / 2
        return candidates[len(candidates) // 2]

    def _schedule(self, perp: Perpetual, at_ns: int) -> None:
        if self.until_ns is not None and at_ns > self.until_ns:
            return
        self.venue.schedule(at_ns, lambda ts: self._settle(perp, ts))

    def _settle(self, perp: Perpetual, ts_ns: int) -> None:
        symbol = perp.symbol
        mark = self.mark_price(symbol, ts_ns)
        rate = self.fixed_rate.get(symbol)
        if rate is None:
            rate = funding_rate(mark, self.index[symbol], self.interest, self.clamp, self.cap)
        self.last_rate[symbol] = rate
        position = self.venue.ledger.positions.get(symbol, 0)
        if position:
            amount = funding_amount(perp, position, mark, rate)
            self.venue.ledger.adjust(perp.settle, amount)

            def build(ts: int, receive: int) -> FundingPayment:
                return FundingPayment(venue=self.venue.venue_id, symbol=symbol, ts_ns=ts,
                                      receive_ts_ns=receive, rate=rate, amount=amount,
                                      asset=perp.settle, position_lots=position, mark_price=mark)

            self.payments.append(build(ts_ns, ts_ns))
            self.venue.post_account(build)
        self._schedule(perp, ts_ns + perp.funding_interval_s * _NS)
