"""Omnizon oracles: each v2 task solved through the UI, plus wrong-but-plausible solutions.

Solutions only click, fill and press keys on the page, as a shopper would.
"""

from __future__ import annotations

import re

from halo_lib.sites.oracle import Oracle, do_nothing

POT = "Cuisinart Chef's Classic 8-Quart Stainless Steel Stockpot with Cover"
FRY_PAN = "T-fal Ultimate Hard Anodized Nonstick Fry Pan, 12 Inch"
BALL_PACK = "Franklin Sports Kids Sports Ball Set, 6 Pack - Soccer, Basketball, Football, Volleyball & More"
BASKETBALL = "Spalding React TF-250 Indoor-Outdoor Basketball, Size 7"
NECK_PILLOW = "Cabeau Evolution S3 Memory Foam Travel Neck Pillow, Jet Black"
LUMBAR_PILLOW = "Lumbar Support Pillow for Office Chair, Memory Foam Back Cushion"
PS5_CONTROLLER = "PlayStation DualSense Wireless Controller for PS5 - Midnight Black"
APRON = "Hudson Durable Goods Professional Grade Chef Apron for Kitchen, Black"
SILVERWARE = "Stainless Steel Silverware Set, 20-Piece Flatware Set, Service for 4"
DINNERWARE = "Corelle Vitrelle 18-Piece Dinnerware Set, Service for 6, Winter Frost White"
DESK_40 = "Coavas 40 Inch Computer Desk, Small Writing Desk for Home Office, Rustic Brown"
DESK_55 = "SHW 55 Inch Home Office Computer Desk, Espresso"
OFFICE_CHAIR = "SIHOO M18 Ergonomic Office Chair, High Back Mesh Desk Chair"
HEADPHONES_OK = "Sony WH-CH520 Wireless Headphones, Bluetooth On-Ear, Blue"
HEADPHONES_PRICEY = "Sony WH-1000XM5 Wireless Noise Canceling Headphones, Silver"
HEADPHONES_CHEAP = "Koss KPH7 Lightweight Portable Wired Headphones"
BED_FRAME = "ZINUS Shawn 14 Inch Metal Platform Bed Frame, Queen"
GAMING_MOUSE = "Razer DeathAdder Essential Wired Gaming Mouse, 6400 DPI"
PS5_CONSOLE = "PlayStation 5 Console (Slim) - Disc Edition"


# ---------- UI steps -------------------------------------------------------------------------------
async def search(page, query: str) -> None:
    box = page.get_by_role("searchbox", name="Search Omnizon")
    await box.fill(query)
    await box.press("Enter")
    await page.get_by_role("heading", name="Results", exact=True).wait_for()


async def price_filter(page, low: int | None, high: int | None) -> None:
    if low is not None:
        await page.get_by_label("Minimum price").fill(str(low))
    if high is not None:
        await page.get_by_label("Maximum price").fill(str(high))
    await page.get_by_role("complementary", name="Filters").get_by_role("button", name="Go", exact=True).click()
    await page.get_by_role("button", name="‹ Clear price filter").wait_for()


async def open_product(page, name: str) -> None:
    await page.get_by_role("link", name=name, exact=True).first.click()
    await page.get_by_role("heading", name=name, level=1).wait_for()


async def set_quantity(page, n: int) -> None:
    await page.get_by_label("Quantity", exact=True).select_option(str(n))


async def add_to_cart(page, expected_count: int) -> None:
    await page.get_by_role("button", name="Add to Cart", exact=True).click()
    word = "item" if expected_count == 1 else "items"
    await page.get_by_role("link", name=f"Cart, {expected_count} {word}").wait_for()


async def buy_now(page) -> None:
    await page.get_by_role("button", name="Buy Now", exact=True).click()
    await page.get_by_role("button", name="Place your order").first.wait_for()


async def checkout_cart(page) -> None:
    await page.get_by_role("link", name=re.compile(r"^Cart, \d+ items?$")).click()
    await page.get_by_role("button", name="Proceed to checkout").click()
    await page.get_by_role("button", name="Place your order").first.wait_for()


async def place_order(page) -> None:
    await page.get_by_role("button", name="Place your order").first.click()
    await page.get_by_role("heading", name="Order placed, thanks!").wait_for()


async def buy(page, query: str, name: str, quantity: int = 1) -> None:
    """Search, open the product, Buy Now with ``quantity``, place the order."""
    await search(page, query)
    await open_product(page, name)
    if quantity != 1:
        await set_quantity(page, quantity)
    await buy_now(page)
    await place_order(page)


async def add(page, query: str, name: str, expected_count: int, quantity: int = 1) -> None:
    await search(page, query)
    await open_product(page, name)
    if quantity != 1:
        await set_quantity(page, quantity)
    await add_to_cart(page, expected_count)


# ---------- tasks --------------------------------------------------------------------------------
async def solve_3(page):
    await search(page, "headphones")
    await price_filter(page, 24, 100)
    await open_product(page, HEADPHONES_OK)
    await buy_now(page)
    await place_order(page)
    return f"Ordered the {HEADPHONES_OK} for $38.00."


async def wrong_3_pricey(page):
    await buy(page, "headphones", HEADPHONES_PRICEY)


async def wrong_3_cheap(page):
    await buy(page, "headphones", HEADPHONES_CHEAP)


