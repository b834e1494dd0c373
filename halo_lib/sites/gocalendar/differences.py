"""GoCalendar's ``differences`` block of ``/finish``: per-entity changes the official scripts read.

Shape::

    {"events": {"added":   {event_id: final event},     # in final, not in initial
                "updated": {event_id: final event},     # in both, changed (the WHOLE final object)
                "deleted": {event_id: initial event}},  # in initial, not in final (the whole object)
     "tasks":  {"added": {...}, "updated": {...}, "deleted": {...}}}   # calendar.myTasks, same rules

Scripts read e.g. ``differences.events.deleted[*].title`` and ``differences.events.added[*].start``.
"""

from __future__ import annotations

from halo_lib.sites.state import entity_diff


def differences(initial: dict, final: dict) -> dict:
    """(initial state, final state) -> ``{"events": {...}, "tasks": {...}}`` as documented above."""
    ic, fc = initial.get("calendar") or {}, final.get("calendar") or {}
    return {
        "events": entity_diff(ic.get("events"), fc.get("events")),
        "tasks": entity_diff(ic.get("myTasks"), fc.get("myTasks")),
    }
