"""OpenDining local site: seed data the official scripts rely on, the ``/finish`` shape, bad input, the official
scripts on hand-made reservations (each v2 task's booking passes, the wrong ones fail), the ``reserve`` training
family (its check, its REAL exclusions, its scripted solution in the browser) and the app's availability rule
against the seed's."""

from __future__ import annotations

import asyncio
import copy
import json
from datetime import datetime

import pytest
from starlette.testclient import TestClient

from halo_lib.env.evaluation import run_official_eval
from halo_lib.real_tasks import get_task, list_tasks
from halo_lib.sites.opendining import SPEC, seed
from halo_lib.sites.opendining.differences import differences
from halo_lib.sites.opendining.oracle import BOOKINGS, ORACLES, Booking
from halo_lib.sites.opendining.plans import PLANS
from halo_lib.sites.server import build_app, finish_state
from halo_lib.sites.state import deep_diff
from halo_lib.tasks import generator

WATERFRONT = ("embarcadero", "pier", "bay", "waterfront", "harbor", "harbour", "river", "marina", "seaside", "ferry",
              "wharf", "boardwalk", "quay", "shore")  # the words eval_opendining_7.py takes for Embarcadero


def reserve(state: dict, b: Booking) -> dict:
    """What the app's Complete reservation does to the state (app.js ``complete``), on a copy."""
    state = copy.deepcopy(state)
    _, r = seed.by_name(b.restaurant)
    details = state["booking"]["bookingDetails"]
    key = str(max(map(int, details)) + 1 if details else 0)
    details[key] = {"restaurant": seed.restaurant_summary(r), "date": seed.date_value(b.day),
                    "time": seed.time_label(b.minutes), "guests": seed.guests_label(b.party),
                    "optionals": {"occasion": b.occasion, "request": ""}, "firstName": "Jordan", "lastName": "Rivera",
                    "phone": "(415) 555-0142", "email": "jordan.rivera@example.com",
                    "confirmationNumber": "OD1", "status": "upcoming", "createdAt": "2025-07-18T13:30:00Z"}
    state["booking"].update(index=int(key) + 1, date=details[key]["date"], time=details[key]["time"],
                            guests=details[key]["guests"], restaurantId=r["id"], bookingCompleted=True, loading=False)
    return state


def notify(state: dict, name: str, minutes: int) -> dict:
    state = copy.deepcopy(state)
    _, r = seed.by_name(name)
    state["notification"]["notifications"]["0"] = {
        "restaurantId": r["id"], "restaurantName": name, "date": seed.date_value(seed.TODAY),
        "time": seed.time_label(minutes), "guests": "2 people", "createdAt": "2025-07-18T13:30:00Z"}
    return state


def _finish(initial: dict, final: dict) -> dict:
    return {"initialfinaldiff": deep_diff(initial, final), "differences": differences(initial, final)}


def test_seed_is_fresh_deterministic_and_rich():
    a, b = seed.initial_state("opendining-1"), seed.initial_state(None)
    assert a == b
    a["restaurants"].clear()
    assert len(seed.initial_state(None)["restaurants"]) >= 40
    rs = seed.restaurants()
    assert len({r["food_type"] for r in rs}) >= 15 and len({r["neighborhood"] for r in rs}) >= 12
    assert len({r["id"] for r in rs}) == len({r["name"] for r in rs}) == len(rs)
    assert not any(r["imageUrl"].startswith("http") for r in rs)  # nothing from outside


def test_clock_is_friday_july_18_2025_before_the_first_table():
    assert SPEC.now == "2025-07-18T06:30:00" and SPEC.now_utc == "2025-07-18T13:30:00Z"
    assert datetime.fromisoformat(SPEC.now).strftime("%A") == "Friday"
    assert min(min(seed.slot_times(r)) for r in seed.restaurants()) >= 7 * 60  # every slot of today lies ahead


