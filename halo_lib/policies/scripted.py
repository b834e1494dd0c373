"""A scripted text policy: a fixed plan of element actions whose targets are found in the accessibility tree.

Each step names an element action and a regular expression over the tree's lines; the element id is taken
from the first matching line (``[12] button 'Send'`` -> ``click('12')``), optionally only among the lines
nested under an ancestor (``within``). The same plan runs in HALO's environment and, unchanged, in agisdk's
harness, whose BrowserGym tree uses its own ids in a close form: tab indents, ``repr`` names (``"Don't"``)
and ``, attr=...`` after the name; :func:`node` writes a regex that matches a line in both trees. Used for
demonstrations, sanity checks and the plans of the REAL tasks (``halo_lib.sites.plans``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from halo_lib.policies.base import Candidate

_ID = re.compile(r"\[([^\]\s]+)\]")
_INDENT = re.compile(r"^\s*")


def node(role: str, name: str, *, prefix: bool = False) -> str:
    """Regex for the tree line of the element with this ``role`` and accessible ``name`` (or a name starting
    with ``name``), in HALO's tree (``[12] button 'Don\\'t' checked``) and BrowserGym's
    (``[a12] button "Don't", checked='true'``). ``role`` is itself a regex, for roles the trees name
    differently (a date input: ``(?:textbox|Date)``)."""
    quoted = re.escape(name).replace("'", r"\\?'")
    end = "" if prefix else r"['\"](?:[\s,]|$)"
    return rf"\] {role} ['\"]{quoted}{end}"


@dataclass(frozen=True)
class Step:
    """One planned action: ``click``/``fill``/``select_option``/``press``/``hover`` on the element whose tree
    line matches ``target``, or a target-less action (``send_msg_to_user``, ``go_back``...) with ``value``."""

    action: str
    target: str | None = None
    value: str | None = None
    within: str | None = None
    """Regex of an ancestor's line: only the lines nested under the first line it matches are searched (the
    date picker's day, not the mini calendar's button of the same name). While no line matches it, the
    step waits like a missing target."""


class ScriptedPolicy:
    """Plays its steps in order; a target not (yet) on the page is retried with a short wait."""

    modality = "text"

    def __init__(self, steps: list[Step], name: str = "scripted", patience: int = 3):
        self.steps = steps
        self.name = name
        self.patience = patience
        self._next = 0
        self._misses = 0

    def reset(self) -> None:
        self._next, self._misses = 0, 0

    @property
    def played(self) -> int:
        """Steps of the plan played so far (waits for a missing target do not count)."""
        return self._next

    def _text_for(self, obs) -> str:
        if self._next >= len(self.steps):
            return "send_msg_to_user('done')"
        step = self.steps[self._next]
        if step.target is None:
            self._next += 1
            args = [] if step.value is None else [step.value]
            return f"{step.action}({', '.join(repr(a) for a in args)})"
        line = _find_line((obs.axtree or "").splitlines(), step)
        bid = _ID.search(line).group(1) if line and _ID.search(line) else None
        if bid is None:
            self._misses += 1
            if self._misses > self.patience:
                where = f" within {step.within!r}" if step.within else ""
                return f"report_infeasible({'no element matches ' + step.target + where!r})"
            return "scroll(0, 0)"  # a harmless step: look again once the page has settled
        self._next += 1
        self._misses = 0
        args = [bid] if step.value is None else [bid, step.value]
        return f"{step.action}({', '.join(repr(a) for a in args)})"

    async def act(self, obs) -> Candidate:
        return Candidate.from_text(self._text_for(obs), family="element")

    async def sample_actions(self, obs, n: int) -> list[Candidate]:
        """A plan is deterministic: n copies of the one next action (the plan advances once)."""
        chosen = await self.act(obs)
        return [chosen] * n


def _find_line(lines: list[str], step: Step) -> str | None:
    """The first line matching the step's target, among the descendants of its ``within`` line if it has one."""
    pattern = re.compile(step.target)
    if step.within is None:
        return next((l for l in lines if pattern.search(l)), None)
    scope = re.compile(step.within)
    start = next((i for i, l in enumerate(lines) if scope.search(l)), None)
    if start is None:
        return None
    depth = len(_INDENT.match(lines[start]).group())
    for line in lines[start + 1:]:
        if len(_INDENT.match(line).group()) <= depth:
            return None  # left the ancestor's subtree
        if pattern.search(line):
            return line
    return None
