"""Oracle and wrong solutions for Staynb's v2 tasks, driven through the UI only.

Today on the site is Thursday July 18, 2024. A solution is a :class:`Trip`: the search pill (where, check in,
check out, who), then optionally the Filters dialog, then optionally one thing done to a listing (save it to a new
wishlist, share it, reserve it, or reserve and pay). ``TRIPS`` names every one the oracles and wrong solutions use.

Where the official scripts are lenient (eval_staynb_17 passes a search with no filter applied at all), the wrong
solutions stay inside what the goal's words rule out (another guest count, other dates, a missing amenity, a
booking when only a search was asked for), never what only the script rules out.
"""

from __future__ import annotations

from typing import NamedTuple

from halo_lib.sites.oracle import Oracle
from halo_lib.sites.staynb.seed import TODAY


class Trip(NamedTuple):
    place: str
    check_in: str = ""
    check_out: str = ""
    adults: int = 0
    children: int = 0
    bedrooms: int = 0
    beds: int = 0
    amenities: tuple[str, ...] = ()
    listing: str = ""
    """The listing acted on (by its title), with ``then``."""
    then: str = ""
    """"" (search only), "wishlist" (save to a new wishlist named ``wishlist``), "share" (Messages -> Group chat),
    "reserve" (Reserve, stop at Confirm and pay), "book" (Reserve, pay with a valid card)."""
    wishlist: str = "Trip ideas"

    @property
    def filtered(self) -> bool:
        return bool(self.bedrooms or self.beds or self.amenities)


WIFI, PARKING, AC, POOL = "Wifi", "Free parking", "Air conditioning", "Pool"
CARD = {"Card number": "4242 4242 4242 4242", "Expiration": "12/27", "CVV": "123", "ZIP code": "94103"}
GROUP_CHAT = "Group chat"

TRIPS: dict[str, Trip] = {
    # the oracles
    "staynb-1": Trip("Austria", "2024-08-01", "2024-08-05", adults=2, children=1, bedrooms=2),
    "staynb-4": Trip("San Francisco, California", "2024-09-27", "2024-09-29", adults=2, amenities=(WIFI,)),
    "staynb-5": Trip("Paris, France", "2024-10-15", "2024-10-19", adults=3, amenities=(WIFI, PARKING, AC)),
    "staynb-6": Trip("Cape Town, South Africa", "2024-10-01", "2024-10-06", adults=4, bedrooms=2, beds=2,
                     amenities=(WIFI,), listing="Bo-Kaap cottage", then="wishlist", wishlist="Cape Town"),
    "staynb-9": Trip("Nearby", TODAY, TODAY, amenities=(POOL, WIFI, PARKING, AC)),
    "staynb-12": Trip("Delhi, India", "2024-09-07", "2024-09-09", adults=2),
    "staynb-13": Trip("Miami, Florida", "2024-07-18", "2024-07-18"),
    "staynb-14": Trip("Rome, Italy", "2025-01-03", "2025-01-05", adults=4, bedrooms=2, amenities=(WIFI,)),
    "staynb-15": Trip("San Jose, Costa Rica"),
    "staynb-17": Trip("Provence, France", "2024-08-01", "2024-08-04", adults=2, children=1, amenities=(WIFI,)),
    "staynb-19": Trip("Vancouver, Canada", "2024-11-15", "2024-11-18", adults=5, listing="Kitsilano house",
                      then="share"),
    # the wrong solutions
    "1-forgot-the-child": Trip("Austria", "2024-08-01", "2024-08-05", adults=2, bedrooms=2),
    "1-to-the-4th": Trip("Austria", "2024-08-01", "2024-08-04", adults=2, children=1, bedrooms=2),
    "4-no-wifi": Trip("San Francisco, California", "2024-09-27", "2024-09-29", adults=2),
    "4-one-guest": Trip("San Francisco, California", "2024-09-27", "2024-09-29", adults=1, amenities=(WIFI,)),
    "5-no-ac": Trip("Paris, France", "2024-10-15", "2024-10-19", adults=3, amenities=(WIFI, PARKING)),
    "5-books-it": Trip("Paris, France", "2024-10-15", "2024-10-19", adults=3, amenities=(WIFI, PARKING, AC),
                       listing="Marais family apartment", then="book"),
    "6-one-bedroom": Trip("Cape Town, South Africa", "2024-10-01", "2024-10-06", adults=4, amenities=(WIFI,),
                          listing="Sea Point studio", then="wishlist", wishlist="Cape Town"),
    "6-three-guests": Trip("Cape Town, South Africa", "2024-10-01", "2024-10-06", adults=3, bedrooms=2, beds=2,
                           amenities=(WIFI,), listing="Bo-Kaap cottage", then="wishlist", wishlist="Cape Town"),
    "9-no-parking": Trip("Nearby", TODAY, TODAY, amenities=(POOL, WIFI, AC)),
    "9-in-san-francisco": Trip("San Francisco, California", TODAY, TODAY, amenities=(POOL, WIFI, PARKING, AC)),
    "12-starts-checkout": Trip("Delhi, India", "2024-09-07", "2024-09-09", adults=2, listing="Hauz Khas apartment",
                               then="reserve"),
    "12-to-the-10th": Trip("Delhi, India", "2024-09-07", "2024-09-10", adults=2),
    "13-july-19": Trip("Miami, Florida", "2024-07-19", "2024-07-19"),
    "14-no-bedroom-filter": Trip("Rome, Italy", "2025-01-03", "2025-01-05", adults=4, amenities=(WIFI,)),
    "14-second-weekend": Trip("Rome, Italy", "2025-01-10", "2025-01-12", adults=4, bedrooms=2, amenities=(WIFI,)),
    "15-san-jose-california": Trip("San Jose, California"),
    "15-starts-checkout": Trip("San Jose, Costa Rica", listing="Barrio Amon loft", then="reserve"),
    "17-three-adults": Trip("Provence, France", "2024-08-01", "2024-08-04", adults=3, amenities=(WIFI,)),
    "17-to-the-5th": Trip("Provence, France", "2024-08-01", "2024-08-05", adults=2, children=1, amenities=(WIFI,)),
    "19-four-people": Trip("Vancouver, Canada", "2024-11-15", "2024-11-18", adults=4, listing="Kitsilano house",
                           then="share"),
}