def test_only_embarcadero_restaurants_read_as_waterfront_and_only_italian_ones_as_italian():
    for r in seed.restaurants():
        text = " ".join([r["name"], r["description"], r["imageUrl"]]).lower()
        assert any(w in text for w in WATERFRONT) == (r["neighborhood"] == "Embarcadero"), r["name"]
        assert ("italian" in (r["name"] + r["description"]).lower()) <= (r["food_type"] == "Italian"), r["name"]


def test_every_booking_the_oracles_make_is_free_and_evening_delight_5pm_never_is():
    for key, b in BOOKINGS.items():
        i, r = seed.by_name(b.restaurant)
        assert seed.is_available(i, r, b.day, b.minutes, b.party), key
    i, r = seed.by_name("Evening Delight")
    assert not any(seed.is_available(i, r, d, 17 * 60, n) for d in ("2025-07-18", "2025-07-19", "2025-08-30")
                   for n in range(1, 9))


def test_every_v2_task_has_an_oracle_and_a_plan():
    names = {t.name for t in list_tasks(site="opendining")}
    assert len(names) == 11 and set(ORACLES) == names and set(PLANS) == names
    assert all(o.wrong for o in ORACLES.values())


@pytest.mark.parametrize("task", sorted(n for n in BOOKINGS if n.startswith("opendining-")))
def test_official_scripts_pass_the_oracle_booking_and_fail_the_wrong_ones(task):
    initial = seed.initial_state(task)
    ok = run_official_eval(get_task(f"v2.{task}"), _finish(initial, reserve(initial, BOOKINGS[task])))
    assert ok.success, ok.outputs
    number = task.split("-")[1]
    wrong = [k for k in BOOKINGS if k.startswith(f"{number}-")]
    assert wrong
    for key in wrong:
        result = run_official_eval(get_task(f"v2.{task}"), _finish(initial, reserve(initial, BOOKINGS[key])))
        assert not result.success, key
    assert not run_official_eval(get_task(f"v2.{task}"), _finish(initial, initial)).success


def test_official_script_20_takes_a_notification_for_5pm_at_evening_delight():
    initial, task = seed.initial_state("opendining-20"), get_task("v2.opendining-20")
    assert run_official_eval(task, _finish(initial, notify(initial, "Evening Delight", 17 * 60))).success
    assert not run_official_eval(task, _finish(initial, notify(initial, "Evening Delight", 18 * 60))).success
    assert not run_official_eval(task, _finish(initial, notify(initial, "Sakura House", 17 * 60))).success
    assert not run_official_eval(task, _finish(initial, reserve(initial, BOOKINGS["20-at-6pm"]))).success


def test_a_reservation_is_added_under_booking_with_the_fields_the_scripts_read():
    initial = seed.initial_state(None)
    final = reserve(initial, BOOKINGS["opendining-17"])
    d = deep_diff(initial, final)
    added = d["added"]["booking"]
    assert added["index"] == 4 and added["time"] == "8:00 PM" and added["guests"] == "6 people"
    entry = added["bookingDetails"]["3"]  # after the three reservations of the seed
    assert entry["restaurant"]["name"] == "Hearth & Barrel" and entry["optionals"]["occasion"] == "Business meal"
    assert entry["date"] == "2025-09-22T00:00:00.000Z"
    assert d["updated"]["booking"] == {"bookingCompleted": True}
    diffs = differences(initial, final)
    assert list(diffs["reservations"]["added"]) == ["3"] and not diffs["notifications"]["added"]
    cancelled = copy.deepcopy(initial)
    del cancelled["booking"]["bookingDetails"]["2"]
    assert differences(initial, cancelled)["reservations"]["deleted"]["2"]["restaurant"]["name"] == "Olive & Fig"


