"""Passive or aggressive: the expected cost of resting at the touch versus taking now.

Model (per unit of base, in quote, relative to mid; a simple, documented queue model):

* posting at our touch (best bid for a buy) earns half the spread and pays the maker fee if it
  fills: ``c_fill = −half_spread + maker_fee × price``;
* it fills with probability ``p = min(1, V·H / (queue_ahead + q))``: public volume ``V`` lots/s
  trading into our side over the horizon ``H`` must first clear the queue ahead of us (FIFO, no
  cancellations ahead — conservative) and then our ``q`` lots; partial fills count pro rata;
* what does not fill is taken at the horizon, after the price drifted away from us, at
  ``c_miss = half_spread + taker_fee × price + price·σ·sqrt(H)/sqrt(2π)`` (expected adverse
  move of a Brownian price over H).

Expected cost of posting = ``p·c_fill + (1 − p)·c_miss``. The venue with the lowest expected
cost is chosen if it beats the take route's all-in cost per unit; otherwise the router takes.
Floats: this is a model; the resulting order's price is the venue's integer touch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from slipstream.model.enums import Side
from slipstream.routing.costs import BookCurve

__all__ = ["PassiveChoice", "choose_passive"]

_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


@dataclass(frozen=True, slots=True)
class PassiveChoice:
    """Best venue to rest on, its price, fill probability and expected cost terms (quote/unit)."""

    curve: BookCurve
    price_units: int
    fill_probability: float
    half_spread: float
    maker_fee: float
    miss_cost: float
    expected_per_unit: float


def choose_passive(curves: list[BookCurve], side: Side, lots_by_curve: dict[int, int], horizon_s: float
                   ) -> PassiveChoice | None:
    """The cheapest place to rest ``lots_by_curve[i]`` lots (the whole quantity in that venue's
    lots), or None when no book has both sides quoted."""
    best: PassiveChoice | None = None
    for c in curves:
        src = c.source
        lots = lots_by_curve.get(c.index, 0)
        if not src.bids or not src.asks or lots <= 0 or lots * c.step > c.hi:
            continue
        own = src.bids[0] if side is Side.BUY else src.asks[0]
        bid, ask = src.bids[0][0], src.asks[0][0]
        unit = float(src.instrument.price_unit)
        price = own[0] * unit
        mid = (bid + ask) / 2 * unit
        half = (ask - bid) / 2 * unit
        volume = src.traded_lots_per_s * horizon_s
        p = min(1.0, volume / (own[1] + lots)) if volume > 0 else 0.0
        maker = float(src.maker_rate) * price
        vol = src.conditions.volatility * math.sqrt(horizon_s) * _INV_SQRT_2PI * mid
        miss = half + float(src.taker_rate) * mid + vol
        expected = p * (-half + maker) + (1.0 - p) * miss
        choice = PassiveChoice(c, own[0], p, half, maker, miss, expected)
        if best is None or (expected, c.index) < (best.expected_per_unit, best.curve.index):
            best = choice
    return best
