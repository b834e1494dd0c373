"""The Verified Action Cache: action sequences that solved a task, replayed when the same situation comes back.

An entry is keyed by (site, state signature of the start page, goal) and holds grounded actions (each element
action remembers the role and name of its target, so a replay finds the element again whatever id it has now).
Only verified plans get in: an episode the official evaluator judged a success. A replay that fails is dropped
(after ``drop_after`` failures; 1 by default), so a stale plan cannot keep costing episodes.

The cache is a JSON file rewritten atomically (a temporary file in the same folder, then ``os.replace``) on every
change; a lock makes it safe for the episodes of a pool (threads or asyncio tasks) in one process.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from halo_lib.agent.grounding import GroundedAction
from halo_lib.atomic import write_text_atomic

CACHE_VERSION = 1


def cache_key(site: str, start_signature: str, goal: str) -> str:
    return hashlib.sha1(f"{site}\n{start_signature}\n{goal.strip()}".encode("utf-8")).hexdigest()[:20]


@dataclass
class CachedPlan:
    """A verified action sequence and its record."""

    site: str
    goal: str
    start_signature: str
    steps: list[dict]
    """``GroundedAction.to_dict()`` of each action, in order."""
    successes: int = 1
    failures: int = 0
    created: float = field(default_factory=time.time)
    last_used: float | None = None

    @property
    def key(self) -> str:
        return cache_key(self.site, self.start_signature, self.goal)

    def actions(self) -> list[GroundedAction]:
        return [GroundedAction.from_dict(step) for step in self.steps]


class VerifiedActionCache:
    """Verified plans in memory, mirrored to ``path`` (None: memory only)."""

    def __init__(self, path: str | Path | None = None, drop_after: int = 1):
        self.path = Path(path) if path is not None else None
        self.drop_after = drop_after
        self._lock = threading.Lock()
        self._plans: dict[str, CachedPlan] = {}
        if self.path is not None and self.path.exists():
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self._plans = {key: CachedPlan(**plan) for key, plan in data.get("plans", {}).items()}

    def __len__(self) -> int:
        return len(self._plans)

    def lookup(self, site: str, start_signature: str, goal: str) -> CachedPlan | None:
        with self._lock:
            plan = self._plans.get(cache_key(site, start_signature, goal))
            if plan is not None:
                plan.last_used = time.time()
            return plan

    def record_success(self, site: str, start_signature: str, goal: str, actions: list[GroundedAction]) -> None:
        """Store a plan that just succeeded (a replay that succeeded again only bumps its count)."""
        steps = [a.to_dict() for a in actions]
        key = cache_key(site, start_signature, goal)
        with self._lock:
            plan = self._plans.get(key)
            if plan is not None and plan.steps == steps:
                plan.successes += 1
            else:
                self._plans[key] = CachedPlan(site, goal, start_signature, steps)
            self._save()

    def record_failure(self, site: str, start_signature: str, goal: str) -> bool:
        """A replay of this plan failed; returns True when the plan was dropped."""
        key = cache_key(site, start_signature, goal)
        with self._lock:
            plan = self._plans.get(key)
            if plan is None:
                return False
            plan.failures += 1
            dropped = plan.failures >= self.drop_after
            if dropped:
                del self._plans[key]
            self._save()
            return dropped

    def _save(self) -> None:
        if self.path is None:
            return
        data = {"version": CACHE_VERSION, "plans": {key: asdict(plan) for key, plan in self._plans.items()}}
        write_text_atomic(self.path, json.dumps(data, ensure_ascii=False, indent=1))