def test_server_config_finish_state_and_bad_input():
    client = TestClient(build_app(SPEC))
    assert client.get("/finish").status_code == 409
    assert client.get("/config?task_id=v2.opendining-99").status_code == 404
    assert client.get("/config?task_id=v2.gomail-1").status_code == 404  # another site's task
    assert client.get("/config?run_id=1").status_code == 400
    assert client.get("/config?run_id=1&task_id=v2.opendining-12").status_code == 200
    state = client.get("/api/state").json()["state"]
    assert client.post("/api/state", content=b"not json").status_code == 400
    assert client.post("/api/state", json={"state": {"booking": {}}}).status_code == 400  # keys missing
    broken = copy.deepcopy(state)
    broken["restaurants"] = {"not": "a list"}
    assert client.post("/api/state", json={"state": broken}).status_code == 400
    final = reserve(state, BOOKINGS["opendining-12"])
    assert client.post("/api/state", json={"state": final}).status_code == 200
    body = client.get("/api/finish").json()
    assert body["task_id"] == "v2.opendining-12"
    assert body["initialfinaldiff"]["added"]["booking"]["bookingDetails"]["3"]["guests"] == "5 people"
    assert run_official_eval(get_task("v2.opendining-12"), body).success
    assert client.get("/finish?x=1").status_code == 400
    assert client.get("/restaurant/anything").status_code == 200  # the single-page app serves every path


# ---------------------------------------------------------------------------------------------------
# The reserve family
# ---------------------------------------------------------------------------------------------------
def _booking_of(task) -> Booking:
    p = task.params
    return Booking(p["restaurant"], day=p["day"], minutes=p["minutes"], party=p["party"])


def test_reserve_family_is_large_split_and_leaves_out_what_redoes_a_real_task():
    combos = generator._combos("opendining", "reserve")
    assert len(combos) > 1000 and generator.family_size("opendining", "reserve", "heldout") > 100
    for p in combos:
        assert not generator.is_real_target("opendining", "reserve", p)
        _, r = seed.by_name(p["restaurant"])
        assert r["neighborhood"] != "Embarcadero" and p["minutes"] != 17 * 60
    everything = generator._dine_reserve_combos()
    assert any(generator.is_real_target("opendining", "reserve", p) for p in everything)


def test_reserve_check_passes_its_own_booking_and_fails_wrong_ones():
    task = generator.make_task("opendining", "reserve", 7)
    initial = generator.initial_state_of(task)
    b = _booking_of(task)
    assert task.check(_finish(initial, reserve(initial, b)))
    assert not task.check(_finish(initial, initial))
    assert not task.check(_finish(initial, reserve(initial, b._replace(party=b.party + 1))))
    assert not task.check(_finish(initial, reserve(initial, b._replace(minutes=b.minutes + 30))))
    twice = reserve(reserve(initial, b), b)
    assert not task.check(_finish(initial, twice))  # one reservation asked, two made
    collateral = reserve(initial, b)
    del collateral["booking"]["bookingDetails"]["2"]  # the upcoming Olive & Fig reservation cancelled
    assert not task.check(_finish(initial, collateral))


def _cuisine_bookings(task) -> list[Booking]:
    """Every booking that solves a cuisine task: any restaurant of the cuisine with the table free."""
    p = task.params
    return [Booking(r["name"], day=p["day"], minutes=p["minutes"], party=p["party"])
            for r in generator._dine_free_of_cuisine(p["cuisine"], p["day"], p["minutes"], p["party"])]


def test_generated_solutions_fail_every_real_script():
    tasks = (generator.generate_tasks("opendining", 4, seed=3, only_families=["reserve"])
             + generator.generate_tasks("opendining", 4, seed=3, only_families=["cuisine"])
             + generator.generate_tasks("opendining", 2, 3, "heldout"))
    assert {t.family for t in tasks} == {"reserve", "cuisine"}
    real = list_tasks(site="opendining")
    for task in tasks:
        initial = generator.initial_state_of(task)
        for b in _cuisine_bookings(task) if task.family == "cuisine" else [_booking_of(task)]:
            state = _finish(initial, reserve(initial, b))
            assert task.check(state), (task.id, b)
            for t in real:
                assert not run_official_eval(t, state).success, (task.id, b, t.id)


