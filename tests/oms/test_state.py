"""The state table: every (status, event) pair either moves as the table says or raises."""

from __future__ import annotations

import pytest

from slipstream.errors import IllegalTransition
from slipstream.model.enums import OrderStatus as S
from slipstream.model.events import (
    OrderAccepted,
    OrderCanceled,
    OrderCancelRejected,
    OrderFilled,
    OrderPendingCancel,
    OrderRejected,
    OrderSubmitted,
)
from slipstream.oms.state import TRANSITIONS, next_status

CASES = [
    (S.NEW, OrderSubmitted, 0, 10, S.PENDING_NEW),
    (S.PENDING_NEW, OrderAccepted, 0, 10, S.ACCEPTED),
    (S.PENDING_NEW, OrderRejected, 0, 10, S.REJECTED),
    (S.ACCEPTED, OrderFilled, 4, 10, S.PARTIALLY_FILLED),
    (S.PARTIALLY_FILLED, OrderFilled, 10, 10, S.FILLED),
    (S.ACCEPTED, OrderPendingCancel, 0, 10, S.PENDING_CANCEL),
    (S.PENDING_CANCEL, OrderCancelRejected, 4, 10, S.PARTIALLY_FILLED),
    (S.PENDING_CANCEL, OrderCancelRejected, 0, 10, S.ACCEPTED),
    (S.PENDING_CANCEL, OrderCanceled, 4, 10, S.CANCELED),
    (S.PENDING_CANCEL, OrderFilled, 6, 10, S.PENDING_CANCEL),
    (S.CANCELED, OrderFilled, 6, 10, S.CANCELED),
    (S.CANCELED, OrderFilled, 10, 10, S.FILLED),
    (S.UNKNOWN, OrderAccepted, 0, 10, S.ACCEPTED),
    (S.UNKNOWN, OrderCanceled, 0, 10, S.CANCELED),
]


@pytest.mark.parametrize(("status", "event", "filled", "lots", "expected"), CASES)
def test_table(status: S, event: type, filled: int, lots: int, expected: S) -> None:
    assert next_status(status, event, filled, lots) is expected


@pytest.mark.parametrize("status", list(S))
def test_everything_not_in_the_table_raises(status: S) -> None:
    for event in (OrderSubmitted, OrderAccepted, OrderRejected, OrderCanceled, OrderPendingCancel):
        if event in TRANSITIONS[status]:
            continue
        with pytest.raises(IllegalTransition):
            next_status(status, event, 0, 10)


def test_filled_is_final() -> None:
    assert TRANSITIONS[S.FILLED] == {}