async def solve_9(page):
    await search(page, "gaming")
    await price_filter(page, None, 100)
    await open_product(page, GAMING_MOUSE)
    await buy_now(page)
    await place_order(page)
    return f"Ordered the {GAMING_MOUSE} ($24.99)."


async def wrong_9_console(page):
    await buy(page, "gaming", PS5_CONSOLE)


async def wrong_9_cart_only(page):
    await add(page, "gaming", GAMING_MOUSE, 1)


async def solve_13(page):
    await buy(page, "cooking pot", POT)
    return f"Ordered the {POT}."


async def wrong_13_pan(page):
    await buy(page, "frying pan", FRY_PAN)


async def solve_15(page):
    await add(page, "sports balls", BALL_PACK, 1)
    await checkout_cart(page)
    await place_order(page)
    return "Ordered the Franklin Sports 6-pack of sports balls."


async def wrong_15_single_ball(page):
    await buy(page, "basketball", BASKETBALL)


async def wrong_15_cart_only(page):
    await add(page, "sports balls", BALL_PACK, 1)
    await checkout_cart(page)


async def solve_17(page):
    await buy(page, "neck pillow", NECK_PILLOW)
    return f"Ordered one {NECK_PILLOW}."


async def wrong_17_two(page):
    await buy(page, "neck pillow", NECK_PILLOW, quantity=2)


async def wrong_17_lumbar(page):
    await buy(page, "pillow", LUMBAR_PILLOW)


async def solve_24(page):
    await buy(page, "PS5 controller", PS5_CONTROLLER, quantity=2)
    return "PS5 controllers: DualSense ($69.99), DualSense Edge ($199.99), PDP Victrix Pro BFG ($179.99). Ordered 2 DualSense."


async def wrong_24_one(page):
    await buy(page, "PS5 controller", PS5_CONTROLLER)


async def wrong_24_cart_only(page):
    await add(page, "PS5 controller", PS5_CONTROLLER, 2, quantity=2)


async def solve_25(page):
    await add(page, "apron", APRON, 1)
    await add(page, "cooking pot", POT, 2)
    await checkout_cart(page)
    await place_order(page)
    return "Ordered a chef apron and an 8-quart stockpot."


async def wrong_25_pot_only(page):
    await buy(page, "cooking pot", POT)


async def wrong_25_two_pots(page):
    await add(page, "apron", APRON, 1)
    await add(page, "cooking pot", POT, 3, quantity=2)
    await checkout_cart(page)
    await place_order(page)


async def solve_28(page):
    await buy(page, "silverware set", SILVERWARE)
    return f"Ordered the {SILVERWARE}."


async def wrong_28_dinnerware(page):
    # Through the cart (not Buy Now): a different pace from the oracle, see the note in the report about
    # eval_omnizon_28.py reading every sibling .json of the state file.
    await add(page, "dinnerware set", DINNERWARE, 1)
    await checkout_cart(page)
    await place_order(page)


async def wrong_28_cart_only(page):
    await add(page, "silverware set", SILVERWARE, 1)


async def solve_29(page):
    await add(page, "40 inch desk", DESK_40, 1)
    await add(page, "office chair", OFFICE_CHAIR, 2)
    await checkout_cart(page)
    await place_order(page)
    return "Ordered the Coavas 40 inch desk and the SIHOO M18 office chair."


async def wrong_29_big_desk(page):
    await add(page, "desk", DESK_55, 1)
    await add(page, "office chair", OFFICE_CHAIR, 2)
    await checkout_cart(page)
    await place_order(page)


async def wrong_29_desk_only(page):
    await buy(page, "40 inch desk", DESK_40)


async def solve_30(page):
    await buy(page, "queen bed frame", BED_FRAME)
    return f"Ordered the {BED_FRAME}."


async def wrong_30_cart_only(page):
    await add(page, "queen bed frame", BED_FRAME, 1)
    await checkout_cart(page)


ORACLES: dict[str, Oracle] = {
    "omnizon-3": Oracle(solve_3, (("headphones over $100", wrong_3_pricey), ("headphones under $24", wrong_3_cheap))),
    "omnizon-9": Oracle(solve_9, (("gaming console over $100", wrong_9_console), ("cart, no order", wrong_9_cart_only))),
    "omnizon-13": Oracle(solve_13, (("frying pan, not a pot", wrong_13_pan), ("nothing done", do_nothing))),
    "omnizon-15": Oracle(solve_15, (("single basketball", wrong_15_single_ball),
                                    ("checkout but no order", wrong_15_cart_only))),
    "omnizon-17": Oracle(solve_17, (("two neck pillows", wrong_17_two), ("lumbar pillow", wrong_17_lumbar))),
    "omnizon-24": Oracle(solve_24, (("only one controller", wrong_24_one), ("cart, no order", wrong_24_cart_only))),
    "omnizon-25": Oracle(solve_25, (("pot without apron", wrong_25_pot_only), ("two pots", wrong_25_two_pots))),
    "omnizon-28": Oracle(solve_28, (("dinnerware set", wrong_28_dinnerware), ("cart, no order", wrong_28_cart_only))),
    "omnizon-29": Oracle(solve_29, (("55 inch desk", wrong_29_big_desk), ("desk without chair", wrong_29_desk_only))),
    "omnizon-30": Oracle(solve_30, (("checkout but no order", wrong_30_cart_only), ("nothing done", do_nothing))),
}
