"""A quant's notebook in a script: simulate a parent order on the packaged scenario, read its TCA.

Run: ``python examples/simulate_and_tca.py``
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from slipstream import Side, SimulationRequest, run_simulation


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for urgency in (0.2, 0.9):
            outcome = run_simulation(
                SimulationRequest(
                    algo="is",
                    side=Side.BUY,
                    quantity=Decimal("5"),
                    duration=timedelta(minutes=10),
                    urgency=urgency,
                    journal=Path(tmp) / f"is-{urgency}.db",
                )
            )
            tca = outcome.to_dict()
            print(
                f"IS urgency {urgency}: filled {tca['filled_qty']} BTC at {Decimal(tca['avg_price']):.2f}, "
                f"shortfall {tca['implementation_shortfall_bps']:.2f} bps "
                f"(impact {tca['impact_bps']:.2f}, fees {tca['fees_bps']:.2f}, gas {tca['gas_bps']:.2f}); "
                f"router saved {tca['routing']['saving_vs_best_single_venue_bps']:.2f} bps vs the best single venue"
            )


if __name__ == "__main__":
    main()
