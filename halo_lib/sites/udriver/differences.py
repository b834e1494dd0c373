"""Udriver's ``differences`` block of ``/finish``: per-entity changes against the seed.

Shape::

    {"trips":          {"added": {trip_id: trip}, "updated": {trip_id: final trip}, "deleted": {trip_id: trip}},
     "bookedTrips":    {... the same, scheduled rides ...},
     "transactions":   {... the same, wallet transactions ...},
     "paymentMethods": {... the same, keyed by method id ...}}

The store (``config``/``ride``/``user``) starts empty and is filled from ``seed`` by the app (see ``seed.py``), so
the baseline here is the seed, not the empty store: loading the page alone changes nothing in this block.
No official udriver script reads ``differences``; HALO's own checks and rewards may.
"""

from __future__ import annotations

from halo_lib.sites.state import entity_diff


def _by_id(items) -> dict:
    return {str(x.get("id")): x for x in items or [] if isinstance(x, dict)}


def differences(initial: dict, final: dict) -> dict:
    seed = initial.get("seed") or {}
    store = {k: (final.get(k) or seed.get(k) or {}) for k in ("ride", "user")}  # not loaded yet: the seed

    def pair(section: str, *path: str) -> dict:
        def dig(root):
            for key in path:
                root = (root or {}).get(key) if isinstance(root, dict) else None
            return root
        return entity_diff(_by_id(dig(seed.get(section))), _by_id(dig(store[section])))

    return {
        "trips": pair("ride", "trips"),
        "bookedTrips": pair("ride", "bookedTrips"),
        "transactions": pair("user", "wallet", "transactions"),
        "paymentMethods": pair("user", "wallet", "paymentMethods"),
    }
