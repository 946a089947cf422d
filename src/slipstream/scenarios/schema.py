"""The scenario file schema (TOML), its validation, and :func:`load_scenario`.

A scenario file is converted into these frozen structs by ``msgspec.convert``; unknown fields
are errors, numbers are range-checked, and cross-field rules (a regime's switch row sums to 1, a
venue of kind ``book`` has a ``[venues.book]`` table...) are checked after. Every error is a
:class:`~slipstream.errors.ScenarioError` whose message starts with the field's path, e.g.
``venues[2].taker_fee: Expected `decimal`, got `bool```. docs/scenarios.md is the reference.
"""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

import msgspec

from slipstream.errors import ScenarioError

__all__ = [
    "AmmPool",
    "Asset",
    "BookProfile",
    "ChainSpec",
    "Jumps",
    "LatencySpec",
    "LiquidityPosition",
    "Meta",
    "OptionChainSpec",
    "Regime",
    "ReplayFeed",
    "Scenario",
    "VenueSpec",
    "available_scenarios",
    "load_scenario",
    "parse_scenario",
]

Positive = Annotated[float, msgspec.Meta(gt=0)]
NonNegative = Annotated[float, msgspec.Meta(ge=0)]
Probability = Annotated[float, msgspec.Meta(ge=0, le=1)]
PositiveInt = Annotated[int, msgspec.Meta(gt=0)]
_OPTS = {"frozen": True, "forbid_unknown_fields": True, "kw_only": True}


class Meta(msgspec.Struct, **_OPTS):  # type: ignore[call-arg]
    """``[scenario]``: identity, seed and the simulated time span."""

    name: str
    description: str = ""
    seed: Annotated[int, msgspec.Meta(ge=0)] = 0
    start: datetime = datetime(2024, 6, 3, tzinfo=UTC)
    duration_s: Positive = 86_400.0
    step_ms: PositiveInt = 1_000

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError("start: must carry a UTC offset (e.g. 2024-06-03T00:00:00Z)")

    @property
    def start_ns(self) -> int:
        delta = self.start - datetime(1970, 1, 1, tzinfo=UTC)
        return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000

    @property
    def duration_ns(self) -> int:
        return round(self.duration_s * 1e9)


class Regime(msgspec.Struct, **_OPTS):  # type: ignore[call-arg]
    """One volatility regime: its vol, mean stay, and where it switches to."""

    name: str
    annual_vol: Positive
    mean_duration_s: Positive = 3_600.0
    switch_to: list[NonNegative] = []


class Jumps(msgspec.Struct, **_OPTS):  # type: ignore[call-arg]
    """Compound-Poisson jumps of the log price (normal sizes in bps)."""

    intensity_per_day: NonNegative = 0.0
    mean_bps: float = 0.0
    stdev_bps: NonNegative = 0.0


class Asset(msgspec.Struct, **_OPTS):  # type: ignore[call-arg]
    """``[asset]``: the one fair-value process every venue shares."""

    symbol: str = "BTC"
    initial_price: Positive
    drift_annual: float = 0.0
    regimes: list[Regime]
    initial_regime: Annotated[int, msgspec.Meta(ge=0)] = 0
    jumps: Jumps = Jumps()

    def __post_init__(self) -> None:
        n = len(self.regimes)
        if n == 0:
            raise ValueError("regimes: at least one regime is required")
        if self.initial_regime >= n:
            raise ValueError(f"initial_regime: {self.initial_regime} is not a regime index (< {n})")
        for i, regime in enumerate(self.regimes):
            row = regime.switch_to
            if n == 1 and not row:
                continue
            if len(row) != n:
                raise ValueError(f"regimes[{i}].switch_to: needs {n} probabilities, got {len(row)}")
            if row[i] != 0:
                raise ValueError(f"regimes[{i}].switch_to: the diagonal entry must be 0")
            if abs(sum(row) - 1.0) > 1e-9:
                raise ValueError(f"regimes[{i}].switch_to: must sum to 1, got {sum(row)}")


class LatencySpec(msgspec.Struct, **_OPTS):  # type: ignore[call-arg]
    """A venue's latency: ``colocated``/``remote`` presets, fixed delays, or none."""

    model: Literal["none", "constant", "colocated", "remote"] = "none"
    entry_ms: NonNegative = 0.0
    response_ms: NonNegative = 0.0
    market_data_ms: NonNegative = 0.0


