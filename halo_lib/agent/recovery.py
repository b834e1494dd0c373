"""Recovery around any policy: clear what blocks the page, notice loops, fall back deterministically.

Decisions are pure functions of the observation (plus a little per-episode memory in :class:`Recovery`), so they
are tested on real trees without a browser. Every intervention is an :class:`~halo_lib.actions.Action`: element
actions when the tree (and so its ids) is available, computer_use key presses and scrolls otherwise.

* **Obstructions**: a dialog, alert, cookie or newsletter notice. Any dialog can be closed (:func:`close_action`);
  only *blocking* ones (alert dialogs, consent/promo notices, notices whose only buttons acknowledge them) are
  closed on sight -- a compose window or an event pop-over is the agent's work, not in its way.
* **Loops**: the same action (its element named by role and name) on the same state signature ``repeats`` times.
  The ladder for a stuck state: close an open dialog, ask the policy to re-plan with a hint, scroll down, go back.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from halo_lib.actions import COMPUTER_USE, ELEMENT, Action
from halo_lib.agent.axtree import AxNode, descendants, parse_axtree, state_signature, subtree_text
from halo_lib.agent.grounding import GroundedAction

DIALOG_ROLES = ("dialog", "alertdialog")
NOTICE_ROLES = ("banner", "region", "complementary", "alert", "note", "generic", "contentinfo", "group", "status")
NOTICE_WORDS = re.compile(r"\b(cookies?|consent|gdpr|newsletter|subscribe|sign up for|special offer|discount|promo"
                          r"(tion)?s?|advertisement)\b", re.IGNORECASE)
# Buttons that close a notice, best first: an explicit close, a close inside a longer name ('Save & close'),
# a refusal, an acknowledgement, a cancel.
CLOSE_NAMES = [re.compile(p, re.IGNORECASE) for p in (
    r"^\s*(close|dismiss|[×✕✖x])(?!\w)", r"\b(close|dismiss)\b",
    r"^(no,? thanks|not now|maybe later|skip|reject all|decline)",
    r"^(ok|okay|got it|accept( all)?|i agree|agree|continue)\b", r"^cancel\b")]
ACKNOWLEDGEMENTS = re.compile(r"^\s*(close|dismiss|[×✕✖x]|ok|okay|got it|no,? thanks|not now|continue)\s*$",
                              re.IGNORECASE)


# ---- obstructions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Obstruction:
    """Something drawn over the page: its container node, the button that closes it, what it says."""

    container: AxNode
    close_button: AxNode | None
    text: str
    blocking: bool

    def describe(self) -> str:
        return self.container.describe()


def _close_button(buttons: list[AxNode]) -> AxNode | None:
    for pattern in CLOSE_NAMES:
        match = next((b for b in buttons if pattern.search(b.name)), None)
        if match is not None:
            return match
    return None


def find_obstructions(nodes: list[AxNode]) -> list[Obstruction]:
    """Dialogs, alert dialogs and consent/promo notices in the tree: blocking ones first, then later-drawn first."""
    found = []
    for node in nodes:
        is_dialog = node.role in DIALOG_ROLES
        text = subtree_text(nodes, node) if is_dialog or node.role in NOTICE_ROLES else ""
        is_notice = node.role in NOTICE_ROLES and NOTICE_WORDS.search(text) is not None
        if not (is_dialog or is_notice):
            continue
        buttons = [n for n in descendants(nodes, node) if n.role in ("button", "link") and n.bid]
        close = _close_button(buttons)
        if is_notice and close is None:
            continue  # a notice without a way to close it is part of the page (Omnizon's demo note)
        acknowledge_only = bool(buttons) and all(ACKNOWLEDGEMENTS.search(b.name) for b in buttons)
        blocking = node.role == "alertdialog" or is_notice or NOTICE_WORDS.search(text) is not None or acknowledge_only
        found.append(Obstruction(node, close, text, blocking))
    return sorted(found[::-1], key=lambda o: not o.blocking)


def escape_key() -> Action:
    return Action("key", COMPUTER_USE, {"keys": ["Escape"]})


def close_action(obstruction: Obstruction) -> Action:
    """Click its close button; press Escape when it has none."""
    if obstruction.close_button is not None:
        return Action("click", ELEMENT, {"bid": obstruction.close_button.bid})
    return escape_key()


# ---- loops ----------------------------------------------------------------------------------------


class LoopDetector:
    """Counts each (state signature, action key) pair executed in an episode."""

    def __init__(self, repeats: int = 3):
        if repeats < 2:
            raise ValueError("a loop needs repeats >= 2")
        self.repeats = repeats
        self.seen: Counter[tuple[str, str]] = Counter()

    def record(self, signature: str, action_key: str) -> None:
        self.seen[signature, action_key] += 1

    def would_loop(self, signature: str, action_key: str) -> bool:
        """True when doing this action here again would be its ``repeats``-th time on this exact state."""
        return self.seen[signature, action_key] + 1 >= self.repeats


def fallback_actions(has_axtree: bool) -> list[tuple[str, Action]]:
    """The deterministic fallbacks, mildest first: scroll down to reveal more, then go back."""
    if has_axtree:
        return [("scroll down", Action("scroll", ELEMENT, {"delta_x": 0, "delta_y": 400})),
                ("go back", Action("go_back", ELEMENT, {}))]
    return [("press Escape", escape_key()),
            ("scroll down", Action("scroll", COMPUTER_USE, {"pixels": -400})),
            ("go back", Action("key", COMPUTER_USE, {"keys": ["Alt", "ArrowLeft"]}))]


# ---- the per-episode recovery policy --------------------------------------------------------------


@dataclass(frozen=True)
class Intervention:
    """What recovery wants instead of the policy's action: an action of its own, or a re-plan with a hint."""

    kind: Literal["act", "replan"]
    reason: str
    action: Action | None = None
    hint: str | None = None


