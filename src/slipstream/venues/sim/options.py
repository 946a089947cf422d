"""Deribit-style option books built around a volatility surface.

Deribit BTC options are European, one contract is one coin of underlying, and the premium is
quoted in the coin (tiered ticks: 0.0001 BTC below 0.005, 0.0005 above —
:data:`~slipstream.model.instruments.DERIBIT_OPTION_TICKS`). The simulator prices each listed
option with Black-76 on the underlying's forward (``premium_coin = Black76_usd / F``), reading
its volatility off a surface with skew and term structure, and publishes a few levels each side
into the venue's book. :meth:`OptionQuoter.requote` rebuilds every book from a new underlying
price, so quotes move with the underlying as market makers' do.

Model choices (floats: these are models; prices become integer ticks at the book):

* total implied vol ``σ(k, T) = atm(T) + skew(T)·k + curvature·k²`` with log-moneyness
  ``k = ln(K/F)``, ``atm(T) = long + (short - long)·exp(-T/decay)`` (term structure) and
  ``skew(T) = skew_1y / sqrt(T)`` (skew flattens with maturity), floored at ``min_vol``;
* bid/ask are Black-76 prices at ``σ ∓ half_spread_vol``, rounded outward to the tick that
  applies there; deeper levels are one tick further each; a side whose price would fall below
  the smallest tick is not quoted; zero interest rate (premium is paid in the coin itself).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from slipstream.errors import ValidationError
from slipstream.marketdata.book import ADD, ASK, BID, CLEAR
from slipstream.model.enums import OptionKind
from slipstream.model.instruments import Option
from slipstream.venues.sim.book_venue import BookVenue

__all__ = ["OptionQuoter", "VolSurface", "black76", "black76_delta"]

_YEAR_NS = 365 * 24 * 3600 * 10**9


def _norm_cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def black76(forward: float, strike: float, years: float, vol: float, rate: float, kind: OptionKind) -> float:
    """Black (1976) price of a European option on a forward, discounted at ``rate``.

    Raises:
        ValidationError: non-positive forward, strike or vol, or negative time.
    """
    if forward <= 0 or strike <= 0 or vol <= 0 or years < 0:
        raise ValidationError("black76 needs positive forward, strike and vol and time >= 0")
    discount = math.exp(-rate * years)
    if years == 0:
        intrinsic = forward - strike if kind is OptionKind.CALL else strike - forward
        return discount * max(intrinsic, 0.0)
    sd = vol * math.sqrt(years)
    d1 = (math.log(forward / strike) + 0.5 * sd * sd) / sd
    d2 = d1 - sd
    if kind is OptionKind.CALL:
        return discount * (forward * _norm_cdf(d1) - strike * _norm_cdf(d2))
    return discount * (strike * _norm_cdf(-d2) - forward * _norm_cdf(-d1))


def black76_delta(forward: float, strike: float, years: float, vol: float, rate: float, kind: OptionKind) -> float:
    """Black (1976) delta ∂V/∂F of a European option on a forward, per unit of underlying.

    ``e^{-rT}·N(d1)`` for a call and ``e^{-rT}·(N(d1) - 1)`` for a put, so call minus put is
    ``e^{-rT}`` (put-call parity differentiated). At expiry it is the discounted digital:
    1 in the money, 0 out of it, ½ at the strike.

    Raises:
        ValidationError: non-positive forward, strike or vol, or negative time.
    """
    if forward <= 0 or strike <= 0 or vol <= 0 or years < 0:
        raise ValidationError("black76_delta needs positive forward, strike and vol and time >= 0")
    discount = math.exp(-rate * years)
    if years == 0:
        call = 1.0 if forward > strike else 0.0 if forward < strike else 0.5
    else:
        sd = vol * math.sqrt(years)
        call = _norm_cdf((math.log(forward / strike) + 0.5 * sd * sd) / sd)
    return discount * (call if kind is OptionKind.CALL else call - 1.0)


@dataclass(frozen=True, slots=True)
class VolSurface:
    """Implied volatility by log-moneyness and maturity (quadratic smile, exponential term)."""

    short_atm: float = 0.60
    long_atm: float = 0.50
    decay_years: float = 0.25
    skew_1y: float = -0.10
    curvature: float = 0.30
    min_vol: float = 0.05
    min_years: float = 1.0 / 365.0

    def vol(self, strike: float, forward: float, years: float) -> float:
        t = max(years, self.min_years)
        k = math.log(strike / forward)
        atm = self.long_atm + (self.short_atm - self.long_atm) * math.exp(-t / self.decay_years)
        return max(atm + self.skew_1y / math.sqrt(t) * k + self.curvature * k * k, self.min_vol)


class OptionQuoter:
    """Publishes option books into a :class:`BookVenue` around surface fair values.

    Args:
        venue: the venue listing the options.
        options: the options to quote (coin-premium, ``contract_size`` coins each).
        surface: the volatility surface.
        half_spread_vol: half the bid/ask spread, in vol points.
        levels: levels per side.
        lots: lots per level.
    """

    def __init__(self, venue: BookVenue, options: Sequence[Option], surface: VolSurface | None = None,
                 half_spread_vol: float = 0.01, levels: int = 3, lots: int = 10) -> None:
        if levels < 1 or lots < 1 or half_spread_vol < 0:
            raise ValidationError("levels and lots must be >= 1 and half_spread_vol >= 0")
        self.venue = venue
        self.options = list(options)
        self.surface = surface if surface is not None else VolSurface()
        self.half_spread_vol = half_spread_vol
        self.levels = levels
        self.lots = lots

    def fair_premium(self, option: Option, forward: float, now_ns: int, vol_shift: float = 0.0) -> float:
        """Black-76 premium in coins of underlying per contract."""
        years = max(option.expiry_ts_ns - now_ns, 0) / _YEAR_NS
        strike = float(option.strike)
        vol = self.surface.vol(strike, forward, years) + vol_shift
        usd = black76(forward, strike, years, max(vol, 1e-6), 0.0, option.option_kind)
        return usd / forward * float(option.contract_size)

    def quotes(self, option: Option, forward: float, now_ns: int) -> tuple[list[int], list[int]]:
        """Bid and ask prices (price units, best first) for ``option``."""
        bid = self.fair_premium(option, forward, now_ns, -self.half_spread_vol)
        ask = self.fair_premium(option, forward, now_ns, self.half_spread_vol)
        smallest = option.tick_tiers[0].tick
        bids: list[int] = []
        asks: list[int] = []
        if Decimal(repr(bid)) >= smallest:
            price = option.round_price(Decimal(repr(bid)), "down")
            for _ in range(self.levels):
                if price < smallest:
                    break
                bids.append(option.price_to_units(price))
                price -= option.tick_at(price - option.price_unit)
        price = option.round_price(max(Decimal(repr(ask)), smallest), "up")
        if bids and option.price_to_units(price) <= bids[0]:
            price += option.tick_at(price)
        for _ in range(self.levels):
            asks.append(option.price_to_units(price))
            price += option.tick_at(price)
        return bids, asks

    def requote(self, ts_ns: int, underlying: float) -> None:
        """Replace every option book at ``ts_ns`` with quotes around the new fair values."""
        venue = self.venue
        for option in self.options:
            bids, asks = self.quotes(option, underlying, ts_ns)
            symbol = option.symbol
            venue.feed(ts_ns, symbol, CLEAR, BID, 1, 0, publish=False)
            for price in bids:
                venue.feed(ts_ns, symbol, ADD, BID, price, self.lots, publish=False)
            for price in asks:
                venue.feed(ts_ns, symbol, ADD, ASK, price, self.lots, publish=False)
            venue.publish_book(symbol)
