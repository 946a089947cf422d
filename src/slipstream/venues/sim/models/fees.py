"""Maker/taker fee schedules, tiered by 30-day traded volume, in exact ``Decimal``.

A fee is ``rate × notional`` where the rate comes from the highest tier whose minimum 30-day
volume the account has reached. Negative rates are rebates (the fee comes out negative, as
:class:`slipstream.model.reports.ExecutionReport` expects). Options on Deribit pay a rate on the
*underlying* notional, capped at a fraction of the option's premium (:meth:`FeeSchedule.option_fee`).

Assumptions: one schedule per (venue, product); the tier is chosen by the volume the caller
passes (the venue's own volume window, e.g. 30 days, is the caller's business); token discounts
(Binance's 25% for paying in BNB) and OKX's OKB-holding tiers are not modelled; no rounding —
the venue's fee rounding (to its fee asset's precision) happens at the edge. Fee schedules
change often: the presets below are the base tiers in /work/shared/MARKET_FACTS.md §1a, which
re-checks them against the venue pages; higher tiers are added only with sourced thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from slipstream.errors import ValidationError
from slipstream.model.enums import Liquidity

__all__ = [
    "BINANCE_SPOT",
    "BINANCE_USDM_PERP",
    "BYBIT_PERP",
    "BYBIT_SPOT",
    "DERIBIT_OPTION",
    "DERIBIT_PERP",
    "DERIBIT_WEEKLY_FUTURE",
    "FEE_SCHEDULES",
    "OKX_PERP",
    "OKX_SPOT",
    "FeeSchedule",
    "FeeTier",
]

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class FeeTier:
    """From ``min_volume`` of 30-day volume (in the schedule's quote currency) upward, these
    rates apply. Rates are fractions: ``Decimal("0.001")`` is 10 bps; negative is a rebate."""

    min_volume: Decimal
    maker: Decimal
    taker: Decimal


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    """Tiered maker/taker rates for one venue and product.

    Args:
        name: e.g. ``"binance-spot"``.
        tiers: increasing ``min_volume``; the first must start at 0.
        premium_cap: options only — the fee never exceeds this fraction of the premium.
        source: where the numbers come from.

    Raises:
        ValidationError: no tiers, a first tier above 0, non-increasing thresholds, or a
            non-Decimal rate.
    """

    name: str
    tiers: tuple[FeeTier, ...]
    premium_cap: Decimal | None = None
    source: str = ""

    def __post_init__(self) -> None:
        if not self.tiers or self.tiers[0].min_volume != 0:
            raise ValidationError(f"{self.name}: the first fee tier must start at volume 0")
        for tier in self.tiers:
            values = (tier.min_volume, tier.maker, tier.taker)
            if not all(isinstance(v, Decimal) and v.is_finite() for v in values):
                raise ValidationError(f"{self.name}: tier values must be finite Decimals")
        for a, b in zip(self.tiers, self.tiers[1:], strict=False):
            if b.min_volume <= a.min_volume:
                raise ValidationError(f"{self.name}: tier thresholds must increase")
        if self.premium_cap is not None and self.premium_cap < 0:
            raise ValidationError(f"{self.name}: premium_cap must be >= 0")

    def tier(self, tier_volume: Decimal = _ZERO) -> FeeTier:
        """The tier that applies at ``tier_volume`` (30-day volume)."""
        chosen = self.tiers[0]
        for t in self.tiers[1:]:
            if tier_volume >= t.min_volume:
                chosen = t
            else:
                break
        return chosen

    def rate(self, liquidity: Liquidity, tier_volume: Decimal = _ZERO) -> Decimal:
        """The maker or taker rate at ``tier_volume``."""
        t = self.tier(tier_volume)
        return t.maker if liquidity is Liquidity.MAKER else t.taker

    def fee(self, notional: Decimal, liquidity: Liquidity, tier_volume: Decimal = _ZERO) -> Decimal:
        """Exact fee on a fill of ``notional`` (quote currency); negative means a rebate.

        Raises:
            ValidationError: ``notional`` or ``tier_volume`` is not a non-negative Decimal.
        """
        _check_amount(notional, "notional")
        _check_amount(tier_volume, "tier_volume")
        return notional * self.rate(liquidity, tier_volume)

    def option_fee(
        self,
        underlying_notional: Decimal,
        premium: Decimal,
        liquidity: Liquidity,
        tier_volume: Decimal = _ZERO,
    ) -> Decimal:
        """Option fee: rate × underlying notional, capped at ``premium_cap`` × premium.

        Args:
            underlying_notional: contracts × underlying per contract (e.g. BTC).
            premium: the option's price × contracts, in the same currency.

        Raises:
            ValidationError: the schedule has no premium cap, or an amount is negative.
        """
        if self.premium_cap is None:
            raise ValidationError(f"{self.name}: not an option fee schedule (no premium cap)")
        _check_amount(premium, "premium")
        base = self.fee(underlying_notional, liquidity, tier_volume)
        return min(base, self.premium_cap * premium)


def _check_amount(value: Decimal, what: str) -> None:
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        raise ValidationError(f"{what} must be a non-negative Decimal, got {value!r}")


def _flat(name: str, maker: str, taker: str, source: str, cap: str | None = None) -> FeeSchedule:
    tier = FeeTier(_ZERO, Decimal(maker), Decimal(taker))
    return FeeSchedule(name, (tier,), Decimal(cap) if cap is not None else None, source)


_FACTS = "/work/shared/MARKET_FACTS.md §1a"
BINANCE_SPOT = _flat("binance-spot", "0.001", "0.001", f"{_FACTS}: Binance spot VIP 0, 0.10%/0.10%")
BINANCE_USDM_PERP = _flat(
    "binance-usdm-perp", "0.0002", "0.0005", f"{_FACTS}: Binance USDⓈ-M perp 0.02%/0.05%"
)
OKX_SPOT = _flat("okx-spot", "0.0008", "0.001", f"{_FACTS}: OKX spot Lv1 0.080%/0.100%")
OKX_PERP = _flat("okx-perp", "0.0002", "0.0005", f"{_FACTS}: OKX perp 0.02%/0.05%")
BYBIT_SPOT = _flat("bybit-spot", "0.001", "0.001", f"{_FACTS}: Bybit spot non-VIP 0.10%/0.10%")
BYBIT_PERP = _flat("bybit-perp", "0.0002", "0.00055", f"{_FACTS}: Bybit perp VIP 0 0.02%/0.055%")
DERIBIT_PERP = _flat(
    "deribit-perp", "0", "0.0005", f"{_FACTS}: Deribit BTC perp and dated futures 0.00%/0.05%"
)
DERIBIT_WEEKLY_FUTURE = _flat(
    "deribit-weekly-future", "-0.0001", "0.0005", f"{_FACTS}: Deribit weekly futures −0.01%/0.05%"
)
DERIBIT_OPTION = _flat(
    "deribit-option",
    "0.0003",
    "0.0003",
    f"{_FACTS}: Deribit BTC options 0.03% of underlying, capped at 12.5% of the option price",
    cap="0.125",
)

FEE_SCHEDULES: dict[str, FeeSchedule] = {
    s.name: s
    for s in (
        BINANCE_SPOT,
        BINANCE_USDM_PERP,
        OKX_SPOT,
        OKX_PERP,
        BYBIT_SPOT,
        BYBIT_PERP,
        DERIBIT_PERP,
        DERIBIT_WEEKLY_FUTURE,
        DERIBIT_OPTION,
    )
}
"""Every preset by name."""
