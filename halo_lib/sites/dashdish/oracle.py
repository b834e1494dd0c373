"""Oracle and wrong solutions for DashDish's v2 tasks, driven through the UI only.

An order is ``Order(store, items, shipping, delivery, tip)``; each item is ``Line(name, quantity, choices)`` where
``choices`` names the option choices to tick beyond the preselected first choice of each required group (``"10 pc
Wings"``, ``"Avocado"``). ``ORDERS`` names every order the oracles and wrong solutions place, so tests can check
each one's total against the seed's charges without a browser (``expected_charges``).

Where an official script is looser than its goal (eval_dashdish_10 takes totals up to $20 for "under $15"), the
oracle meets the goal's words; the wrong solutions break the goal in a way the script also sees (a total over the
limit, another dish, another store, Standard instead of Express, delivery instead of pickup, nothing placed).
"""

from __future__ import annotations

from typing import NamedTuple

from halo_lib.sites.dashdish import seed
from halo_lib.sites.oracle import Oracle


class Line(NamedTuple):
    name: str
    quantity: int = 1
    choices: tuple[str, ...] = ()


class Order(NamedTuple):
    store: str
    items: tuple[Line, ...]
    shipping: str = "Delivery"
    delivery: str = "Standard"
    tip: float = seed.DEFAULT_TIP
    place: bool = True
    """False: fill the cart and open checkout, but never press Place Order."""
    address: str = "Home"
    """The saved address (its label) to deliver to; "Home" is the one preselected."""


ORDERS: dict[str, Order] = {
    # the oracles
    "dashdish-1": Order("Noodle Theory", (Line("Garlic Noodles"),)),
    "dashdish-3": Order("Slice Republic", (Line("Cheese Pizza"),)),
    "dashdish-4": Order("The Cluck Shack", (Line("Classic Chicken Sandwich"),)),
    "dashdish-7": Order("Wingstop", (Line("Lemon Pepper Wings"),)),
    "dashdish-8": Order("Taco Boys", (Line("Super Burrito"), Line("Carne Asada Taco", 2))),
    "dashdish-10": Order("Wingstop", (Line("Seasoned Fries"),)),
    "dashdish-11": Order("Subs & Co.", (Line("Italian Sub"),)),
    "dashdish-12": Order("Golden Wok", (Line("Chicken Fried Rice"),)),
    "dashdish-17": Order("Wingstop", (Line("Lemon Pepper Wings"), Line("Original Hot Wings")), delivery="Express"),
    "dashdish-24": Order("Hearth Rotisserie", (Line("Rotisserie Chicken Sandwich"),)),
    "dashdish-26": Order("Wingstop", (Line("Lemon Pepper Wings"),), shipping="Pickup"),
    # the wrong solutions
    "1-three-noodles": Order("Noodle Theory", (Line("Garlic Noodles", 2, ("Shrimp",)),)),
    "1-potstickers": Order("Noodle Theory", (Line("Pork Potstickers"),)),
    "3-large-wood-fired": Order("Mamma Mia Pizzeria", (Line("Quattro Formaggi Pizza", 1, ('Large 14"',)),)),
    "3-garlic-knots": Order("Slice Republic", (Line("Garlic Knots"),)),
    "4-tenders": Order("The Cluck Shack", (Line("Chicken Tenders"),)),
    "4-three-sandwiches": Order("The Cluck Shack", (Line("Spicy Chicken Sandwich", 3, ("Bacon",)),)),
    "7-garlic-parmesan": Order("Wingstop", (Line("Garlic Parmesan Wings"),)),
    "7-not-placed": Order("Wingstop", (Line("Lemon Pepper Wings"),), place=False),
    "8-one-taco": Order("Taco Boys", (Line("Al Pastor Taco"),)),
    "8-other-taqueria": Order("Mission Taqueria", (Line("Enchiladas Plate"), Line("Carnitas Taco", 2))),
    "10-four-large-fries": Order("Wingstop", (Line("Seasoned Fries", 4, ("Large",)),)),
    "10-onion-rings": Order("Burger Barn", (Line("Onion Rings"),)),
    "11-pad-thai": Order("Bangkok Street", (Line("Pad Thai"),)),
    "11-two-footlongs": Order("Subs & Co.", (Line("Philly Cheesesteak Hoagie", 2, ("Footlong",)),)),
    "12-with-egg-rolls": Order("Golden Wok", (Line("Chicken Fried Rice"), Line("Egg Rolls"))),
    "12-two-biryanis": Order("Curry Leaf", (Line("Chicken Biryani", 2),)),
    "17-standard": Order("Wingstop", (Line("Lemon Pepper Wings"), Line("Original Hot Wings"))),
    "17-same-wings-twice": Order("Wingstop", (Line("Lemon Pepper Wings"), Line("Lemon Pepper Wings", 1, ("10 pc Wings",))),
                                 delivery="Express"),
    "24-pesto": Order("Hearth Rotisserie", (Line("Chicken Pesto Sandwich"),)),
    "24-two-with-avocado": Order("Hearth Rotisserie", (Line("Rotisserie Chicken Sandwich", 2, ("Avocado",)),)),
    "26-delivered": Order("Wingstop", (Line("Lemon Pepper Wings"),)),
    "26-taco-boys-pickup": Order("Taco Boys", (Line("Super Burrito"),), shipping="Pickup"),
}

