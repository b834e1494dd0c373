"""Staynb local site: seed data the official scripts rely on, the ``/finish`` shape, bad input, the official scripts
on hand-made states (each v2 task's search passes, an untouched state and a booking attempt fail), the ``book``
training family (its REAL exclusions and its check), and in one browser: a booking through the UI (totals, state),
payment errors, an impossible date range, and a generated task's route passing its check while its twin fails."""

from __future__ import annotations

import asyncio
import copy

import pytest
from starlette.testclient import TestClient

from halo_lib.env.evaluation import read_finish_state, run_official_eval, wait_site_idle
from halo_lib.real_tasks import get_task, list_tasks
from halo_lib.rl.rewards import milestones_for, reached_milestones
from halo_lib.sites.server import build_app
from halo_lib.sites.state import deep_diff
from halo_lib.sites.staynb import SPEC, seed
from halo_lib.sites.staynb.differences import differences
from halo_lib.sites.staynb.oracle import ORACLES, TRIPS, Trip, act, search
from halo_lib.sites.staynb.plans import PLANS
from halo_lib.tasks import generator

REAL = [t.name for t in list_tasks(site="staynb")]


def applied(state: dict, t: Trip) -> dict:
    """What the app's Search (and Filters' Show places) writes for trip ``t`` (app.js ``runSearch``), on a copy."""
    state = copy.deepcopy(state)
    g = {"Adults": t.adults, "Children": t.children, "Infants": 0, "Pets": 0}
    state["search"] = {"appliedDestination": t.place,
                       "appliedDates": {"startDate": seed.date_value(t.check_in), "endDate": seed.date_value(t.check_out)},
                       "appliedGuestCounts": g,
                       "recentSearches": {"0": {"destination": t.place, "dates": {}, "guests": seed.guests_label(t.adults + t.children)}}}
    if t.filtered:
        state["search"]["appliedFilters"] = {"priceMin": 0, "priceMax": 1000, "bedrooms": t.bedrooms, "beds": t.beds,
                                             "bathrooms": 0, "types": [], "amenities": list(t.amenities)}
    if t.then == "wishlist":
        state["wishlist"]["wishlists"]["0"] = {"id": "wl-0", "name": t.wishlist,
                                               "stays": [seed.stay_summary(seed.by_title(t.listing))], "createdAt": "x"}
    return state


def _finish(initial: dict, final: dict) -> dict:
    return {"run_id": "t", "task_id": "t", "initialfinaldiff": deep_diff(initial, final),
            "differences": differences(initial, final)}


def test_seed_is_fresh_deterministic_and_rich():
    a, b = seed.initial_state("staynb-1"), seed.initial_state(None)
    assert a == b and a is not b and a["listings"] is not b["listings"]
    assert len(a["listings"]) >= 50 and len({l["destination"] for l in a["listings"]}) >= 15
    assert len({l["id"] for l in a["listings"]}) == len(a["listings"])
    # search and wishlists start empty: what the scripts read must show up under initialfinaldiff.added
    assert a["search"] == {} and a["wishlist"] == {"wishlists": {}}
    assert a["booking"]["currentBooking"] is None and a["booking"]["isBooking"] is False
    # every oracle's search finds at least one place, and the listing it acts on is among them
    for name in REAL:
        t = TRIPS[name]
        found = [l for l in a["listings"] if l["destination"] == t.place and l["rooms"]["guests"] >= t.adults + t.children
                 and l["rooms"]["bedrooms"] >= t.bedrooms and l["rooms"]["beds"] >= t.beds
                 and all(x in l["amenities"] for x in t.amenities)]
        assert found, name
        if t.listing:
            assert t.listing in {l["title"] for l in found}, name
    assert not any(p.lower().endswith(", usa") for p in seed.PLACES)  # eval_staynb_4's lenient path stays shut


def test_price_breakdown():
    cabin = seed.by_title("Cabin in the woods")  # $185 a night
    assert seed.price_breakdown(cabin, "2024-08-01", "2024-08-05") == {
        "nights": 4, "subtotal": 740, "cleaningFee": 22, "serviceFee": 104, "total": 866}


