"""Udriver local site: seed data the official scripts rely on, the store filled on first load (everything under
``initialfinaldiff.added``), the ``differences`` shape, the official scripts on hand-made states, the server's
errors, the generated ``book``/``schedule`` families (checks, REAL routes left out, a scripted solution passing and
a wrong one failing in the browser), milestones, and every v2 task's oracle and plan."""

from __future__ import annotations

import asyncio
import copy
import re

import pytest
from starlette.testclient import TestClient

from halo_lib.env.evaluation import run_official_eval
from halo_lib.real_tasks import get_task, list_tasks
from halo_lib.rl.rewards import milestones_for, reached_milestones
from halo_lib.sites.server import build_app, finish_state
from halo_lib.sites.state import deep_diff
from halo_lib.sites.udriver import SPEC, seed
from halo_lib.sites.udriver.differences import differences
from halo_lib.sites.udriver.flows import place_label, place_query, ride_steps
from halo_lib.sites.udriver.oracle import ORACLES
from halo_lib.sites.udriver.plans import PLANS, SOLUTIONS, Ride
from halo_lib.tasks.generator import RIDE_PLACES, family_size, generate_tasks, is_real_target, make_task

CARD = seed.payment_ref("1")
WALLET = seed.payment_ref("wallet")


def _finish(initial: dict, final: dict) -> dict:
    return {"initialfinaldiff": deep_diff(initial, final), "differences": differences(initial, final)}


def _book(state: dict, pickup: int, dropoff: int, car: str = "UdriverX", payment: dict = WALLET,
          when: tuple[str, str] | None = None) -> dict:
    """What the app does on Request / Schedule (app.js requestRide), on a loaded store."""
    r, w = state["ride"], state["user"]["wallet"]
    a, b = seed.location_by_id(pickup), seed.location_by_id(dropoff)
    trip = {"id": f"trip-{900 + len(r['trips']) + len(r['bookedTrips'])}", "pickup": a, "destination": b,
            "car": seed.car_of(a, b, car), "date": when[0] if when else seed.TODAY,
            "time": when[1] if when else "9:30 AM", "status": "scheduled" if when else "completed",
            "paymentMethod": payment, "driver": {}, "bookedAt": seed.TODAY}
    price = trip["car"]["finalPrice"]
    if payment["type"] == "wallet":
        assert w["balance"] >= price, "the app refuses a ride the credits do not cover"
        w["balance"] = round(w["balance"] - price, 2)
        w["transactions"].insert(0, {"id": f"txn-9{len(w['transactions'])}", "type": "debit", "amount": -price,
                                     "description": f"Trip to {b['name']}", "date": seed.TODAY,
                                     "paymentMethodId": payment["id"]})
    r.update(pickupLocation=a, dropoffLocation=b, selectedCarType=car, selectedPaymentMethod=payment, trip=trip,
             calculatedPrice={"carType": car, "priceWithoutDiscount": trip["car"]["priceWithoutDiscount"],
                              "discount": trip["car"]["discount"], "finalPrice": price})
    if when:
        r["bookedTrip"] = trip
        r["bookedTrips"].append(trip)
    else:
        r["trips"].insert(0, trip)
    return state


def _topup(state: dict, amount: float) -> dict:
    w = state["user"]["wallet"]
    w["balance"] = round(w["balance"] + amount, 2)
    w["transactions"].insert(0, {"id": f"txn-8{len(w['transactions'])}", "type": "credit", "amount": amount,
                                 "description": "Wallet Top-up", "date": seed.TODAY, "paymentMethodId": "1"})
    return state


def _judge(task: str, final: dict) -> bool:
    return run_official_eval(get_task(f"v2.{task}"), _finish(seed.initial_state(task), final)).success


def _loaded(task: str | None = None) -> dict:
    return seed.hydrated(seed.initial_state(task))


# ------------------------------------------------------------------------------------------------ seed
def test_seed_is_fresh_deterministic_and_starts_with_an_empty_store():
    a, b = seed.initial_state("udriver-3"), seed.initial_state(None)
    assert a == b and set(a) == {"seed", "config", "ride", "user"}
    assert a["config"] == a["ride"] == a["user"] == {}
    a["seed"]["ride"]["trips"].clear()
    assert seed.initial_state(None)["seed"]["ride"]["trips"]
    assert SPEC.now == "2024-07-17T09:30:00" and SPEC.now_utc == "2024-07-17T16:30:00Z"


