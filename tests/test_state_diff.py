from halo_lib.sites.state import SessionStore, deep_diff


def test_changed_leaf_is_updated_with_only_that_path():
    initial = {"email": {"emails": {"1": {"isRead": False, "subject": "a"}, "2": {"isRead": False}}}}
    final = {"email": {"emails": {"1": {"isRead": True, "subject": "a"}, "2": {"isRead": False}}}}
    assert deep_diff(initial, final) == {
        "added": {},
        "updated": {"email": {"emails": {"1": {"isRead": True}}}},
        "deleted": {},
    }


def test_new_entity_is_added_whole_and_removed_key_is_deleted_as_null():
    initial = {"order": {"orders": {}}, "cart": {"items": {"p1": 1}}}
    final = {"order": {"orders": {"o1": {"items": [{"id": "212", "quantity": 1}]}}}, "cart": {"items": {}}}
    diff = deep_diff(initial, final)
    assert diff["added"] == {"order": {"orders": {"o1": {"items": [{"id": "212", "quantity": 1}]}}}}
    assert diff["deleted"] == {"cart": {"items": {"p1": None}}}
    assert diff["updated"] == {}


def test_lists_diff_by_index():
    diff = deep_diff({"xs": [1, 2, 3]}, {"xs": [1, 5]})
    assert diff == {"added": {}, "updated": {"xs": {"1": 5}}, "deleted": {"xs": {"2": None}}}
    assert deep_diff({"xs": [1]}, {"xs": [1, {"a": 1}]})["added"] == {"xs": {"1": {"a": 1}}}


def test_type_change_is_an_update_and_equal_states_have_empty_diff():
    assert deep_diff({"a": {"b": 1}}, {"a": [1]})["updated"] == {"a": [1]}
    assert deep_diff({"a": 1}, {"a": True})["updated"] == {"a": True}
    state = {"a": {"b": [1, {"c": None}]}}
    assert deep_diff(state, state) == {"added": {}, "updated": {}, "deleted": {}}


def test_sessions_are_independent_copies():
    store = SessionStore()
    seed = {"x": {"n": 0}}
    a, b = store.create("r", "t", seed), store.create("r", "t", seed)
    store.get(a).state["x"]["n"] = 5
    assert store.get(b).state["x"]["n"] == 0 and store.get(a).initial["x"]["n"] == 0 and seed["x"]["n"] == 0
    assert store.get("nope") is None and store.get(None) is None


def test_store_forgets_oldest_when_full():
    store = SessionStore(max_sessions=2)
    first = store.create("r", None, {})
    store.create("r", None, {})
    store.create("r", None, {})
    assert store.get(first) is None


def test_numbers_compare_by_value_as_in_json():
    assert deep_diff({"price": 348.0}, {"price": 348})["updated"] == {}
    assert deep_diff({"price": 348.0}, {"price": 348.5})["updated"] == {"price": 348.5}
    assert deep_diff({"flag": 1}, {"flag": True})["updated"] == {"flag": True}
