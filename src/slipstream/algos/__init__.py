"""Execution algorithms: WHEN and HOW MUCH to trade (TWAP, VWAP, POV, IS, Iceberg)."""
