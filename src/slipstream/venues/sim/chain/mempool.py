"""Pending transactions: the public mempool and the private relay, and the block's ordering rule.

Ordering is go-ethereum's "price and nonce": each sender's transactions go in nonce order, and
among the senders' next transactions the one paying the highest tip per gas goes first (ties: the
earlier submission). Private-relay transactions are in the same pool but flagged: the chain asks
the relay (a seeded coin per block) whether each one reaches this block's builder, and never
shows them to the sandwich searcher.
"""

from __future__ import annotations

from dataclasses import dataclass

from slipstream.errors import ValidationError
from slipstream.venues.sim.chain.transactions import Transaction

__all__ = ["Mempool", "PendingTx", "replacement_ok"]

_REPLACE_BUMP_PERCENT = 10  # geth txpool PriceBump default


@dataclass(frozen=True, slots=True)
class PendingTx:
    """A transaction waiting for inclusion."""

    tx_hash: str
    tx: Transaction
    seq: int  # submission order (tie-break)
    submitted_ns: int
    first_block: int  # earliest block number it can be in


def replacement_ok(old: Transaction, new: Transaction) -> bool:
    """True when ``new`` bids enough to replace ``old`` (both fee caps up by >= 10%)."""
    bump = 100 + _REPLACE_BUMP_PERCENT
    return (new.max_fee_per_gas * 100 >= old.max_fee_per_gas * bump
            and new.max_priority_fee_per_gas * 100 >= old.max_priority_fee_per_gas * bump)


class Mempool:
    """Pending transactions by hash, with a (sender, nonce) index."""

    def __init__(self) -> None:
        self._by_hash: dict[str, PendingTx] = {}
        self._by_nonce: dict[tuple[str, int], str] = {}

    def __len__(self) -> int:
        return len(self._by_hash)

    def __contains__(self, tx_hash: object) -> bool:
        return tx_hash in self._by_hash

    def get(self, tx_hash: str) -> PendingTx | None:
        return self._by_hash.get(tx_hash)

    def at_nonce(self, sender: str, nonce: int) -> PendingTx | None:
        tx_hash = self._by_nonce.get((sender, nonce))
        return None if tx_hash is None else self._by_hash[tx_hash]

    def add(self, pending: PendingTx) -> PendingTx | None:
        """Add ``pending``; returns the transaction it replaced, if any.

        Raises:
            ValidationError: a pending tx with the same nonce bids too little to be replaced.
        """
        key = (pending.tx.sender, pending.tx.nonce)
        old_hash = self._by_nonce.get(key)
        old = None
        if old_hash is not None:
            old = self._by_hash[old_hash]
            if not replacement_ok(old.tx, pending.tx):
                raise ValidationError("replacement transaction underpriced")
            del self._by_hash[old_hash]
        self._by_hash[pending.tx_hash] = pending
        self._by_nonce[key] = pending.tx_hash
        return old

    def remove(self, tx_hash: str) -> PendingTx:
        """Take a transaction out (included or dropped).

        Raises:
            ValidationError: unknown hash.
        """
        pending = self._by_hash.pop(tx_hash, None)
        if pending is None:
            raise ValidationError(f"transaction {tx_hash} is not pending")
        del self._by_nonce[(pending.tx.sender, pending.tx.nonce)]
        return pending

    def pending(self) -> list[PendingTx]:
        """All pending transactions in submission order."""
        return sorted(self._by_hash.values(), key=lambda p: p.seq)

    def count_for(self, sender: str) -> int:
        return sum(1 for s, _ in self._by_nonce if s == sender)
