"""GoCalendar's ``differences`` block of ``/finish``: per-entity changes the official scripts read.

Shape::

    {"events": {"added":   {event_id: final event},     # in final, not in initial
                "updated": {event_id: final event},     # in both, changed (the WHOLE final object)
                "deleted": {event_id: initial event}},  # in initial, not in final (the whole object)
     "tasks":  {"added": {...}, "updated": {...}, "deleted": {...}}}   # calendar.myTasks, same rules

Scripts read e.g. ``differences.events.deleted[*].title`` and ``differences.events.added[*].start``.
"""

from __future__ import annotations

import copy


def _entity_diff(before: dict, after: dict) -> dict:
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    return {
        "added": {k: copy.deepcopy(v) for k, v in after.items() if k not in before},
        "updated": {k: copy.deepcopy(v) for k, v in after.items() if k in before and before[k] != v},
        "deleted": {k: copy.deepcopy(v) for k, v in before.items() if k not in after},
    }


def differences(initial: dict, final: dict) -> dict:
    """(initial state, final state) -> ``{"events": {...}, "tasks": {...}}`` as documented above."""
    ic, fc = initial.get("calendar") or {}, final.get("calendar") or {}
    return {
        "events": _entity_diff(ic.get("events"), fc.get("events")),
        "tasks": _entity_diff(ic.get("myTasks"), fc.get("myTasks")),
    }
