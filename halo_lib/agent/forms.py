"""Form-filling helpers: element actions for fields found by their label (the accessible name)."""

from __future__ import annotations

from halo_lib.actions import ELEMENT, Action
from halo_lib.agent.axtree import FIELD_ROLES, AxNode, ElementNotFound, best_named, descendants, find


def find_field(nodes: list[AxNode], label: str) -> AxNode | None:
    """The text field, search box, combobox or spin button labelled ``label`` (best match by name); failing
    that, the first field inside or right after a ``LabelText`` that reads ``label``."""
    field = best_named(nodes, FIELD_ROLES, label)
    if field is not None:
        return field
    for label_node in find(nodes, "LabelText", with_id=False):
        if label_node.name.lower().startswith(label.strip().lower()):
            after = descendants(nodes, label_node) + nodes[label_node.index + 1:label_node.index + 4]
            return next((n for n in after if n.role in FIELD_ROLES and n.bid), None)
    return None


def _field(nodes: list[AxNode], label: str) -> AxNode:
    field = find_field(nodes, label)
    if field is None:
        raise ElementNotFound(f"no field labelled {label!r} on this page")
    return field


def fill_field(nodes: list[AxNode], label: str, value: str) -> Action:
    """``fill`` the field labelled ``label``."""
    return Action("fill", ELEMENT, {"bid": _field(nodes, label).bid, "value": value})


def choose_option(nodes: list[AxNode], label: str, option: str) -> Action:
    """``select_option`` on the drop-down labelled ``label``."""
    return Action("select_option", ELEMENT, {"bid": _field(nodes, label).bid, "options": option})


def fill_form(nodes: list[AxNode], values: dict[str, str]) -> list[Action]:
    """One ``fill`` per label -> value, in the given order."""
    return [fill_field(nodes, label, value) for label, value in values.items()]
