"""Oracle and wrong solutions for GoCalendar's v2 tasks, driven through the UI only.

Today on the site is Wednesday July 17, 2024, 9:20 am Pacific ("Monday" = the coming Monday, July 22).
"""

from __future__ import annotations

import datetime
import re

from halo_lib.sites.oracle import Oracle, do_nothing

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _full_date(y: int, m: int, d: int) -> str:
    return f"{WEEKDAYS[datetime.date(y, m, d).weekday()]}, {MONTHS[m - 1]} {d}, {y}"


async def _ready(page) -> None:
    await page.get_by_role("button", name="Create", exact=True).wait_for()
    await page.locator("#main .chip").first.wait_for()


async def delete_event(page, title: str, day: str) -> None:
    """Open the event ``title`` shown on ``day`` (``Wednesday, July 17``) and delete it from its pop-over."""
    await _ready(page)
    await page.get_by_role("button", name=re.compile(rf"^{re.escape(title)}, .*, {re.escape(day)}")).click()
    await page.get_by_role("dialog", name=title).get_by_role("button", name="Delete event").click()
    await page.get_by_role("status").get_by_text("Event deleted").wait_for()


async def _pick_date(page, dialog, which: str, ymd: tuple[int, int, int]) -> None:
    y, m, d = ymd
    await dialog.get_by_role("button", name=re.compile(rf"^{which}:")).click()
    picker = page.get_by_role("dialog", name="Choose date")
    title = picker.locator(".mini-title")
    for _ in range(36):
        shown = (await title.inner_text()).strip()
        month_name, year = shown.split()
        shown_idx = int(year) * 12 + MONTHS.index(month_name)
        want = y * 12 + m - 1
        if shown_idx == want:
            break
        await picker.get_by_role("button", name="Next month" if want > shown_idx else "Previous month").click()
        await title.filter(has_not_text=shown).wait_for()
    await picker.get_by_role("button", name=_full_date(y, m, d), exact=True).click()


async def _pick_time(page, dialog, which: str, label: str) -> None:
    await dialog.get_by_role("button", name=re.compile(rf"^{which}:")).click()
    await page.get_by_role("listbox", name=which).get_by_role("option", name=label, exact=True).click()


async def fill_event(page, title: str, *, date=None, start=None, end=None, all_day=False, end_date=None,
                     location=None, repeat=None, task=False):
    """Open Create and fill the quick-create dialog; returns the dialog locator (not saved yet)."""
    await _ready(page)
    await page.get_by_role("button", name="Create", exact=True).click()
    dialog = page.get_by_role("dialog", name=re.compile(r"^Create (event|task)$"))
    await dialog.get_by_label("Add title").fill(title)
    if task:
        await dialog.get_by_role("tab", name="Task").click()
    if all_day:
        await dialog.get_by_label("All day").check()
    if date:
        await _pick_date(page, dialog, "Start date", date)
    if end_date:
        await _pick_date(page, dialog, "End date", end_date)
    if start:
        await _pick_time(page, dialog, "Start time", start)
    if end:
        await _pick_time(page, dialog, "End time", end)
    if repeat:
        await dialog.get_by_label("Repeat").select_option(label=repeat)
    if location:
        await dialog.get_by_label("Add location").fill(location)
    return dialog


async def create_event(page, title: str, **kw) -> None:
    dialog = await fill_event(page, title, **kw)
    await dialog.get_by_role("button", name="Save").click()
    done = "Task created" if kw.get("task") else "Event saved"
    await page.get_by_role("status").get_by_text(done).wait_for()


def _deleter(title: str, day: str):
    async def solve(page):
        await delete_event(page, title, day)
        return None
    return solve


def _creator(title: str, **kw):
    async def solve(page):
        await create_event(page, title, **kw)
        return None
    return solve


