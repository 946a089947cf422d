"""The public surface is deliberate: every name in ``__all__`` exists and nothing is exported by accident."""

from __future__ import annotations

import importlib

import pytest

import slipstream

PACKAGES = [
    "slipstream",
    "slipstream.model",
    "slipstream.engine",
    "slipstream.journal",
    "slipstream.oms",
    "slipstream.risk",
    "slipstream.service",
    "slipstream.venues",
    "slipstream.tca",
    "slipstream.algos",
    "slipstream.marketdata",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_names_resolve(name: str) -> None:
    module = importlib.import_module(name)
    for member in module.__all__:
        assert hasattr(module, member), f"{name}.{member} missing"
    assert len(set(module.__all__)) == len(module.__all__)


def test_notebook_names_are_top_level() -> None:
    for member in (
        "ExecutionEngine",
        "ParentOrder",
        "ChildOrder",
        "SpotPair",
        "Side",
        "SqliteJournal",
        "QuoteVenue",
        "SlipstreamError",
    ):
        assert member in slipstream.__all__
