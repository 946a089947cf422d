"""The rich terminal summary (slipstream/tca/report_terminal.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slipstream.tca import SIGN_CONVENTION, analyse, terminal_text

if TYPE_CHECKING:
    from .conftest import Example


def test_terminal_summary_shows_key_numbers(btc_buy: Example) -> None:
    ex = btc_buy
    text = terminal_text(analyse(ex.order, ex.fills, ex.prints, ex.mids), width=140)
    for needle in (
        "TCA buy 10 BTC-USDT",
        "60,021.2500",  # average price
        "1,732.09",  # implementation shortfall, USDT
        "28.92",  # ... in bps
        "13.36",  # delay bps
        "uniswap-v3",
        "300s",
        "29.78",  # 60 s markout
        "8 / 10 (80.00 %)",
    ):
        assert needle in text, needle
    assert "\x1b[" not in text  # plain text, no colour codes
    assert SIGN_CONVENTION.split(":")[0] in text