def test_notify_family_asks_for_full_tables_and_its_check_is_strict():
    combos = generator._combos("opendining", "notify")
    assert len(combos) > 300
    for p in combos:
        i, r = seed.by_name(p["restaurant"])
        assert p["minutes"] in seed.slot_times(r) and not seed.is_available(i, r, p["day"], p["minutes"], p["party"])
        assert not (p["restaurant"] == "Evening Delight" and p["minutes"] == 17 * 60)
    task = generator.make_task("opendining", "notify", 3)
    p = task.params
    initial = generator.initial_state_of(task)

    def note(minutes=p["minutes"], party=p["party"], restaurant_id=p["restaurant_id"]):
        state = copy.deepcopy(initial)
        state["notification"]["notifications"]["0"] = {
            "restaurantId": restaurant_id, "restaurantName": p["restaurant"], "date": seed.date_value(p["day"]),
            "time": seed.time_label(minutes), "guests": seed.guests_label(party), "createdAt": "2025-07-18T13:30:00Z"}
        return state

    assert task.check(_finish(initial, note()))
    assert not task.check(_finish(initial, initial))
    assert not task.check(_finish(initial, note(minutes=p["minutes"] + 30)))
    assert not task.check(_finish(initial, note(party=p["party"] + 1)))
    assert not task.check(_finish(initial, note(restaurant_id=seed.RIVER_VIEW_ID)))
    booked_too = reserve(note(), Booking("Casa Azul", minutes=19 * 60))
    assert not task.check(_finish(initial, booked_too))
    for t in list_tasks(site="opendining"):  # a notification for another table passes no REAL script
        assert not run_official_eval(t, _finish(initial, note())).success, t.id


def test_cuisine_family_takes_any_restaurant_of_the_cuisine_and_nothing_else():
    combos = generator._combos("opendining", "cuisine")
    assert len(combos) > 500 and len({p["cuisine"] for p in combos}) >= 12
    for p in combos[::7]:  # no restaurant that could take the booking is on the Embarcadero (eval_opendining_7)
        free = generator._dine_free_of_cuisine(p["cuisine"], p["day"], p["minutes"], p["party"])
        assert free and all(r["neighborhood"] != "Embarcadero" for r in free), p
    task = next(t for t in (generator.make_task("opendining", "cuisine", i) for i in range(len(combos)))
                if len(_cuisine_bookings(t)) >= 2)
    assert task.goal.startswith(f"Book a table for {task.params['party']} at a")
    initial = generator.initial_state_of(task)
    for b in _cuisine_bookings(task):
        assert task.check(_finish(initial, reserve(initial, b)))
    b = _cuisine_bookings(task)[0]
    assert not task.check(_finish(initial, reserve(initial, b._replace(minutes=b.minutes + 30))))
    assert not task.check(_finish(initial, reserve(initial, b._replace(day="2025-08-02"))))
    other = next(r["name"] for i, r in enumerate(seed.restaurants()) if r["food_type"] != task.params["cuisine"]
                 and seed.is_available(i, r, b.day, b.minutes, b.party))
    assert not task.check(_finish(initial, reserve(initial, b._replace(restaurant=other))))


