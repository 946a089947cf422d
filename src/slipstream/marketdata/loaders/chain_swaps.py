"""On-chain AMM ``Swap`` event logs → :class:`~slipstream.model.market.PoolSwap`.

Reads logs as an ``eth_getLogs`` node returns them (camelCase: ``blockNumber``, ``logIndex``...)
or as Envio HyperSync returns them (snake_case: ``block_number``, ``log_index``...), one log per
document, JSON Lines, one array of logs, or a JSON-RPC response whose ``result`` is the array.

Decoding is the Solidity ABI, in integers: ``topics[1]``/``topics[2]`` are the indexed
``sender``/``recipient``; ``data`` holds 32-byte big-endian words, two's complement for signed
types. Two layouts are known by their ``topics[0]`` (keccak of the event signature):

* Uniswap v3 ``Swap(address,address,int256,int256,uint160,uint128,int24)`` — 5 words;
* PancakeSwap v3 ``Swap(..., int24, uint128 protocolFeesToken0, uint128 protocolFeesToken1)`` —
  7 words (its topic differs although the leading words match; Nautilus rejects a 5-word payload
  under the PancakeSwap topic the same way).

Other events (Mint, Burn, Collect...) are skipped: this loader reports trades, not pool state.
Ordering is validated instead of sequence numbers: ``(block_number, log_index)`` must strictly
increase through the file, and a ``removed`` (re-orged) log is refused — both raise
:class:`DataError`, since a replay across either would be wrong. A log carries no block time;
``blockTimestamp``/``block_timestamp`` is used when present, else the caller's ``block_times``
(block number → unix seconds), else 0.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from os import PathLike
from pathlib import Path
from typing import Any

from slipstream.errors import DataError, ValidationError
from slipstream.marketdata.loaders._common import RowError, iter_json_values
from slipstream.model.market import PoolSwap

__all__ = ["PANCAKESWAP_V3_SWAP_TOPIC", "UNISWAP_V3_SWAP_TOPIC", "decode_swap_log", "iter_swaps"]

StrPath = str | PathLike[str]

UNISWAP_V3_SWAP_TOPIC = "0xc42079f94a6350d7e6235f29174924f928cc2ac818eb64fed8004e115fbcca67"
PANCAKESWAP_V3_SWAP_TOPIC = "0x19b47279256b2a23a1665c810c8d55a1758940ee09377d4f8d26497a3577dc83"
# topic0 → (venue label, data words)
_LAYOUTS = {UNISWAP_V3_SWAP_TOPIC: ("uniswap_v3", 5), PANCAKESWAP_V3_SWAP_TOPIC: ("pancakeswap_v3", 7)}
_WORD = 64  # hex digits per 32-byte word
_NS = 1_000_000_000
# (camelCase RPC name, snake_case HyperSync name)
_KEYS = {
    "block_number": ("blockNumber", "block_number"),
    "transaction_hash": ("transactionHash", "transaction_hash"),
    "transaction_index": ("transactionIndex", "transaction_index"),
    "log_index": ("logIndex", "log_index"),
    "block_timestamp": ("blockTimestamp", "block_timestamp"),
}


def iter_swaps(
    path: StrPath, *, block_times: Mapping[int, int] | None = None
) -> Iterator[PoolSwap]:
    """Stream the Uniswap-v3-style ``Swap`` events of a file of EVM logs.

    Args:
        path: JSON log(s) — see the module docstring for the accepted shapes.
        block_times: block number → block time in unix seconds, for logs without one.

    Raises:
        DataError: malformed log, undecodable swap data, a removed log, or logs out of
            ``(block, log index)`` order (file, line).
    """
    file = Path(path)
    last: tuple[int, int] | None = None
    for line, record, message in iter_json_values(file):
        logs = message.get("result") if isinstance(message, dict) and "result" in message else [message]
        if not isinstance(logs, list):
            raise DataError(str(file), line, f"record {record}: JSON-RPC result is not a list of logs")
        for log in logs:
            try:
                swap = decode_swap_log(log, block_times=block_times)
            except (RowError, ValidationError) as exc:
                raise DataError(str(file), line, f"record {record}: {exc}") from None
            if swap is None:
                continue
            position = (swap.block_number, swap.log_index)
            if last is not None and position <= last:
                raise DataError(
                    str(file), line,
                    f"record {record}: log (block {position[0]}, index {position[1]}) is not after "
                    f"(block {last[0]}, index {last[1]})",
                )
            last = position
            yield swap


def decode_swap_log(log: Any, *, block_times: Mapping[int, int] | None = None) -> PoolSwap | None:
    """Decode one EVM log; ``None`` if it is not a known ``Swap`` event.

    Raises:
        RowError: missing or malformed field, wrong data length, or a removed log.
        ValidationError: a decoded value outside its Solidity type.
    """
    if not isinstance(log, dict):
        raise RowError("log is not a JSON object")
    topics = log.get("topics")
    if not isinstance(topics, list) or not topics or not all(isinstance(t, str) for t in topics):
        raise RowError("topics: expected a non-empty list of hex strings")
    layout = _LAYOUTS.get(topics[0].lower())
    if layout is None:
        return None
    if log.get("removed") is True:
        raise RowError("removed (re-orged) log; record from a finalised block range")
    venue, words = layout
    if len(topics) != 3:
        raise RowError(f"Swap log needs 3 topics, has {len(topics)}")
    data = _hex_digits(log.get("data"), "data")
    if len(data) < words * _WORD:
        raise RowError(f"data too short for {venue} Swap: {len(data) // 2} bytes, need {words * 32}")
    if len(data) % _WORD:
        raise RowError(f"data is not whole 32-byte words: {len(data) // 2} bytes")
    word = [int(data[i * _WORD : (i + 1) * _WORD], 16) for i in range(words)]
    block = _quantity(log, "block_number")
    timestamp = log.get(_KEYS["block_timestamp"][0], log.get(_KEYS["block_timestamp"][1]))
    if timestamp is not None:
        seconds = _hex_or_int(timestamp, "block timestamp")
    elif block_times is not None and block in block_times:
        seconds = block_times[block]
    else:
        seconds = 0
    return PoolSwap(
        venue=venue,
        pool=_address(log.get("address"), "address"),
        block_number=block,
        transaction_hash=_hash(log, "transaction_hash"),
        transaction_index=_quantity(log, "transaction_index"),
        log_index=_quantity(log, "log_index"),
        sender=_topic_address(topics[1], "sender"),
        recipient=_topic_address(topics[2], "recipient"),
        amount0=_signed(word[0], 256),
        amount1=_signed(word[1], 256),
        sqrt_price_x96=word[2],
        liquidity=word[3],
        tick=_signed(word[4], 256),
        venue_ts_ns=seconds * _NS,
        receive_ts_ns=seconds * _NS,
        protocol_fees_token0=word[5] if words == 7 else None,
        protocol_fees_token1=word[6] if words == 7 else None,
    )


def _signed(value: int, bits: int) -> int:
    """Two's complement of an ABI word (int24 is sign-extended to the full word on-chain)."""
    return value - (1 << bits) if value >> (bits - 1) else value


