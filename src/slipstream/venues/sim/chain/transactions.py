"""Transactions, receipts and blocks of the simulated chain (plain frozen values).

All amounts are integers: gas in units, fees in wei per gas, token amounts in base units.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from slipstream.errors import ValidationError

__all__ = ["Block", "Receipt", "Transaction", "TxKind", "TxStatus"]


class TxKind(str, Enum):
    """What a transaction does. Approvals and wrapping are their own transactions, as on chain."""

    SWAP_EXACT_IN = "swap_exact_in"  # sell ``amount`` of token_in; revert if out < ``limit``
    SWAP_EXACT_OUT = "swap_exact_out"  # buy ``amount`` of token_out; revert if in > ``limit``
    APPROVE = "approve"  # unlimited router allowance for ``token``
    WRAP = "wrap"  # native -> wrapped native, ``amount`` wei
    NOOP = "noop"  # 0-value self-transfer (replaces a pending tx to cancel it)

    @property
    def is_swap(self) -> bool:
        return self is TxKind.SWAP_EXACT_IN or self is TxKind.SWAP_EXACT_OUT


class TxStatus(str, Enum):
    SUCCESS = "success"
    REVERTED = "reverted"  # included, state unchanged, gas paid
    DROPPED = "dropped"  # never included (relay gave up, or replaced); no gas


@dataclass(frozen=True, slots=True)
class Transaction:
    """A signed request as the sender built it.

    Args:
        sender: account name.
        nonce: must equal the account's next nonce when included (gaps wait).
        kind: what it does.
        gas_limit: most gas it may burn; a swap needing more reverts out of gas.
        max_fee_per_gas: included only in a block whose base fee is <= this.
        max_priority_fee_per_gas: tip cap; blocks order transactions by the tip they pay.
        pool_id, token_in, token_out, amount, limit: the swap (see :class:`TxKind`).
        token: the approved token (``APPROVE``).
        private: sent to the private relay instead of the public mempool.
        deadline_ns: a swap included after this time reverts ("Transaction too old").
    """

    sender: str
    nonce: int
    kind: TxKind
    gas_limit: int
    max_fee_per_gas: int
    max_priority_fee_per_gas: int
    pool_id: str = ""
    token_in: int = 0
    token_out: int = 1
    amount: int = 0
    limit: int = 0
    token: str = ""
    private: bool = False
    deadline_ns: int | None = None

    def __post_init__(self) -> None:
        if self.nonce < 0 or self.gas_limit <= 0:
            raise ValidationError("nonce must be >= 0 and gas limit > 0")
        if self.max_priority_fee_per_gas < 0 or self.max_fee_per_gas < self.max_priority_fee_per_gas:
            raise ValidationError("need 0 <= max priority fee <= max fee")
        if self.kind.is_swap:
            if not self.pool_id or self.amount <= 0 or self.limit < 0:
                raise ValidationError("a swap needs a pool, a positive amount and a limit >= 0")
        elif self.kind is TxKind.APPROVE and not self.token:
            raise ValidationError("an approval needs a token")
        elif self.kind is TxKind.WRAP and self.amount <= 0:
            raise ValidationError("a wrap needs a positive amount")

    @property
    def max_cost_wei(self) -> int:
        """What the sender must hold in the native asset for the tx to be valid."""
        return self.gas_limit * self.max_fee_per_gas


@dataclass(frozen=True, slots=True)
class Receipt:
    """Outcome of one transaction.

    ``sandwich_loss`` is what a sandwich took from a swap, in the swap's limited token: output
    units short of the unsandwiched result (exact in) or extra input units (exact out).
    """

    tx_hash: str
    sender: str
    nonce: int
    kind: TxKind
    status: TxStatus
    block_number: int
    block_ts_ns: int
    index: int = -1  # position in the block; -1 when dropped
    gas_used: int = 0
    base_fee_per_gas: int = 0
    effective_gas_price: int = 0
    amount_in: int = 0
    amount_out: int = 0
    ticks_crossed: int = 0
    revert_reason: str = ""
    private: bool = False
    sandwiched: bool = False
    sandwich_loss: int = 0

    @property
    def fee_wei(self) -> int:
        """Total gas cost paid by the sender."""
        return self.gas_used * self.effective_gas_price

    @property
    def burnt_wei(self) -> int:
        return self.gas_used * self.base_fee_per_gas


@dataclass(frozen=True, slots=True)
class Block:
    """A produced block. ``gas_used`` includes the seeded background demand."""

    number: int
    ts_ns: int
    base_fee_per_gas: int
    gas_limit: int
    gas_used: int
    background_gas: int
    tx_hashes: tuple[str, ...]
