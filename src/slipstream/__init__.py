"""slipstream — execution engine for crypto spot, perpetuals and options.

The names a quant needs in a notebook are exported here; each layer's package exports its own.
"""

from slipstream.engine import EventLoop, LiveClock, SimulatedClock
from slipstream.engine.execution import ExecutionEngine
from slipstream.errors import (
    DataError,
    IllegalTransition,
    InstrumentError,
    JournalCorrupt,
    JournalError,
    ScenarioError,
    SlipstreamError,
    ValidationError,
    VenueError,
)
from slipstream.journal import MemoryJournal, NullJournal, SqliteJournal
from slipstream.model import (
    ChildOrder,
    DatedFuture,
    ExecutionReport,
    Fill,
    Instrument,
    Liquidity,
    Option,
    OptionKind,
    OrderStatus,
    OrderType,
    ParentOrder,
    Perpetual,
    Side,
    SpotPair,
    TimeInForce,
)
from slipstream.oms import OrderManager
from slipstream.venues.sim.quote import QuoteVenue

__version__ = "0.1.0"

__all__ = [
    "ChildOrder",
    "DataError",
    "DatedFuture",
    "EventLoop",
    "ExecutionEngine",
    "ExecutionReport",
    "Fill",
    "IllegalTransition",
    "Instrument",
    "InstrumentError",
    "JournalCorrupt",
    "JournalError",
    "Liquidity",
    "LiveClock",
    "MemoryJournal",
    "NullJournal",
    "Option",
    "OptionKind",
    "OrderManager",
    "OrderStatus",
    "OrderType",
    "ParentOrder",
    "Perpetual",
    "QuoteVenue",
    "ScenarioError",
    "Side",
    "SimulatedClock",
    "SlipstreamError",
    "SpotPair",
    "SqliteJournal",
    "TimeInForce",
    "ValidationError",
    "VenueError",
    "__version__",
]
