"""A scripted text policy: a fixed plan of element actions whose targets are found in the accessibility tree.

Each step names an element action and a regular expression over the tree's lines; the element id is taken
from the first matching line (``[12] button 'Send'`` -> ``click('12')``). The same plan runs in HALO's
environment and, unchanged, in agisdk's harness (whose BrowserGym tree uses its own ids in the same
``[id] role 'name'`` form). Used for demonstrations and sanity checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from halo_lib.policies.base import Candidate

_ID = re.compile(r"\[([^\]\s]+)\]")


@dataclass(frozen=True)
class Step:
    """One planned action: ``click``/``fill``/``select_option``/``press``/``hover`` on the element whose tree
    line matches ``target``, or a target-less action (``send_msg_to_user``, ``go_back``...) with ``value``."""

    action: str
    target: str | None = None
    value: str | None = None


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

    def _text_for(self, obs) -> str:
        if self._next >= len(self.steps):
            return "send_msg_to_user('done')"
        step = self.steps[self._next]
        if step.target is None:
            self._next += 1
            args = [] if step.value is None else [step.value]
            return f"{step.action}({', '.join(repr(a) for a in args)})"
        pattern = re.compile(step.target)
        line = next((l for l in (obs.axtree or "").splitlines() if pattern.search(l)), None)
        bid = _ID.search(line).group(1) if line and _ID.search(line) else None
        if bid is None:
            self._misses += 1
            if self._misses > self.patience:
                return f"report_infeasible({'no element matches ' + step.target!r})"
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
