"""Engine: the deterministic event loop, clocks, and the execution engine that wires the OMS,
journal, risk and venues together."""

from slipstream.engine.clock import Clock, LiveClock, SimulatedClock
from slipstream.engine.loop import EventLoop, TimerFired

__all__ = ["Clock", "EventLoop", "LiveClock", "SimulatedClock", "TimerFired"]
