"""The UI routes through Udriver, written once: as element-action plans (``steps``) and as Playwright drivers
(``drive``) for the oracles. A route is a ``Ride`` (search, maybe choose and book) and/or a wallet action."""

from __future__ import annotations

from dataclasses import dataclass

from halo_lib.policies.scripted import Step, node
from halo_lib.sites.udriver import seed

DEFAULT_CAR = seed.CAR_TYPES[0]


def place_label(pid: int) -> str:
    """A place as its suggestion reads: ``1 Hotel San Francisco - 8 Mission St, San Francisco, CA 94105, USA``."""
    loc = seed.location_by_id(pid)
    return f"{loc['name']} - {loc['formattedAddress']}"


def place_query(pid: int) -> str:
    """What to type to find the place: its name, with the street where several places share the name."""
    loc = seed.location_by_id(pid)
    same_name = sum(1 for row in seed.PLACES if row[2] == loc["name"])
    return loc["name"] if same_name == 1 else f"{loc['name']} {loc['address']}"


@dataclass(frozen=True)
class Ride:
    """Pickup and drop-off (place ids), when, and what to book (``book=False``: only See prices)."""

    pickup: int
    dropoff: int
    car: str = DEFAULT_CAR
    payment: str | None = None
    """A payment method's display name (``Cash``, ``Visa •••• 4242``); None keeps the default (Udriver
    Credits)."""
    date: str | None = None
    """A scheduled ride's day as the date list shows it (``Thu, Jul 18``); None: pickup now."""
    time: str | None = None
    """A scheduled ride's time (``3:30 PM``)."""
    book: bool = True


def topup_steps(amount: int) -> list[Step]:
    return [Step("click", node("link", "Wallet")), Step("click", node("button", f"${amount}")),
            Step("click", node("button", "Add credits"))]


def default_steps(display_name: str) -> list[Step]:
    return [Step("click", node("link", "Wallet")),
            Step("click", node("button", f"Set {display_name} as default"))]


def ride_steps(r: Ride, from_home: bool = True) -> list[Step]:
    steps = [] if from_home else [Step("click", node("link", "Ride"))]
    steps += [Step("fill", node("textbox", "Pickup location"), place_query(r.pickup)),
              Step("click", node("option", place_label(r.pickup))),
              Step("fill", node("textbox", "Dropoff location"), place_query(r.dropoff)),
              Step("click", node("option", place_label(r.dropoff)))]
    if r.date:
        steps += [Step("select_option", node("combobox", "When"), "Schedule for later"),
                  Step("select_option", node("combobox", "Pickup date"), r.date),
                  Step("select_option", node("combobox", "Pickup time"), r.time)]
    steps.append(Step("click", node("button", "See prices")))
    if not r.book:
        return steps
    if r.car != DEFAULT_CAR:
        steps.append(Step("click", node("button", f"{r.car},", prefix=True)))
    if r.payment:
        steps.append(Step("select_option", node("combobox", "Payment method"), r.payment))
    verb = "Schedule" if r.date else "Request"
    return steps + [Step("click", node("button", f"{verb} {r.car}"))]


# ---------------------------------------------------------------------------------------------------- Playwright
async def ready(page) -> None:
    await page.get_by_role("link", name="Wallet", exact=True).wait_for()
    await page.wait_for_function("() => window.HaloSite && window.HaloSite.idle()")


async def drive_topup(page, amount: int) -> None:
    await ready(page)
    await page.get_by_role("link", name="Wallet", exact=True).click()
    await page.get_by_role("button", name=f"${amount}", exact=True).click()
    await page.get_by_role("button", name="Add credits", exact=True).click()
    await page.get_by_role("status").get_by_text(f"Added ${amount:.2f}").wait_for()


async def drive_default(page, display_name: str) -> None:
    await ready(page)
    await page.get_by_role("link", name="Wallet", exact=True).click()
    await page.get_by_role("button", name=f"Set {display_name} as default", exact=True).click()
    await page.get_by_role("status").get_by_text("is now your default").wait_for()


async def drive_ride(page, r: Ride) -> None:
    await ready(page)
    if not await page.get_by_role("textbox", name="Pickup location").count():
        await page.get_by_role("link", name="Ride", exact=True).click()
    for which, pid in (("Pickup location", r.pickup), ("Dropoff location", r.dropoff)):
        await page.get_by_role("textbox", name=which, exact=True).fill(place_query(pid))
        await page.get_by_role("option", name=place_label(pid), exact=True).click()
    if r.date:
        await page.get_by_role("combobox", name="When", exact=True).select_option(label="Schedule for later")
        await page.get_by_role("combobox", name="Pickup date", exact=True).select_option(label=r.date)
        await page.get_by_role("combobox", name="Pickup time", exact=True).select_option(label=r.time)
    await page.get_by_role("button", name="See prices", exact=True).click()
    await page.get_by_role("heading", name="Choose a ride").wait_for()
    if not r.book:
        return
    if r.car != DEFAULT_CAR:
        await page.get_by_role("button", name=f"{r.car},").first.click()
    if r.payment:
        await page.get_by_role("combobox", name="Payment method", exact=True).select_option(label=r.payment)
    verb = "Schedule" if r.date else "Request"
    await page.get_by_role("button", name=f"{verb} {r.car}", exact=True).click()
    await page.get_by_text("Ride scheduled" if r.date else "Ride complete", exact=True).wait_for()
