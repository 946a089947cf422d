"""Implementation shortfall (Perold 1988) and its decomposition.

Perold's shortfall is the return of a *paper portfolio* that trades the whole decided quantity
``Q`` at the decision price ``P_d`` with no cost, minus the return of the *real portfolio*, both
valued at the end price ``P_end``. With side sign ``s`` (+1 buy, -1 sell), fills ``(q_i, p_i)``,
filled quantity ``F = Σ q_i`` and arrival price ``P_a``::

    paper gain  = s · Q · (P_end − P_d)
    real gain   = s · (F · P_end − Σ q_i p_i) − fees − gas
    shortfall   = paper gain − real gain

We split it as in the CFA Institute curriculum's worked examples and Kissell's expanded
implementation shortfall (Kissell 2006, *J. Trading* 1(3)): with the arrival price as the
boundary between waiting and trading::

    delay        = s · F · (P_a − P_d)               market drift before the order arrived
    impact       = s · (Σ q_i p_i − F · P_a)         trading cost of the filled part
    opportunity  = s · (Q − F) · (P_end − P_d)       what the unfilled part missed
    fees         = Σ fee_in_quote                    explicit (negative = rebates)
    gas          = Σ gas_in_quote                    on-chain network fees

and ``delay + impact + opportunity + fees + gas == shortfall`` exactly (Decimal). All parts are in
the quote asset, cost positive; bps are of the paper notional ``Q · P_d``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from slipstream.errors import ValidationError
from slipstream.tca._numeric import bps, fixed_context
from slipstream.tca.inputs import TcaFill, TcaOrder

__all__ = ["ShortfallDecomposition", "implementation_shortfall"]


@dataclass(frozen=True, slots=True)
class ShortfallDecomposition:
    """Implementation shortfall in quote units (cost positive) and in bps of paper notional."""

    paper_notional: Decimal
    end_price: Decimal | None
    delay: Decimal
    impact: Decimal
    opportunity: Decimal
    fees: Decimal
    gas: Decimal
    total: Decimal

    @property
    def components(self) -> tuple[Decimal, ...]:
        """``(delay, impact, opportunity, fees, gas)`` — they sum to ``total``."""
        return (self.delay, self.impact, self.opportunity, self.fees, self.gas)

    def as_bps(self, amount: Decimal) -> float:
        """``amount`` in bps of the paper notional (never ``None``: the notional is > 0)."""
        value = bps(amount, self.paper_notional)
        assert value is not None  # paper notional is validated positive
        return value


def implementation_shortfall(
    order: TcaOrder, fills: Sequence[TcaFill], end_price: Decimal | None
) -> ShortfallDecomposition:
    """Perold's implementation shortfall of ``order`` given its ``fills``.

    Args:
        order: the parent order (decision and arrival prices).
        fills: its executions.
        end_price: price that values the unfilled part; may be ``None`` only if all was filled.

    Returns:
        The decomposition; ``total`` is computed from the paper/real portfolios independently of
        the components, so their equality is a check, not a definition.

    Raises:
        ValidationError: fills exceed the order quantity, or part is unfilled with no end price.
    """
    with fixed_context():
        return _decompose(order, fills, end_price)


def _decompose(order: TcaOrder, fills: Sequence[TcaFill], end_price: Decimal | None) -> ShortfallDecomposition:
    sign = order.side_sign
    filled = sum((f.quantity for f in fills), Decimal(0))
    notional = sum((f.quantity * f.price for f in fills), Decimal(0))
    fees = sum((f.fee_in_quote for f in fills), Decimal(0))
    gas = sum((f.gas_in_quote for f in fills), Decimal(0))
    unfilled = order.quantity - filled
    if unfilled < 0:
        raise ValidationError(f"fills total {filled} exceeds order quantity {order.quantity}")
    if unfilled > 0 and end_price is None:
        raise ValidationError("cannot value the unfilled quantity: give TcaOrder.end_price or mids up to end_ts_ns")
    mark = end_price if end_price is not None else order.decision_price
    decision, arrival = order.decision_price, order.arrival_price

    paper_gain = sign * order.quantity * (mark - decision)
    real_gain = sign * (filled * mark - notional) - fees - gas
    return ShortfallDecomposition(
        paper_notional=order.quantity * decision,
        end_price=end_price,
        delay=sign * filled * (arrival - decision),
        impact=sign * (notional - filled * arrival),
        opportunity=sign * unfilled * (mark - decision),
        fees=fees,
        gas=gas,
        total=paper_gain - real_gain,
    )
