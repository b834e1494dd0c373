"""GoCalendar seed data: the week of July 15-19, 2024 (today is Wednesday July 17, US Pacific).

State shape (top-level keys never change; the app POSTs the whole state back)::

    {"calendar": {"calendars": [{id, name, color, visible}],
                  "events": {event_id: event},      # timed and all-day events
                  "myTasks": {task_id: task},       # "Task" tab items (title, start, ...)
                  "deletedEvents": [event, ...]},   # trash: events deleted in this session
     "user": {name, email}}

An event: ``{id, title, start, end, allDay, location, description, calendarId, color, recurrence,
meetingId, reminder, guests}``. ``start``/``end`` are UTC ISO strings (``2024-07-18T02:00:00Z``)
of the wall-clock time in US Pacific. An all-day event starts at local midnight of its first day
and ends at local midnight of its LAST day (inclusive), so ``end[:10]`` is the last day's date.
"""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

TZ = ZoneInfo("America/Los_Angeles")
NOW = "2024-07-17T09:20:00"

CALENDARS = (
    ("work", "Work", "#d50000"),
    ("family", "Family", "#0b8043"),
    ("personal", "Personal", "#8e24aa"),
    ("tasks", "Tasks", "#039be5"),
    ("holidays", "Holidays in United States", "#33b679"),
)

# (title, date, start "HH:MM" or None for all-day, end "HH:MM" / last date, calendar, color, location, description)
EVENTS = (
    ("Team Standup", "2024-07-08", "09:00", "09:30", "work", "#039be5", "Zoom", "Daily standup with the platform team."),
    ("Project Sync", "2024-07-12", "10:00", "11:00", "work", "#d50000", "Conference Room B", "Weekly project sync."),
    ("Team Standup", "2024-07-15", "09:00", "09:30", "work", "#039be5", "Zoom", "Daily standup with the platform team."),
    ("Project Sync", "2024-07-15", "10:30", "11:30", "work", "#d50000", "Conference Room B",
     "Kick-off sync for the week: priorities and blockers."),
    ("Lunch with Priya", "2024-07-15", "12:30", "13:30", "personal", "#f4511e", "Tartine Manufactory", ""),
    ("Design Review", "2024-07-15", "14:00", "15:00", "work", "#8e24aa", "Conference Room A", "Review the new onboarding flow."),
    ("Gym", "2024-07-15", "18:00", "19:00", "personal", "#33b679", "24 Hour Fitness", ""),
    ("Coffee with Mike", "2024-07-16", "08:00", "08:30", "personal", "#f6bf26", "Blue Bottle Coffee", "Catch up with Mike from college."),
    ("Team Standup", "2024-07-16", "09:00", "09:30", "work", "#039be5", "Zoom", "Daily standup with the platform team."),
    ("1:1 with Manager", "2024-07-16", "11:00", "11:30", "work", "#3f51b5", "Virtual", "Career growth and weekly check-in."),
    ("Quarterly Planning", "2024-07-16", "13:00", "15:00", "work", "#d50000", "Main Auditorium", "Q3 roadmap planning."),
    ("Piano Lesson", "2024-07-16", "17:30", "18:30", "family", "#0b8043", "Music Academy", "Lily's weekly lesson."),
    ("Dentist Appointment", "2024-07-17", "08:00", "08:45", "personal", "#f4511e", "Bright Smile Dental", "Routine cleaning."),
    ("Team Standup", "2024-07-17", "09:00", "09:30", "work", "#039be5", "Zoom", "Daily standup with the platform team."),
    ("Customer Feedback", "2024-07-17", "12:00", "13:00", "work", "#d50000", "Virtual",
     "Reviewing customer feedback and potential improvements."),
    ("Project Sync", "2024-07-17", "14:00", "15:00", "work", "#e67c73", "Conference Room B",
     "Mid-week project sync: status of every workstream."),
    ("Marketing Handoff", "2024-07-17", "15:30", "16:30", "work", "#f6bf26", "Virtual", ""),
    ("Dinner with Friends", "2024-07-17", "19:00", "20:45", "personal", "#8e24aa", "Nopa, 560 Divisadero St, San Francisco",
     "Dinner with Jake, Sam and Olivia."),
    ("Call Mom", "2024-07-17", "21:00", "21:30", "family", "#0b8043", "", "Weekly call with Mom."),
    ("Reading Time", "2024-07-17", "22:00", "23:00", "personal", "#7986cb", "Home", "Finish 'The Overstory'."),
    ("Morning Yoga", "2024-07-18", "06:30", "07:30", "personal", "#33b679", "Yoga Tree", ""),
    ("Coffee with Sister", "2024-07-18", "08:00", "09:00", "family", "#f6bf26", "Sightglass Coffee",
     "Catch up with my sister before she leaves town."),
    ("Team Standup", "2024-07-18", "09:30", "10:00", "work", "#039be5", "Zoom", "Daily standup with the platform team."),
    ("Sprint Retro", "2024-07-18", "11:00", "12:00", "work", "#d50000", "Conference Room A", ""),
    ("Vendor Call", "2024-07-18", "14:00", "15:00", "work", "#f4511e", "Virtual", "Contract renewal with Acme Corp."),
    ("Book Club", "2024-07-18", "19:00", "20:30", "personal", "#8e24aa", "City Lights Books", "Discussing 'Klara and the Sun'."),
    ("Maya's Birthday", "2024-07-19", None, "2024-07-19", "family", "#0b8043", "", "Don't forget to call Maya!"),
    ("Team Standup", "2024-07-19", "09:00", "09:30", "work", "#039be5", "Zoom", "Daily standup with the platform team."),
    ("Demo Day", "2024-07-19", "15:00", "16:00", "work", "#8e24aa", "Main Auditorium", "Teams demo the sprint's work."),
    ("Family Dinner", "2024-07-19", "18:30", "20:00", "family", "#f4511e", "Grandma's house", "Bring dessert."),
    ("Farmers Market", "2024-07-20", "09:00", "10:30", "personal", "#33b679", "Ferry Building", ""),
    ("Hike at Mission Peak", "2024-07-21", "08:00", "11:00", "personal", "#0b8043", "Mission Peak Regional Preserve", ""),
    ("Team Standup", "2024-07-22", "09:00", "09:30", "work", "#039be5", "Zoom", "Daily standup with the platform team."),
    ("Quarterly Report Due", "2024-07-22", None, "2024-07-22", "work", "#d50000", "", "Submit the Q2 report."),
    ("Team Offsite", "2024-07-24", None, "2024-07-25", "work", "#3f51b5", "Half Moon Bay Lodge", "Two-day team offsite."),
    ("Happy Hour", "2024-07-23", "17:30", "19:00", "work", "#f6bf26", "The Dorian", ""),
    ("Haircut", "2024-07-26", "12:00", "12:45", "personal", "#616161", "Sport Clips", ""),
)

