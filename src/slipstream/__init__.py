"""slipstream — execution engine for crypto spot, perpetuals and options.

The names a quant needs in a notebook are exported here; each layer's package exports its own.
"""

# Higher layers last: they import the ones above.
from slipstream.algos import AlgoParams, make_algo
from slipstream.engine import EventLoop, LiveClock, SimulatedClock
from slipstream.engine.execution import ExecutionEngine
from slipstream.engine.executor import AlgoEngine
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
from slipstream.routing import SmartRouter
from slipstream.scenarios import build_market, load_scenario
from slipstream.simulation import SimulationOutcome, SimulationRequest, run_simulation
from slipstream.tca import analyse, analyse_events
from slipstream.venues.sim.quote import QuoteVenue

__version__ = "0.1.0"

__all__ = [
    "AlgoEngine",
    "AlgoParams",
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
    "SimulationOutcome",
    "SimulationRequest",
    "SlipstreamError",
    "SmartRouter",
    "SpotPair",
    "SqliteJournal",
    "TimeInForce",
    "ValidationError",
    "VenueError",
    "__version__",
    "analyse",
    "analyse_events",
    "build_market",
    "load_scenario",
    "make_algo",
    "run_simulation",
]
