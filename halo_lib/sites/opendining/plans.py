"""OpenDining's v2 tasks as element-action plans (see ``halo_lib.sites.plans``), on the oracles' UI routes."""

from __future__ import annotations

from halo_lib.policies.scripted import Step, node
from halo_lib.sites.opendining.oracle import BOOKINGS, NOTIFY_EVENING_DELIGHT, RESERVE, Booking, answer
from halo_lib.sites.opendining.seed import TODAY, guests_label, time_label

# A date <input>: HALO's tree calls it a textbox, Chromium's (BrowserGym's) Date; the search box a searchbox.
DATE_INPUT, SEARCH_INPUT = "(?:textbox|Date)", "(?:searchbox|textbox)"
CARD = node("complementary", RESERVE)


def open_restaurant(name: str) -> list[Step]:
    return [Step("fill", node(SEARCH_INPUT, "Location, Restaurant, or Cuisine"), name),
            Step("click", node("button", "Let's go")),
            Step("click", node("link", name))]


def choose(b: Booking) -> list[Step]:
    """Party size, date and time (only those that differ from the pickers' defaults: 2 people, today)."""
    steps = []
    if b.party != 2:
        steps.append(Step("select_option", node("combobox", "Party size"), guests_label(b.party)))
    if b.day != TODAY:
        steps.append(Step("fill", node(DATE_INPUT, "Date"), b.day))
    return steps + [Step("select_option", node("combobox", "Time"), time_label(b.minutes))]


def book_steps(b: Booking) -> list[Step]:
    """Pick the slot, fill the occasion if any, Complete reservation (no final answer)."""
    slot = node("button", time_label(b.minutes))
    if b.via_card:
        steps = choose(b) + [Step("click", slot, within=node("article", b.restaurant))]
    else:
        steps = open_restaurant(b.restaurant) + choose(b) + [Step("click", slot, within=CARD)]
    if b.occasion:
        steps.append(Step("select_option", node("combobox", "Occasion"), b.occasion))
    return steps + [Step("click", node("button", "Complete reservation"))]


def book(key: str) -> list[Step]:
    b = BOOKINGS[key]
    return book_steps(b) + [Step("send_msg_to_user", value=answer(b))]


PLANS: dict[str, list[Step]] = {name: book(name) for name in BOOKINGS if name.startswith("opendining-")}
PLANS["opendining-20"] = open_restaurant("Evening Delight") + [
    Step("select_option", node("combobox", "Time"), time_label(NOTIFY_EVENING_DELIGHT)),
    Step("click", node("button", "Notify me")),
    Step("send_msg_to_user", value="Evening Delight has no table at 5:00 PM; you will be notified when one opens up."),
]