def test_places_the_scripts_name_by_id_and_prices():
    by_id = {loc["id"]: loc for loc in seed.locations()}
    assert len(by_id) == len(seed.PLACES) >= 50
    assert by_id[370]["identifier"] == "RF1" and by_id[733]["identifier"] == "DLO" and by_id[129]["identifier"] == "SPR"
    assert by_id[201]["name"] == "Club X" and by_id[723]["name"] == "Fox Plaza Apartments"
    assert by_id[739]["name"] == "388 Beale" and by_id[52]["name"] == "Amber India"
    assert by_id[699]["address"] == "8 Mission St" and by_id[717]["name"] == "100 Van Ness"
    assert sum("7-eleven" in x["name"].lower() for x in by_id.values()) >= 3
    assert sum("chase" in x["name"].lower() and "bank" in x["name"].lower() for x in by_id.values()) >= 2
    # udriver-6: even the cheapest ride costs more than the credits, so the rider must add some first
    assert min(seed.price(by_id[55], by_id[301], c)[1] for c in seed.CAR_TYPES) > seed.BALANCE
    # udriver-11: some ride types are affordable with the credits, some are not
    prices = [seed.price(by_id[201], by_id[723], c)[1] for c in seed.CAR_TYPES]
    assert min(prices) <= seed.BALANCE < max(prices)
    # udriver-20: the cheapest is not the first in the list (a discount makes UdriverGreen cheaper)
    cheapest = min(seed.CAR_TYPES, key=lambda c: seed.price(by_id[204], by_id[717], c)[1])
    assert cheapest == "UdriverGreen" != seed.CAR_TYPES[0]


def test_no_v2_task_passes_on_the_seed_or_after_a_page_load():
    for task in list_tasks(site="udriver"):
        initial = seed.initial_state(task.name)
        for final in (copy.deepcopy(initial), seed.hydrated(initial)):
            assert not run_official_eval(task, _finish(initial, final)).success, task.id


def test_a_page_load_puts_the_whole_store_under_added_and_differences_stay_empty():
    initial = seed.initial_state(None)
    loaded = seed.hydrated(initial)
    diff = deep_diff(initial, loaded)
    assert set(diff["added"]) == {"config", "ride", "user"} and not diff["updated"] and not diff["deleted"]
    assert isinstance(diff["added"]["ride"]["trips"], list)  # whole lists: what the official scripts iterate
    empty = {"added": {}, "updated": {}, "deleted": {}}
    assert differences(initial, loaded) == differences(initial, initial) == {
        "trips": empty, "bookedTrips": empty, "transactions": empty, "paymentMethods": empty}
    final = _book(seed.hydrated(initial), 501, 502)
    d = differences(initial, final)
    (trip,) = d["trips"]["added"].values()
    assert trip["destination"]["name"] == "Oracle Park" and list(d["transactions"]["added"])


# ------------------------------------------------------------------------------------------------ official scripts
@pytest.mark.parametrize(("task", "good", "bad"), [
    ("udriver-3", dict(pickup=706, dropoff=708), dict(pickup=708, dropoff=706)),
    ("udriver-7", dict(pickup=129, dropoff=403), dict(pickup=129, dropoff=421)),
    ("udriver-9", dict(pickup=699, dropoff=708, car="UdriverXL", payment=seed.payment_ref("cash")),
     dict(pickup=699, dropoff=708, car="UdriverXL", payment=seed.payment_ref("cash"), when=("7/18/2024", "10:00 AM"))),
    ("udriver-13", dict(pickup=726, dropoff=412), dict(pickup=726, dropoff=412, car="UdriverXL")),
    ("udriver-15", dict(pickup=739, dropoff=52, car="UdriverXL"), dict(pickup=739, dropoff=52)),
    ("udriver-16", dict(pickup=699, dropoff=717), dict(pickup=699, dropoff=717, payment=CARD)),
    ("udriver-20", dict(pickup=204, dropoff=717, car="UdriverGreen"), dict(pickup=204, dropoff=717)),
])
def test_official_booking_scripts_on_handmade_states(task, good, bad):
    assert _judge(task, _book(_loaded(task), **good))
    assert not _judge(task, _book(_loaded(task), **bad))


def test_official_credit_scripts_on_handmade_states():
    assert _judge("udriver-2", _topup(_loaded(), 100))
    assert not _judge("udriver-2", _topup(_loaded(), 50))
    assert not _judge("udriver-2", _topup(_topup(_loaded(), 50), 50))  # 125.50, but no $100 top-up
    assert _judge("udriver-6", _book(_topup(_loaded(), 25), 55, 301))
    assert not _judge("udriver-6", _book(_loaded(), 55, 301, payment=CARD))
    assert _judge("udriver-11", _book(_loaded(), 201, 723, car="UdriverComfort"))
    assert not _judge("udriver-11", _book(_loaded(), 201, 723, payment=CARD))