def _hex_digits(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise RowError(f"{name}: expected a 0x-prefixed hex string, got {value!r}")
    digits = value[2:]
    if not all(c in "0123456789abcdefABCDEF" for c in digits):
        raise RowError(f"{name}: not hex: {value[:80]!r}")
    return digits


def _hex_or_int(value: Any, name: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    digits = _hex_digits(value, name)
    if not digits:
        raise RowError(f"{name}: empty hex quantity")
    return int(digits, 16)


def _quantity(log: dict[str, Any], key: str) -> int:
    camel, snake = _KEYS[key]
    value = log.get(camel, log.get(snake))
    if value is None:
        raise RowError(f"missing {camel}/{snake}")
    return _hex_or_int(value, camel)


def _hash(log: dict[str, Any], key: str) -> str:
    camel, snake = _KEYS[key]
    value = log.get(camel, log.get(snake))
    digits = _hex_digits(value, camel)
    if len(digits) != 64:
        raise RowError(f"{camel}: expected 32 bytes, got {len(digits) // 2}")
    return "0x" + digits.lower()


def _address(value: Any, name: str) -> str:
    digits = _hex_digits(value, name)
    if len(digits) != 40:
        raise RowError(f"{name}: expected a 20-byte address, got {len(digits) // 2} bytes")
    return "0x" + digits.lower()


def _topic_address(topic: str, name: str) -> str:
    digits = _hex_digits(topic, name)
    if len(digits) != 64 or int(digits[:24], 16) != 0:
        raise RowError(f"{name}: topic is not a left-padded address: {topic!r}")
    return "0x" + digits[24:].lower()
