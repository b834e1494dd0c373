"""Omnizon's v2 tasks as element-action plans (see ``halo_lib.sites.plans``), on the oracles' UI routes and with
the oracles' final answers."""

from __future__ import annotations

from halo_lib.policies.scripted import Step, node
from halo_lib.sites.omnizon.oracle import (APRON, BALL_PACK, BED_FRAME, DESK_40, GAMING_MOUSE, HEADPHONES_OK,
                                           NECK_PILLOW, OFFICE_CHAIR, POT, PS5_CONTROLLER, SILVERWARE)


def search(query: str) -> list[Step]:
    box = node("searchbox", "Search Omnizon")
    return [Step("fill", box, query), Step("press", box, "Enter")]


def price_filter(low: int | None, high: int | None) -> list[Step]:
    steps = [Step("fill", node("spinbutton", "Minimum price"), str(low))] if low is not None else []
    if high is not None:
        steps.append(Step("fill", node("spinbutton", "Maximum price"), str(high)))
    return steps + [Step("click", node("button", "Go"), within=node("complementary", "Filters"))]


def open_product(name: str) -> Step:
    # a prefix: HALO's tree clips long names at 100 characters
    return Step("click", node("link", name[:90], prefix=name[:90] != name))


def quantity(n: int) -> list[Step]:
    return [] if n == 1 else [Step("select_option", node("combobox", "Quantity"), str(n))]


def buy_now_and_order() -> list[Step]:
    return [Step("click", node("button", "Buy Now")), Step("click", node("button", "Place your order"))]


def buy(query: str, name: str, n: int = 1) -> list[Step]:
    """Search, open the product, Buy Now with ``n``, place the order."""
    return [*search(query), open_product(name), *quantity(n), *buy_now_and_order()]


def add(query: str, name: str, n: int = 1) -> list[Step]:
    return [*search(query), open_product(name), *quantity(n), Step("click", node("button", "Add to Cart"))]


def checkout_cart(items: int) -> list[Step]:
    """Open the cart once it holds ``items`` (so the last Add to Cart has landed), check out, order."""
    cart = node("link", f"Cart, {items} item" + ("s" if items != 1 else ""))
    return [Step("click", cart), Step("click", node("button", "Proceed to checkout")),
            Step("click", node("button", "Place your order"))]


def answer(text: str) -> Step:
    return Step("send_msg_to_user", value=text)


PLANS: dict[str, list[Step]] = {
    "omnizon-3": [*search("headphones"), *price_filter(24, 100), open_product(HEADPHONES_OK), *buy_now_and_order(),
                  answer(f"Ordered the {HEADPHONES_OK} for $38.00.")],
    "omnizon-9": [*search("gaming"), *price_filter(None, 100), open_product(GAMING_MOUSE), *buy_now_and_order(),
                  answer(f"Ordered the {GAMING_MOUSE} ($24.99).")],
    "omnizon-13": [*buy("cooking pot", POT), answer(f"Ordered the {POT}.")],
    "omnizon-15": [*add("sports balls", BALL_PACK), *checkout_cart(1),
                   answer("Ordered the Franklin Sports 6-pack of sports balls.")],
    "omnizon-17": [*buy("neck pillow", NECK_PILLOW), answer(f"Ordered one {NECK_PILLOW}.")],
    "omnizon-24": [*buy("PS5 controller", PS5_CONTROLLER, 2),
                   answer("PS5 controllers: DualSense ($69.99), DualSense Edge ($199.99), PDP Victrix Pro BFG "
                          "($179.99). Ordered 2 DualSense.")],
    "omnizon-25": [*add("apron", APRON), *add("cooking pot", POT), *checkout_cart(2),
                   answer("Ordered a chef apron and an 8-quart stockpot.")],
    "omnizon-28": [*buy("silverware set", SILVERWARE), answer(f"Ordered the {SILVERWARE}.")],
    "omnizon-29": [*add("40 inch desk", DESK_40), *add("office chair", OFFICE_CHAIR), *checkout_cart(2),
                   answer("Ordered the Coavas 40 inch desk and the SIHOO M18 office chair.")],
    "omnizon-30": [*buy("queen bed frame", BED_FRAME), answer(f"Ordered the {BED_FRAME}.")],
}