class BookProfile(msgspec.Struct, **_OPTS):  # type: ignore[call-arg]
    """How a venue's synthetic book looks around its mid (see :mod:`.liquidity`)."""

    spread_bps: NonNegative
    depth_usd_10bps: Positive
    levels: Annotated[int, msgspec.Meta(ge=1, le=200)] = 20
    level_spacing_bps: Positive = 1.0
    depth_beta: Positive | None = None
    size_sigma: NonNegative | None = None
    refresh_s: Positive = 10.0
    trade_rate_per_s: NonNegative | None = None


class OptionChainSpec(msgspec.Struct, **_OPTS):  # type: ignore[call-arg]
    """``[venues.options]``: listed expiries and strikes, the vol surface and quoting."""

    expiries_days: list[PositiveInt]
    strike_offsets_pct: list[float]
    strike_step: Positive = 1_000.0
    atm_vol: Positive = 0.5
    skew: float = 0.0
    smile: NonNegative = 0.0
    vol_spread: NonNegative = 0.02
    levels: Annotated[int, msgspec.Meta(ge=1, le=20)] = 3
    level_contracts: Positive = 5.0
    refresh_s: Positive = 10.0

    def __post_init__(self) -> None:
        if not self.expiries_days:
            raise ValueError("expiries_days: at least one expiry is required")
        if not self.strike_offsets_pct:
            raise ValueError("strike_offsets_pct: at least one strike is required")


class LiquidityPosition(msgspec.Struct, **_OPTS):  # type: ignore[call-arg]
    """A v3 range ``price × (1 ± half_width_pct/100)`` holding ``share`` of the pool's value."""

    half_width_pct: Annotated[float, msgspec.Meta(gt=0, lt=100)]
    share: Annotated[float, msgspec.Meta(gt=0, le=1)]


class AmmPool(msgspec.Struct, **_OPTS):  # type: ignore[call-arg]
    """``[venues.pool]``: the pool's tokens, fee and value at the fair price."""

    base_token: str = "WBTC"
    quote_token: str = "USDC"
    base_decimals: Annotated[int, msgspec.Meta(ge=0, le=36)] = 8
    quote_decimals: Annotated[int, msgspec.Meta(ge=0, le=36)] = 6
    fee_pips: Annotated[int, msgspec.Meta(ge=0, lt=1_000_000)] = 500
    tvl_usd: Positive
    positions: list[LiquidityPosition] = []


class VenueSpec(msgspec.Struct, **_OPTS):  # type: ignore[call-arg]
    """One ``[[venues]]`` entry; ``kind`` decides which sub-tables it needs."""

    name: str
    kind: Literal["book", "perp", "options", "amm_v2", "amm_v3"]
    base: str = "BTC"
    quote: str = "USDT"
    tick: Decimal = Decimal("0.01")
    lot: Decimal = Decimal("0.00001")
    min_quantity: Decimal = Decimal(0)
    min_notional: Decimal = Decimal(0)
    maker_fee: Decimal = Decimal(0)
    taker_fee: Decimal = Decimal(0)
    fee_schedule: str | None = None
    latency: LatencySpec = LatencySpec()
    rate_limits: list[str] = []
    liquidity_scale: Positive = 1.0
    basis_bps: float = 0.0
    balances: dict[str, Decimal] = {}
    book: BookProfile | None = None
    options: OptionChainSpec | None = None
    chain: str | None = None
    pool: AmmPool | None = None

    def __post_init__(self) -> None:
        for field in ("tick", "lot"):
            if getattr(self, field) <= 0:
                raise ValueError(f"{field}: must be > 0")
        for field in ("min_quantity", "min_notional"):
            if getattr(self, field) < 0:
                raise ValueError(f"{field}: must be >= 0")
        for field in ("maker_fee", "taker_fee"):
            if not -1 < getattr(self, field) < 1:
                raise ValueError(f"{field}: must be a fraction in (-1, 1), e.g. 0.001 for 10 bps")
        needs = {"book": "book", "perp": "book", "options": "options", "amm_v2": "pool", "amm_v3": "pool"}
        table = needs[self.kind]
        if getattr(self, table) is None:
            raise ValueError(f"{table}: a venue of kind {self.kind!r} needs a [venues.{table}] table")
        if self.kind.startswith("amm"):
            if self.chain is None:
                raise ValueError(f"chain: a venue of kind {self.kind!r} names its chain")
            assert self.pool is not None
            if self.kind == "amm_v3" and not self.pool.positions:
                raise ValueError("pool.positions: a v3 pool needs at least one liquidity position")
            if self.kind == "amm_v2" and self.pool.fee_pips != 3000:
                raise ValueError("pool.fee_pips: a Uniswap v2 pair's fee is fixed at 3000 (0.3%)")


