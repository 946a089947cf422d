"""Synthetic liquidity around the fair value: an order-book ladder per venue and background
trade prints.

Ladder (one symbol of a :class:`BookVenue`):

* touch: best bid ``floor(mid - half spread)``, best ask ``ceil(mid + half spread)`` in price
  units (at least one unit apart);
* deeper levels sit on a fixed price lattice ``level_spacing_bps`` apart (fixed at build from
  the initial price), so a small move of the mid changes the touch and at most a few lattice
  levels, not the whole ladder — few deltas per step;
* expected size: cumulative depth per side ``D(d) = A · d**beta`` at distance ``d`` bps from
  the mid (``beta`` calibrated, :mod:`.calibration`), ``A`` set so that ``D(10 bps)`` holds half
  of ``depth_usd_10bps × liquidity_scale`` (MARKET_FACTS quotes bid+ask); a level gets the
  depth between the midpoints to its neighbours;
* each level's size is the expected size times mean-one log-normal noise (``size_sigma``,
  default :func:`~.calibration.level_size_sigma`), drawn when the level appears and redrawn on
  average every ``refresh_s``; otherwise a level keeps its size while it exists.

Trades: Poisson arrivals at ``trade_rate_per_s × 24 × hourly volume share`` (the FTX intraday
curve), buyer share and log-normal sizes from the Tardis sample; the prints of one grid step
are merged into at most one print a side, at the touch. Simplification: prints do not deplete
the displayed book (the next redraw does that job), as recorded prints do not in a replay.
"""

from __future__ import annotations

import math

import numpy as np

from slipstream.marketdata.book import ASK, BID, DELETE, UPDATE
from slipstream.model.enums import Side
from slipstream.model.instruments import Instrument
from slipstream.scenarios import calibration as cal
from slipstream.scenarios.schema import BookProfile
from slipstream.venues.sim.book_venue import BookVenue

__all__ = ["BookMaker", "TradeFlow", "hourly_rate_factor"]

_HOUR_NS = 3_600_000_000_000
_DAY_NS = 24 * _HOUR_NS
_FACTORS = tuple(24.0 * f / math.fsum(cal.HOURLY_VOLUME_FRACTIONS) for f in cal.HOURLY_VOLUME_FRACTIONS)


