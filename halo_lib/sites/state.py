"""Site state: per-session storage and the deep diff that REAL's ``/finish`` reports.

``deep_diff`` follows the shape REAL's sites report as ``initialfinaldiff`` (the ``detailedDiff`` of
the npm package deep-object-diff): three trees, ``added``, ``updated`` and ``deleted``, each holding
only the changed paths. Lists are compared like objects keyed by their index ("0", "1", ...), a key
that disappears is reported under ``deleted`` with the value ``null``.
"""

from __future__ import annotations

import copy
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any


def entity_diff(before: Any, after: Any) -> dict:
    """Two ``{id: entity}`` tables compared the way REAL's ``differences`` blocks list them: the entities ``added``,
    ``updated`` (same id, other content) and ``deleted``, each copied (a missing or non-mapping table is empty)."""
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    return {
        "added": {k: copy.deepcopy(v) for k, v in after.items() if k not in before},
        "updated": {k: copy.deepcopy(v) for k, v in after.items() if k in before and before[k] != v},
        "deleted": {k: copy.deepcopy(v) for k, v in before.items() if k not in after},
    }


def _as_mapping(value: Any) -> dict | None:
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)}
    return None


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), type(value).__name__)


def shape_error(initial: Any, state: Any, path: str = "state", depth: int = 6) -> str | None:
    """Where ``state`` does not have ``initial``'s shape, or None: each value the JSON type of the initial one at
    that place (a null on either side matches anything), a list's items that of the initial list's first item, down
    to ``depth`` levels. The apps only ever write states of that shape; another one made /finish fail for good."""
    if initial is None or state is None:
        return None
    if _json_type(initial) != _json_type(state):
        return f"{path} must be {_json_type(initial)}, got {_json_type(state)}"
    if depth == 0:
        return None
    if isinstance(initial, dict):
        for key in initial.keys() & state.keys():
            error = shape_error(initial[key], state[key], f"{path}.{key}", depth - 1)
            if error:
                return error
    elif isinstance(initial, list) and initial:
        for i, item in enumerate(state):
            error = shape_error(initial[0], item, f"{path}[{i}]", depth - 1)
            if error:
                return error
    return None


def deep_diff(initial: Any, final: Any) -> dict[str, dict]:
    """Return ``{"added": ..., "updated": ..., "deleted": ...}`` between two JSON values."""
    added: dict = {}
    updated: dict = {}
    deleted: dict = {}
    _diff_into(initial, final, added, updated, deleted)
    return {"added": added, "updated": updated, "deleted": deleted}


def _diff_into(old: Any, new: Any, added: dict, updated: dict, deleted: dict) -> None:
    old_map, new_map = _as_mapping(old), _as_mapping(new)
    for key in new_map:
        new_value = new_map[key]
        if key not in old_map:
            added[key] = copy.deepcopy(new_value)
            continue
        old_value = old_map[key]
        if _as_mapping(old_value) is not None and _as_mapping(new_value) is not None and (
            type(old_value) is type(new_value)
        ):
            sub_added, sub_updated, sub_deleted = {}, {}, {}
            _diff_into(old_value, new_value, sub_added, sub_updated, sub_deleted)
            if sub_added:
                added[key] = sub_added
            if sub_updated:
                updated[key] = sub_updated
            if sub_deleted:
                deleted[key] = sub_deleted
        elif not _same_leaf(old_value, new_value):
            updated[key] = copy.deepcopy(new_value)
    for key in old_map:
        if key not in new_map:
            deleted[key] = None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _same_leaf(old: Any, new: Any) -> bool:
    # JSON has one number type: 348.0 saved by a browser comes back as 348 and is no change.
    if _is_number(old) and _is_number(new):
        return old == new
    return type(old) is type(new) and old == new


@dataclass
class Session:
    """One configured run on one site: the task's initial state and the live state."""

    run_id: str
    task_id: str | None
    initial: dict
    state: dict
    latency_ms: int = 0
    created: float = field(default_factory=time.time)


class SessionStore:
    """Sessions by id. Browser contexts hold different cookies, so parallel episodes never mix."""

    def __init__(self, max_sessions: int = 512):
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()
        self._max = max_sessions

    def create(self, run_id: str, task_id: str | None, initial: dict, latency_ms: int = 0) -> str:
        sid = secrets.token_hex(12)
        session = Session(run_id, task_id, copy.deepcopy(initial), copy.deepcopy(initial), latency_ms)
        with self._lock:
            if len(self._sessions) >= self._max:  # forget the oldest: finished episodes are never read again
                oldest = min(self._sessions, key=lambda k: self._sessions[k].created)
                del self._sessions[oldest]
            self._sessions[sid] = session
        return sid

    def get(self, sid: str | None) -> Session | None:
        if not sid:
            return None
        with self._lock:
            return self._sessions.get(sid)