def test_official_scripts_pass_each_oracle_search_and_fail_an_untouched_or_booked_state():
    initial = seed.initial_state()
    untouched = _finish(initial, initial)
    for name in REAL:
        task = get_task(f"v2.{name}")
        assert run_official_eval(task, _finish(initial, applied(initial, TRIPS[name]))).success, name
        assert not run_official_eval(task, untouched).success, name
    # a booking attempt (Reserve pressed) fails the "just show me" tasks
    for name in ("staynb-9", "staynb-12", "staynb-15"):
        final = applied(initial, TRIPS[name])
        final["booking"].update(isBooking=True, currentBooking={"listing": {"id": "x"}})
        assert not run_official_eval(get_task(f"v2.{name}"), _finish(initial, final)).success, name
    # the differences block never offers a 'search'/'booking'/'config' key to the scripts' fallbacks
    assert not {"search", "booking", "config"} & set(differences(initial, initial))


def test_every_task_has_an_oracle_with_wrong_solutions_and_a_plan():
    assert set(ORACLES) == set(REAL) == set(PLANS)
    assert all(len(o.wrong) >= 2 for o in ORACLES.values())


def test_config_finish_and_bad_input():
    client = TestClient(build_app(SPEC))
    assert client.get("/finish").status_code == 409  # nothing configured yet
    assert client.get("/config").status_code == 400  # task_id missing
    assert client.get("/config?task_id=v2.staynb-99").status_code == 404
    assert client.get("/config?task_id=v2.gomail-1").status_code == 404  # another site's task
    assert client.get("/config?task_id=v2.staynb-1&latency=-5").status_code == 400
    assert client.get("/config?run_id=r1&task_id=v2.staynb-1").status_code == 200
    assert client.get("/finish?x=1").status_code == 400
    state = client.get("/api/state").json()["state"]
    assert client.get("/api/state").json()["clock"]["now"] == seed.NOW
    assert client.post("/api/state", content=b"not json").status_code == 400
    assert client.post("/api/state", json={"state": {"search": {}}}).status_code == 400  # keys missing
    bad = copy.deepcopy(state)
    bad["booking"]["bookingDetails"] = ["x"]
    assert client.post("/api/state", json={"state": bad}).status_code == 400  # wrong shape
    good = applied(state, TRIPS["staynb-6"])
    assert client.post("/api/state", json={"state": good}).status_code == 200
    body = client.get("/api/finish").json()
    added = body["initialfinaldiff"]["added"]
    assert added["search"]["appliedDestination"] == "Cape Town, South Africa"
    assert isinstance(added["wishlist"]["wishlists"]["0"]["stays"], list)
    assert body["differences"]["wishlists"]["added"]["0"]["name"] == "Cape Town"
    assert run_official_eval(get_task("v2.staynb-6"), body).success


def test_book_family_leaves_out_real_searches_and_checks_strictly():
    combos = generator._combos("staynb", "book")
    assert len(combos) >= 500
    assert not any((p["place"], p["check_in"], p["check_out"]) == ("Cape Town, South Africa", "2024-10-01", "2024-10-06")
                   for p in combos)
    assert any(p["place"] == "Cape Town, South Africa" for p in combos)
    # eval_staynb_15 passes any search of San Jose, Costa Rica that books nothing: no search/wishlist task goes there
    for fam in ("search", "wishlist"):
        kept = generator._combos("staynb", fam)
        assert kept and not any(p["place"] == "San Jose, Costa Rica" for p in kept)
        assert not any((p["place"], p["check_in"]) == ("Austria", "2024-08-01") and p["check_out"] == "2024-08-05"
                       for p in kept)
    task = generator.make_task("staynb", "book", 0)
    assert task.params["listing"] in task.goal and milestones_for(task)
    nothing = {"initialfinaldiff": {"added": {}, "updated": {}, "deleted": {}}, "differences": {}}
    assert not task.check(nothing, "")


