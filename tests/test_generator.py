"""Generated training tasks: deterministic, split-disjoint, never REAL tasks, and solvable (and strictly judged)
on the real local sites."""

import asyncio
import copy
import json
import pickle

import pytest

from halo_lib.config import EnvConfig
from halo_lib.env.environment import BrowserEnv, BrowserHost
from halo_lib.policies.scripted import ScriptedPolicy
from halo_lib.sites import get_site
from halo_lib.sites.server import SitesInThread
from halo_lib.sites.state import deep_diff
from halo_lib.errors import UnknownTaskError
from halo_lib.tasks import get_task, list_tasks, resolve_tasks
from halo_lib.tasks.generator import (
    GeneratedTask,
    apply_diff,
    assert_not_benchmark,
    families,
    family_size,
    generate_tasks,
    make_task,
    oracle_steps,
    resolve_any_task,
    resolve_generated,
    sites,
    split_of,
)

SITES = ("gomail", "omnizon", "gocalendar", "opendining", "udriver", "staynb", "dashdish")


def _combo_key(task: GeneratedTask) -> str:
    return json.dumps([task.site, task.family, task.params], sort_keys=True)


# ---------- pure ----------
def test_every_site_has_at_least_three_families_with_both_splits():
    assert sorted(sites()) == sorted(SITES)
    for site in SITES:
        assert len(families(site)) >= 3
        for fam in families(site):
            splits = {make_task(site, fam, i).split for i in range(family_size(site, fam))}
            assert splits == {"train", "heldout"}, (site, fam)


@pytest.mark.parametrize("site", SITES)
def test_generation_is_deterministic_given_the_seed(site):
    first = [t.to_dict() for t in generate_tasks(site, 12, seed=3)]
    assert first == [t.to_dict() for t in generate_tasks(site, 12, seed=3)]
    assert [t["id"] for t in first] != [t.id for t in generate_tasks(site, 12, seed=4)]
    assert len({t["id"] for t in first}) == 12
    assert {t["family"] for t in first} == set(families(site))  # families take turns


@pytest.mark.parametrize("site", SITES)
def test_train_and_heldout_never_share_a_parameter_combination(site):
    n_train = sum(split_of(f, make_task(site, f, i).params) == "train"
                  for f in families(site) for i in range(min(family_size(site, f), 400)))
    train = generate_tasks(site, min(n_train, 300), seed=0, split="train")
    heldout = generate_tasks(site, 30, seed=0, split="heldout")
    assert {t.split for t in train} == {"train"} and {t.split for t in heldout} == {"heldout"}
    assert not {_combo_key(t) for t in train} & {_combo_key(t) for t in heldout}
    # the split is a property of the combination, whatever the seed that sampled it
    for seed in (1, 2):
        assert all(t.split == "heldout" for t in generate_tasks(site, 30, seed=seed, split="heldout"))


@pytest.mark.parametrize("site", SITES)
def test_no_real_task_ever_reaches_the_train_split(site):
    real = {t.name for t in list_tasks()}
    for fam in families(site):
        for i in range(family_size(site, fam)):
            task = make_task(site, fam, i)
            assert task.version == "gen" and task.name not in real
            assert_not_benchmark(task)  # raises on a REAL task or one redoing a REAL task's target


def test_the_guard_rejects_real_tasks_and_their_targets():
    with pytest.raises(ValueError, match="not a generated task"):
        assert_not_benchmark(get_task("v2.gomail-24"))
    john_doe = make_task("gomail", "delete", 0)
    redo = GeneratedTask(**{**john_doe.__dict__, "params": {**john_doe.params, "email_id": "1"}})
    with pytest.raises(ValueError, match="REAL benchmark task"):
        assert_not_benchmark(redo)
    with pytest.raises(ValueError):
        generate_tasks("gomail", 10_000, seed=0)


