"""Oracle and wrong solutions for OpenDining's v2 tasks, driven through the UI only.

Today on the site is Friday July 18, 2025 (Pacific, 6:30 am): every time of the day is still ahead. A booking is
``Booking(restaurant, day, minutes, party, occasion)``; ``BOOKINGS`` names every one the oracles and wrong solutions
make, so a test can check that each slot is free in the seed (``seed.is_available``).

Where the official scripts are lenient, the wrong solutions stay inside what the goal's words rule out (another
hour, another cuisine, a lower rating, no occasion, another party size), never what only the script rules out.
"""

from __future__ import annotations

from typing import NamedTuple

from halo_lib.sites.opendining.seed import TODAY, guests_label, time_label
from halo_lib.sites.oracle import Oracle


class Booking(NamedTuple):
    restaurant: str
    day: str = TODAY
    minutes: int = 19 * 60
    party: int = 2
    occasion: str = ""
    via_card: bool = False
    """Book from the restaurant's card on the page shown (the home page's "Top rated restaurants people are talking
    about" for opendining-4, a search page), with that page's pickers, instead of from the restaurant's page."""


BOOKINGS: dict[str, Booking] = {
    # the oracles
    "opendining-1": Booking("Bella Notte", minutes=15 * 60),
    "opendining-2": Booking("The Golden Fork", minutes=19 * 60 + 30, occasion="Birthday"),
    "opendining-4": Booking("Le Petit Jardin", minutes=21 * 60, via_card=True),
    "opendining-5": Booking("Sakura House", minutes=19 * 60 + 30, occasion="Birthday"),
    "opendining-6": Booking("Trattoria Roma", minutes=13 * 60 + 30),
    "opendining-7": Booking("Pier Seven Oyster Bar", minutes=19 * 60),
    "opendining-9": Booking("Sunrise Diner", minutes=8 * 60),
    "opendining-12": Booking("River View Cafe", day="2025-09-29", minutes=15 * 60, party=5),
    "opendining-17": Booking("Hearth & Barrel", day="2025-09-22", minutes=20 * 60, party=6, occasion="Business meal"),
    "opendining-24": Booking("Trattoria Roma", minutes=12 * 60 + 30),
    # the wrong solutions
    "1-at-4pm": Booking("Bella Notte", minutes=16 * 60),
    "1-american": Booking("The Golden Fork", minutes=15 * 60),
    "2-no-occasion": Booking("The Golden Fork", minutes=19 * 60 + 30),
    "2-italian": Booking("Trattoria Roma", minutes=19 * 60 + 30, occasion="Birthday"),
    "4-low-rated": Booking("Cantina Luna", minutes=21 * 60),
    "4-at-8-30": Booking("Le Petit Jardin", minutes=20 * 60 + 30, via_card=True),
    "5-under-4-stars": Booking("Golden Dragon Palace", minutes=19 * 60, occasion="Birthday"),
    "5-no-occasion": Booking("Sakura House", minutes=19 * 60 + 30),
    "6-tomorrow": Booking("Trattoria Roma", day="2025-07-19", minutes=13 * 60 + 30),
    "6-at-2-30": Booking("Trattoria Roma", minutes=14 * 60 + 30),
    "7-mission": Booking("Casa Azul", minutes=19 * 60),
    "9-low-rated": Booking("Morning Glory Griddle", minutes=8 * 60),
    "9-at-10-30": Booking("Sunrise Diner", minutes=10 * 60 + 30),
    "12-four-people": Booking("River View Cafe", day="2025-09-29", minutes=15 * 60, party=4),
    "12-at-3-30": Booking("River View Cafe", day="2025-09-29", minutes=15 * 60 + 30, party=5),
    "17-no-occasion": Booking("Hearth & Barrel", day="2025-09-22", minutes=20 * 60, party=6),
    "17-four-people": Booking("Hearth & Barrel", day="2025-09-22", minutes=20 * 60, party=4, occasion="Business meal"),
    "20-at-6pm": Booking("Evening Delight", minutes=18 * 60),
    "24-at-noon": Booking("Bella Notte", minutes=12 * 60),
    "24-mexican": Booking("Casa Azul", minutes=12 * 60 + 30),
}
NOTIFY_EVENING_DELIGHT = 17 * 60
"""opendining-20: Evening Delight's 5 pm is always full (seed.FULLY_BOOKED): the oracle asks to be notified."""

