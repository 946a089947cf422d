"""Run one parent order against a scenario and analyse it from the journal.

The run is the engine's ordinary path: a scenario builds the venues and the market behind
them; an :class:`~slipstream.engine.executor.AlgoEngine` works the parent with the chosen
algorithm; a router turns each slice into venue orders; a
:class:`~slipstream.engine.recorder.MarketRecorder` journals the mids and the tape. When the
horizon ends, TCA is computed from the journal alone, exactly as ``slipstream tca`` would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec

from slipstream.algos import AlgoParams, ExecutionAlgo, VwapAlgo, make_algo
from slipstream.algos.schedules import VolumeCurve
from slipstream.engine.executor import AlgoEngine, IntentRouter
from slipstream.engine.recorder import MarketRecorder
from slipstream.errors import ValidationError
from slipstream.journal.sqlite import SqliteJournal
from slipstream.model.enums import Side
from slipstream.model.events import MidObserved
from slipstream.model.orders import ParentOrder
from slipstream.scenarios import SimMarket, build_market, calibration, load_scenario
from slipstream.simulation.routing import make_router, routing_summary
from slipstream.tca.from_journal import JournalTcaInputs, analyse_events
from slipstream.tca.result import TcaResult

__all__ = ["ALGOS", "SimulationOutcome", "SimulationRequest", "run_simulation"]

ALGOS = ("twap", "vwap", "pov", "is", "iceberg")
_SECOND = 1_000_000_000
WARM_UP_NS = 30 * _SECOND
"""Market runs this long before the parent arrives, so every book has quotes."""
GRACE_NS = 60 * _SECOND
"""After the horizon: time for last acks, fills and on-chain inclusion."""


@dataclass(frozen=True)
class SimulationRequest:
    """What to simulate. Quantities and prices are ``Decimal`` (exact at the edge)."""

    scenario: str = "default"
    algo: str = "twap"
    side: Side = Side.BUY
    quantity: Decimal = Decimal("10")
    symbol: str = "BTC/USDT"
    duration: timedelta = timedelta(minutes=30)
    seed: int | None = None
    limit_price: Decimal | None = None
    urgency: float = 0.5
    participation: float | None = None
    slice_interval: timedelta = timedelta(seconds=30)
    display_quantity: Decimal | None = None
    passive_only: bool = False
    router: str = "smart"
    venues: tuple[str, ...] = ()
    journal: Path | None = None
    step_ms: int | None = None

    def validate(self) -> None:
        """Check the request before anything runs.

        Raises:
            ValidationError: unknown algorithm or router, non-positive quantity or duration.
        """
        if self.algo not in ALGOS:
            raise ValidationError(f"unknown algo {self.algo!r}; choose one of {', '.join(ALGOS)}")
        if not self.quantity.is_finite() or self.quantity <= 0:
            raise ValidationError(f"quantity must be positive, got {self.quantity}")
        if self.duration <= timedelta(0):
            raise ValidationError("duration must be positive")
        if self.router not in ("smart", "top"):
            raise ValidationError(f"unknown router {self.router!r}; choose smart or top")
        if self.limit_price is not None and self.limit_price <= 0:
            raise ValidationError(f"limit price must be positive, got {self.limit_price}")


@dataclass(frozen=True)
class SimulationOutcome:
    """A finished run: the TCA result, the inputs it was computed from, and where the journal is."""

    request: SimulationRequest
    result: TcaResult
    inputs: JournalTcaInputs
    journal: Path
    journal_head: str
    journal_entries: int
    routing: dict[str, Any]
    seed: int
    status: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """Stable, JSON-ready summary (``--json``)."""
        row = self.result.to_dict(decimals=4)
        row.update(
            {
                "scenario": self.request.scenario,
                "algo": self.request.algo,
                "side": self.request.side.value,
                "symbol": self.request.symbol,
                "quantity": str(self.request.quantity),
                "seed": self.seed,
                "journal": str(self.journal),
                "journal_head": self.journal_head,
                "journal_entries": self.journal_entries,
                "routing": self.routing,
                "parent_status": self.status,
            }
        )
        return row


def _some(symbols: set[str], n: int = 6) -> str:
    """A short list for an error line: non-option symbols first."""
    ordered = sorted(symbols, key=lambda s: (s.count("-") > 0, s))
    return ", ".join(ordered[:n]) + (f" and {len(ordered) - n} more" if len(ordered) > n else "")


def _algo(name: str) -> ExecutionAlgo:
    """The algorithm; VWAP follows the scenario's intraday volume curve (the one its trade flow
    uses, calibrated from recorded 1-minute bars)."""
    if name == "vwap":
        return VwapAlgo(VolumeCurve(3600, calibration.stored().hourly_volume_fractions))
    return make_algo(name)


def _quantity_unit(market: SimMarket) -> Decimal:
    """A parent unit every venue's lot is a whole number of: the finest lot size."""
    return min(instrument.lot_size for instrument in market.instruments.values())


