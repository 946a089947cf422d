"""Replaying the recorded samples is a scenario too."""

from __future__ import annotations

from pathlib import Path

import pytest

from slipstream.errors import ScenarioError
from slipstream.marketdata.book import ASK, BID
from slipstream.scenarios import build_market, load_scenario, parse_scenario
from slipstream.venues.sim.book_venue import BookVenue
from slipstream.venues.sim.messages import TradePrint

NAUTILUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "nautilus"


def test_replay_samples_run_into_book_venues() -> None:
    scenario = load_scenario("replay_samples")
    if not (NAUTILUS / scenario.replay[0].book).is_file():  # type: ignore[operator]
        pytest.skip(f"recorded samples not found under {NAUTILUS}")
    market = build_market(scenario, data_root=NAUTILUS)
    prints: list[TradePrint] = []
    market.engine.loop.subscribe(TradePrint, prints.append)
    market.run()
    bybit = market.venues["bybit"]
    assert isinstance(bybit, BookVenue)
    book = bybit.book("XRP/USDT:USDT")
    assert book.best(BID) == 19537 and book.best(ASK) == 19538  # 1.9537 / 1.9538 after the last delta
    binance = market.venues["binance-futures"]
    assert isinstance(binance, BookVenue)
    assert len([p for p in prints if p.venue == "binance-futures"]) == 9_999
    assert market.end_ns - market.start_ns == 7_546_632_000_000  # the trades' span, shifted to start


def test_missing_replay_file_names_the_field(tmp_path: Path) -> None:
    text = ('[scenario]\nname = "r"\n[[replay]]\nvenue = "x"\nbase = "BTC"\nquote = "USDT"\n'
            'tick = "0.1"\nlot = "0.001"\ntrades = "nope.csv"\n')
    with pytest.raises(ScenarioError, match=r"replay\[0\]\.trades: file not found"):
        build_market(parse_scenario(text), data_root=tmp_path)
