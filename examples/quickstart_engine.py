"""Submit a parent order and a child order through the engine, then read the parent's progress.

Run: ``python examples/quickstart_engine.py``
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

from slipstream import ChildOrder, ExecutionEngine, OrderType, ParentOrder, QuoteVenue, Side, SpotPair, SqliteJournal


def main() -> None:
    pair = SpotPair.create(
        "binance", "BTC", "USDT", tick=Decimal("0.01"), lot_size=Decimal("0.00001"), taker_fee=Decimal("0.001")
    )
    venue = QuoteVenue("binance", [pair], latency_ns=2_000_000)
    with tempfile.TemporaryDirectory() as tmp:
        journal = SqliteJournal(Path(tmp) / "run.db")
        engine = ExecutionEngine([venue], journal=journal, seed=7)
        venue.set_quote("BTC/USDT", pair.price_to_units(Decimal("59999.90")), pair.price_to_units(Decimal("60000")))
        engine.submit_parent(
            ParentOrder(
                parent_id="P1",
                account="desk",
                symbol="BTC/USDT",
                side=Side.BUY,
                quantity=Decimal("2"),
                quantity_unit=pair.lot_size,
            )
        )
        engine.submit_order(
            ChildOrder(
                client_order_id="P1-0",
                venue="binance",
                symbol="BTC/USDT",
                side=Side.BUY,
                lots=pair.quantity_to_lots(Decimal("0.5")),
                order_type=OrderType.MARKET,
                parent_id="P1",
            )
        )
        engine.run()
        progress = engine.parent("P1")
        print(f"filled {progress.filled_quantity} BTC; remaining {pair.lots_to_quantity(progress.remaining_units)} BTC")
        print(f"journal: {journal.head_sequence} events, chain ok = {journal.verify().ok}")
        journal.close()


if __name__ == "__main__":
    main()