TASKS = (
    ("Renew car registration", "2024-07-19", "10:00", "Due this week."),
    ("Submit expense report", "2024-07-16", "16:00", ""),
)


def utc_iso(date: str, hhmm: str = "00:00") -> str:
    """Wall-clock US Pacific -> UTC ISO without milliseconds (``2024-09-20``, ``19:45`` -> ``2024-09-21T02:45:00Z``)."""
    local = datetime.fromisoformat(f"{date}T{hhmm}:00").replace(tzinfo=TZ)
    return local.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _meeting_id(n: int) -> str:
    letters = "abcdefghijkmnopqrstuvwxyz"
    s = "".join(letters[(n * 7 + i * 5) % len(letters)] for i in range(10))
    return f"{s[:3]}-{s[3:7]}-{s[7:]}"


def _event(n: int, row: tuple) -> dict:
    title, date, start, end, cal, color, location, description = row
    all_day = start is None
    return {
        "id": f"evt-{n:03d}",
        "title": title,
        "start": utc_iso(date) if all_day else utc_iso(date, start),
        "end": utc_iso(end) if all_day else utc_iso(date, end),
        "allDay": all_day,
        "location": location,
        "description": description,
        "calendarId": cal,
        "color": color,
        "recurrence": "none",
        "meetingId": _meeting_id(n) if location in ("Zoom", "Virtual") else "",
        "reminder": "none" if all_day else "30 minutes before",
        "guests": [],
    }


def initial_state(task_name: str | None = None) -> dict:
    """A fresh initial state (the same for every task: the goals all start from this week)."""
    events = {}
    for n, row in enumerate(EVENTS, start=1):
        ev = _event(n, row)
        events[ev["id"]] = ev
    tasks = {}
    for n, (title, date, hhmm, description) in enumerate(TASKS, start=1):
        tid = f"task-{n:03d}"
        tasks[tid] = {
            "id": tid, "title": title, "start": utc_iso(date, hhmm), "allDay": False,
            "description": description, "completed": False, "recurrence": "none",
        }
    return {
        "calendar": {
            "calendars": [{"id": i, "name": n, "color": c, "visible": True} for i, n, c in CALENDARS],
            "events": events,
            "myTasks": tasks,
            "deletedEvents": [],
        },
        "user": {"name": "Tanya Abraham", "email": "tanya.abraham@gocalendar.com"},
    }
