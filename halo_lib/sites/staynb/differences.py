"""Staynb's ``differences`` block of ``/finish``: per-entity changes for HALO's own readers (the official scripts
read ``initialfinaldiff.added.search`` / ``.wishlist`` / ``.booking``).

Shape::

    {"appliedSearch": {final search, or {} when none was applied},
     "wishlists": {"added": {key: final}, "updated": {key: final}, "deleted": {key: initial}},
     "bookings":  {"added": {...}, "updated": {...}, "deleted": {...}},
     "shares":    {"added": {...}, "updated": {...}, "deleted": {...}}}

No key is named ``search``, ``booking`` or ``config``: eval_staynb_1/9/13/19 fall back on ``differences[<that
name>]`` when ``initialfinaldiff`` lacks it, and an unchanged state must not pass through that door.
"""

from __future__ import annotations

import copy

from halo_lib.sites.state import entity_diff


def differences(initial: dict, final: dict) -> dict:
    """(initial state, final state) -> the block documented above."""
    def part(state, key, sub):
        return (state.get(key) or {}).get(sub)

    return {
        "appliedSearch": copy.deepcopy(final.get("search") or {}),
        "wishlists": entity_diff(part(initial, "wishlist", "wishlists"), part(final, "wishlist", "wishlists")),
        "bookings": entity_diff(part(initial, "booking", "bookingDetails"), part(final, "booking", "bookingDetails")),
        "shares": entity_diff(part(initial, "share", "shares"), part(final, "share", "shares")),
    }
