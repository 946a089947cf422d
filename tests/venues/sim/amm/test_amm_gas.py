"""Gas table arithmetic against the snapshot rows it was derived from (see gas.py sources)."""

from __future__ import annotations

import pytest

from slipstream.errors import ValidationError
from slipstream.venues.sim.amm.gas import V3_SWAP_GAS, v2_swap_gas, v3_swap_gas


def test_v3_increments_reproduce_core_snapshot_differences() -> None:
    # v3-core UniswapV3Pool.gas snapshot: 114858 (0 crossings), 129871 (1), 152706 (4).
    assert v3_swap_gas(1) - v3_swap_gas(0) == 129871 - 114858
    assert v3_swap_gas(4) - v3_swap_gas(0) == 152706 - 114858 + 1  # 3 * 7612 = 22836 vs 22835
    assert v3_swap_gas(0) == V3_SWAP_GAS == 107180
    assert v3_swap_gas(0, hops=2) == 172498 - 107759 + 107180


def test_v2_hops() -> None:
    assert v2_swap_gas() == 101898
    assert v2_swap_gas(2) - v2_swap_gas(1) == 176431 - 108605


@pytest.mark.parametrize("bad", [(-1, 1), (0, 0)])
def test_rejects_bad_counts(bad: tuple[int, int]) -> None:
    with pytest.raises(ValidationError):
        v3_swap_gas(*bad)