async def search(page, t: Trip) -> None:
    """The pill (and the Filters dialog): ends on the results page."""
    await page.get_by_label("Where", exact=True).wait_for()
    await page.get_by_label("Where", exact=True).fill(t.place)
    if t.check_in:
        await page.get_by_label("Check in", exact=True).fill(t.check_in)
        await page.get_by_label("Check out", exact=True).fill(t.check_out)
    if t.adults or t.children:
        await page.get_by_role("button", name="Who", exact=True).click()
        for kind, n in (("Adults", t.adults), ("Children", t.children)):
            for _ in range(n):
                await page.get_by_role("button", name=f"Increase {kind}", exact=True).click()
    await page.get_by_role("button", name="Search", exact=True).click()
    await page.get_by_role("button", name="Filters").wait_for()
    if t.filtered:
        await page.get_by_role("button", name="Filters").click()
        dialog = page.get_by_role("dialog", name="Filters")
        for kind, n in (("Bedrooms", t.bedrooms), ("Beds", t.beds)):
            for _ in range(n):
                await dialog.get_by_role("button", name=f"Increase {kind}", exact=True).click()
        for a in t.amenities:
            await dialog.get_by_role("checkbox", name=a, exact=True).check()
        await dialog.get_by_role("button", name="Show places").click()
        await dialog.wait_for(state="detached")


async def act(page, t: Trip) -> None:
    if t.then == "wishlist":
        await page.get_by_role("button", name=f"Save {t.listing} to a wishlist", exact=True).click()
        dialog = page.get_by_role("dialog", name="Save to wishlist")
        await dialog.get_by_label("Wishlist name").fill(t.wishlist)
        await dialog.get_by_role("button", name="Create", exact=True).click()
        await dialog.wait_for(state="detached")
        return
    await page.get_by_role("link", name=t.listing, exact=True).click()
    await page.get_by_role("heading", name=t.listing, exact=True).wait_for()
    if t.then == "share":
        await page.get_by_role("button", name="Share", exact=True).click()
        dialog = page.get_by_role("dialog", name="Share this place")
        await dialog.get_by_role("button", name="Messages", exact=True).click()
        await dialog.get_by_role("button", name=GROUP_CHAT, exact=True).click()
        await dialog.wait_for(state="detached")
        return
    card = page.get_by_role("complementary", name="Reserve")
    if not t.check_in:
        await card.get_by_label("Check-in date").fill("2024-09-01")
        await card.get_by_label("Checkout date").fill("2024-09-03")
    await card.get_by_role("button", name="Reserve", exact=True).click()
    await page.get_by_role("heading", name="Confirm and pay").wait_for()
    if t.then == "book":
        for label, value in CARD.items():
            await page.get_by_label(label, exact=True).fill(value)
        await page.get_by_role("button", name="Confirm and pay").click()
        await page.get_by_role("heading", name="Trips").wait_for()


def answer(t: Trip) -> str:
    dates = f" from {t.check_in} to {t.check_out}" if t.check_in else ""
    done = {"wishlist": f" and saved {t.listing} to the wishlist {t.wishlist}",
            "share": f" and shared {t.listing} to the group chat", "reserve": f" and started booking {t.listing}",
            "book": f" and booked {t.listing}"}.get(t.then, "")
    return f"Showing places in {t.place}{dates}{done}."


def _solver(key: str):
    async def solve(page):
        t = TRIPS[key]
        await search(page, t)
        if t.then:
            await act(page, t)
        return answer(t)
    return solve


def _o(task: str, *wrong: str, nothing: bool = False) -> Oracle:
    return Oracle.named(_solver, task, *wrong, nothing=nothing)


ORACLES: dict[str, Oracle] = {
    "staynb-1": _o("staynb-1", "1-forgot-the-child", "1-to-the-4th"),
    "staynb-4": _o("staynb-4", "4-no-wifi", "4-one-guest"),
    "staynb-5": _o("staynb-5", "5-no-ac", "5-books-it"),
    "staynb-6": _o("staynb-6", "6-one-bedroom", "6-three-guests"),
    "staynb-9": _o("staynb-9", "9-no-parking", "9-in-san-francisco"),
    "staynb-12": _o("staynb-12", "12-starts-checkout", "12-to-the-10th"),
    "staynb-13": _o("staynb-13", "13-july-19", nothing=True),
    "staynb-14": _o("staynb-14", "14-no-bedroom-filter", "14-second-weekend"),
    "staynb-15": _o("staynb-15", "15-san-jose-california", "15-starts-checkout"),
    "staynb-17": _o("staynb-17", "17-three-adults", "17-to-the-5th"),
    "staynb-19": _o("staynb-19", "19-four-people", nothing=True),
}
