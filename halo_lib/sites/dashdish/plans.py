"""DashDish's v2 tasks as element-action plans (see ``halo_lib.sites.plans``), on the oracles' UI routes."""

from __future__ import annotations

from halo_lib.policies.scripted import Step, node
from halo_lib.sites.dashdish import seed
from halo_lib.sites.dashdish.oracle import ORDERS, Line, Order, answer


def add_line_steps(line: Line) -> list[Step]:
    """Open the dish, tick its choices, set the quantity, Add to cart."""
    item = seed.find_item_anywhere(line.name)
    dialog = node("dialog", line.name)
    steps = [Step("click", node("button", line.name))]
    for choice in line.choices:
        group = next(g for g in item["options"] if choice in [c["name"] for c in g["choices"]])
        steps.append(Step("click", node("radio" if group["single"] else "checkbox", choice), within=dialog))
    if line.quantity != 1:
        steps.append(Step("select_option", node("combobox", "Quantity"), str(line.quantity), within=dialog))
    return steps + [Step("click", node("button", "Add to cart", prefix=True), within=dialog)]


def order_steps(o: Order) -> list[Step]:
    """Open the store from the home page, add each line, open the cart (checkout), set shipping, tip, Place Order."""
    steps = [Step("click", node("link", o.store))]
    for line in o.items:
        steps += add_line_steps(line)
    steps.append(Step("click", node("link", "Cart")))
    if o.shipping != "Delivery":
        steps.append(Step("click", node("radio", o.shipping)))
    elif o.delivery != "Standard":
        steps.append(Step("click", node("radio", o.delivery)))
    if o.shipping == "Delivery" and o.tip != seed.DEFAULT_TIP:
        steps.append(Step("click", node("button", f"Tip ${o.tip:g}")))
    if o.shipping == "Delivery" and o.address != "Home":
        steps += [Step("click", node("button", "Change Address")),
                  Step("click", node("button", f"Deliver to {o.address}"), within=node("dialog", "Change Address"))]
    if o.place:
        steps.append(Step("click", node("button", "Place Order")))
    return steps


def order(key: str) -> list[Step]:
    o = ORDERS[key]
    return order_steps(o) + [Step("send_msg_to_user", value=answer(o))]


PLANS: dict[str, list[Step]] = {name: order(name) for name in ORDERS if name.startswith("dashdish-")}
