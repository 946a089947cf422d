"""Market data: L2 books, consolidated book, AMM pool state and loaders for recorded data."""
