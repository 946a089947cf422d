"""Scenario files: the packaged ones load, bad files get a ScenarioError naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from slipstream.errors import ScenarioError
from slipstream.scenarios import available_scenarios, load_scenario, parse_scenario

MINIMAL = """
[scenario]
name = "t"
start = 2024-06-03T00:00:00Z
duration_s = 60

[asset]
initial_price = 100.0
[[asset.regimes]]
name = "only"
annual_vol = 0.5

[[venues]]
name = "a"
kind = "book"
[venues.book]
spread_bps = 1.0
depth_usd_10bps = 1000000
"""


def test_default_is_packaged_and_valid() -> None:
    assert "default" in available_scenarios()
    scenario = load_scenario("default")
    kinds = sorted(v.kind for v in scenario.venues)
    assert kinds == ["amm_v2", "amm_v3", "book", "book", "book", "options", "perp"]
    assert scenario.chains[0].preset == "ethereum"


def test_minimal_file_parses(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(MINIMAL)
    scenario = load_scenario(path)
    assert scenario.venues[0].book is not None and scenario.scenario.duration_s == 60


def test_unknown_name_lists_packaged_scenarios() -> None:
    with pytest.raises(ScenarioError, match=r"unknown scenario 'nope'; packaged scenarios: .*default"):
        load_scenario("nope")


def test_missing_file() -> None:
    with pytest.raises(ScenarioError, match="cannot read scenario file"):
        load_scenario("/nonexistent/x.toml")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('kind = "book"', 'kind = "book"\ntaker_fee = true', r"venues\[0\]\.taker_fee: Expected `decimal`"),
        ('kind = "book"', 'kind = "bok"', r"venues\[0\]\.kind: Invalid enum value 'bok'"),
        ("spread_bps = 1.0", "spread_bps = -1.0", r"venues\[0\]\.book\.spread_bps: Expected `float` >= 0"),
        ("annual_vol = 0.5", "annual_vol = 0.5\ncolour = 1",
         r"asset\.regimes\[0\]: Object contains unknown field `colour`"),
        ('kind = "book"', 'kind = "book"\ntick = "0"', r"venues\[0\]\.tick: must be > 0"),
        ('kind = "book"', 'kind = "book"\nmaker_fee = "1.5"', r"venues\[0\]\.maker_fee: must be a fraction"),
        ('kind = "book"', 'kind = "amm_v3"', r"venues\[0\]\.pool: a venue of kind 'amm_v3' needs"),
        ("duration_s = 60", "duration_s = 0", r"scenario\.duration_s: Expected `float` > 0"),
        ('name = "only"', 'name = "only"\nswitch_to = [0.5, 0.5]', r"asset\.regimes\[0\]\.switch_to: needs 1"),
        ("start = 2024-06-03T00:00:00Z", "start = 2024-06-03T00:00:00", r"scenario\.start: must carry a UTC offset"),
        ("[asset]", "[asst]", r"<root>: Object contains unknown field `asst`"),
    ],
)
def test_bad_fields_are_named(old: str, new: str, message: str) -> None:
    assert old in MINIMAL
    with pytest.raises(ScenarioError, match=message):
        parse_scenario(MINIMAL.replace(old, new, 1))


def test_unknown_chain_and_duplicate_venue() -> None:
    amm = MINIMAL + ('\n[[venues]]\nname = "p"\nkind = "amm_v2"\nchain = "eth"\n'
                     '[venues.pool]\nfee_pips = 3000\ntvl_usd = 1e6\n')
    with pytest.raises(ScenarioError, match=r"venues\[1\]\.chain: unknown chain 'eth'"):
        parse_scenario(amm)
    dup = MINIMAL + '\n[[venues]]\nname = "a"\nkind = "book"\n[venues.book]\nspread_bps = 1\ndepth_usd_10bps = 1\n'
    with pytest.raises(ScenarioError, match="venues: duplicate venue name 'a'"):
        parse_scenario(dup)


def test_bad_toml_names_the_line() -> None:
    with pytest.raises(ScenarioError, match=r"not valid TOML: .*line 2"):
        parse_scenario("[scenario]\nname = \n")