def test_reserve_milestones_follow_the_flow():
    from halo_lib.rl.rewards import reached_milestones

    task = generator.make_task("opendining", "reserve", 11)
    p = task.params
    initial = generator.initial_state_of(task)
    assert reached_milestones(task, _finish(initial, initial)) == []
    opened = copy.deepcopy(initial)
    opened["ui"]["route"] = f"/restaurant/{p['restaurant_id']}"
    assert reached_milestones(task, _finish(initial, opened)) == ["searched", "restaurant_opened"]
    chosen = copy.deepcopy(opened)
    chosen["ui"]["pending"] = {"restaurantId": p["restaurant_id"], "date": p["day"],
                               "time": f"{p['minutes'] // 60:02d}:{p['minutes'] % 60:02d}", "guests": p["party"]}
    assert reached_milestones(task, _finish(initial, chosen))[-1] == "table_chosen"
    assert reached_milestones(task, _finish(initial, reserve(initial, _booking_of(task))))[-1] == "reserved"
    wrong = reserve(initial, _booking_of(task)._replace(party=p["party"] + 1))
    assert "reserved" not in reached_milestones(task, _finish(initial, wrong))

    task = generator.make_task("opendining", "cuisine", 5)
    initial = generator.initial_state_of(task)
    searched = copy.deepcopy(initial)
    searched["ui"]["search"]["cuisines"] = [task.params["cuisine"]]
    assert reached_milestones(task, _finish(initial, searched)) == ["searched"]
    (b, *_) = _cuisine_bookings(task)
    assert reached_milestones(task, _finish(initial, reserve(initial, b))) == [
        "searched", "restaurant_opened", "table_chosen", "reserved"]

    task = generator.make_task("opendining", "notify", 9)
    p = task.params
    initial = generator.initial_state_of(task)
    page = copy.deepcopy(initial)
    page["ui"]["route"] = f"/restaurant/{p['restaurant_id']}"
    assert reached_milestones(task, _finish(initial, page)) == ["restaurant_opened"]
    page["ui"]["search"].update(date=p["day"], time=f"{p['minutes'] // 60:02d}:{p['minutes'] % 60:02d}",
                                guests=p["party"])
    assert reached_milestones(task, _finish(initial, page)) == ["restaurant_opened", "time_chosen"]


# ---------------------------------------------------------------------------------------------------
# In the browser
# ---------------------------------------------------------------------------------------------------
def test_scripted_solutions_pass_their_checks_in_the_browser_and_a_wrong_one_fails():
    from halo_lib.config import EnvConfig
    from halo_lib.env.pool import EnvPool
    from halo_lib.policies.scripted import ScriptedPolicy
    from halo_lib.sites.server import SitesInThread

    right = generator.make_task("opendining", "reserve", 21)
    other = next(t for t in (generator.make_task("opendining", "reserve", i) for i in range(22, 200))
                 if t.params["restaurant"] == right.params["restaurant"] and t.params["party"] != right.params["party"])
    by_cuisine = generator.make_task("opendining", "cuisine", 33)
    notify_task = generator.make_task("opendining", "notify", 40)

    async def main():
        async with EnvPool(2, EnvConfig(max_steps=20)) as pool:
            # the second episode plays another task's solution (same restaurant, another party size) on this task
            return await pool.run([(right, ScriptedPolicy(generator.oracle_steps(right)).act),
                                   (right, ScriptedPolicy(generator.oracle_steps(other)).act),
                                   (by_cuisine, ScriptedPolicy(generator.oracle_steps(by_cuisine)).act),
                                   (notify_task, ScriptedPolicy(generator.oracle_steps(notify_task)).act)])

    with SitesInThread(["opendining"]):
        good, bad, cuisine, notified = asyncio.run(main())
    for result in (good, cuisine, notified):
        assert result.success, (result.task_id, result.status, result.error, result.actions)
        assert result.action_errors == 0, result.actions
    assert not bad.success and bad.error is None, (bad.status, bad.error)