def test_official_default_payment_script_on_handmade_states():
    state = _loaded()
    for m in state["user"]["wallet"]["paymentMethods"]:
        m["isDefault"] = m["id"] == "1"
    state["ride"]["selectedPaymentMethod"] = CARD
    assert _judge("udriver-14", state)
    chosen_once = _loaded()
    chosen_once["ride"]["selectedPaymentMethod"] = CARD  # picked for a ride, not made the default
    assert not _judge("udriver-14", chosen_once)


def test_official_price_scripts_need_the_route_the_time_and_a_price():
    state = _loaded()
    r = state["ride"]
    a, b = seed.location_by_id(733), seed.location_by_id(741)
    r.update(pickupLocation=a, dropoffLocation=b, pickupType="scheduled", pickupDate="7/18/2024", pickupTime="3:30 PM",
             calculatedPrice={"carType": "UdriverX", "finalPrice": seed.price(a, b, "UdriverX")[1]})
    assert _judge("udriver-17", state)
    r["pickupTime"] = "3:30 AM"
    assert not _judge("udriver-17", state)
    r.update(pickupLocation=seed.location_by_id(370), dropoffLocation=a)
    assert _judge("udriver-19", state)
    r.update(pickupLocation=a, dropoffLocation=seed.location_by_id(370))
    assert not _judge("udriver-19", state)


# ------------------------------------------------------------------------------------------------ server
def test_server_config_finish_and_state_errors():
    client = TestClient(build_app(SPEC))
    assert client.get("/finish").status_code == 409
    assert client.get("/config", params={"task_id": "v2.udriver-99"}).status_code == 404
    assert client.get("/config", params={"task_id": "v2.gomail-1"}).status_code == 404
    assert client.get("/config").status_code == 400
    assert client.get("/config", params={"task_id": "v2.udriver-3", "run_id": "r1"}).status_code == 200
    body = client.get("/api/state").json()
    assert body["clock"]["now"] == SPEC.now and body["state"]["ride"] == {}
    assert client.post("/api/state", content=b"{not json").status_code == 400
    assert client.post("/api/state", json={"state": {"ride": {}}}).status_code == 400  # keys must be the store's
    bad = copy.deepcopy(body["state"])
    bad["ride"] = []
    assert client.post("/api/state", json={"state": bad}).status_code == 400  # a list where an object belongs
    loaded = seed.hydrated(body["state"])
    assert client.post("/api/state", json={"state": loaded}).status_code == 200
    finish = client.get("/api/finish").json()
    assert set(finish["initialfinaldiff"]["added"]) == {"config", "ride", "user"}
    assert finish["run_id"] == "r1" and finish["task_id"] == "v2.udriver-3"
    assert client.get("/finish", params={"x": "1"}).status_code == 400
    assert "<pre>" in client.get("/finish").text


def test_finish_state_of_a_session_reads_the_udriver_differences():
    class S:
        run_id, task_id = "r", "v2.udriver-16"
        initial = seed.initial_state("udriver-16")
        state = _book(seed.hydrated(initial), 699, 717)
    out = finish_state(SPEC, S)
    assert run_official_eval(get_task("v2.udriver-16"), out).success
    assert len(out["differences"]["trips"]["added"]) == 1


# ------------------------------------------------------------------------------------------------ suggestions
def _app_suggestions(text: str) -> list[int]:
    """app.js's suggestions(): every typed word is in 'name - formatted address'; at most 8."""
    words = [w for w in re.split(r"[^a-z0-9&#-]+", text.lower()) if w]
    return [loc["id"] for loc in seed.locations()
            if all(w in f"{loc['name']} - {loc['formattedAddress']}".lower() for w in words)][:8]


def test_every_place_a_plan_or_family_types_is_among_its_suggestions():
    ids = set(RIDE_PLACES) | {p for pieces, _ in SOLUTIONS.values() for r in pieces if isinstance(r, Ride)
                              for p in (r.pickup, r.dropoff)}
    for pid in ids:
        assert pid in _app_suggestions(place_query(pid)), place_label(pid)


