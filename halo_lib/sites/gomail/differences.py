"""GoMail's ``differences`` block of ``/finish``: per-email changes between the initial and final state.

Shape (what agisdk's v2 gomail scripts read)::

    {"emails": {
        "added":   [<full email object>, ...],        # new emails: sent, replies, drafts
        "updated": [{"id": "12", <changed field>: <final value>, ...}, ...],
        "deleted": [<full INITIAL email object>, ...], # gone from the live mailbox: deleted forever,
    }}                                                 # or snoozed (hidden until the snooze ends)

``updated`` entries carry only the id and the fields whose value changed (``trash``, ``isRead``,
``archived``, ``snoozed``...), never sender/subject: gomail-2 then falls back to its known ids.
Lists are ordered by numeric id, so the output is deterministic.
"""

from __future__ import annotations

import copy


def _id_key(eid: str):
    return (0, int(eid)) if str(eid).isdigit() else (1, str(eid))


def _emails(state: dict) -> dict:
    return ((state or {}).get("email") or {}).get("emails") or {}


def differences(initial: dict, final: dict) -> dict:
    before, after = _emails(initial), _emails(final)
    added, updated, deleted = [], [], []
    for eid in sorted(after, key=_id_key):
        if eid not in before:
            added.append(dict(copy.deepcopy(after[eid]), id=eid))
    for eid in sorted(before, key=_id_key):
        old = before[eid]
        new = after.get(eid)
        if new is None:
            deleted.append(dict(copy.deepcopy(old), id=eid))
            continue
        changed = {k: copy.deepcopy(new.get(k)) for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)}
        if changed:
            updated.append({"id": eid, **changed})
        if new.get("snoozed") and not old.get("snoozed"):
            deleted.append(dict(copy.deepcopy(old), id=eid))
    return {"emails": {"added": added, "updated": updated, "deleted": deleted}}
