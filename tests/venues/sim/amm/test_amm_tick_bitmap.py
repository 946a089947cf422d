"""TickBitmap vectors from Uniswap/v3-core test/TickBitmap.spec.ts (tick spacing 1)."""

from __future__ import annotations

import pytest

from slipstream.errors import ValidationError
from slipstream.venues.sim.amm.tick_bitmap import TickBitmap

SPEC_TICKS = [-200, -55, -4, 70, 78, 84, 139, 240, 535]


def bitmap(*extra: int) -> TickBitmap:
    bm = TickBitmap(1)
    for t in [*SPEC_TICKS, *extra]:
        bm.flip_tick(t)
    return bm


def test_flip() -> None:
    bm = TickBitmap(1)
    assert not bm.is_initialized(1)
    bm.flip_tick(1)
    assert bm.is_initialized(1)
    bm.flip_tick(1)
    assert not bm.is_initialized(1)
    bm.flip_tick(1 + 256)
    assert bm.is_initialized(257) and not bm.is_initialized(1)
    for t in (-230, -259, -229, 500, -259, -229, -259):  # "reverts only itself"
        bm.flip_tick(t)
    assert bm.is_initialized(-259) and not bm.is_initialized(-229)


@pytest.mark.parametrize(
    ("tick", "lte", "extra", "expected"),
    [
        (78, False, (), (84, True)),
        (-55, False, (), (-4, True)),
        (77, False, (), (78, True)),
        (-56, False, (), (-55, True)),
        (255, False, (), (511, False)),
        (-257, False, (), (-200, True)),
        (328, False, (340,), (340, True)),
        (508, False, (), (511, False)),
        (383, False, (), (511, False)),
        (78, True, (), (78, True)),
        (79, True, (), (78, True)),
        (258, True, (), (256, False)),
        (256, True, (), (256, False)),
        (72, True, (), (70, True)),
        (-257, True, (), (-512, False)),
        (1023, True, (), (768, False)),
        (900, True, (), (768, False)),
        (456, True, (329,), (329, True)),
    ],
)
def test_next_initialized_tick_within_one_word(tick: int, lte: bool, extra: tuple[int, ...],
                                               expected: tuple[int, bool]) -> None:
    assert bitmap(*extra).next_initialized_tick_within_one_word(tick, lte) == expected


def test_spacing_compresses_and_rounds_down() -> None:
    bm = TickBitmap(60)
    bm.flip_tick(-120)
    assert bm.next_initialized_tick_within_one_word(-61, True) == (-120, True)
    assert bm.next_initialized_tick_within_one_word(-180, False) == (-120, True)
    with pytest.raises(ValidationError):
        bm.flip_tick(30)