# ------------------------------------------------------------------------------------------------ generated tasks
def test_generated_families_leave_out_the_real_routes_and_split():
    assert family_size("udriver", "book") > 4000 and family_size("udriver", "book", "heldout") > 500
    assert family_size("udriver", "schedule") > 10000 and family_size("udriver", "quote") > 800
    assert is_real_target("udriver", "quote", {"pickup_id": 370, "dropoff_id": 733})
    assert is_real_target("udriver", "book", {"pickup_id": 706, "dropoff_id": 708})
    assert is_real_target("udriver", "schedule", {"pickup_id": 129, "dropoff_id": 402})
    assert not is_real_target("udriver", "book", {"pickup_id": 708, "dropoff_id": 706})
    tasks = generate_tasks("udriver", 6, seed=1)
    assert {t.family for t in tasks} == {"book", "schedule", "quote"}
    for t in generate_tasks("udriver", 40, seed=2, only_families=["book"]):
        assert (t.params["pickup_id"], t.params["dropoff_id"]) != (706, 708)


def test_generated_book_check_is_strict():
    task = make_task("udriver", "book", 7)
    p = task.params
    initial = seed.initial_state(task.id)

    def check(final):
        return task.check(_finish(initial, final))

    assert check(_book(seed.hydrated(initial), p["pickup_id"], p["dropoff_id"], p["car"], CARD))
    assert not check(seed.hydrated(initial))
    other_car = next(c for c in seed.CAR_TYPES if c != p["car"])
    assert not check(_book(seed.hydrated(initial), p["pickup_id"], p["dropoff_id"], other_car, CARD))
    assert not check(_book(seed.hydrated(initial), p["dropoff_id"], p["pickup_id"], p["car"], CARD))
    twice = _book(_book(seed.hydrated(initial), p["pickup_id"], p["dropoff_id"], p["car"], CARD),
                  p["pickup_id"], p["dropoff_id"], p["car"], CARD)
    assert not check(twice)
    assert not check(_book(_topup(seed.hydrated(initial), 10), p["pickup_id"], p["dropoff_id"], p["car"], CARD))
    scheduled = _book(seed.hydrated(initial), p["pickup_id"], p["dropoff_id"], p["car"], CARD,
                      when=("7/18/2024", "9:15 PM"))
    assert not check(scheduled)


def test_generated_schedule_check_needs_the_day_and_time():
    task = make_task("udriver", "schedule", 11)
    p = task.params
    initial = seed.initial_state(task.id)
    good = _book(seed.hydrated(initial), p["pickup_id"], p["dropoff_id"], p["car"], CARD, when=(p["date"], p["time"]))
    assert task.check(_finish(initial, good))
    other_time = next(t for t in ("7:30 AM", "9:15 PM") if t != p["time"])
    late = _book(seed.hydrated(initial), p["pickup_id"], p["dropoff_id"], p["car"], CARD, when=(p["date"], other_time))
    assert not task.check(_finish(initial, late))
    now = _book(seed.hydrated(initial), p["pickup_id"], p["dropoff_id"], p["car"], CARD)
    assert not task.check(_finish(initial, now))


def test_generated_quote_check_needs_the_route_on_screen_and_nothing_booked():
    task = make_task("udriver", "quote", 5)
    p = task.params
    initial = seed.initial_state(task.id)
    a, b = seed.location_by_id(p["pickup_id"]), seed.location_by_id(p["dropoff_id"])
    shown = seed.hydrated(initial)
    shown["ride"].update(pickupLocation=a, dropoffLocation=b,
                         calculatedPrice={"finalPrice": seed.price(a, b, "UdriverX")[1]})
    assert task.check(_finish(initial, shown))
    reverse = copy.deepcopy(shown)
    reverse["ride"].update(pickupLocation=b, dropoffLocation=a)
    assert not task.check(_finish(initial, reverse))
    booked = _book(copy.deepcopy(shown), p["pickup_id"], p["dropoff_id"], "UdriverX", CARD)
    assert not task.check(_finish(initial, booked))
    assert reached_milestones(task, _finish(initial, shown)) == ["pickup", "dropoff", "prices_shown"]


def test_milestones_follow_the_ride():
    task = make_task("udriver", "book", 7)
    p = task.params
    initial = seed.initial_state(task.id)
    state = seed.hydrated(initial)
    assert reached_milestones(task, _finish(initial, state)) == []
    state["ride"]["pickupLocation"] = seed.location_by_id(p["pickup_id"])
    assert reached_milestones(task, _finish(initial, state)) == ["pickup"]
    _book(state, p["pickup_id"], p["dropoff_id"], p["car"], CARD)
    assert reached_milestones(task, _finish(initial, state)) == [m.name for m in milestones_for(task)]
    real = get_task("v2.udriver-2")
    assert "wallet_changed" in reached_milestones(real, _finish(initial, _topup(seed.hydrated(initial), 10)))


