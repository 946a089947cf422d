"""Simulated venues: order book, AMM pools and chain."""
