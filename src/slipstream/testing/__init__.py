"""Shared test helpers (stubs and builders) for slipstream's own tests and for users' tests."""
