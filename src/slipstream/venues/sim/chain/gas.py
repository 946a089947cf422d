"""EIP-1559 fee market: the base-fee update rule and the price a transaction pays per gas.

The update is the integer formula of the EIP-1559 specification (eips.ethereum.org/EIPS/
eip-1559, ``validate_block``): with ``target = parent_gas_limit // ELASTICITY_MULTIPLIER``,

* usage == target: unchanged;
* usage  > target: ``+ max(base * (used - target) // target // DENOMINATOR, 1)``;
* usage  < target: ``- base * (target - used) // target // DENOMINATOR``.

Floor division throughout (all operands are non-negative), so the result is bit-exact with the
clients (go-ethereum ``consensus/misc/eip1559.CalcBaseFee``). A full block moves the fee up by
at most 1/8 (12.5%), an empty one down by at most 1/8.
"""

from __future__ import annotations

from slipstream.errors import ValidationError

__all__ = ["effective_gas_price", "next_base_fee", "priority_fee_per_gas"]


def next_base_fee(
    parent_base_fee: int,
    parent_gas_used: int,
    parent_gas_limit: int,
    elasticity: int = 2,
    denominator: int = 8,
    min_base_fee: int = 0,
) -> int:
    """Base fee per gas of the block after a parent with the given fee, usage and limit.

    Args:
        parent_base_fee: parent's base fee per gas (wei).
        parent_gas_used: gas used by the parent block.
        parent_gas_limit: parent's gas limit.
        elasticity: ``ELASTICITY_MULTIPLIER`` (2 on Ethereum).
        denominator: ``BASE_FEE_MAX_CHANGE_DENOMINATOR`` (8 on Ethereum).
        min_base_fee: floor applied after the update (0 on Ethereum, as in the spec).

    Returns:
        The child block's base fee per gas in wei.

    Raises:
        ValidationError: negative inputs, usage above the limit, or a zero gas target.
    """
    if parent_base_fee < 0 or parent_gas_used < 0 or min_base_fee < 0:
        raise ValidationError("base fee and gas used must be non-negative")
    if parent_gas_used > parent_gas_limit:
        raise ValidationError(f"gas used {parent_gas_used} exceeds the limit {parent_gas_limit}")
    target = parent_gas_limit // elasticity
    if target <= 0 or denominator <= 0:
        raise ValidationError("gas target and change denominator must be positive")
    if parent_gas_used == target:
        fee = parent_base_fee
    elif parent_gas_used > target:
        delta = parent_base_fee * (parent_gas_used - target) // target // denominator
        fee = parent_base_fee + max(delta, 1)
    else:
        delta = parent_base_fee * (target - parent_gas_used) // target // denominator
        fee = parent_base_fee - delta
    return max(fee, min_base_fee)


def priority_fee_per_gas(base_fee: int, max_fee: int, max_priority_fee: int) -> int:
    """The tip per gas a transaction actually pays: ``min(max_priority_fee, max_fee - base_fee)``.

    Raises:
        ValidationError: ``max_fee`` is below ``base_fee`` (the tx is not includable) or a
            fee is negative.
    """
    if max_fee < base_fee:
        raise ValidationError(f"max fee {max_fee} is below the base fee {base_fee}")
    if max_priority_fee < 0 or base_fee < 0:
        raise ValidationError("fees must be non-negative")
    return min(max_priority_fee, max_fee - base_fee)


def effective_gas_price(base_fee: int, max_fee: int, max_priority_fee: int) -> int:
    """Price per gas charged to the sender: base fee (burnt) plus the tip (to the builder).

    Raises:
        ValidationError: as :func:`priority_fee_per_gas`.
    """
    return base_fee + priority_fee_per_gas(base_fee, max_fee, max_priority_fee)
