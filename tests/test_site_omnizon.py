"""Omnizon: seed data the official scripts rely on, the ``differences`` block, and an end-to-end
check that every oracle passes its official v2 script and every wrong solution fails it."""

from __future__ import annotations

import copy
import json


from halo_lib.sites import get_site
from halo_lib.sites.omnizon.differences import differences
from halo_lib.sites.omnizon.oracle import ORACLES
from halo_lib.sites.omnizon.seed import initial_state
from halo_lib.sites.state import deep_diff
from halo_lib.tasks import list_tasks


def _product(state, pid):
    return next(p for p in state["products"] if p["id"] == pid)


def _js_roundtrip(value):
    """What the browser sends back: JSON.parse/stringify turns whole floats (348.0) into ints."""
    def norm(v):
        if isinstance(v, float) and v.is_integer():
            return int(v)
        if isinstance(v, dict):
            return {k: norm(x) for k, x in v.items()}
        if isinstance(v, list):
            return [norm(x) for x in v]
        return v
    return norm(json.loads(json.dumps(value)))


def _order(n, items):
    total = round(sum(i["price"] * i["quantity"] for i in items) * 1.08625, 2)
    return {"id": f"order-{n}", "orderNumber": f"112-000000{n}-0000000", "date": "2024-07-18T17:30:00Z",
            "items": items, "total": total, "status": "Ordered"}


def test_spec_is_registered_with_fixed_clock():
    spec = get_site("omnizon")
    assert spec.name == "omnizon"
    assert spec.now_utc == "2024-07-18T17:30:00Z"
    assert (spec.static_dir / "index.html").read_text().count("/common/halo-site.js") == 1


def test_seed_has_the_products_the_official_scripts_hard_code():
    s = initial_state("omnizon-13")
    ids = [p["id"] for p in s["products"]]
    assert len(ids) == len(set(ids)) and len(ids) >= 40
    assert "PS5" in _product(s, "16")["name"] and "Controller" in _product(s, "16")["name"]
    assert _product(s, "16")["price"] < 100
    assert "Apron" in _product(s, "91")["name"]
    assert "Stockpot" in _product(s, "212")["name"] and "Dutch Oven" in _product(s, "215")["name"]
    assert "Sports Ball" in _product(s, "114")["name"]
    assert "40 Inch" in _product(s, "159")["name"] and "Desk" in _product(s, "159")["name"]
    assert all("Neck Pillow" in _product(s, i)["name"] for i in ("167", "170"))
    assert all("Gaming" in _product(s, i)["name"] and _product(s, i)["price"] < 100 for i in ("192", "193"))
    assert any("Bed Frame, Queen" in p["name"] for p in s["products"])
    assert any("Silverware Set" in p["name"] for p in s["products"])
    # the headphone goal needs some in (24, 100) and distractors outside it
    phones = [p["price"] for p in s["products"] if "Headphones" in p["name"]]
    assert any(24 < x < 100 for x in phones) and any(x >= 100 for x in phones) and any(x <= 24 for x in phones)


def test_seed_shape_matches_what_the_scripts_read():
    s = initial_state(None)
    assert s["router"]["location"]["pathname"] == "/"
    assert s["filter"]["searchQuery"] == "" and s["filter"]["searchInputValue"] == ""
    assert s["order"]["orders"] == [] and s["cart"]["cartItems"] == []


def test_initial_state_is_fresh_and_survives_the_browser_json_roundtrip():
    a, b = initial_state(None), initial_state(None)
    a["products"][0]["price"] = 1
    a["order"]["orders"].append({"id": "x"})
    assert b["products"][0]["price"] != 1 and b["order"]["orders"] == []
    s = initial_state(None)
    assert deep_diff(s, _js_roundtrip(s)) == {"added": {}, "updated": {}, "deleted": {}}


def test_placing_an_order_shows_as_added_orders_dict_in_initialfinaldiff():
    init = initial_state(None)
    final = copy.deepcopy(init)
    final["order"]["orders"].append(_order(1, [{"id": "212", "name": "pot", "price": 39.95, "quantity": 1}]))
    final["router"]["location"]["pathname"] = "/confirmation"
    diff = deep_diff(init, final)
    orders = diff["added"]["order"]["orders"]
    assert list(orders) == ["0"] and orders["0"]["items"][0]["id"] == "212"
    assert diff["updated"]["router"]["location"]["pathname"] == "/confirmation"


def test_differences_orders_and_cart():
    init = initial_state(None)
    init["cart"]["cartItems"] = [{"id": "16", "quantity": 1}, {"id": "91", "quantity": 1}]
    final = copy.deepcopy(init)
    final["cart"]["cartItems"] = [{"id": "16", "quantity": 2}, {"id": "114", "quantity": 1}]
    final["order"]["orders"].append(_order(1, [{"id": "16", "name": "DualSense", "price": 69.99, "quantity": 2}]))
    d = differences(init, final)
    assert [o["id"] for o in d["orders"]["added"]] == ["order-1"]
    assert d["orders"]["added"][0]["items"] == [{"id": "16", "quantity": 2, "price": 69.99}]
    assert d["orders"]["updated"] == [] and d["orders"]["deleted"] == []
    assert d["cartItems"] == {"added": [{"id": "114", "quantity": 1}], "updated": [{"id": "16", "quantity": 2}],
                              "deleted": [{"id": "91"}]}
    assert "DualSense" not in json.dumps(d)  # names stay out: text-scanning scripts must not count items twice


def test_differences_of_unchanged_state_is_empty():
    s = initial_state(None)
    d = differences(s, copy.deepcopy(s))
    assert all(not v for ent in d.values() for v in ent.values())


def test_every_v2_task_has_an_oracle_with_wrong_solutions():
    names = {t.name for t in list_tasks("omnizon")}
    assert names and set(ORACLES) == names
    assert all(len(o.wrong) >= 1 for o in ORACLES.values())