HOME_HEADING = "All stores"


def expected_charges(o: Order) -> dict:
    """The charges the app computes for this order (seed.charges over the seed's prices)."""
    r = seed.by_name(o.store)
    subtotal = 0.0
    for line in o.items:
        item = seed.find_item(o.store, line.name)
        chosen: dict[str, list[str]] = {}
        for g in item["options"]:
            names = [c["name"] for c in g["choices"]]
            picks = [c for c in line.choices if c in names]
            if g["single"]:
                chosen[g["name"]] = picks[-1:] or ([names[0]] if g["required"] else [])
            else:
                chosen[g["name"]] = picks
        subtotal += seed.unit_price(item, chosen) * line.quantity
    return seed.charges(subtotal, r["deliveryFee"], o.shipping, o.delivery, o.tip)


def answer(o: Order) -> str:
    what = ", ".join(f"{line.quantity} x {line.name}" for line in o.items)
    if not o.place:
        return f"{what} from {o.store} is in the cart."
    total = expected_charges(o)["totalAmount"]
    return f"Placed a {o.shipping.lower()} order from {o.store}: {what}; total ${total:.2f}."


async def add_line(page, line: Line) -> None:
    await page.get_by_role("button", name=line.name, exact=True).first.click()
    dialog = page.get_by_role("dialog", name=line.name)
    for choice in line.choices:
        await dialog.get_by_label(choice, exact=True).check()
    if line.quantity != 1:
        await dialog.get_by_label("Quantity", exact=True).select_option(str(line.quantity))
    await dialog.get_by_role("button", name="Add to cart").click()
    await dialog.wait_for(state="detached")


async def place(page, o: Order) -> None:
    await page.get_by_role("heading", name=HOME_HEADING).wait_for()
    await page.get_by_role("link", name=o.store, exact=True).first.click()
    await page.get_by_role("heading", name=o.store, level=1).wait_for()
    for line in o.items:
        await add_line(page, line)
    await page.get_by_role("link", name="Cart", exact=True).click()
    await page.get_by_role("heading", name="Checkout").wait_for()
    if o.shipping != "Delivery":
        await page.get_by_label(o.shipping, exact=True).check()
    elif o.delivery != "Standard":
        await page.get_by_label(o.delivery, exact=True).check()
    if o.shipping == "Delivery" and o.tip != seed.DEFAULT_TIP:
        await page.get_by_role("button", name=f"Tip ${o.tip:g}", exact=True).click()
    if o.shipping == "Delivery" and o.address != "Home":
        await page.get_by_role("button", name="Change Address").click()
        await page.get_by_role("button", name=f"Deliver to {o.address}", exact=True).click()
        await page.get_by_role("dialog", name="Change Address").wait_for(state="detached")
    if o.place:
        await page.get_by_role("button", name="Place Order").click()
        await page.get_by_role("heading", name="Order placed, thanks!").wait_for()
    await page.wait_for_function("() => window.HaloSite.idle()")


def _placer(key: str):
    async def solve(page):
        o = ORDERS[key]
        await place(page, o)
        return answer(o)
    return solve


def _o(task: str, *wrong: str, nothing: bool = False) -> Oracle:
    return Oracle.named(_placer, task, *wrong, nothing=nothing)


ORACLES: dict[str, Oracle] = {
    "dashdish-1": _o("dashdish-1", "1-three-noodles", "1-potstickers"),
    "dashdish-3": _o("dashdish-3", "3-large-wood-fired", "3-garlic-knots"),
    "dashdish-4": _o("dashdish-4", "4-tenders", "4-three-sandwiches"),
    "dashdish-7": _o("dashdish-7", "7-garlic-parmesan", "7-not-placed"),
    "dashdish-8": _o("dashdish-8", "8-one-taco", "8-other-taqueria"),
    "dashdish-10": _o("dashdish-10", "10-four-large-fries", "10-onion-rings"),
    "dashdish-11": _o("dashdish-11", "11-pad-thai", "11-two-footlongs"),
    "dashdish-12": _o("dashdish-12", "12-with-egg-rolls", "12-two-biryanis"),
    "dashdish-17": _o("dashdish-17", "17-standard", "17-same-wings-twice"),
    "dashdish-24": _o("dashdish-24", "24-pesto", "24-two-with-avocado"),
    "dashdish-26": _o("dashdish-26", "26-delivered", "26-taco-boys-pickup", nothing=True),
}
