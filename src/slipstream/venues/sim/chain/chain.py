"""The simulated chain: accounts, pools, mempool and block production.

``advance(now_ns)`` produces every block due by ``now_ns`` (block ``n`` at ``genesis_ns + n *
block_time``); the venue or harness drives time. A transaction submitted at ``t`` can be in the
first block after ``t``. Each block, in this order:

1. base fee from the parent (EIP-1559), then seeded background gas (other users' demand, its mean
   falling as the base fee rises so the fee mean-reverts);
2. arbitrageurs at the top of the block, pulling pools toward the reference price;
3. our transactions and the noise traders' swaps, by tip per gas (price-and-nonce order); a
   transaction waits while its max fee is below the base fee, its nonce has a gap, or its gas
   limit does not fit the block; a public swap may be sandwiched (front-run / victim /
   back-run) when that is profitable after the searcher's gas and a seeded coin says so;
4. receipts go to the listeners in block order.

Every random draw comes from a named stream seeded by ``seed`` and uses a fixed number of draws
per decision, so one seed gives one history however ``advance`` is called. Only our accounts
have balances and nonces; arbitrageurs, noise traders and searchers are unconstrained.
"""

from __future__ import annotations

import heapq
import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from slipstream.errors import ValidationError
from slipstream.venues.sim.amm.base import AmmRevert, Pool
from slipstream.venues.sim.amm.gas import ERC20_APPROVE_GAS, WETH_WRAP_GAS
from slipstream.venues.sim.chain.dynamics import (
    Arbitrageur,
    NoiseSwap,
    NoiseTraders,
    arbitrage_trade,
    base_unit_rate,
)
from slipstream.venues.sim.chain.execution import run_swap, swap_gas_units
from slipstream.venues.sim.chain.gas import next_base_fee
from slipstream.venues.sim.chain.mempool import Mempool, PendingTx
from slipstream.venues.sim.chain.mev import SandwichRecord, plan_sandwich
from slipstream.venues.sim.chain.presets import ChainPreset
from slipstream.venues.sim.chain.transactions import Block, Receipt, Transaction, TxKind, TxStatus

__all__ = ["Account", "Chain", "ChainStats"]

TRANSFER_GAS = 21_000  # intrinsic gas of a plain transfer (the cancelling no-op)
NATIVE_DECIMALS = 18


@dataclass(slots=True)
class Account:
    """Our on-chain account: next nonce, balances (base units by asset) and router approvals."""

    nonce: int = 0
    balances: dict[str, int] = field(default_factory=dict)
    approved: set[str] = field(default_factory=set)


@dataclass(slots=True)
class ChainStats:
    """What other actors did, for the result's MEV and dynamics accounting."""

    arbitrage_trades: int = 0
    noise_swaps: int = 0
    sandwiches: list[SandwichRecord] = field(default_factory=list)


ReceiptListener = Callable[[Receipt], None]


