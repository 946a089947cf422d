"""All slipstream exceptions, in one hierarchy.

::

    SlipstreamError                 anything a user or caller can cause; CLI prints it on one line
    ├── ValidationError             bad input value (price, quantity, symbol, parameter, file field)
    │   └── InstrumentError         value not representable in an instrument's increments
    ├── IllegalTransition           an order event that the state table does not allow
    ├── JournalError                journal cannot be opened, written or read
    │   └── JournalCorrupt          hash chain broken or entry torn; carries the first bad sequence
    ├── ScenarioError               scenario file missing, malformed or invalid (names the field)
    ├── DataError                   recorded market data row unreadable (names file and line)
    └── VenueError                  venue refused or failed a request
"""

from __future__ import annotations

__all__ = [
    "DataError",
    "IllegalTransition",
    "InstrumentError",
    "JournalCorrupt",
    "JournalError",
    "ScenarioError",
    "SlipstreamError",
    "ValidationError",
    "VenueError",
]


class SlipstreamError(Exception):
    """Base of every error slipstream raises on purpose."""


class ValidationError(SlipstreamError, ValueError):
    """An input value is invalid; nothing was changed."""


class InstrumentError(ValidationError):
    """A price or quantity does not fit an instrument's tick/lot/minimum rules."""


class IllegalTransition(SlipstreamError):
    """An order event is not allowed from the order's current state."""


class JournalError(SlipstreamError):
    """The journal cannot be opened, written or read."""


class JournalCorrupt(JournalError):
    """The hash chain is broken or an entry is torn.

    Args:
        sequence: the first sequence number that fails verification.
        reason: what is wrong with it.
    """

    def __init__(self, sequence: int, reason: str) -> None:
        super().__init__(f"journal corrupt at sequence {sequence}: {reason}")
        self.sequence = sequence
        self.reason = reason


class ScenarioError(SlipstreamError):
    """A scenario file is missing, malformed or invalid."""


class DataError(SlipstreamError):
    """A recorded market-data file has a bad row.

    Args:
        path: the file.
        line: 1-based line (or record) number.
        reason: what is wrong.
    """

    def __init__(self, path: str, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


class VenueError(SlipstreamError):
    """A venue refused or failed a request."""
