"""Staynb's v2 tasks as element-action plans (see ``halo_lib.sites.plans``), on the oracles' UI routes."""

from __future__ import annotations

from halo_lib.policies.scripted import Step, node
from halo_lib.sites.staynb.oracle import CARD, GROUP_CHAT, TRIPS, Trip, answer

# A date <input>: HALO's tree calls it a textbox, Chromium's (BrowserGym's) Date; the Where box a searchbox.
DATE_INPUT, SEARCH_INPUT = "(?:textbox|Date)", "(?:searchbox|textbox)"
FILTERS = node("dialog", "Filters")


def search_steps(t: Trip) -> list[Step]:
    """The pill, then the Filters dialog when the trip filters (ends on the results page)."""
    steps = [Step("fill", node(SEARCH_INPUT, "Where"), t.place)]
    if t.check_in:
        steps += [Step("fill", node(DATE_INPUT, "Check in"), t.check_in),
                  Step("fill", node(DATE_INPUT, "Check out"), t.check_out)]
    if t.adults or t.children:
        steps.append(Step("click", node("button", "Who")))
        steps += [Step("click", node("button", "Increase Adults"))] * t.adults
        steps += [Step("click", node("button", "Increase Children"))] * t.children
    steps.append(Step("click", node("button", "Search")))
    if t.filtered:
        steps.append(Step("click", node("button", "Filters", prefix=True)))
        steps += [Step("click", node("button", "Increase Bedrooms"), within=FILTERS)] * t.bedrooms
        steps += [Step("click", node("button", "Increase Beds"), within=FILTERS)] * t.beds
        steps += [Step("click", node("checkbox", a), within=FILTERS) for a in t.amenities]
        steps.append(Step("click", node("button", "Show places"), within=FILTERS))
    return steps


def act_steps(t: Trip) -> list[Step]:
    if t.then == "wishlist":
        return [Step("click", node("button", f"Save {t.listing} to a wishlist")),
                Step("fill", node("textbox", "Wishlist name"), t.wishlist),
                Step("click", node("button", "Create"))]
    steps = [Step("click", node("link", t.listing))]
    if t.then == "share":
        return steps + [Step("click", node("button", "Share")), Step("click", node("button", "Messages")),
                        Step("click", node("button", GROUP_CHAT))]
    steps.append(Step("click", node("button", "Reserve"), within=node("complementary", "Reserve")))
    if t.then == "book":
        steps += [Step("fill", node("textbox", label), value) for label, value in CARD.items()]
        steps.append(Step("click", node("button", "Confirm and pay")))
    return steps


def trip_steps(t: Trip) -> list[Step]:
    return search_steps(t) + (act_steps(t) if t.then else [])


def plan(key: str) -> list[Step]:
    t = TRIPS[key]
    return trip_steps(t) + [Step("send_msg_to_user", value=answer(t))]


PLANS: dict[str, list[Step]] = {name: plan(name) for name in TRIPS if name.startswith("staynb-")}