class ChainSpec(msgspec.Struct, **_OPTS):  # type: ignore[call-arg]
    """One ``[[chains]]`` entry: a preset network with overrides, and our wallet on it."""

    name: str
    preset: Literal["ethereum", "arbitrum", "base"] = "ethereum"
    block_time_ms: PositiveInt | None = None
    base_fee_gwei: NonNegative | None = None
    priority_fee_gwei: NonNegative | None = None
    sandwich_probability: Probability | None = None
    private_mempool: bool = False
    native_price_usd: Positive = 3_000.0
    noise_swaps_per_block: NonNegative = 0.0
    noise_mean_usd: Positive = 5_000.0
    account: str = "trader"
    balances: dict[str, Decimal] = {}


class ReplayFeed(msgspec.Struct, **_OPTS):  # type: ignore[call-arg]
    """One ``[[replay]]`` entry: recorded files replayed into one order-book venue."""

    venue: str
    kind: Literal["spot", "perp"] = "perp"
    base: str
    quote: str
    tick: Decimal
    lot: Decimal
    maker_fee: Decimal = Decimal(0)
    taker_fee: Decimal = Decimal(0)
    book: str | None = None
    quotes: str | None = None
    trades: str | None = None

    def __post_init__(self) -> None:
        if self.book is None and self.quotes is None and self.trades is None:
            raise ValueError("book: a replay feed needs at least one of book, quotes, trades")
        if self.tick <= 0 or self.lot <= 0:
            raise ValueError("tick: tick and lot must be > 0")


class Scenario(msgspec.Struct, **_OPTS):  # type: ignore[call-arg]
    """A whole scenario file."""

    scenario: Meta
    asset: Asset | None = None
    venues: list[VenueSpec] = []
    chains: list[ChainSpec] = []
    replay: list[ReplayFeed] = []

    def __post_init__(self) -> None:
        if not self.venues and not self.replay:
            raise ValueError("venues: a scenario needs venues (synthetic) or replay feeds")
        if self.venues and self.asset is None:
            raise ValueError("asset: synthetic venues need an [asset] fair-value process")
        names = [v.name for v in self.venues] + [r.venue for r in self.replay]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise ValueError(f"venues: duplicate venue name {name!r}")
        chains = {c.name for c in self.chains}
        for i, venue in enumerate(self.venues):
            if venue.chain is not None and venue.chain not in chains:
                raise ValueError(f"venues[{i}].chain: unknown chain {venue.chain!r}; defined: {sorted(chains)}")


_PATH = re.compile(r"^(?P<msg>.*) - at `\$(?P<path>[^`]*)`$", re.DOTALL)
_FIELD = re.compile(r"^(?P<field>[A-Za-z_][\w.\[\]]*): (?P<rest>.*)$", re.DOTALL)


def _field_message(error: msgspec.ValidationError) -> str:
    """``$.a[1].b`` style locations as ``a[1].b: message`` (post-init fields appended)."""
    text = str(error)
    match = _PATH.match(text)
    path, message = ("", text) if match is None else (match["path"].lstrip("."), match["msg"])
    inner = _FIELD.match(message)
    if inner is not None:
        path = f"{path}.{inner['field']}" if path else inner["field"]
        message = inner["rest"]
    return f"{path or '<root>'}: {message}"


def parse_scenario(text: str, source: str = "<scenario>") -> Scenario:
    """Parse and validate TOML text.

    Raises:
        ScenarioError: bad TOML (with the line) or an invalid field (with its path).
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source}: not valid TOML: {exc}") from exc
    try:
        return msgspec.convert(raw, Scenario)
    except msgspec.ValidationError as exc:
        raise ScenarioError(f"{source}: {_field_message(exc)}") from exc


def available_scenarios() -> list[str]:
    """Names of the scenarios shipped in the package (``slipstream/scenarios/data/*.toml``)."""
    folder = resources.files("slipstream.scenarios") / "data"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def load_scenario(path_or_name: str | Path) -> Scenario:
    """Load a scenario from a ``.toml`` path or by packaged name (``"default"``).

    Raises:
        ScenarioError: missing file, unknown name (the message lists the packaged ones), bad
            TOML or an invalid field.
    """
    text_path = str(path_or_name)
    if isinstance(path_or_name, Path) or text_path.endswith(".toml") or "/" in text_path:
        path = Path(path_or_name)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ScenarioError(f"{path}: cannot read scenario file: {exc}") from exc
        return parse_scenario(text, str(path))
    names = available_scenarios()
    if text_path not in names:
        raise ScenarioError(f"unknown scenario {text_path!r}; packaged scenarios: {', '.join(names)}")
    resource = resources.files("slipstream.scenarios") / "data" / f"{text_path}.toml"
    return parse_scenario(resource.read_text(encoding="utf-8"), f"<packaged {text_path}>")