def test_ids_resolve_and_tasks_describe_themselves():
    for site in SITES:
        for task in generate_tasks(site, 6, seed=7):
            assert task.id.startswith(f"gen.{site}-{task.family}-")
            assert resolve_generated(task.id) == task == resolve_any_task(task.id)
            assert GeneratedTask.from_dict(json.loads(json.dumps(task.to_dict()))) == task
            assert pickle.loads(pickle.dumps(task)) == task
            assert oracle_steps(task)
    assert resolve_any_task("v2.gomail-1").name == "gomail-1"


@pytest.mark.parametrize("site", SITES)
def test_apply_diff_rebuilds_the_final_state(site):
    initial = get_site(site).initial_state(None)
    final = copy.deepcopy(initial)
    if site == "gomail":
        final["email"]["emails"]["3"]["trash"] = True
        final["email"]["emails"]["99"] = dict(final["email"]["emails"]["1"], id="99", to=["a@b.c"])
        final["email"]["contacts"].pop(0)
        final["ui"]["compose"] = {"toField": ["x@y.z"], "subjectField": "Hi"}
    elif site == "omnizon":
        final["cart"]["cartItems"] = [{"id": "16", "quantity": 2}, {"id": "5", "quantity": 1}]
        final["router"]["location"]["pathname"] = "/cart"
        final["products"] = final["products"][:3]
    elif site == "opendining":
        final["booking"]["bookingDetails"]["3"] = dict(final["booking"]["bookingDetails"]["0"], time="8:00 PM")
        del final["booking"]["bookingDetails"]["1"]
        final["booking"].update(index=4, bookingCompleted=True)
        final["ui"]["pending"] = {"restaurantId": "x", "date": "2025-07-19", "time": "20:00", "guests": 2}
    elif site == "staynb":
        final["search"] = {"appliedDestination": "Rome, Italy", "appliedFilters": {"amenities": ["Wifi"], "bedrooms": 2}}
        final["wishlist"]["wishlists"]["0"] = {"id": "wl-0", "name": "Rome", "stays": [{"id": "x"}]}
        del final["booking"]["bookingDetails"]["1"]
        final["booking"].update(isBooking=True, currentBooking={"listing": {"id": "x"}})
    elif site == "dashdish":
        final["cart"]["cartItems"] = [{"id": "ci-1", "itemId": "wingstop--lemon-pepper-wings", "quantity": 2}]
        final["cart"]["foodOrders"]["DD-1"] = {"orderId": "DD-1", "cartItems": [], "checkoutDetails": {}}
        final["checkout"]["shippingOption"] = "Pickup"
        final["ui"]["route"] = "/checkout"
        final["restaurants"] = final["restaurants"][:3]
    elif site == "gocalendar":
        del final["calendar"]["events"]["evt-001"]
        final["calendar"]["ui"] = {"dialog": {"titleText": "X"}}
        final["calendar"]["calendars"][0]["visible"] = False
    else:  # udriver: the store filled from the seed on first load, then a ride chosen and a trip taken
        for key in ("config", "ride", "user"):
            final[key] = copy.deepcopy(initial["seed"][key])
        final["ride"]["pickupLocation"] = final["ride"]["locations"][3]
        final["ride"]["trips"].insert(0, dict(final["ride"]["trips"][0], id="trip-999"))
        final["user"]["wallet"]["paymentMethods"][1]["isDefault"] = True
    assert apply_diff(initial, deep_diff(initial, final)) == final
    assert apply_diff(initial, deep_diff(initial, initial)) == initial


# ---------- on the real sites ----------
# For each family: the key parameters a wrong twin task differs in (a different recipient, product, time...).
TWIN_KEYS = {"send": ("recipient_email", "subject"), "star": ("email_id",), "archive": ("email_id",),
             "delete": ("email_id", "event_id"), "cart": ("product_id", "quantity"),
             "order": ("product_id", "quantity"), "cheapest": ("product_id",), "create": ("start", "day", "title"),
             "create_at": ("location",), "reserve": ("restaurant_id", "party", "minutes"), "cuisine": ("cuisine", "party"),
             "notify": ("restaurant_id", "minutes"), "book": ("car", "dropoff_id", "listing_id", "guests"),
             "schedule": ("time", "date"), "quote": ("dropoff_id",), "search": ("amenity", "guests"),
             "wishlist": ("listing_id", "wishlist"), "express": ("tip", "item_id"), "deliver_to": ("quantity", "item_id")}


