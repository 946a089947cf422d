"""Market data: integer-keyed order books, recorded-data loaders and seeded synthetic streams."""

from slipstream.marketdata.book import ADD, ASK, BID, CLEAR, DELETE, UPDATE, L2Book
from slipstream.marketdata.loaders import load, sniff_format
from slipstream.marketdata.synthetic import generate_l2_stream, load_npz, save_npz

__all__ = [
    "ADD",
    "ASK",
    "BID",
    "CLEAR",
    "DELETE",
    "UPDATE",
    "L2Book",
    "generate_l2_stream",
    "load",
    "load_npz",
    "save_npz",
    "sniff_format",
]
