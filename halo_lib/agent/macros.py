"""Macro skills: ``search``, ``compose_email``, ``add_to_cart`` expanded into element actions on the current page.

A macro is a list of *phases*; each phase reads the current tree and returns the element actions for this page
(an empty list when the page already is past it, e.g. the compose window is open). Elements are found by role
and name patterns, not by site, so the same macro drives any site built on the usual widgets. :class:`MacroRun`
plays a macro one action per step; every queued action is re-addressed to the live tree before it runs (ids
change when a page re-renders), and a phase whose element is missing fails the macro with a readable reason.

A policy calls a macro by writing it as a call, ``compose_email(to='a@b.com', subject='Hi', body='...')``
(:func:`parse_macro_call`; :func:`macro_prompt_text` documents them for prompts).
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from halo_lib.actions import ELEMENT, Action
from halo_lib.agent.axtree import FIELD_ROLES, AxNode, ElementNotFound, best_named, descendants, find, parse_axtree
from halo_lib.agent.forms import choose_option, find_field
from halo_lib.agent.grounding import GroundedAction, ground, reground

Phase = Callable[[list[AxNode]], list[Action]]


@dataclass(frozen=True)
class Macro:
    name: str
    args: dict
    phases: tuple[Phase, ...] = field(repr=False)

    def describe(self) -> str:
        return f"{self.name}({', '.join(f'{k}={v!r}' for k, v in self.args.items())})"


def _click(node: AxNode) -> Action:
    return Action("click", ELEMENT, {"bid": node.bid})


def _one(nodes: list[AxNode], roles, pattern: str, what: str) -> AxNode:
    found = find(nodes, roles, pattern)
    if not found:
        raise ElementNotFound(f"no {what} on this page")
    return found[0]


# ---- search ---------------------------------------------------------------------------------------


def _search_box(nodes: list[AxNode]) -> AxNode:
    boxes = find(nodes, "searchbox") or find(nodes, ("textbox", "combobox"), r"search|find")
    if not boxes:
        raise ElementNotFound("no search box on this page")
    return boxes[0]


def search_actions(nodes: list[AxNode], query: str) -> list[Action]:
    box = _search_box(nodes)
    return [Action("fill", ELEMENT, {"bid": box.bid, "value": query}),
            Action("press", ELEMENT, {"bid": box.bid, "key_comb": "Enter"})]


def search(query: str) -> Macro:
    """Type ``query`` into the page's search box and submit it."""
    return Macro("search", {"query": query}, (lambda nodes: search_actions(nodes, query),))


# ---- compose_email --------------------------------------------------------------------------------

_RECIPIENTS = r"^(to\b|recipients?\b)"


def _compose_window(nodes: list[AxNode]) -> list[AxNode] | None:
    """The subtree of the open dialog that has a recipients field, or None."""
    for dialog in find(nodes, ("dialog", "form", "region"), with_id=False):
        inside = descendants(nodes, dialog)
        if find(inside, FIELD_ROLES, _RECIPIENTS):
            return inside
    return None


def _open_compose(nodes: list[AxNode]) -> list[Action]:
    if _compose_window(nodes) is not None:
        return []
    return [_click(_one(nodes, ("button", "link"), r"^(compose|new (message|email|mail)|write)\b", "compose button"))]


def _write_email(nodes: list[AxNode], to: list[str], subject: str, body: str) -> list[Action]:
    window = _compose_window(nodes)
    if window is None:
        raise ElementNotFound("no compose window with a To field on this page")
    to_field = _one(window, FIELD_ROLES, _RECIPIENTS, "To field")
    actions = []
    if to_field.role == "combobox":  # a chip input: each address is typed, then committed with Enter
        for address in to:
            actions += [Action("fill", ELEMENT, {"bid": to_field.bid, "value": address}),
                        Action("press", ELEMENT, {"bid": to_field.bid, "key_comb": "Enter"})]
    else:
        actions.append(Action("fill", ELEMENT, {"bid": to_field.bid, "value": ", ".join(to)}))
    subject_field = _one(window, FIELD_ROLES, r"subject", "Subject field")
    body_field = _one(window, "textbox", r"body|message|content", "message body field")
    send = _one(window, ("button",), r"^send$", "Send button")
    return actions + [Action("fill", ELEMENT, {"bid": subject_field.bid, "value": subject}),
                      Action("fill", ELEMENT, {"bid": body_field.bid, "value": body}), _click(send)]


