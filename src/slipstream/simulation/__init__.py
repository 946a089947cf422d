"""`slipstream simulate`: one parent order through the real engine against a scenario, then TCA."""

from slipstream.simulation.runner import SimulationOutcome, SimulationRequest, run_simulation

__all__ = ["SimulationOutcome", "SimulationRequest", "run_simulation"]