@dataclass
class RecoveryConfig:
    """How eagerly recovery steps in."""

    loop_repeats: int = 3
    """The same action on the same state this many times is a loop."""
    clear_blocking: bool = True
    """Close blocking notices (alerts, consent/promo pop-ups) before the policy acts."""
    close_attempts: int = 2
    """Clicks on a notice's close button before trying Escape, then leaving it to the policy."""
    replan: bool = True
    """On a loop, first ask the policy to re-plan (a hint in its prompt) before the fallbacks."""


@dataclass
class Recovery:
    """One episode's recovery: :meth:`before_policy` (obstructions), :meth:`review` (loops), :meth:`record`."""

    config: RecoveryConfig = field(default_factory=RecoveryConfig)

    def __post_init__(self) -> None:
        self.loops = LoopDetector(self.config.loop_repeats)
        self._close_tries: Counter[str] = Counter()
        self._rung: Counter[str] = Counter()  # how far up the ladder each stuck state has gone

    def before_policy(self, obs) -> Intervention | None:
        """Close the topmost blocking notice (if any is left to try)."""
        if not self.config.clear_blocking or not obs.axtree:
            return None
        for obstruction in find_obstructions(parse_axtree(obs.axtree)):
            if not obstruction.blocking:
                continue
            key = obstruction.text
            tries = self._close_tries[key]
            if tries > self.config.close_attempts:
                continue  # neither its button nor Escape closed it: the policy must deal with it
            self._close_tries[key] += 1
            action = close_action(obstruction) if tries < self.config.close_attempts else escape_key()
            return Intervention("act", f"closed the blocking {obstruction.describe()}: {obstruction.text[:200]}",
                                action, hint=f"A notice was closed for you; it said: {obstruction.text[:300]}")
        return None

    def review(self, obs, proposed: GroundedAction) -> Intervention | None:
        """None to let the proposed action through; an intervention when it would repeat itself into a loop."""
        signature = state_signature(obs.url, obs.axtree)
        key = proposed.key()
        if not self.loops.would_loop(signature, key):
            return None
        ladder = self._ladder(obs, key)
        rung = self._rung[signature]
        self._rung[signature] += 1
        if rung >= len(ladder):
            return None  # every fallback tried here: let the policy have its way (max_steps ends the episode)
        return ladder[rung]

    def _ladder(self, obs, key: str) -> list[Intervention]:
        why = f"{key} was about to run for the {self.config.loop_repeats}th time on an unchanged page"
        ladder = []
        nodes = parse_axtree(obs.axtree)
        open_dialogs = [o for o in find_obstructions(nodes) if o.container.role in DIALOG_ROLES]
        if open_dialogs:
            ladder.append(Intervention("act", f"{why}; closing {open_dialogs[0].describe()}",
                                       close_action(open_dialogs[0])))
        if self.config.replan:
            ladder.append(Intervention("replan", why, hint=(
                f"Your action {key} has not changed the page after {self.config.loop_repeats - 1} tries. "
                "Do not repeat it: look at the page again and choose a different action.")))
        ladder += [Intervention("act", f"{why}; fallback: {label}", action)
                   for label, action in fallback_actions(bool(obs.axtree))]
        return ladder

    def record(self, obs, executed: GroundedAction) -> None:
        """Count an executed action on the state it was chosen on."""
        self.loops.record(state_signature(obs.url, obs.axtree), executed.key())