async def _discard_gym_clothes(page):
    """Types the reminder but closes the dialog instead of saving it."""
    dialog = await fill_event(page, "Buy gym clothes", date=(2024, 7, 22), start="9:00am", end="9:30am")
    await dialog.get_by_role("button", name="Close").click()
    await dialog.wait_for(state="detached")


WED, MON, THU, FRI = "Wednesday, July 17", "Monday, July 15", "Thursday, July 18", "Friday, July 19"
WEEKDAY_REPEAT = "Every weekday (Monday to Friday)"

ORACLES: dict[str, Oracle] = {
    "gocalendar-4": Oracle(
        _creator("Work out at the gym", date=(2024, 9, 20), start="7:45pm", end="8:45pm", repeat=WEEKDAY_REPEAT,
                 location="Gym"),
        wrong=(
            ("7:45-8:45 am instead of pm", _creator("Work out at the gym", date=(2024, 9, 20), start="7:45am",
                                                    end="8:45am", repeat=WEEKDAY_REPEAT, location="Gym")),
            ("on September 19", _creator("Work out at the gym", date=(2024, 9, 19), start="7:45pm", end="8:45pm",
                                         repeat=WEEKDAY_REPEAT, location="Gym")),
        ),
    ),
    "gocalendar-6": Oracle(
        _creator("Pick up sister", date=(2024, 7, 17), start="11:00am", end="11:30am"),
        wrong=(
            ("on Thursday", _creator("Pick up sister", date=(2024, 7, 18), start="11:00am", end="11:30am")),
            ("at 11:30 am", _creator("Pick up sister", date=(2024, 7, 17), start="11:30am", end="12:00pm")),
        ),
    ),
    "gocalendar-8": Oracle(
        _creator("Send email to Ashley", task=True, date=(2024, 7, 22), start="9:00am"),
        wrong=(
            ("Monday afternoon", _creator("Send email to Ashley", task=True, date=(2024, 7, 22), start="3:00pm")),
            ("Tuesday morning", _creator("Send email to Ashley", task=True, date=(2024, 7, 23), start="9:00am")),
        ),
    ),
    "gocalendar-10": Oracle(
        _deleter("Dinner with Friends", WED),
        wrong=(("deletes the Friday family dinner", _deleter("Family Dinner", FRI)), ("nothing done", do_nothing)),
    ),
    "gocalendar-11": Oracle(
        _creator("Basketball game", date=(2024, 7, 17), start="7:00pm", end="9:00pm", location="San Francisco"),
        wrong=(
            ("7 am instead of 7 pm", _creator("Basketball game", date=(2024, 7, 17), start="7:00am", end="9:00am",
                                              location="San Francisco")),
            ("nothing done", do_nothing),
        ),
    ),
    "gocalendar-12": Oracle(
        _creator("Buy gym clothes", date=(2024, 7, 22), start="9:00am", end="9:30am"),
        wrong=(("dialog closed without saving", _discard_gym_clothes),),
    ),
    "gocalendar-13": Oracle(
        _creator("Math Camp", all_day=True, date=(2024, 7, 21), end_date=(2024, 7, 27), location="Sunnyvale"),
        wrong=(
            ("no location", _creator("Math Camp", all_day=True, date=(2024, 7, 21), end_date=(2024, 7, 27))),
            ("timed, not all day", _creator("Math Camp", date=(2024, 7, 21), start="9:00am", end="5:00pm",
                                            location="Sunnyvale")),
        ),
    ),
    "gocalendar-16": Oracle(
        _deleter("Reading Time", WED),
        wrong=(("deletes the call with Mom", _deleter("Call Mom", WED)),),
    ),
    "gocalendar-18": Oracle(
        _deleter("Coffee with Sister", THU),
        wrong=(("deletes coffee with Mike", _deleter("Coffee with Mike", "Tuesday, July 16")),),
    ),
    "gocalendar-23": Oracle(
        _deleter("Project Sync", WED),
        wrong=(("deletes Monday's project sync", _deleter("Project Sync", MON)),),
    ),
}
