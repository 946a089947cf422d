"""Journaled reconciliation facts: what we asked a venue, what it said, and every place where
its word and the journal disagreed.

Reconciliation runs on reconnect, on restart and when requests go unanswered. The venue is the
authority on what traded and what is open; the journal records each correction it caused, so a
replay (and an auditor) sees why an order changed state without a report of its own.
"""

from __future__ import annotations

from slipstream.model.events import Event

__all__ = [
    "DiscrepancyRecorded",
    "OrphanOrderFound",
    "ReconciliationCompleted",
    "ReconciliationStarted",
]


class ReconciliationStarted(Event, frozen=True, kw_only=True):
    """We asked ``venue`` for its open orders and for fills at or after ``since_ns`` (venue time).

    ``reason`` is ``restart``, ``reconnect``, ``unanswered`` (requests timed out) or ``manual``.
    """

    venue: str
    reason: str
    since_ns: int


class ReconciliationCompleted(Event, frozen=True, kw_only=True):
    """The venue's answer is applied. ``checkpoint_ns`` is where the next ``fills_since`` may
    start: no order still working at the venue was created before it."""

    venue: str
    fills_applied: int
    orders_closed: int
    orphans: int
    discrepancies: int
    checkpoint_ns: int


class OrphanOrderFound(Event, frozen=True, kw_only=True):
    """The venue holds an open order the journal does not know; ``policy`` says what we did:
    ``adopt`` (tracked from now on as an OMS order) or ``cancel`` (asked the venue to cancel)."""

    venue: str
    client_order_id: str
    venue_order_id: str
    leaves_lots: int | None
    policy: str


class DiscrepancyRecorded(Event, frozen=True, kw_only=True):
    """The venue and the journal disagreed about one order; ``kind`` is one of ``missing_fill``
    (a fill we had not received, now applied), ``status`` (the venue's status was ahead of
    ours), ``closed_at_venue`` (we had it working, the venue has it neither open nor filled),
    ``cancel_resent`` (an unanswered cancel was sent again), ``orphan_fill`` (a fill for an
    order the journal does not know) or ``orphan_not_adopted``."""

    venue: str
    client_order_id: str
    kind: str
    detail: str = ""
