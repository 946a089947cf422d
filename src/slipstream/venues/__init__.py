"""Venues: simulated and live trading venues (order books and AMM pools)."""
