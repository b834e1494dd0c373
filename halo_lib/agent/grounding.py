"""Element actions tied to WHAT they point at (role and name in the tree), not to an id that a re-render changes.

A recorded ``click('180')`` on ``button 'Dinner with Friends, ...'`` becomes a :class:`GroundedAction`; replaying it
later looks the button up again by role and name and uses whatever id it has now.
"""

from __future__ import annotations

from dataclasses import dataclass

from halo_lib.actions import ELEMENT, Action
from halo_lib.agent.axtree import AxNode, node_by_id


@dataclass(frozen=True)
class Target:
    role: str
    name: str

    def describe(self) -> str:
        return f"{self.role} {self.name!r}"


@dataclass(frozen=True)
class GroundedAction:
    action: Action
    target: Target | None = None
    """The element the action addressed, or None for actions without an element (scroll, key, answers)."""

    def to_dict(self) -> dict:
        target = None if self.target is None else {"role": self.target.role, "name": self.target.name}
        return {"action": self.action.to_dict(), "target": target}

    @classmethod
    def from_dict(cls, data: dict) -> "GroundedAction":
        target = data.get("target")
        return cls(Action.from_dict(data["action"]), Target(**target) if target else None)

    def key(self) -> str:
        """The action with its element named by role and name: equal for the same click across re-renders."""
        if self.target is None:
            return self.action.to_text(compact=True)
        args = {k: v for k, v in self.action.args.items() if k != "bid"}
        return f"{self.action.name}({self.target.describe()}, {args})"


def ground(action: Action, nodes: list[AxNode]) -> GroundedAction:
    """Attach the target element (by the action's ``bid``) as found in the tree the action was chosen on."""
    bid = action.args.get("bid") if action.family == ELEMENT else None
    node = node_by_id(nodes, bid) if bid else None
    return GroundedAction(action, Target(node.role, node.name) if node is not None else None)


def reground(grounded: GroundedAction, nodes: list[AxNode]) -> Action | None:
    """The action re-addressed to the element that now has the target's role and name; None if it is gone
    (an action without a target needs no element and comes back unchanged)."""
    if grounded.target is None:
        return grounded.action
    same = [n for n in nodes if n.bid and n.role == grounded.target.role and n.name == grounded.target.name]
    if not same:
        return None
    return Action(grounded.action.name, grounded.action.family, {**grounded.action.args, "bid": same[0].bid})