def run_simulation(request: SimulationRequest, progress: Callable[[float], None] | None = None) -> SimulationOutcome:
    """Run ``request`` and analyse it.

    Args:
        request: what to run.
        progress: called with the fraction of simulated time done.

    Raises:
        ValidationError: bad request, unknown symbol, or an algorithm refusing its parameters.
        ScenarioError: unknown or malformed scenario.
    """
    request.validate()
    scenario = load_scenario(request.scenario)
    seed = scenario.scenario.seed if request.seed is None else request.seed
    path = request.journal
    if path is None:  # a fresh, predictable file per (algo, seed), replaced on each run
        path = Path("out") / f"simulate-{request.algo}-seed{seed}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    elif path.exists():
        raise ValidationError(f"journal {path} already exists; choose a new path")
    journal = SqliteJournal(path)
    market = build_market(scenario, seed, step_ms=request.step_ms, journal=journal)
    engine = market.engine
    symbols = {symbol for (_, symbol) in market.instruments}
    if request.symbol not in symbols:
        journal.close()
        raise ValidationError(f"unknown symbol {request.symbol!r}; scenario lists {_some(symbols)}")
    MarketRecorder(engine)
    quote = request.symbol.split("/")[1].split(":")[0]
    for chain_spec in scenario.chains:  # gas is paid in the chain's coin: journal its price for TCA
        native = market.chains[chain_spec.name].preset.native_asset
        engine.record(
            (
                MidObserved(
                    ts_ns=engine.now_ns, symbol=f"{native}/{quote}", mid=Decimal(str(chain_spec.native_price_usd))
                ),
            )
        )
    router: IntentRouter | None = make_router(request, market)
    algos = AlgoEngine(engine, router)
    start = market.start_ns + WARM_UP_NS
    horizon = int(request.duration.total_seconds() * _SECOND)
    end = start + horizon
    if end + GRACE_NS > market.end_ns:
        journal.close()
        raise ValidationError("duration is longer than the scenario")
    market.run(start)
    parent = ParentOrder(
        parent_id="P1",
        account="desk",
        symbol=request.symbol,
        side=request.side,
        quantity=request.quantity,
        quantity_unit=_quantity_unit(market),
        limit_price=request.limit_price,
        start_ts_ns=start,
        end_ts_ns=end,
        algo=request.algo,
    )
    params = AlgoParams(
        slice_interval=request.slice_interval,
        urgency=request.urgency,
        participation_rate=request.participation,
        display_quantity=request.display_quantity,
        passive_only=request.passive_only,
    )
    try:
        algos.start(parent, _algo(request.algo), params)
    except ValidationError:
        journal.close()
        raise
    steps = 60
    schedule: list[tuple[int, Decimal]] = [(start, Decimal(0))]
    for i in range(1, steps + 1):
        market.run(start + (horizon + GRACE_NS) * i // steps)
        target = algos.status("P1").target
        if target is not None and engine.now_ns <= end:
            schedule.append((engine.now_ns, target))
        if progress is not None:
            progress(i / steps)
    status = msgspec.to_builtins(algos.status("P1"), enc_hook=str)
    journal.close()
    reader = SqliteJournal(path, readonly=True)
    try:
        verification = reader.verify()
        events = [event for _, event in reader.events()]
    finally:
        reader.close()
    result, inputs = analyse_events(events, "P1", tuple(schedule))
    return SimulationOutcome(
        request=request,
        result=result,
        inputs=inputs,
        journal=path,
        journal_head=verification.head_hash,
        journal_entries=verification.entries,
        routing=routing_summary(events),
        seed=seed,
        status=status,
    )