HOME_HEADING = "Find your table for any occasion"
RESERVE = "Make a reservation"


async def _ready(page) -> None:
    await page.get_by_role("heading", name=HOME_HEADING).wait_for()


async def open_restaurant(page, name: str) -> None:
    """Search for the restaurant by name from the home page and open its page."""
    await _ready(page)
    await page.get_by_label("Location, Restaurant, or Cuisine").fill(name)
    await page.get_by_role("button", name="Let's go").click()
    await page.get_by_role("link", name=name, exact=True).click()
    await page.get_by_role("heading", name=RESERVE).wait_for()


async def _choose(scope, b: Booking) -> None:
    """Party size, date and time in the pickers of ``scope`` (the reservation card or the home search bar)."""
    if b.party != 2:
        await scope.get_by_label("Party size").select_option(label=guests_label(b.party))
    if b.day != TODAY:
        await scope.get_by_label("Date", exact=True).fill(b.day)
    await scope.get_by_label("Time", exact=True).select_option(label=time_label(b.minutes))


async def book(page, b: Booking) -> None:
    if b.via_card:
        await page.locator(".pickers").first.wait_for()
        await _choose(page.locator(".pickers").first, b)
        card = page.get_by_role("article", name=b.restaurant, exact=True)
        await card.get_by_role("button", name=time_label(b.minutes), exact=True).click()
    else:
        await open_restaurant(page, b.restaurant)
        card = page.get_by_role("complementary", name=RESERVE)
        await _choose(card, b)
        await card.get_by_role("button", name=time_label(b.minutes), exact=True).click()
    await page.get_by_role("heading", name="You're almost done!").wait_for()
    if b.occasion:
        await page.get_by_label("Occasion").select_option(label=b.occasion)
    await page.get_by_role("button", name="Complete reservation").click()
    await page.get_by_role("heading", name="Reservation confirmed").wait_for()


def answer(b: Booking) -> str:
    return f"Booked {b.restaurant} for {guests_label(b.party)} on {b.day} at {time_label(b.minutes)}."


def _booker(key: str):
    async def solve(page):
        b = BOOKINGS[key]
        await book(page, b)
        return answer(b)
    return solve


async def notify_evening_delight(page, minutes: int = NOTIFY_EVENING_DELIGHT) -> str:
    await open_restaurant(page, "Evening Delight")
    card = page.get_by_role("complementary", name=RESERVE)
    await card.get_by_label("Time", exact=True).select_option(label=time_label(minutes))
    await card.get_by_role("button", name="Notify me").click()
    await page.get_by_role("status").get_by_text("You're on the notify list").wait_for()
    return f"Evening Delight has no table at {time_label(minutes)}; you will be notified when one opens up."


async def _notify_6pm(page) -> str:
    return await notify_evening_delight(page, 18 * 60)


def _o(task: str, *wrong: str, nothing: bool = False) -> Oracle:
    return Oracle.named(_booker, task, *wrong, nothing=nothing)


ORACLES: dict[str, Oracle] = {
    "opendining-1": _o("opendining-1", "1-at-4pm", "1-american"),
    "opendining-2": _o("opendining-2", "2-no-occasion", "2-italian"),
    "opendining-4": _o("opendining-4", "4-low-rated", "4-at-8-30"),
    "opendining-5": _o("opendining-5", "5-under-4-stars", "5-no-occasion"),
    "opendining-6": _o("opendining-6", "6-tomorrow", "6-at-2-30"),
    "opendining-7": _o("opendining-7", "7-mission", nothing=True),
    "opendining-9": _o("opendining-9", "9-low-rated", "9-at-10-30"),
    "opendining-12": _o("opendining-12", "12-four-people", "12-at-3-30"),
    "opendining-17": _o("opendining-17", "17-no-occasion", "17-four-people"),
    "opendining-20": Oracle(notify_evening_delight, wrong=(("books 6 pm instead", _booker("20-at-6pm")),
                                                           ("asks to be notified for 6 pm", _notify_6pm))),
    "opendining-24": _o("opendining-24", "24-at-noon", "24-mexican"),
}
