"""OpenDining's ``differences`` block of ``/finish``: per-entity changes (the official scripts read
``initialfinaldiff.{added,updated}.booking`` and ``.notification``; this block is for HALO's own readers).

Shape::

    {"reservations":  {"added": {key: final reservation}, "updated": {key: final}, "deleted": {key: initial}},
     "notifications": {"added": {...}, "updated": {...}, "deleted": {...}}}

Keys are those of ``booking.bookingDetails`` / ``notification.notifications`` ("0", "1", ...); an updated entry is
the WHOLE final object.
"""

from __future__ import annotations

from halo_lib.sites.state import entity_diff


def differences(initial: dict, final: dict) -> dict:
    """(initial state, final state) -> ``{"reservations": {...}, "notifications": {...}}`` as documented above."""
    ib, fb = initial.get("booking") or {}, final.get("booking") or {}
    inn, fn = initial.get("notification") or {}, final.get("notification") or {}
    return {
        "reservations": entity_diff(ib.get("bookingDetails"), fb.get("bookingDetails")),
        "notifications": entity_diff(inn.get("notifications"), fn.get("notifications")),
    }