# ---------- in one browser ----------
@pytest.fixture(scope="module")
def browser_runs():
    """Three UI runs in one browser: a generated book task's route, a bad date range, a payment with bad fields."""
    from playwright.async_api import async_playwright

    from halo_lib.env.browser import VIEWPORT, launch_browser
    from halo_lib.sites.server import SitesInThread

    task = next(t for t in generator.generate_tasks("staynb", 40, seed=2) if t.params["guests"] > 1)
    p = task.params
    trip = Trip(p["place"], p["check_in"], p["check_out"], adults=p["guests"], listing=p["listing"], then="book")
    base = task.url("local")

    async def run():
        out = {}
        async with async_playwright() as pw:
            browser = await launch_browser(pw)
            try:
                async def fresh(task_id):
                    ctx = await browser.new_context(viewport=VIEWPORT)
                    page = await ctx.new_page()
                    await page.goto(f"{base}/config?run_id=t&task_id={task_id}")
                    await page.goto(f"{base}/")
                    return ctx, page

                ctx, page = await fresh(task.id)
                await search(page, trip)
                await act(page, trip)
                await wait_site_idle(page)
                out["book"] = await read_finish_state(ctx, base)
                await ctx.close()

                ctx, page = await fresh("v2.staynb-1")
                await page.get_by_label("Where", exact=True).fill("Austria")
                await page.get_by_label("Check in", exact=True).fill("2024-08-05")
                await page.get_by_label("Check out", exact=True).fill("2024-08-01")
                await page.get_by_role("button", name="Search", exact=True).click()
                out["range_toast"] = await page.get_by_role("status").inner_text()
                await wait_site_idle(page)
                out["range"] = await read_finish_state(ctx, base)
                await ctx.close()

                ctx, page = await fresh("v2.staynb-12")
                await search(page, Trip("Delhi, India", "2024-09-07", "2024-09-09", adults=2))
                await act(page, Trip("Delhi, India", "2024-09-07", "2024-09-09", adults=2,
                                     listing="Hauz Khas apartment", then="reserve"))
                await page.get_by_label("Card number", exact=True).fill("4242")
                await page.get_by_label("Expiration", exact=True).fill("01/23")
                await page.get_by_role("button", name="Confirm and pay").click()
                await page.get_by_role("alert").first.wait_for()
                await wait_site_idle(page)
                out["pay"] = await read_finish_state(ctx, base)
                await ctx.close()
            finally:
                await browser.close()
        return out

    with SitesInThread(["staynb"]):
        return task, asyncio.run(run())


def test_a_generated_booking_passes_its_check_and_its_twin_fails(browser_runs):
    task, out = browser_runs
    p, state = task.params, out["book"]
    assert task.check(state, "")
    assert reached_milestones(task, state) == [m.name for m in milestones_for(task)]
    new = state["initialfinaldiff"]["added"]["booking"]["bookingDetails"]
    (trip,) = new.values()
    listing = seed.by_title(p["listing"])
    assert trip["price"] == seed.price_breakdown(listing, p["check_in"], p["check_out"])
    assert trip["guests"]["Adults"] == p["guests"] and trip["status"] == "upcoming"
    twin = generator.GeneratedTask(**{**task.__dict__, "params": {**p, "guests": 1}})
    assert not twin.check(state, "")
    later = generator.GeneratedTask(**{**task.__dict__, "params": {**p, "check_out": "2025-12-31"}})
    assert not later.check(state, "")


def test_a_checkout_before_checkin_is_refused(browser_runs):
    _, out = browser_runs
    assert "before check-in" in out["range_toast"]
    assert "search" not in out["range"]["initialfinaldiff"]["added"]


def test_bad_card_fields_are_errors_and_fail_a_show_me_task(browser_runs):
    _, out = browser_runs
    booking = out["pay"]["initialfinaldiff"]["updated"]["booking"]
    assert booking["errors"]["cardNumber"] and booking["errors"]["expiration"] and booking["errors"]["cvv"]
    assert booking["isBooking"] is True
    assert not run_official_eval(get_task("v2.staynb-12"), out["pay"]).success