def compose_email(to: str | list[str], subject: str, body: str) -> Macro:
    """Open a new message, address it, write subject and body, send it."""
    recipients = [to] if isinstance(to, str) else list(to)
    return Macro("compose_email", {"to": to, "subject": subject, "body": body},
                 (_open_compose, lambda nodes: _write_email(nodes, recipients, subject, body)))


# ---- add_to_cart ----------------------------------------------------------------------------------


def _product_heading(nodes: list[AxNode], product: str) -> AxNode | None:
    return best_named([n for n in nodes if n.role == "heading" and "level=1" in n.rest], "heading", product)


def _find_product(nodes: list[AxNode], product: str) -> list[Action]:
    if _product_heading(nodes, product) or best_named(nodes, "link", product):
        return []
    return search_actions(nodes, product)


def _open_product(nodes: list[AxNode], product: str) -> list[Action]:
    if _product_heading(nodes, product):
        return []
    link = best_named(nodes, "link", product)
    if link is None:
        raise ElementNotFound(f"no link to {product!r} on this page")
    return [_click(link)]


def _add(nodes: list[AxNode], quantity: int | None) -> list[Action]:
    actions = []
    if quantity is not None:
        if find_field(nodes, "Quantity") is None:
            raise ElementNotFound("no Quantity field on this page")
        actions.append(choose_option(nodes, "Quantity", str(quantity)))
    button = best_named(nodes, "button", "Add to Cart")
    if button is None:
        raise ElementNotFound("no Add to Cart button on this page")
    return actions + [_click(button)]


def add_to_cart(product: str, quantity: int | None = None) -> Macro:
    """Find the product (search if it is not linked from this page), open its page, add it to the cart."""
    args = {"product": product} | ({"quantity": quantity} if quantity is not None else {})
    return Macro("add_to_cart", args, (lambda nodes: _find_product(nodes, product),
                                       lambda nodes: _open_product(nodes, product),
                                       lambda nodes: _add(nodes, quantity)))


MACROS: dict[str, Callable[..., Macro]] = {"search": search, "compose_email": compose_email,
                                           "add_to_cart": add_to_cart}


# ---- playing a macro ------------------------------------------------------------------------------


class MacroRun:
    """Plays one macro: :meth:`next_action` gives the next action for the current observation, None when done."""

    def __init__(self, macro: Macro):
        self.macro = macro
        self._phase = 0
        self._queue: list[GroundedAction] = []

    def next_action(self, obs) -> Action | None:
        """Raises ElementNotFound when the page lacks what the macro needs."""
        nodes = parse_axtree(obs.axtree)
        while not self._queue:
            if self._phase >= len(self.macro.phases):
                return None
            planned = self.macro.phases[self._phase](nodes)
            self._phase += 1
            self._queue = [ground(action, nodes) for action in planned]
        grounded = self._queue.pop(0)
        action = reground(grounded, nodes)
        if action is None:
            raise ElementNotFound(f"{grounded.target.describe()} is gone from the page")
        return action


# ---- macros as model output -----------------------------------------------------------------------

_CALL_START = re.compile(r"(?<![\w.])(" + "|".join(MACROS) + r")\(")


def parse_macro_call(text: str) -> Macro | None:
    """The last macro call in ``text`` (e.g. ``search('pot')``) as a Macro; None if there is none or it is invalid."""
    found = None
    for match in _CALL_START.finditer(text or ""):
        for end in (i + 1 for i, ch in enumerate(text) if ch == ")" and i > match.start()):
            try:
                call = ast.parse(text[match.start():end], mode="eval").body
            except SyntaxError:
                continue
            try:
                args = [ast.literal_eval(a) for a in call.args]
                kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg}
                found = MACROS[match.group(1)](*args, **kwargs)
            except (ValueError, TypeError):
                pass
            break
    return found


def _signature(fn: Callable) -> str:
    params = inspect.signature(fn).parameters.values()
    return ", ".join(p.name if p.default is inspect.Parameter.empty else f"{p.name}={p.default!r}" for p in params)


def macro_prompt_text() -> str:
    """The macros, for a prompt: each call form and what it does."""
    lines = ["You may also call one of these macros (written like an action); each runs several actions for you:"]
    lines += [f"{name}({_signature(fn)})\n    {inspect.getdoc(fn)}" for name, fn in MACROS.items()]
    return "\n".join(lines)
