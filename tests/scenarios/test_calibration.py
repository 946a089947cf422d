"""The stored calibration constants equal a recomputation from the recorded samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from slipstream.algos.schedules.volume_curve import VolumeCurve
from slipstream.scenarios import calibration as cal

NAUTILUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "nautilus"


def test_stored_constants_match_the_samples() -> None:
    if not all((NAUTILUS / rel).is_file() for rel in cal.SAMPLE_FILES.values()):
        pytest.skip(f"recorded samples not found under {NAUTILUS}")
    assert cal.calibrate(NAUTILUS) == cal.stored()


def test_constants_are_sane() -> None:
    stored = cal.stored()
    assert 0.5 < stored.depth_beta < 2.0
    assert len(stored.hourly_volume_fractions) == 24
    curve = VolumeCurve.from_weights(3600, stored.hourly_volume_fractions)
    assert max(range(24), key=lambda h: curve.fractions[h]) == 14  # FTX BTC-PERP peak: 14:00 UTC
    # aggregating more ticks into one level shrinks the log-size dispersion
    assert cal.level_size_sigma(0.1) == pytest.approx(stored.depth_size_sigma)
    assert cal.level_size_sigma(10.0) < cal.level_size_sigma(1.0) < stored.depth_size_sigma
