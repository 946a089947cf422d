"""Option quotes for the options venue: Black-76 on the shared fair value with a simple
parametric smile, quoted in the underlying coin (Deribit-style inverse options).

``vol(k) = atm_vol + skew·k + smile·k²`` with ``k = ln(K / F)``; no interest rates (a perpetual
fair value is the forward). Bid/ask are the Black-76 prices at ``vol ∓ vol_spread / 2`` divided
by ``F`` (coin premium), rounded down/up to the instrument's tiered tick; ``levels`` more levels
a side each one tick further out, ``level_contracts`` (× liquidity scale, with mean-one
log-normal noise) each. A quote is re-sent every ``refresh_s`` and only when it changed.

No Black-76 helper existed in ``venues/sim`` when this was written, so the formula lives here.
"""

from __future__ import annotations

import math

import numpy as np

from slipstream.marketdata.book import ASK, BID, DELETE, UPDATE
from slipstream.model.enums import OptionKind
from slipstream.model.instruments import Option
from slipstream.scenarios.fair_value import YEAR_S
from slipstream.scenarios.schema import OptionChainSpec
from slipstream.venues.sim.book_venue import BookVenue

__all__ = ["OptionQuoter", "black76"]


def _norm_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def black76(forward: float, strike: float, years: float, vol: float, call: bool) -> float:
    """Undiscounted Black-76 price of a European option (in the forward's currency)."""
    if years <= 0 or vol <= 0:
        return max(forward - strike, 0.0) if call else max(strike - forward, 0.0)
    sd = vol * math.sqrt(years)
    d1 = (math.log(forward / strike) + 0.5 * sd * sd) / sd
    d2 = d1 - sd
    if call:
        return forward * _norm_cdf(d1) - strike * _norm_cdf(d2)
    return strike * _norm_cdf(-d2) - forward * _norm_cdf(-d1)


class OptionQuoter:
    """Quotes every option of one venue from the fair value (see the module docstring)."""

    def __init__(self, venue: BookVenue, options: list[Option], spec: OptionChainSpec,
                 liquidity_scale: float, rng: np.random.Generator) -> None:
        self.venue = venue
        self.options = options
        self.spec = spec
        self._lots = spec.level_contracts * liquidity_scale
        self._rng = rng
        self._next_ns = -1
        self._books: dict[str, dict[int, dict[int, int]]] = {o.symbol: {BID: {}, ASK: {}} for o in options}
        unit = options[0].price_unit if options else 1
        self._tiers = {o.symbol: [(int(t.from_price / unit), int(t.tick / unit)) for t in o.tick_tiers]
                       for o in options}

    def _tick_at(self, symbol: str, units: int) -> int:
        tick = 1
        for start, step in self._tiers[symbol]:
            if units >= start:
                tick = step
        return tick

    def _round(self, symbol: str, units: float, up: bool) -> int:
        raw = math.ceil(units) if up else math.floor(units)
        tick = self._tick_at(symbol, raw)
        return -(-raw // tick) * tick if up else (raw // tick) * tick

    def _vol(self, k: float) -> float:
        return max(0.01, self.spec.atm_vol + self.spec.skew * k + self.spec.smile * k * k)

    def step(self, ts_ns: int, fair: float) -> None:
        if ts_ns < self._next_ns:
            return
        self._next_ns = ts_ns + round(self.spec.refresh_s * 1e9)
        half = self.spec.vol_spread / 2
        for option in self.options:
            years = (option.expiry_ts_ns - ts_ns) / 1e9 / YEAR_S
            strike = float(option.strike)
            vol = self._vol(math.log(strike / fair))
            call = option.option_kind is OptionKind.CALL
            unit = float(option.price_unit)
            bid = black76(fair, strike, years, vol - half, call) / fair / unit
            ask = black76(fair, strike, years, vol + half, call) / fair / unit
            self._quote(ts_ns, option.symbol, self._round(option.symbol, bid, False),
                        max(1, self._round(option.symbol, ask, True)))

    def _quote(self, ts_ns: int, symbol: str, bid: int, ask: int) -> None:
        if ask <= bid:
            ask = bid + self._tick_at(symbol, bid)
        rows: list[tuple[int, int, int, int]] = []
        for side, touch in ((BID, bid), (ASK, ask)):
            old = self._books[symbol][side]
            prices: list[int] = []
            price = touch
            for _ in range(self.spec.levels):
                if price <= 0:
                    break
                prices.append(price)
                step = self._tick_at(symbol, price)
                price = price - step if side == BID else price + step
            if sorted(prices) == sorted(old):
                continue
            new: dict[int, int] = {}
            for p in prices:
                new[p] = old.get(p) or max(1, round(self._lots * float(self._rng.lognormal(-0.125, 0.5))))
                if new[p] != old.get(p):
                    rows.append((UPDATE, side, p, new[p]))
            rows[:0] = [(DELETE, side, p, 0) for p in old if p not in new]
            self._books[symbol][side] = new
        for k, (action, side, price, lots) in enumerate(rows):
            self.venue.feed(ts_ns, symbol, action, side, price, lots, publish=k == len(rows) - 1)
