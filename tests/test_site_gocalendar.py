"""GoCalendar local site: seed data the official scripts rely on, the ``differences`` shape, the
official scripts on hand-made state changes, and an end-to-end check that every oracle passes and
every wrong solution fails under agisdk's scripts."""

from __future__ import annotations

import copy
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from halo_lib.env.evaluation import run_official_eval
from halo_lib.sites.gocalendar import SPEC, seed
from halo_lib.sites.gocalendar.differences import differences
from halo_lib.sites.gocalendar.oracle import ORACLES
from halo_lib.sites.state import deep_diff
from halo_lib.real_tasks import get_task, list_tasks

PT = ZoneInfo("America/Los_Angeles")


def _events(state=None):
    return (state or seed.initial_state(None))["calendar"]["events"]


def _find(title, local_date):
    """The seed events called ``title`` whose Pacific start date is ``local_date``."""
    out = []
    for ev in _events().values():
        start = datetime.fromisoformat(ev["start"].replace("Z", "+00:00")).astimezone(PT)
        if ev["title"] == title and start.date().isoformat() == local_date:
            out.append(ev)
    return out


def _finish(initial, final):
    return {"initialfinaldiff": deep_diff(initial, final), "differences": differences(initial, final)}


def test_seed_is_fresh_and_deterministic():
    a, b = seed.initial_state("gocalendar-10"), seed.initial_state(None)
    assert a == b
    a["calendar"]["events"].clear()
    assert seed.initial_state(None)["calendar"]["events"]


def test_clock_is_wednesday_july_17_pacific():
    assert SPEC.now == "2024-07-17T09:20:00"
    assert SPEC.now_utc == "2024-07-17T16:20:00Z"
    assert datetime.fromisoformat(SPEC.now).strftime("%A") == "Wednesday"


def test_times_are_utc_from_pacific():
    assert seed.utc_iso("2024-09-20", "19:45") == "2024-09-21T02:45:00Z"
    (reading,) = _find("Reading Time", "2024-07-17")
    assert reading["start"] == "2024-07-18T05:00:00Z"  # 10 pm PDT
    (bday,) = [e for e in _events().values() if e["title"] == "Maya's Birthday"]
    assert bday["allDay"] and bday["start"] == bday["end"] == "2024-07-19T07:00:00Z"


def test_seed_has_the_events_the_goals_name():
    assert len(_find("Dinner with Friends", "2024-07-17")) == 1
    assert len(_find("Reading Time", "2024-07-17")) == 1
    assert len(_find("Coffee with Sister", "2024-07-18")) == 1
    assert len(_find("Project Sync", "2024-07-17")) == 1
    # Exactly one "Project Sync" falls on a Wednesday (in UTC as the script reads it); others are distractors.
    syncs = [e for e in _events().values() if e["title"] == "Project Sync"]
    assert len(syncs) >= 2
    assert [datetime.fromisoformat(e["start"][:19]).weekday() for e in syncs].count(2) == 1
    titles = [e["title"].lower() for e in _events().values()]
    assert sum("reading" in t for t in titles) == 1
    assert sum("coffee" in t and "sister" in t for t in titles) == 1
    assert sum("dinner" in t and "friend" in t for t in titles) == 1
    assert any("dinner" in t and "friend" not in t for t in titles)  # a distractor dinner


def test_differences_added_updated_deleted():
    initial = seed.initial_state(None)
    final = copy.deepcopy(initial)
    evs = final["calendar"]["events"]
    gone = evs.pop("evt-001")
    evs["evt-002"]["title"] = "Renamed"
    evs["evt-900"] = dict(gone, id="evt-900", title="New")
    final["calendar"]["myTasks"]["task-900"] = {"id": "task-900", "title": "T", "start": "2024-07-22T16:00:00Z"}
    d = differences(initial, final)
    assert d["events"]["deleted"] == {"evt-001": gone}
    assert d["events"]["updated"]["evt-002"]["title"] == "Renamed"
    assert d["events"]["updated"]["evt-002"]["start"] == evs["evt-002"]["start"]  # whole object
    assert list(d["events"]["added"]) == ["evt-900"]
    assert list(d["tasks"]["added"]) == ["task-900"] and not d["tasks"]["deleted"]
    assert differences(initial, copy.deepcopy(initial)) == {
        "events": {"added": {}, "updated": {}, "deleted": {}},
        "tasks": {"added": {}, "updated": {}, "deleted": {}},
    }


@pytest.mark.parametrize(
    ("task", "title", "good_day", "bad_title", "bad_day"),
    [
        ("gocalendar-10", "Dinner with Friends", "2024-07-17", "Family Dinner", "2024-07-19"),
        ("gocalendar-16", "Reading Time", "2024-07-17", "Call Mom", "2024-07-17"),
        ("gocalendar-18", "Coffee with Sister", "2024-07-18", "Coffee with Mike", "2024-07-16"),
        ("gocalendar-23", "Project Sync", "2024-07-17", "Project Sync", "2024-07-15"),
    ],
)
def test_official_delete_scripts_on_handmade_states(task, title, good_day, bad_title, bad_day):
    initial = seed.initial_state(task)
    for t, day, expected in ((title, good_day, True), (bad_title, bad_day, False)):
        final = copy.deepcopy(initial)
        (ev,) = [e for e in _find(t, day)]
        del final["calendar"]["events"][ev["id"]]
        final["calendar"]["deletedEvents"].append(ev)
        assert run_official_eval(get_task(f"v2.{task}"), _finish(initial, final)).success is expected, (t, day)


def test_official_script_13_needs_inclusive_all_day_end():
    initial = seed.initial_state("gocalendar-13")
    final = copy.deepcopy(initial)
    ev = {"id": "evt-900", "title": "Math Camp", "allDay": True, "location": "Sunnyvale",
          "start": seed.utc_iso("2024-07-21"), "end": seed.utc_iso("2024-07-27")}
    final["calendar"]["events"]["evt-900"] = ev
    task = get_task("v2.gocalendar-13")
    assert run_official_eval(task, _finish(initial, final)).success
    ev["end"] = seed.utc_iso("2024-07-28")  # an exclusive end date would fail the script
    assert not run_official_eval(task, _finish(initial, final)).success


def test_every_v2_task_has_an_oracle():
    names = {t.name for t in list_tasks("gocalendar")}
    assert len(names) == 10
    assert set(ORACLES) == names
    assert all(o.wrong for o in ORACLES.values())
