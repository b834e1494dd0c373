"""GoCalendar's v2 tasks as element-action plans (see ``halo_lib.sites.plans``), on the oracles' UI routes.

Today on the site is Wednesday July 17, 2024 (Pacific): the date picker opens on July 2024.
"""

from __future__ import annotations

import datetime
import re

from halo_lib.policies.scripted import Step, node

PICKER = node("dialog", "Choose date")
SHOWN_MONTH = (2024, 7)  # the month the date picker opens on


def _pick_date(which: str, day: datetime.date) -> list[Step]:
    """Open the ``which`` ("Start date"/"End date") picker, page to the month, click the day in the picker
    (the mini calendar has buttons of the same names, hence ``within``)."""
    months_ahead = (day.year - SHOWN_MONTH[0]) * 12 + day.month - SHOWN_MONTH[1]
    label = f"{day:%A}, {day:%B} {day.day}, {day.year}"
    return ([Step("click", node("button", f"{which}:", prefix=True))]
            + [Step("click", node("button", "Next month"), within=PICKER)] * months_ahead
            + [Step("click", node("button", label), within=PICKER)])


def _pick_time(which: str, label: str) -> list[Step]:
    return [Step("click", node("button", f"{which}:", prefix=True)),
            Step("click", node("option", label), within=node("listbox", which))]


def create(title: str, answer: str, *, date: datetime.date, start: str | None = None, end: str | None = None,
           all_day: bool = False, end_date: datetime.date | None = None, location: str | None = None,
           repeat: str | None = None, task: bool = False) -> list[Step]:
    """Create, fill the quick-create dialog in the oracle's order, Save."""
    steps = [Step("click", node("button", "Create")), Step("fill", node("textbox", "Add title"), title)]
    if task:
        steps.append(Step("click", node("tab", "Task")))
    if all_day:
        steps.append(Step("click", node("checkbox", "All day")))
    steps += _pick_date("Start date", date)
    if end_date:
        steps += _pick_date("End date", end_date)
    if start:
        steps += _pick_time("Start time", start)
    if end:
        steps += _pick_time("End time", end)
    if repeat:
        steps.append(Step("select_option", node("combobox", "Repeat"), repeat))
    if location:
        steps.append(Step("fill", node("textbox", "Add location"), location))
    return steps + [Step("click", node("button", "Save")), Step("send_msg_to_user", value=answer)]


def delete(title: str, day: str, answer: str) -> list[Step]:
    """Open the event chip ``title`` on ``day`` (``Wednesday, July 17``) and delete it from its pop-over."""
    chip = node("button", f"{title}, ", prefix=True) + ".*, " + re.escape(day)
    return [Step("click", chip), Step("click", node("button", "Delete event")),
            Step("send_msg_to_user", value=answer)]


WEEKDAY_REPEAT = "Every weekday (Monday to Friday)"
WED, THU = "Wednesday, July 17", "Thursday, July 18"
D = datetime.date

PLANS: dict[str, list[Step]] = {
    "gocalendar-4": create("Work out at the gym", "Added a weekday reminder to work out at the gym, 7:45-8:45 pm, "
                           "starting September 20.", date=D(2024, 9, 20), start="7:45pm", end="8:45pm",
                           repeat=WEEKDAY_REPEAT, location="Gym"),
    "gocalendar-6": create("Pick up sister", "Added a reminder to pick up your sister on Wednesday at 11 am.",
                           date=D(2024, 7, 17), start="11:00am", end="11:30am"),
    "gocalendar-8": create("Send email to Ashley", "Added a task to send an email to Ashley on Monday morning.",
                           task=True, date=D(2024, 7, 22), start="9:00am"),
    "gocalendar-10": delete("Dinner with Friends", WED, "I cancelled the dinner with friends on Wednesday."),
    # agisdk ships an empty official script for this task: no run can pass it, this plan included.
    "gocalendar-11": create("Basketball game", "Added your basketball game tonight at 7 pm in San Francisco.",
                            date=D(2024, 7, 17), start="7:00pm", end="9:00pm", location="San Francisco"),
    "gocalendar-12": create("Buy gym clothes", "Added a reminder for Monday morning to buy gym clothes.",
                            date=D(2024, 7, 22), start="9:00am", end="9:30am"),
    "gocalendar-13": create("Math Camp", "Added Math Camp, all day July 21-27, in Sunnyvale.", all_day=True,
                            date=D(2024, 7, 21), end_date=D(2024, 7, 27), location="Sunnyvale"),
    "gocalendar-16": delete("Reading Time", WED, "I cancelled Wednesday's reading time."),
    "gocalendar-18": delete("Coffee with Sister", THU, "I removed the coffee with your sister on Thursday."),
    "gocalendar-23": delete("Project Sync", WED, "I deleted Wednesday's project sync."),
}