# Parameters that follow from a key parameter (a product's name from its id...): a twin may differ in them too.
DERIVED = {"product_id": {"product_name", "short_name", "query"}, "email_id": {"sender", "subject"},
           "recipient_email": {"recipient_name"}, "event_id": {"title", "day"}, "subject": {"topic", "body_words"},
           "restaurant_id": {"restaurant"}, "dropoff_id": {"dropoff"}, "listing_id": {"listing", "place"},
           "item_id": {"item", "description", "store_id", "store", "group", "choice"}}


def _wrong_twins(task: GeneratedTask) -> list[GeneratedTask]:
    """Tasks of the same family that differ from ``task`` in one key parameter (the rest equal when possible)."""
    twins = []
    combos = [make_task(task.site, task.family, i) for i in range(family_size(task.site, task.family))]
    for key in TWIN_KEYS[task.family]:
        if key not in task.params:
            continue
        free = DERIVED.get(key, set()) | {key}
        differ = [t for t in combos if t.params[key] != task.params[key]]
        same_rest = [t for t in differ if all(t.params[k] == v for k, v in task.params.items() if k not in free)]
        twins.append((same_rest or differ)[0])
    return twins


FAMILIES = [(s, f) for s in SITES for f in families(s)]


async def _solve_all(tasks):
    host = BrowserHost()
    env = BrowserEnv(host, EnvConfig(use_screenshot=False, max_steps=20))
    out = {}
    try:
        for task in tasks:
            policy = ScriptedPolicy(oracle_steps(task), patience=2)
            obs = await env.reset(task)
            done, info = False, {}
            while not done:
                obs, _, done, info = await env.step(await policy.act(obs))
            out[task.id] = info
    finally:
        await env.close()
        await host.close()
    return out


@pytest.fixture(scope="module")
def solved():
    tasks = {(s, f): generate_tasks(s, len(families(s)), seed=11)[families(s).index(f)] for s, f in FAMILIES}
    with SitesInThread(list(SITES)):
        infos = asyncio.run(_solve_all(list(tasks.values())))
    return {key: (task, infos[task.id]) for key, task in tasks.items()}


@pytest.mark.parametrize("site,family", FAMILIES)
def test_scripted_solution_succeeds_and_a_wrong_variant_fails(solved, site, family):
    task, info = solved[(site, family)]
    assert task.family == family
    assert info["status"] == "success", (task.goal, info)
    assert info["eval_outputs"] == ["SUCCESS"]  # judged by the task's own check, not an official script
    assert task.check(info["final_state"], "")
    twins = _wrong_twins(task)
    assert twins
    for twin in twins:
        assert not twin.check(info["final_state"], ""), (task.goal, "also solves", twin.goal)


def test_nothing_done_fails_every_check():
    for site in SITES:
        nothing = {"initialfinaldiff": {"added": {}, "updated": {}, "deleted": {}}, "differences": {}}
        for task in generate_tasks(site, 9, seed=5):
            assert not task.check(nothing, "")


def test_a_spec_can_name_families():
    tasks = resolve_tasks("gen:gomail/archive+delete:train:6,gen:omnizon/cart:heldout:2", seed=0)
    assert [t.family for t in tasks[:6]].count("archive") == 3 and {t.family for t in tasks[:6]} == {"archive", "delete"}
    assert all(t.family == "cart" and t.split == "heldout" for t in tasks[6:]) and len(tasks) == 8
    with pytest.raises(UnknownTaskError, match="no family 'reply' on gomail; families: send"):
        resolve_tasks("gen:gomail/reply:train:2")
