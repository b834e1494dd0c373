"""DashDish's ``differences`` block of ``/finish``: per-entity changes. Every official script (agisdk v2
``eval_dashdish_*.py``) reads ``differences.foodOrders.added`` (most also ``initialfinaldiff.added.cart.foodOrders``).

Shape::

    {"foodOrders": {"added": {orderId: order}, "updated": {orderId: final order}, "deleted": {orderId: initial}},
     "cartItems":  {"added": [...], "deleted": [...]}}   # the live cart, items by their ``id``

An updated entry is the WHOLE final object.
"""

from __future__ import annotations

import copy

from halo_lib.sites.state import entity_diff


def differences(initial: dict, final: dict) -> dict:
    """(initial state, final state) -> ``{"foodOrders": {...}, "cartItems": {...}}`` as documented above."""
    ic, fc = initial.get("cart") or {}, final.get("cart") or {}
    items_before = {it.get("id"): it for it in ic.get("cartItems") or [] if isinstance(it, dict)}
    items_after = {it.get("id"): it for it in fc.get("cartItems") or [] if isinstance(it, dict)}
    return {
        "foodOrders": entity_diff(ic.get("foodOrders"), fc.get("foodOrders")),
        "cartItems": {"added": [copy.deepcopy(v) for k, v in items_after.items() if k not in items_before],
                      "deleted": [copy.deepcopy(v) for k, v in items_before.items() if k not in items_after]},
    }
