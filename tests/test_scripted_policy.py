"""ScriptedPolicy finds its targets in HALO's tree and in BrowserGym's alike (no browser needed)."""

import asyncio
import re

import pytest

from halo_lib.env.environment import Observation
from halo_lib.policies.scripted import ScriptedPolicy, Step, node

HALO_TREE = """[16] navigation 'Calendar navigation'
  [19] region 'Mini calendar'
    [26] button 'Next month'
    [41] button 'Wednesday, July 17, 2024'
[421] dialog 'Create event'
  [429] button 'Start date: Wednesday, July 17' focused
  [436] combobox 'Repeat' value='Does not repeat'
[445] dialog 'Choose date'
  [448] button 'Next month'
  [466] button 'Wednesday, July 17, 2024'
[80] row 'unread, Brian King, Yesterday\\'s meeting, Jul 17' clickable
  [82] checkbox 'Select conversation: Yesterday\\'s meeting from Brian King' checked=false"""

# The same page as agisdk's harness shows it: tab indents, a root line, repr names, ", attr=" after the name.
BROWSERGYM_TREE = """RootWebArea 'GoCalendar', focused
\t[47] navigation 'Calendar navigation'
\t\t[52] region 'Mini calendar'
\t\t\t[56] button 'Next month'
\t\t\t[82] button 'Wednesday, July 17, 2024'
\t[a1] dialog 'Create event', modal=True
\t\t[a9] button 'Start date: Wednesday, July 17', focused
\t\t[a12] combobox 'Repeat', hasPopup='menu', expanded=False, value='Does not repeat'
\t[b1] dialog 'Choose date', modal=True
\t\t[b4] button 'Next month'
\t\t[b20] button 'Wednesday, July 17, 2024'
\t[300] row "unread, Brian King, Yesterday's meeting, Jul 17"
\t\t\t[302] checkbox "Select conversation: Yesterday's meeting from Brian King", checked='false'"""

TREES = {"halo": HALO_TREE, "browsergym": BROWSERGYM_TREE}


def ids_for(steps, tree: str) -> list[str]:
    policy = ScriptedPolicy(steps, patience=0)
    return [asyncio.run(policy.act(Observation(goal="", url="", step=i, axtree=tree))).text for i in range(len(steps))]


@pytest.mark.parametrize("tree, expected", [("halo", ["click('448')", "click('466')", "click('82')"]),
                                            ("browsergym", ["click('b4')", "click('b20')", "click('302')"])])
def test_within_picks_the_date_pickers_buttons_not_the_mini_calendars(tree, expected):
    picker = node("dialog", "Choose date")
    steps = [Step("click", node("button", "Next month"), within=picker),
             Step("click", node("button", "Wednesday, July 17, 2024"), within=picker),
             Step("click", node("checkbox", "Select conversation: Yesterday's meeting from ", prefix=True))]
    assert ids_for(steps, TREES[tree]) == expected


@pytest.mark.parametrize("tree", ["halo", "browsergym"])
def test_node_matches_the_exact_name_only_unless_prefix(tree):
    lines = TREES[tree].splitlines()

    def hits(pattern):
        return [l.split("]")[0].strip("\t [") for l in lines if re.search(pattern, l)]

    assert len(hits(node("button", "Next month"))) == 2
    assert hits(node("button", "Start date:")) == []  # the full name is longer
    assert len(hits(node("button", "Start date:", prefix=True))) == 1
    assert len(hits(node("combobox", "Repeat"))) == 1
    assert hits(node("dialog", "Choose")) == []


def test_a_step_waits_while_its_ancestor_is_missing_and_stops_at_the_end_of_its_subtree():
    picker_only = Step("click", node("button", "Next month"), within=node("dialog", "Choose date"))
    policy = ScriptedPolicy([picker_only], patience=1)
    no_picker = HALO_TREE.split("[445]")[0]  # the mini calendar's "Next month" is there, the picker's is not
    first = asyncio.run(policy.act(Observation(goal="", url="", step=0, axtree=no_picker)))
    second = asyncio.run(policy.act(Observation(goal="", url="", step=1, axtree=no_picker)))
    assert first.text == "scroll(0, 0)"
    assert second.text.startswith("report_infeasible(") and "within" in second.text

    outside = Step("click", node("button", "Start date:", prefix=True), within=node("dialog", "Choose date"))
    assert ids_for([outside], HALO_TREE)[0].startswith("report_infeasible(")  # it is in the other dialog
