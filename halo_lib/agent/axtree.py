"""Reading the text accessibility tree the environment observes: nodes, lookups by role and name, state signatures.

The tree is BrowserGym-style, one element per line, indented by depth (see :mod:`halo_lib.env.observation`)::

    [551] dialog 'New Message'
      [558] combobox 'To recipients' expanded=false focused
      StaticText 'To'

Element ids are NOT stable across re-renders (a single-page app that redraws a list gives its rows new ids), so
everything here that must survive a re-render -- state signatures, cached actions, loop keys -- uses
(role, name), never the id.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from halo_lib.errors import HaloError

_LINE = re.compile(r"^(?P<indent>\s*)(?:\[(?P<bid>[^\]\s]+)\]\s+)?(?P<role>\S+)"
                   r"(?:\s+'(?P<name>(?:[^'\\]|\\.)*)')?(?P<rest>.*)$")
_ID_PREFIX = re.compile(r"\[[^\]\s]+\]\s+")
_VOLATILE = re.compile(r"\s+focused\b")
"""Focus moves with every click; two otherwise identical pages are the same state."""

FIELD_ROLES = ("textbox", "searchbox", "combobox", "spinbutton")


@dataclass(frozen=True)
class AxNode:
    """One line of the tree. ``index`` is its line number; descendants are the following deeper lines."""

    index: int
    depth: int
    bid: str | None
    role: str
    name: str
    rest: str
    """What follows the name: ``value='x' focused``, ``level=2``, ``checked=false``..."""

    def describe(self) -> str:
        return f"{self.role} {self.name!r}"


def parse_axtree(axtree: str | None) -> list[AxNode]:
    """Every line of the tree as an :class:`AxNode` (an empty list for None)."""
    nodes = []
    for line in (axtree or "").splitlines():
        match = _LINE.match(line)
        if not match or not line.strip():
            continue
        name = re.sub(r"\\(.)", r"\1", match["name"] or "")
        nodes.append(AxNode(len(nodes), len(match["indent"]) // 2, match["bid"], match["role"], name,
                            match["rest"].strip()))
    return nodes


def descendants(nodes: list[AxNode], parent: AxNode) -> list[AxNode]:
    """The subtree under ``parent`` (the following lines that are deeper than it)."""
    inside = []
    for node in nodes[parent.index + 1:]:
        if node.depth <= parent.depth:
            break
        inside.append(node)
    return inside


def subtree_text(nodes: list[AxNode], parent: AxNode) -> str:
    """All names in a subtree, joined: what a dialog says."""
    return " ".join(n.name for n in [parent, *descendants(nodes, parent)] if n.name)


def find(nodes: list[AxNode], roles: str | tuple[str, ...], name: str | re.Pattern | None = None,
         *, with_id: bool = True) -> list[AxNode]:
    """Nodes of one of ``roles`` whose name matches ``name`` (a regex searched case-insensitively, or a compiled
    pattern); ``with_id`` keeps only nodes an element action can address."""
    roles = (roles,) if isinstance(roles, str) else roles
    pattern = re.compile(name, re.IGNORECASE) if isinstance(name, str) else name
    return [n for n in nodes if n.role in roles and (not with_id or n.bid)
            and (pattern is None or pattern.search(n.name))]


def best_named(nodes: list[AxNode], roles: str | tuple[str, ...], text: str) -> AxNode | None:
    """The node of ``roles`` whose name fits ``text`` best: exact, then starts with it, then a clipped name that
    ``text`` starts with (trees shorten long names), then contains it. Case-insensitive; None when nothing fits."""
    wanted = text.strip().lower()
    candidates = find(nodes, roles)
    ranks = [
        lambda n: n.name.lower() == wanted,
        lambda n: n.name.lower().startswith(wanted),
        lambda n: len(n.name) >= 8 and wanted.startswith(n.name.lower().rstrip("…")),
        lambda n: wanted in n.name.lower(),
    ]
    for fits in ranks:
        match = next((n for n in candidates if fits(n)), None)
        if match is not None:
            return match
    return None


def node_by_id(nodes: list[AxNode], bid: str) -> AxNode | None:
    return next((n for n in nodes if n.bid == bid), None)


def state_signature(url: str, axtree: str | None) -> str:
    """A short hash of what the page shows: the URL's path and the tree without ids or focus marks.

    Equal signatures mean "the same situation" for loop detection and the action cache; the host and port are
    left out so that the same site served on another port still matches."""
    parts = urlsplit(url)
    page = parts.path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
    tree = _VOLATILE.sub("", _ID_PREFIX.sub("", axtree or ""))
    return hashlib.sha1(f"{page}\n{tree}".encode("utf-8")).hexdigest()[:16]


class ElementNotFound(HaloError):
    """A helper looked for an element the page does not show (the message says which)."""

