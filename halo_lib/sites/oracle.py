"""Oracle and wrong-but-plausible solutions: how each site proves its official scripts judge it right.

A solution drives a Playwright ``Page`` that is already open on the site's home page (after
``/config``), through the UI only, as a user would: clicks, typing, key presses. No state writes.
It returns the agent's final answer text (or None), which the official script receives as the model
response. Each site package defines ``ORACLES: dict[str, Oracle]`` keyed by task name (``gomail-1``).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Awaitable, Callable

Solution = Callable[["Page"], Awaitable["str | None"]]  # noqa: F821 (playwright.async_api.Page)


@dataclass(frozen=True)
class Oracle:
    """The right solution of one task and at least one wrong one that the official script must reject."""

    solve: Solution
    wrong: tuple[tuple[str, Solution], ...]
    """(description, solution) pairs: wrong recipient, wrong item, nothing done, ..."""

    def __post_init__(self) -> None:
        if not self.wrong:
            raise ValueError("an Oracle needs at least one wrong solution")

    @classmethod
    def named(cls, solution_for: Callable[[str], Solution], right: str, *wrong: str,
              nothing: bool = False) -> "Oracle":
        """A site whose solutions are named (``solution_for(name)``): the right one, each wrong one (described by its
        name), and with ``nothing`` also ``do_nothing``."""
        wrongs = tuple((w, solution_for(w)) for w in wrong) + ((("nothing done", do_nothing),) if nothing else ())
        return cls(solution_for(right), wrong=wrongs)


async def do_nothing(page) -> None:
    """The laziest wrong solution: look at the page and stop."""
    return None


def oracles_for(site: str) -> dict[str, Oracle]:
    return importlib.import_module(f"halo_lib.sites.{site}.oracle").ORACLES
