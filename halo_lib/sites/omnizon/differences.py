"""Omnizon's ``differences`` block of ``/finish``: per-entity changes between two states.

Shape (lists of objects with an ``id``, never names, so text heuristics in the official scripts
(eval_omnizon_25/28 scan the whole /finish JSON) do not count an ordered item twice)::

    {
      "orders":   {"added": [{"id", "orderNumber", "items": [{"id", "quantity", "price"}], "total"}],
                   "updated": [...same...], "deleted": [{"id"}]},
      "cartItems": {"added": [{"id", "quantity"}], "updated": [{"id", "quantity"}], "deleted": [{"id"}]},
    }

No official v2 Omnizon script reads ``differences`` by path; they read ``initialfinaldiff``.
"""

from __future__ import annotations


def _order_summary(order: dict) -> dict:
    return {
        "id": order.get("id"),
        "orderNumber": order.get("orderNumber"),
        "items": [{"id": it.get("id"), "quantity": it.get("quantity"), "price": it.get("price")}
                  for it in order.get("items", []) if isinstance(it, dict)],
        "total": order.get("total"),
    }


def _by_id(rows) -> dict:
    return {r["id"]: r for r in rows or [] if isinstance(r, dict) and "id" in r}


def _entity_diff(old_rows, new_rows, summarize) -> dict:
    old, new = _by_id(old_rows), _by_id(new_rows)
    added = [summarize(new[k]) for k in new if k not in old]
    updated = [summarize(new[k]) for k in new if k in old and new[k] != old[k]]
    deleted = [{"id": k} for k in old if k not in new]
    return {"added": added, "updated": updated, "deleted": deleted}


def differences(initial: dict, final: dict) -> dict:
    """Orders and cart lines added / updated / deleted between ``initial`` and ``final``."""
    orders = _entity_diff(
        (initial.get("order") or {}).get("orders"), (final.get("order") or {}).get("orders"), _order_summary
    )
    cart = _entity_diff(
        (initial.get("cart") or {}).get("cartItems"), (final.get("cart") or {}).get("cartItems"),
        lambda it: {"id": it.get("id"), "quantity": it.get("quantity")},
    )
    return {"orders": orders, "cartItems": cart}