def test_app_availability_matches_the_seed():
    """The slots the app offers (search page, every restaurant) are exactly the seed's free ones."""
    from playwright.async_api import async_playwright

    from halo_lib.env.browser import VIEWPORT, launch_browser
    from halo_lib.sites import site_url
    from halo_lib.sites.server import SitesInThread

    cases = [("2025-07-18", "19:00", "2 people"), ("2025-09-29", "12:00", "5 people")]

    async def main():
        out = []
        async with async_playwright() as pw:
            browser = await launch_browser(pw)
            page = await (await browser.new_context(viewport=VIEWPORT)).new_page()
            base = site_url("opendining")
            await page.goto(f"{base}/config?run_id=t&task_id=v2.opendining-1")
            await page.goto(f"{base}/")
            await page.get_by_role("button", name="Let's go").click()
            for day, hhmm, party in cases:
                await page.get_by_label("Date", exact=True).fill(day)
                await page.get_by_label("Time", exact=True).select_option(hhmm)
                await page.get_by_label("Party size").select_option(label=party)
                await page.wait_for_function(
                    "([d, t]) => HaloSite.state.ui.search.date === d && HaloSite.state.ui.search.time === t", arg=[day, hhmm])
                out.append(await page.evaluate(
                    "() => Object.fromEntries([...document.querySelectorAll('article.card')].map((a) => "
                    "[a.getAttribute('aria-label'), [...a.querySelectorAll('button.slot:not([disabled])')]"
                    ".map((b) => b.textContent)]))"))
            await browser.close()
        return out

    with SitesInThread(["opendining"]):
        shown = asyncio.run(main())
    for (day, hhmm, party), cards in zip(cases, shown):
        assert len(cards) == len(seed.RESTAURANTS)
        center = seed.minutes_of(hhmm)
        n = int(party.split()[0])
        for i, r in enumerate(seed.restaurants()):
            want = [seed.time_label(m) for m in range(center - 60, center + 61, 30)
                    if seed.is_available(i, r, day, m, n)]
            assert cards[r["name"]] == want, (r["name"], day, hhmm)


def test_finish_state_is_json_with_both_blocks():
    from halo_lib.sites.state import SessionStore

    store = SessionStore()
    initial = seed.initial_state("opendining-9")
    sid = store.create("r", "v2.opendining-9", initial)
    session = store.get(sid)
    session.state = reserve(initial, BOOKINGS["opendining-9"])
    body = json.loads(json.dumps(finish_state(SPEC, session)))
    assert set(body) == {"run_id", "task_id", "initialfinaldiff", "differences"}
    assert run_official_eval(get_task("v2.opendining-9"), body).success


def test_cancel_and_notify_through_the_ui_change_the_finish_state():
    """My reservations lists upcoming tables soonest first; Cancel deletes one; Notify me records the chosen time."""
    from playwright.async_api import async_playwright

    from halo_lib.env.browser import VIEWPORT, launch_browser
    from halo_lib.env.evaluation import read_finish_state, wait_site_idle
    from halo_lib.sites import site_url
    from halo_lib.sites.opendining.oracle import book, notify_evening_delight
    from halo_lib.sites.server import SitesInThread

    async def main():
        async with async_playwright() as pw:
            browser = await launch_browser(pw)
            context = await browser.new_context(viewport=VIEWPORT)
            page = await context.new_page()
            base = site_url("opendining")
            await page.goto(f"{base}/config?run_id=t&task_id=v2.opendining-20")
            await page.goto(f"{base}/")
            await book(page, BOOKINGS["opendining-9"])  # today 8 am: before Olive & Fig's July 26
            await page.get_by_role("button", name="View my reservations").click()
            rows = page.locator("li.res-row strong")
            await rows.first.wait_for()
            names = await rows.all_inner_texts()
            await page.get_by_role("button", name="Cancel reservation at Olive & Fig").click()
            await page.get_by_role("status").get_by_text("was cancelled").wait_for()
            await page.get_by_role("link", name="OpenDining home").click()
            await notify_evening_delight(page)
            await wait_site_idle(page)
            state = await read_finish_state(context, base)
            await browser.close()
            return names, state

    with SitesInThread(["opendining"]):
        names, state = asyncio.run(main())
    assert names[:2] == ["Sunrise Diner", "Olive & Fig"]  # upcoming, soonest first; then the past ones
    diff = state["initialfinaldiff"]
    assert diff["deleted"]["booking"]["bookingDetails"] == {"2": None}
    assert diff["added"]["booking"]["bookingDetails"]["3"]["time"] == "8:00 AM"
    (note,) = diff["added"]["notification"]["notifications"].values()
    assert (note["restaurantName"], note["time"], note["guests"]) == ("Evening Delight", "5:00 PM", "2 people")
    assert list(state["differences"]["reservations"]["deleted"]) == ["2"]
    assert run_official_eval(get_task("v2.opendining-20"), state).success