def hourly_rate_factor(ts_ns: int) -> float:
    """Trade-rate multiplier at ``ts_ns`` (UTC hour's volume share × 24; averages 1 per day)."""
    return _FACTORS[(ts_ns % _DAY_NS) // _HOUR_NS]


class BookMaker:
    """Keeps one symbol's synthetic ladder on a :class:`BookVenue` (see the module docstring).

    Args:
        venue: the venue to feed.
        instrument: the listed instrument (its price unit and lot).
        profile: spread and depth profile.
        liquidity_scale: multiplies the depth.
        basis_bps: the venue's mid is ``fair × (1 + basis)``.
        initial_price: fixes the lattice spacing in price units.
        rng: the maker's own seeded stream.
    """

    def __init__(self, venue: BookVenue, instrument: Instrument, profile: BookProfile,
                 liquidity_scale: float, basis_bps: float, initial_price: float,
                 rng: np.random.Generator) -> None:
        self.venue = venue
        self.symbol = instrument.symbol
        self._unit = float(instrument.price_unit)
        self._lot = float(instrument.lot_size)
        self._levels = profile.levels
        self._half = profile.spread_bps / 2e4
        self._basis = 1.0 + basis_bps / 1e4
        self._beta = profile.depth_beta if profile.depth_beta is not None else cal.DEPTH_BETA
        self._sigma = (profile.size_sigma if profile.size_sigma is not None
                       else cal.level_size_sigma(profile.level_spacing_bps))
        self._spacing = max(1, round(profile.level_spacing_bps * 1e-4 * initial_price / self._unit))
        self._depth_usd = profile.depth_usd_10bps * liquidity_scale / 2
        self._refresh_s = profile.refresh_s
        self._rng = rng
        self._sides: dict[int, dict[int, int]] = {BID: {}, ASK: {}}
        self.mid = 0.0

    # ---- ladder --------------------------------------------------------------------------------
    def _prices(self, touch: int, side: int) -> list[int]:
        sp, n = self._spacing, self._levels
        if side == BID:
            first = ((touch - 1) // sp) * sp
            return [touch, *(first - k * sp for k in range(n - 1) if first - k * sp > 0)]
        first = (touch // sp + 1) * sp
        return [touch, *(first + k * sp for k in range(n - 1))]

    def _expected_lots(self, prices: list[int], i: int, mid_units: float) -> float:
        """Depth between the midpoints to the neighbours of level ``i``, in lots."""
        scale = self._depth_usd / (mid_units * self._unit) / 10.0**self._beta / self._lot
        d = [abs(p / mid_units - 1.0) * 1e4 for p in prices[max(i - 1, 0):i + 2]]
        j = 1 if i > 0 else 0
        lo = 0.0 if i == 0 else (d[j - 1] + d[j]) / 2
        hi = (d[j] + d[j + 1]) / 2 if j + 1 < len(d) else d[j] + self._spacing / mid_units * 1e4 / 2
        return scale * (hi**self._beta - lo**self._beta)

    def _draw(self, expected: float) -> int:
        s = self._sigma
        noise = math.exp(s * float(self._rng.standard_normal()) - s * s / 2)
        return max(1, round(expected * noise))

    def step(self, ts_ns: int, fair: float, dt_s: float) -> None:
        """Move the ladder to ``fair`` at ``ts_ns``: deletes first, then new or redrawn levels."""
        mid_units = fair * self._basis / self._unit
        self.mid = mid_units
        half = mid_units * self._half
        bid = max(1, math.floor(mid_units - half))
        ask = max(bid + 1, math.ceil(mid_units + half))
        redraw = 1.0 - math.exp(-dt_s / self._refresh_s)
        deletes: list[tuple[int, int]] = []
        updates: list[tuple[int, int, int]] = []
        for side, touch in ((BID, bid), (ASK, ask)):
            old = self._sides[side]
            prices = self._prices(touch, side)
            keep = set(prices)
            deletes.extend((side, p) for p in old if p not in keep)
            coins = self._rng.random(len(prices))
            new: dict[int, int] = {}
            for i, price in enumerate(prices):
                lots = old.get(price)
                if lots is None or coins[i] < redraw:
                    lots = self._draw(self._expected_lots(prices, i, mid_units))
                    if lots != old.get(price):
                        updates.append((side, price, lots))
                new[price] = lots
            self._sides[side] = new
        venue, symbol = self.venue, self.symbol
        rows = [(DELETE, s, p, 0) for s, p in deletes] + [(UPDATE, s, p, q) for s, p, q in updates]
        for k, (action, side, price, lots) in enumerate(rows):
            venue.feed(ts_ns, symbol, action, side, price, lots, publish=k == len(rows) - 1)

    def touch(self) -> tuple[int, int]:
        """Current synthetic best bid and ask (price units)."""
        return max(self._sides[BID]), min(self._sides[ASK])


class TradeFlow:
    """Background trade prints at one :class:`BookMaker`'s touch (see the module docstring)."""

    def __init__(self, maker: BookMaker, instrument: Instrument, rate_per_s: float,
                 rng: np.random.Generator) -> None:
        self.maker = maker
        self._lot_f = float(instrument.lot_size)
        self._rate = rate_per_s
        self._rng = rng
        self.prints = 0
        self.trades = 0

    def step(self, ts_ns: int, dt_s: float) -> None:
        rng = self._rng
        n = int(rng.poisson(self._rate * dt_s * hourly_rate_factor(ts_ns)))
        if n == 0:
            return
        buys = int(rng.binomial(n, cal.TRADE_BUY_SHARE))
        sizes = rng.lognormal(cal.TRADE_SIZE_LOG_MEAN, cal.TRADE_SIZE_LOG_SIGMA, n)
        self.trades += n
        bid, ask = self.maker.touch()
        for aggressor, total, price in ((Side.BUY, float(sizes[:buys].sum()), ask),
                                        (Side.SELL, float(sizes[buys:].sum()), bid)):
            lots = round(total / self._lot_f)
            if lots > 0:
                self.maker.venue.trade(ts_ns, self.maker.symbol, aggressor, price, lots)
                self.prints += 1