class Chain:
    """A deterministic chain for one network preset.

    Args:
        preset: network parameters.
        seed: seed of every random stream.
        genesis_ns: time of block 0 (the first produced block is 1).
    """

    def __init__(self, preset: ChainPreset, seed: int = 0, genesis_ns: int = 0) -> None:
        self.preset = preset
        self.seed = seed
        self.genesis_ns = genesis_ns
        self.pools: dict[str, Pool] = {}
        self.accounts: dict[str, Account] = {}
        self.mempool = Mempool()
        self.blocks: list[Block] = []
        self.receipts: dict[str, Receipt] = {}
        self.stats = ChainStats()
        self.arbitrageurs: list[Arbitrageur] = []
        self.noise: list[NoiseTraders] = []
        self.decimals: dict[str, int] = {preset.native_asset: NATIVE_DECIMALS}
        self._native_prices: dict[str, Fraction] = {preset.wrapped_native: Fraction(1)}
        self._listeners: list[ReceiptListener] = []
        self._seq = 0
        self._number = 0
        self._base_fee = preset.initial_base_fee_wei
        self._parent_gas_used = preset.gas_target
        self._rng = {name: np.random.default_rng([seed, zlib.crc32(name.encode())])
                     for name in ("background", "noise", "relay", "mev")}

    # ---- setup --------------------------------------------------------------------------------
    def add_pool(self, pool: Pool) -> None:
        """Deploy ``pool`` (its token decimals become known to the chain)."""
        if pool.pool_id in self.pools:
            raise ValidationError(f"pool {pool.pool_id} already exists")
        self.pools[pool.pool_id] = pool
        for token, dec in zip(pool.tokens, pool.decimals, strict=True):
            self.decimals.setdefault(token, dec)

    def add_arbitrageur(self, arbitrageur: Arbitrageur) -> None:
        self._pool(arbitrageur.pool_id)
        self.arbitrageurs.append(arbitrageur)

    def add_noise(self, noise: NoiseTraders) -> None:
        self._pool(noise.pool_id)
        self.noise.append(noise)

    def fund(self, account: str, asset: str, amount: int) -> None:
        """Credit ``amount`` base units of ``asset`` (the native asset in wei)."""
        if amount < 0:
            raise ValidationError("funding amount must be >= 0")
        acct = self.accounts.setdefault(account, Account())
        acct.balances[asset] = acct.balances.get(asset, 0) + amount

    def set_native_price(self, token: str, wei_per_base_unit: Fraction) -> None:
        """How searchers and arbitrageurs value ``token`` against gas (overrides pool prices)."""
        self._native_prices[token] = Fraction(wei_per_base_unit)

    def on_receipt(self, listener: ReceiptListener) -> None:
        """Call ``listener`` with every receipt of our transactions, in block order."""
        self._listeners.append(listener)

    # ---- queries ------------------------------------------------------------------------------
    @property
    def block_number(self) -> int:
        """Number of the last produced block (0 before any)."""
        return self._number

    @property
    def next_block_ts_ns(self) -> int:
        return self.genesis_ns + (self._number + 1) * self.preset.block_time_ns

    @property
    def next_base_fee(self) -> int:
        """Base fee of the next block (known from the last one)."""
        if not self.blocks:
            return self._base_fee
        return self._child_base_fee()

    def account(self, name: str) -> Account:
        return self.accounts.setdefault(name, Account())

    def pending_nonce(self, sender: str) -> int:
        """Next free nonce counting pending transactions (a wallet's "pending" nonce)."""
        return self.account(sender).nonce + self.mempool.count_for(sender)

    def value_wei(self, token: str, amount: int | Fraction) -> Fraction:
        """Value of ``amount`` base units of ``token`` in wei (0 when no price is known)."""
        if token == self.preset.native_asset:
            return Fraction(amount)
        price = self._native_prices.get(token)
        if price is None:
            wrapped = self.preset.wrapped_native
            for pool_id in sorted(self.pools):
                pool = self.pools[pool_id]
                if token in pool.tokens and wrapped in pool.tokens:
                    price = pool.mid_price(pool.tokens.index(token), pool.tokens.index(wrapped))
                    break
        return Fraction(amount) * price if price is not None else Fraction(0)

    def _pool(self, pool_id: str) -> Pool:
        pool = self.pools.get(pool_id)
        if pool is None:
            raise ValidationError(f"unknown pool {pool_id}")
        return pool

    # ---- transactions -------------------------------------------------------------------------
    def submit(self, tx: Transaction, now_ns: int) -> str:
        """Put a signed transaction in the mempool (or the private relay); returns its hash.

        Advances the chain to ``now_ns`` first, so the tx can only land in a later block.

        Raises:
            ValidationError: nonce already used, unknown pool or token, not enough native
                balance for ``gas_limit * max_fee``, or an underpriced replacement.
        """
        self.advance(now_ns)
        acct = self.account(tx.sender)
        if tx.nonce < acct.nonce:
            raise ValidationError(f"nonce too low: {tx.nonce} < {acct.nonce}")
        if tx.kind.is_swap:
            pool = self._pool(tx.pool_id)
            if not (0 <= tx.token_in < len(pool.tokens) and 0 <= tx.token_out < len(pool.tokens)):
                raise ValidationError("token index out of range for the pool")
        if acct.balances.get(self.preset.native_asset, 0) < tx.max_cost_wei:
            raise ValidationError("insufficient funds for gas * price")
        self._seq += 1
        tx_hash = f"0x{self._seq:016x}"
        replaced = self.mempool.add(PendingTx(tx_hash, tx, self._seq, now_ns, self._number + 1))
        if replaced is not None:
            self._emit([self._dropped(replaced, "replaced", now_ns)])
        return tx_hash

    def cancel(self, tx_hash: str, now_ns: int) -> str | None:
        """Withdraw a pending transaction.

        A private-relay tx is simply withdrawn (returns None). A public one can only be replaced:
        a no-op at the same nonce bidding 10% more is submitted and its hash returned; it costs
        21,000 gas when included, and the original is dropped.

        Raises:
            ValidationError: the tx is not pending (already included or dropped).
        """
        self.advance(now_ns)
        pending = self.mempool.get(tx_hash)
        if pending is None:
            raise ValidationError(f"transaction {tx_hash} is not pending")
        if pending.tx.private:
            self.mempool.remove(tx_hash)
            self._emit([self._dropped(pending, "canceled", now_ns)])
            return None
        old = pending.tx
        noop = Transaction(
            sender=old.sender, nonce=old.nonce, kind=TxKind.NOOP, gas_limit=TRANSFER_GAS,
            max_fee_per_gas=-(-old.max_fee_per_gas * 11 // 10) + 1,
            max_priority_fee_per_gas=-(-old.max_priority_fee_per_gas * 11 // 10) + 1,
        )
        return self.submit(noop, now_ns)

    def _dropped(self, pending: PendingTx, reason: str, ts_ns: int) -> Receipt:
        tx = pending.tx
        receipt = Receipt(tx_hash=pending.tx_hash, sender=tx.sender, nonce=tx.nonce, kind=tx.kind,
                          status=TxStatus.DROPPED, block_number=self._number, block_ts_ns=ts_ns,
                          revert_reason=reason, private=tx.private)
        self.receipts[pending.tx_hash] = receipt
        return receipt

    def _emit(self, receipts: list[Receipt]) -> None:
        for receipt in receipts:
            for listener in self._listeners:
                listener(receipt)

    # ---- blocks -------------------------------------------------------------------------------
    def advance(self, now_ns: int) -> list[Block]:
        """Produce every block whose time is <= ``now_ns``; returns them."""
        produced = []
        while self.next_block_ts_ns <= now_ns:
            produced.append(self._produce_block())
        return produced

    def _child_base_fee(self) -> int:
        p = self.preset
        return next_base_fee(self._base_fee, self._parent_gas_used, p.gas_limit, p.elasticity,
                             p.change_denominator, p.min_base_fee_wei)

    def _background_gas(self, base_fee: int) -> int:
        p = self.preset
        mean = p.background_utilisation * math.sqrt(p.initial_base_fee_wei / max(base_fee, 1))
        u = float(self._rng["background"].normal(mean, p.background_sd))
        return int(p.gas_limit * min(max(u, 0.0), 1.0))

    def _produce_block(self) -> Block:
        number = self._number + 1
        ts = self.genesis_ns + number * self.preset.block_time_ns
        base_fee = self._child_base_fee() if self.blocks else self._base_fee
        background = self._background_gas(base_fee)
        room = self.preset.gas_limit - background
        room = self._run_arbitrage(ts, base_fee, room)
        receipts: list[Receipt] = []
        room = self._run_transactions(number, ts, base_fee, room, receipts)
        gas_used = self.preset.gas_limit - room
        block = Block(number, ts, base_fee, self.preset.gas_limit, gas_used, background,
                      tuple(r.tx_hash for r in receipts if r.status is not TxStatus.DROPPED))
        self.blocks.append(block)
        self._number, self._base_fee, self._parent_gas_used = number, base_fee, gas_used
        for receipt in receipts:
            self.receipts[receipt.tx_hash] = receipt
        self._emit(receipts)
        return block

    def _run_arbitrage(self, ts: int, base_fee: int, room: int) -> int:
        for arb in self.arbitrageurs:
            pool = self.pools[arb.pool_id]
            rate = base_unit_rate(arb.reference(ts), pool.decimals[0], pool.decimals[1])
            trade = arbitrage_trade(pool, rate)
            if trade is None:
                continue
            try:
                quote = pool.quote_exact_in(trade.token_in, trade.token_out, trade.amount_in)
            except AmmRevert:
                continue
            gas = swap_gas_units(pool, quote)
            gain = self.value_wei(pool.tokens[trade.token_out], trade.profit_out)
            if gas > room or gain <= gas * (base_fee + arb.tip_wei):
                continue
            pool.swap_exact_in(trade.token_in, trade.token_out, trade.amount_in)
            room -= gas
            self.stats.arbitrage_trades += 1
        return room

    def _relay_reaches(self, pending: PendingTx, number: int, receipts: list[Receipt],
                       ts: int) -> bool:
        """Private txs: dropped after ``relay_max_blocks``; else one seeded coin per block."""
        if number >= pending.first_block + self.preset.relay_max_blocks:
            self.mempool.remove(pending.tx_hash)
            receipts.append(self._dropped(pending, "relay: not included in time", ts))
            return False
        return bool(self._rng["relay"].random() < self.preset.relay_inclusion_probability)

    def _run_transactions(self, number: int, ts: int, base_fee: int, room: int,
                          receipts: list[Receipt]) -> int:
        queues: dict[str, list[PendingTx]] = {}
        for pending in self.mempool.pending():
            if pending.first_block > number:
                continue
            if pending.tx.private and not self._relay_reaches(pending, number, receipts, ts):
                continue
            queues.setdefault(pending.tx.sender, []).append(pending)
        heap: list[tuple[int, int, int, PendingTx | NoiseSwap]] = []

        def push_head(sender: str) -> None:
            queue = queues.get(sender)
            if not queue:
                return
            queue.sort(key=lambda p: p.tx.nonce)
            head = queue[0]
            if head.tx.nonce != self.account(sender).nonce or head.tx.max_fee_per_gas < base_fee:
                return
            tip = min(head.tx.max_priority_fee_per_gas, head.tx.max_fee_per_gas - base_fee)
            heapq.heappush(heap, (-tip, 0, head.seq, head))

        for sender in sorted(queues):
            push_head(sender)
        order = 0
        for noise in self.noise:
            for swap in noise.draw(self._rng["noise"]):
                order += 1
                heapq.heappush(heap, (-swap.tip_wei, 1, order, swap))
        while heap:
            _, _, _, item = heapq.heappop(heap)
            if isinstance(item, NoiseSwap):
                room = self._run_noise(item, room)
                continue
            if item.tx.gas_limit > room:
                continue  # waits for a later block; the sender's later nonces wait too
            queues[item.tx.sender].pop(0)
            self.mempool.remove(item.tx_hash)
            index = sum(r.status is not TxStatus.DROPPED for r in receipts)
            receipt = self._execute(item, number, ts, base_fee, index, room)
            receipts.append(receipt)
            if receipt.status is TxStatus.DROPPED:
                queues.pop(item.tx.sender, None)
                self._drop_later_nonces(item.tx.sender, ts, receipts)
                continue
            room -= receipt.gas_used + self._sandwich_gas(receipt)
            push_head(item.tx.sender)
        return room

    def _sandwich_gas(self, receipt: Receipt) -> int:
        return self.stats.sandwiches[-1].gas_units if receipt.sandwiched else 0

    def _drop_later_nonces(self, sender: str, ts: int, receipts: list[Receipt]) -> None:
        """After a tx is dropped, the sender's later nonces can never land: drop them too."""
        for pending in self.mempool.pending():
            if pending.tx.sender == sender:
                self.mempool.remove(pending.tx_hash)
                receipts.append(self._dropped(pending, "nonce gap", ts))

    def _run_noise(self, swap: NoiseSwap, room: int) -> int:
        pool = self.pools[swap.pool_id]
        outcome = run_swap(pool, True, swap.token_in, swap.token_out, swap.amount_in, 0)
        if outcome.gas_units > room:
            return room
        self.stats.noise_swaps += outcome.ok
        return room - outcome.gas_units

    # ---- execution ----------------------------------------------------------------------------
    def _execute(self, pending: PendingTx, number: int, ts: int, base_fee: int, index: int,
                 room: int) -> Receipt:
        tx = pending.tx
        acct = self.account(tx.sender)
        native = self.preset.native_asset
        price = base_fee + min(tx.max_priority_fee_per_gas, tx.max_fee_per_gas - base_fee)
        base = dict(tx_hash=pending.tx_hash, sender=tx.sender, nonce=tx.nonce, kind=tx.kind,
                    block_number=number, block_ts_ns=ts, index=index, base_fee_per_gas=base_fee,
                    effective_gas_price=price, private=tx.private)
        if acct.balances.get(native, 0) < tx.max_cost_wei:
            # an unfundable tx is invalid: never included, its nonce stays unused
            return Receipt(status=TxStatus.DROPPED, revert_reason="insufficient funds for gas",
                           **{**base, "index": -1, "effective_gas_price": 0})  # type: ignore[arg-type]
        acct.nonce += 1
        if tx.kind.is_swap:
            status, gas, reason, fields = self._execute_swap(pending, ts, base_fee, price, room)
        else:
            status, gas, reason, fields = self._execute_simple(tx, acct)
        if gas > tx.gas_limit:
            status, gas, reason, fields = TxStatus.REVERTED, tx.gas_limit, "out of gas", {}
        acct.balances[native] -= gas * price
        return Receipt(status=status, gas_used=gas, revert_reason=reason,
                       **base, **fields)  # type: ignore[arg-type]

    def _execute_simple(self, tx: Transaction, acct: Account
                        ) -> tuple[TxStatus, int, str, dict[str, object]]:
        if tx.kind is TxKind.APPROVE:
            acct.approved.add(tx.token)
            return TxStatus.SUCCESS, ERC20_APPROVE_GAS, "", {}
        if tx.kind is TxKind.WRAP:
            native, wrapped = self.preset.native_asset, self.preset.wrapped_native
            if acct.balances.get(native, 0) - tx.max_cost_wei < tx.amount:
                return TxStatus.REVERTED, WETH_WRAP_GAS, "insufficient balance to wrap", {}
            acct.balances[native] -= tx.amount
            acct.balances[wrapped] = acct.balances.get(wrapped, 0) + tx.amount
            return TxStatus.SUCCESS, WETH_WRAP_GAS, "", {"amount_in": tx.amount,
                                                          "amount_out": tx.amount}
        return TxStatus.SUCCESS, TRANSFER_GAS, "", {}

    def _execute_swap(self, pending: PendingTx, ts: int, base_fee: int, price: int, room: int
                      ) -> tuple[TxStatus, int, str, dict[str, object]]:
        tx = pending.tx
        pool = self.pools[tx.pool_id]
        acct = self.account(tx.sender)
        exact_in = tx.kind is TxKind.SWAP_EXACT_IN
        sym_in, sym_out = pool.tokens[tx.token_in], pool.tokens[tx.token_out]
        if tx.deadline_ns is not None and ts > tx.deadline_ns:
            return TxStatus.REVERTED, swap_gas_units(pool, None), "Transaction too old", {}
        if sym_in not in acct.approved:
            return TxStatus.REVERTED, swap_gas_units(pool, None), "STF", {}
        trial = run_swap(pool, exact_in, tx.token_in, tx.token_out, tx.amount, tx.limit, False)
        if trial.result is None:
            return TxStatus.REVERTED, trial.gas_units, trial.revert_reason, {}
        if acct.balances.get(sym_in, 0) < trial.result.amount_in:
            return TxStatus.REVERTED, trial.gas_units, "STF", {}
        sandwich = None
        if not tx.private and self.preset.sandwich_probability > 0:
            spare = room - trial.gas_units
            sandwich = self._maybe_sandwich(pending, pool, base_fee, price, spare)
        outcome = run_swap(pool, exact_in, tx.token_in, tx.token_out, tx.amount, tx.limit, True)
        result = outcome.result
        if sandwich is not None:
            front_out = sandwich.front_out
            pool.swap_exact_in(tx.token_out, tx.token_in, front_out)  # the back-run
        if result is None:  # cannot happen: the plan kept the victim within its limit
            return TxStatus.REVERTED, outcome.gas_units, outcome.revert_reason, {}
        assert acct.balances.get(sym_in, 0) >= result.amount_in, "plan kept within balance"
        acct.balances[sym_in] -= result.amount_in
        acct.balances[sym_out] = acct.balances.get(sym_out, 0) + result.amount_out
        fields: dict[str, object] = {"amount_in": result.amount_in, "amount_out": result.amount_out,
                                     "ticks_crossed": result.ticks_crossed}
        if sandwich is not None:
            fields.update(sandwiched=True, sandwich_loss=sandwich.victim_loss)
        return TxStatus.SUCCESS, outcome.gas_units, "", fields

    def _maybe_sandwich(self, pending: PendingTx, pool: Pool, base_fee: int, victim_price: int,
                        spare_gas: int) -> SandwichRecord | None:
        """Decide and run the front-run; the caller runs the victim and the back-run."""
        coin = float(self._rng["mev"].random())
        if coin >= self.preset.sandwich_probability:
            return None
        tx = pending.tx
        exact_in = tx.kind is TxKind.SWAP_EXACT_IN
        balance = self.account(tx.sender).balances.get(pool.tokens[tx.token_in], 0)
        limit = tx.limit if exact_in else min(tx.limit, balance)
        plan = plan_sandwich(pool, exact_in, tx.token_in, tx.token_out, tx.amount, limit)
        if plan is None or plan.front_gas + plan.back_gas > spare_gas:
            return None
        victim_tip = victim_price - base_fee
        gas_wei = plan.front_gas * (base_fee + victim_tip + 1) + plan.back_gas * base_fee
        profit_wei = self.value_wei(pool.tokens[tx.token_in], plan.profit) - gas_wei
        if profit_wei <= 0:
            return None
        pool.swap_exact_in(tx.token_in, tx.token_out, plan.front_in)
        record = SandwichRecord(
            block_number=self._number + 1, victim_tx=pending.tx_hash, pool_id=tx.pool_id,
            token_in=tx.token_in, front_in=plan.front_in, front_out=plan.front_out,
            back_out=plan.back_out, profit_token_in=plan.profit,
            gas_units=plan.front_gas + plan.back_gas, gas_wei=gas_wei,
            profit_wei=math.floor(profit_wei), victim_loss=plan.victim_loss)
        self.stats.sandwiches.append(record)
        return record