def test_a_generated_tasks_scripted_solution_passes_in_the_browser_and_a_wrong_one_fails():
    from halo_lib.config import EnvConfig
    from halo_lib.env.pool import EnvPool
    from halo_lib.policies.scripted import ScriptedPolicy
    from halo_lib.sites.server import SitesInThread
    from halo_lib.tasks.generator import oracle_steps

    book = next(t for t in generate_tasks("udriver", 30, seed=3, only_families=["book"])
                if t.params["car"] != "UdriverX" and seed.price(seed.location_by_id(t.params["pickup_id"]),
                                                                 seed.location_by_id(t.params["dropoff_id"]),
                                                                 t.params["car"])[1] > seed.BALANCE)
    sched = generate_tasks("udriver", 1, seed=3, only_families=["schedule"])[0]
    quote = generate_tasks("udriver", 1, seed=3, only_families=["quote"])[0]
    wrong_steps = ride_steps(Ride(book.params["pickup_id"], book.params["dropoff_id"], payment=CARD["displayName"]))
    jobs = [(book, ScriptedPolicy(oracle_steps(book)).act), (sched, ScriptedPolicy(oracle_steps(sched)).act),
            (book, ScriptedPolicy(wrong_steps).act),  # the default UdriverX, not the task's ride type
            (quote, ScriptedPolicy(oracle_steps(quote)).act)]

    async def main():
        async with EnvPool(2, EnvConfig(max_steps=20)) as pool:
            return await pool.run(jobs)

    with SitesInThread(["udriver"]):
        right, scheduled, wrong, quoted = asyncio.run(main())
    assert quoted.success and quoted.action_errors == 0, (quoted.status, quoted.actions)
    assert right.success and right.action_errors == 0, (right.status, right.error, right.actions)
    assert scheduled.success and scheduled.action_errors == 0, (scheduled.status, scheduled.actions)
    assert not wrong.success and wrong.action_errors == 0, (wrong.status, wrong.error, wrong.actions)
    assert wrong.status == "failure" and wrong.steps == len(wrong_steps) + 1  # it booked, the wrong ride type


# ------------------------------------------------------------------------------------------------ v2 coverage
def test_every_v2_task_has_an_oracle_and_a_plan():
    names = {t.name for t in list_tasks(site="udriver")}
    assert len(names) == 14
    assert set(ORACLES) == set(PLANS) == names
    assert all(len(o.wrong) >= 2 for o in ORACLES.values())
    assert all(plan[-1].action == "send_msg_to_user" for plan in PLANS.values())
    assert all(p.stat().st_size > 0 for t in list_tasks(site="udriver") for p in t.eval_script_paths())


def test_milestones_fire_in_order_as_a_scripted_policy_books_and_schedules():
    from halo_lib.config import EnvConfig
    from halo_lib.env.environment import BrowserEnv, BrowserHost
    from halo_lib.policies.scripted import ScriptedPolicy
    from halo_lib.rl.rewards import EpisodeRewarder, state_signature
    from halo_lib.sites.server import SitesInThread
    from halo_lib.tasks.generator import oracle_steps

    tasks = [next(t for t in generate_tasks("udriver", 20, seed=5, only_families=[fam])
                  if t.params["car"] != "UdriverX") for fam in ("book", "schedule")]

    async def walk():
        host = BrowserHost()
        env = BrowserEnv(host, EnvConfig(use_screenshot=False, max_steps=20))
        out = []
        try:
            for task in tasks:
                policy = ScriptedPolicy(oracle_steps(task), patience=2)
                obs = await env.reset(task)
                rewarder = EpisodeRewarder(task)
                rewarder.reset(state_signature(obs), await env.read_state())
                done, fired = False, []
                while not done:
                    candidate = await policy.act(obs)
                    obs, _, done, info = await env.step(candidate)
                    state = info["final_state"] if done else await env.read_state()
                    fired += [(obs.step, name) for name in rewarder.step(state, state_signature(obs),
                                                                          candidate.text).milestones]
                out.append((rewarder, fired, info))
        finally:
            await env.close()
            await host.close()
        return out

    with SitesInThread(["udriver"]):
        results = asyncio.run(walk())
    for task, (rewarder, fired, info) in zip(tasks, results):
        assert info["status"] == "success", (task.goal, info.get("error"))
        assert [name for _, name in fired] == [m.name for m in rewarder.milestones], task.goal  # all, once, in order
        # read step by step from the UI state (a default date or time already right may share a step)
        assert len({step for step, _ in fired}) >= len(fired) - 1, fired
