"""Generated training tasks: REAL-like goals on the local sites that are NOT the REAL benchmark tasks.

Training never sees a REAL v2 task. Each site has a few task *families* (templates: "send an email to X about
Y", "order N of P", "delete event E on D"...) whose parameters come from the site's seed data. A family's
parameter space is a fixed, ordered list of combinations, so a task is named by its place in that list:
``gen.gomail-send-0007`` is combination 7 of GoMail's ``send`` family, and ``resolve_generated`` rebuilds it
from the id alone. Every combination belongs to exactly one split (a stable hash puts about a fifth of
them in ``heldout``), so train and held-out tasks never share a parameter combination.

A generated task judges itself: ``check(state, answer)`` reads the same ``/finish`` JSON the official
scripts read (it rebuilds the final app state from ``initialfinaldiff``) and is strict: the right recipient
AND subject words AND body words, the right product AND quantity, the right title AND day AND times, and
no collateral damage. ``oracle_steps(task)`` is a scripted solution (``ScriptedPolicy(steps)`` solves the
task in ``BrowserEnv``): demonstrations for behaviour cloning and a test that every family is solvable.
"""

from __future__ import annotations

import copy
import functools
import random
import re
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable, Sequence
from zoneinfo import ZoneInfo

from halo_lib.errors import UnknownTaskError
from halo_lib.policies.scripted import Step
from halo_lib.real_tasks import Task, get_task, list_tasks
from halo_lib.sites import get_site
from halo_lib.sites.gocalendar import seed as gocalendar_seed
from halo_lib.sites.gomail import seed as gomail_seed
from halo_lib.sites.omnizon import seed as omnizon_seed
from halo_lib.sites.opendining import seed as opendining_seed
from halo_lib.sites.dashdish import seed as dashdish_seed
from halo_lib.sites.dashdish.oracle import Line as DashLine, Order as DashOrder
from halo_lib.sites.dashdish.plans import order_steps as dash_order_steps
from halo_lib.sites.opendining.oracle import Booking as DineBooking
from halo_lib.sites.opendining.plans import book_steps as dine_book_steps
from halo_lib.sites.opendining.plans import choose as dine_choose
from halo_lib.sites.opendining.plans import open_restaurant as dine_open_restaurant
from halo_lib.sites.udriver import flows as udriver_flows
from halo_lib.sites.udriver import seed as udriver_seed
from halo_lib.sites.staynb import seed as staynb_seed
from halo_lib.sites.staynb.oracle import TRIPS as STAY_REAL_TRIPS
from halo_lib.sites.staynb.oracle import Trip as StayTrip
from halo_lib.sites.staynb.plans import act_steps as stay_act_steps
from halo_lib.sites.staynb.plans import search_steps as stay_search_steps

GEN_VERSION = "gen"
SPLITS = ("train", "heldout")
HELDOUT_EVERY = 5
"""About one combination in HELDOUT_EVERY (by a stable hash) is held out."""

_ID = re.compile(r"^gen\.(?P<site>[a-z]+)-(?P<family>[a-z_]+)-(?P<index>\d+)$")


# ---------------------------------------------------------------------------------------------------
# The task type
# ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GeneratedTask(Task):
    """A training task made from a family template: its own strict success check, no official script."""

    params: dict = field(default_factory=dict)
    """The family's parameters (JSON values only), e.g. ``{"recipient_email": ..., "subject": ...}``."""
    family: str = ""
    """The template, e.g. ``send`` (GoMail), ``order`` (Omnizon), ``delete`` (GoCalendar)."""
    split: str = "train"
    """``train`` or ``heldout``: fixed by the parameter combination, never by the sampling seed."""

    def __hash__(self) -> int:  # params is a dict: hash by the id, which names the combination
        return hash(self.id)

    def check(self, state: dict, answer: str = "") -> bool:
        """Success on a ``/finish`` state (``initialfinaldiff`` + ``differences``); the answer is unused."""
        initial = initial_state_of(self)
        final = final_state_of(self, state)
        return bool(_family(self.site, self.family).check(self.params, initial, final))

    def to_dict(self) -> dict:
        """A JSON description (results files name tasks by it); ``from_dict`` inverts it."""
        return {"id": self.id, "site": self.site, "family": self.family, "split": self.split,
                "goal": self.goal, "params": copy.deepcopy(self.params)}

    @classmethod
    def from_dict(cls, data: dict) -> "GeneratedTask":
        return cls(name=data["id"].split(".", 1)[1], version=GEN_VERSION, site=data["site"], goal=data["goal"],
                   hosted_url="", eval_scripts=(), params=copy.deepcopy(data["params"]), family=data["family"],
                   split=data["split"])


@dataclass(frozen=True)
class Family:
    """One task template of one site."""

    site: str
    name: str
    combos: Callable[[], list[dict]]
    """The fixed, ordered parameter space (the id's number is an index into it)."""
    goal: Callable[[dict], str]
    check: Callable[[dict, dict, dict], bool]
    """(params, initial app state, final app state) -> success."""
    steps: Callable[[dict], list[Step]]
    """A scripted solution through the UI (element actions targeting accessibility-tree lines)."""

# ---------------------------------------------------------------------------------------------------
# Final state from /finish: the initial state patched with initialfinaldiff
# ---------------------------------------------------------------------------------------------------
def _container(value: Any) -> bool:
    return isinstance(value, (dict, list))


def _patch(old: Any, added: dict, updated: dict, deleted: dict) -> Any:
    """Inverse of ``halo_lib.sites.state.deep_diff``: lists are index-keyed maps, a key present in the old
    container with a dict in the diff is a nested diff, anything else is the new value itself."""
    is_list = isinstance(old, list)
    current = {str(i): v for i, v in enumerate(old)} if is_list else dict(old)
    for key, value in deleted.items():
        if value is None:
            current.pop(key, None)
        elif key in current and _container(current[key]) and isinstance(value, dict):
            current[key] = _patch(current[key], {}, {}, value)
    for tree, slot in ((updated, 1), (added, 0)):
        for key, value in tree.items():
            if key in current and _container(current[key]) and isinstance(value, dict):
                diffs = [{}, {}, {}]
                diffs[slot] = value
                current[key] = _patch(current[key], *diffs)
            else:
                current[key] = copy.deepcopy(value)
    if is_list:
        return [current[k] for k in sorted(current, key=int)]
    return current


def apply_diff(initial: dict, diff: dict) -> dict:
    """The final state from the initial one and a ``deep_diff`` (``{"added", "updated", "deleted"}``)."""
    return _patch(copy.deepcopy(initial), diff.get("added") or {}, diff.get("updated") or {},
                  diff.get("deleted") or {})


@functools.lru_cache(maxsize=64)
def _initial_state(site: str, task_name: str) -> dict:
    return get_site(site).initial_state(task_name)


def initial_state_of(task: Task) -> dict:
    """The state ``/config`` starts the task from (generated ids reach the site as they are, see server.py)."""
    name = task.id if task.version == GEN_VERSION else task.name
    return copy.deepcopy(_initial_state(task.site, name))


def final_state_of(task: Task, finish: dict) -> dict:
    """The site's whole app state at ``/finish`` time, rebuilt from ``finish["initialfinaldiff"]``."""
    return apply_diff(initial_state_of(task), finish.get("initialfinaldiff") or {})


# ---------------------------------------------------------------------------------------------------
# Small shared helpers
# ---------------------------------------------------------------------------------------------------
def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", str(text or "").lower())


def has_words(text: str, required) -> bool:
    """Every required word occurs in ``text`` (case and punctuation ignored)."""
    present = set(words(text))
    return all(w in present for w in words(" ".join(required)))


def _tree_name(text: str) -> str:
    """A regex for a name as the accessibility tree prints it (quotes inside come out as ``\\'``)."""
    return re.escape(text).replace("'", r"\\?'")


def _node(role: str, name: str, *, prefix: bool = False, depth: int | None = None) -> str:
    """Regex for the tree line ``[12] role 'name'``: the exact name, or a name starting with ``name``;
    ``depth`` pins the indentation (two spaces a level) when the same name appears elsewhere on the page."""
    indent = r"^" + "  " * depth + r"\[[^\]]+\] " if depth is not None else r"\] "
    end = "" if prefix else r"'(?:\s|$)"
    return f"{indent}{role} '{_tree_name(name)}{end}"


def _stable_bucket(family: str, params: dict) -> int:
    key = family + "|" + "|".join(f"{k}={params[k]}" for k in sorted(params))
    return zlib.crc32(key.encode("utf-8"))


def split_of(family: str, params: dict) -> str:
    return "heldout" if _stable_bucket(family, params) % HELDOUT_EVERY == 0 else "train"


# ---------------------------------------------------------------------------------------------------
# GoMail
# ---------------------------------------------------------------------------------------------------
MAIL_TOPICS = (
    # subject, what the goal asks about, words the body must contain
    ("Budget review", "the Q3 budget review", ("q3", "budget")),
    ("Offsite planning", "the agenda for the August offsite", ("offsite", "agenda")),
    ("Project kickoff", "a good time for the project kickoff", ("kickoff",)),
    ("Contract renewal", "the contract renewal terms", ("contract", "renewal")),
    ("Lunch next week", "having lunch together next week", ("lunch",)),
    ("Design feedback", "feedback on the onboarding designs", ("feedback", "onboarding")),
    ("Travel plans", "the travel plans for the conference", ("travel", "conference")),
    ("Invoice question", "the status of the June invoice", ("june", "invoice")),
)
MAIL_ACTIONS = {"star": "Star", "archive": "Archive", "delete": "Delete"}
_INBOX_PAGE = 50


def _mail_emails(state: dict) -> dict:
    return ((state or {}).get("email") or {}).get("emails") or {}


@functools.lru_cache(maxsize=1)
def _mail_seed() -> dict:
    return gomail_seed.initial_state()


def _mail_targets(family: str) -> list[dict]:
    """Emails an action family can name unambiguously: on the first inbox page (so their checkbox is on
    screen), from a sender with no other email; ``star`` needs one that is not starred yet."""
    emails = _mail_emails(_mail_seed())
    by_sender: dict[str, int] = {}
    for e in emails.values():
        by_sender[e["from"]] = by_sender.get(e["from"], 0) + 1
    inbox = sorted((e for e in emails.values() if not e["sent"]), key=lambda e: (e["date"], int(e["id"])),
                   reverse=True)[:_INBOX_PAGE]
    out = []
    for e in sorted(inbox, key=lambda e: int(e["id"])):
        if by_sender[e["from"]] != 1 or (family == "star" and e["starred"]):
            continue
        out.append({"email_id": e["id"], "sender": e["fromName"], "subject": e["subject"]})
    return out


def _mail_send_combos() -> list[dict]:
    return [{"recipient_name": name, "recipient_email": addr, "subject": subject, "topic": topic,
             "body_words": list(body_words)}
            for name, addr in gomail_seed.CONTACTS for subject, topic, body_words in MAIL_TOPICS]


def _mail_send_goal(p: dict) -> str:
    return f'Send an email to {p["recipient_name"]} with the subject "{p["subject"]}" asking about {p["topic"]}.'


_DESTRUCTIVE = ("trash", "archived", "spam", "snoozed")


def _mail_collateral(initial: dict, final: dict, allowed: set[str]) -> bool:
    """True when an email other than ``allowed`` was trashed, archived, marked spam, snoozed or deleted."""
    before, after = _mail_emails(initial), _mail_emails(final)
    for eid, old in before.items():
        if eid in allowed:
            continue
        new = after.get(eid)
        if new is None or any(bool(new.get(k)) != bool(old.get(k)) for k in _DESTRUCTIVE):
            return True
    return False


def _new_emails(initial: dict, final: dict) -> list[dict]:
    before = _mail_emails(initial)
    return [e for eid, e in _mail_emails(final).items() if eid not in before]


def _sent(emails: list[dict]) -> list[dict]:
    return [e for e in emails if e.get("sent") and not e.get("draft") and not e.get("trash")]


def _addresses(values) -> list[str]:
    return sorted(str(v).strip().lower() for v in values or [])


def _mail_send_check(p: dict, initial: dict, final: dict) -> bool:
    sent = _sent(_new_emails(initial, final))
    want = [p["recipient_email"].lower()]
    right = [e for e in sent if _addresses(e.get("to")) == want and not e.get("cc") and not e.get("bcc")
             and has_words(e.get("subject", ""), [p["subject"]]) and has_words(e.get("content", ""), p["body_words"])]
    stray = [e for e in sent if _addresses(e.get("to")) != want or e.get("cc") or e.get("bcc")]
    return bool(right) and not stray and not _mail_collateral(initial, final, set())


def _mail_send_steps(p: dict) -> list[Step]:
    first = p["recipient_name"].split()[0]
    body = f"Hi {first},\n\nCould you send me an update on {p['topic']}?\n\nThanks,\nCasey"
    return [
        Step("click", _node("button", "Compose")),
        Step("fill", _node("combobox", "To recipients"), p["recipient_name"]),
        Step("click", r"\] option '.*" + _tree_name(p["recipient_email"])),  # the suggestion with the address
        Step("fill", _node("textbox", "Subject"), p["subject"]),
        Step("fill", _node("textbox", "Message Body"), body),
        Step("click", _node("button", "Send")),
    ]


def _mail_action_goal(family: str) -> Callable[[dict], str]:
    verb = MAIL_ACTIONS[family]
    return lambda p: f'{verb} the email from {p["sender"]} with the subject "{p["subject"]}".'


def _mail_star_check(p: dict, initial: dict, final: dict) -> bool:
    before, after = _mail_emails(initial), _mail_emails(final)
    target = after.get(p["email_id"])
    if target is None or not target.get("starred"):
        return False
    others_same = all(bool((after.get(eid) or {}).get("starred")) == bool(e.get("starred"))
                      for eid, e in before.items() if eid != p["email_id"])
    return others_same and not _mail_collateral(initial, final, set())


def _mail_archive_check(p: dict, initial: dict, final: dict) -> bool:
    target = _mail_emails(final).get(p["email_id"])
    ok = target is not None and target.get("archived") and not target.get("trash") and not target.get("spam")
    return bool(ok) and not _mail_collateral(initial, final, {p["email_id"]})


def _mail_delete_check(p: dict, initial: dict, final: dict) -> bool:
    target = _mail_emails(final).get(p["email_id"])
    ok = target is None or bool(target.get("trash"))  # in Trash, or deleted forever
    return ok and not _mail_collateral(initial, final, {p["email_id"]})


def _mail_action_steps(family: str) -> Callable[[dict], list[Step]]:
    def steps(p: dict) -> list[Step]:
        row = _node("checkbox", f"Select conversation: {p['subject']} from {p['sender']}")
        if family == "star":
            return [Step("click", row), Step("click", _node("button", "More email options")),
                    Step("click", _node("menuitem", "Add star"))]
        return [Step("click", row), Step("click", _node("button", MAIL_ACTIONS[family]))]

    return steps


# ---------------------------------------------------------------------------------------------------
# Omnizon
# ---------------------------------------------------------------------------------------------------
SHOP_QUERIES = ("headphones", "wireless headphones", "desk", "office chair", "controller", "neck pillow", "pillow",
                "espresso machine", "bed frame", "apron", "cooking pot", "smartphone", "speaker", "monitor",
                "basketball", "ball", "noise cancelling")
CART_QUANTITIES = (1, 2, 3)
ORDER_QUANTITIES = (1, 2)


@functools.lru_cache(maxsize=1)
def _products() -> tuple[dict, ...]:
    return tuple(omnizon_seed.products())


def _stem(w: str) -> str:
    if len(w) > 3 and re.search(r"(ch|sh|x|ss)es$", w):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    return w


def shop_words(text: str) -> list[str]:
    return [_stem(w) for w in re.split(r"[^a-z0-9]+", str(text or "").lower()) if w]


def shop_search(query: str) -> list[dict]:
    """Omnizon's search, as its app.js does it (every query word is a word, or a word's prefix, of the product)."""
    tokens = shop_words(query)
    out = []
    for p in _products():
        hay = shop_words(" ".join([p["name"], p["brand"], p["category"], p["tags"]]))
        if all(any(w == t or (len(t) >= 3 and w.startswith(t)) for w in hay) for t in tokens):
            out.append(p)
    return out


def _short_name(product: dict) -> str:
    """The product's name up to the first comma, when that still names only this product."""
    short = product["name"].split(",")[0].strip()
    same = [p for p in _products() if short.lower() in p["name"].lower()]
    return short if len(same) == 1 else product["name"]


def _product_params(p: dict) -> dict:
    return {"product_id": p["id"], "product_name": p["name"], "short_name": _short_name(p)}


def _shop_cart_combos() -> list[dict]:
    return [dict(_product_params(p), quantity=q) for p in _products() for q in CART_QUANTITIES]


def _shop_order_combos() -> list[dict]:
    return [dict(_product_params(p), quantity=q) for p in _products() for q in ORDER_QUANTITIES]


def _shop_cheapest_combos() -> list[dict]:
    out = []
    for q in SHOP_QUERIES:
        found = sorted(shop_search(q), key=lambda p: p["price"])
        if len(found) >= 2 and found[0]["price"] < found[1]["price"]:
            out.append(dict(_product_params(found[0]), query=q))
    return out


def _amount(p: dict) -> str:
    return f'the {p["short_name"]}' if p["quantity"] == 1 else f'{p["quantity"]} of the {p["short_name"]}'


def _shop_orders(state: dict) -> list[dict]:
    return ((state or {}).get("order") or {}).get("orders") or []


def _new_orders(initial: dict, final: dict) -> list[dict]:
    known = {o.get("id") for o in _shop_orders(initial)}
    return [o for o in _shop_orders(final) if o.get("id") not in known]


def _quantities(lines) -> dict[str, int]:
    out: dict[str, int] = {}
    for it in lines or []:
        out[str(it.get("id"))] = out.get(str(it.get("id")), 0) + int(it.get("quantity") or 0)
    return out


def _shop_cart_check(p: dict, initial: dict, final: dict) -> bool:
    cart = ((final.get("cart") or {}).get("cartItems")) or []
    return _quantities(cart) == {p["product_id"]: p["quantity"]} and not _new_orders(initial, final)


def _one_order_of(initial: dict, final: dict, want: dict[str, int]) -> bool:
    orders = _new_orders(initial, final)
    return len(orders) == 1 and _quantities(orders[0].get("items")) == want


def _shop_order_check(p: dict, initial: dict, final: dict) -> bool:
    return _one_order_of(initial, final, {p["product_id"]: p["quantity"]})


def _shop_cheapest_check(p: dict, initial: dict, final: dict) -> bool:
    return _one_order_of(initial, final, {p["product_id"]: 1})


def _open_product_steps(query: str, product_name: str) -> list[Step]:
    return [Step("fill", _node("searchbox", "Search Omnizon"), query),
            Step("press", _node("searchbox", "Search Omnizon"), "Enter"),
            Step("click", _node("link", product_name))]


def _quantity_steps(quantity: int) -> list[Step]:
    return [] if quantity == 1 else [Step("select_option", _node("combobox", "Quantity"), str(quantity))]


def _shop_cart_steps(p: dict) -> list[Step]:
    return (_open_product_steps(p["short_name"], p["product_name"]) + _quantity_steps(p["quantity"])
            + [Step("click", _node("button", "Add to Cart"))])


def _shop_order_steps(p: dict) -> list[Step]:
    return (_open_product_steps(p["short_name"], p["product_name"]) + _quantity_steps(p["quantity"])
            + [Step("click", _node("button", "Buy Now")), Step("click", _node("button", "Place your order"))])


def _shop_cheapest_steps(p: dict) -> list[Step]:
    return [Step("fill", _node("searchbox", "Search Omnizon"), p["query"]),
            Step("press", _node("searchbox", "Search Omnizon"), "Enter"),
            Step("select_option", _node("combobox", "Sort by"), "price-asc"),
            Step("click", _node("link", p["product_name"])),
            Step("click", _node("button", "Buy Now")),
            Step("click", _node("button", "Place your order"))]


# ---------------------------------------------------------------------------------------------------
# GoCalendar
# ---------------------------------------------------------------------------------------------------
EVENT_TITLES = ("Budget Review", "Team Lunch", "Code Review", "Call with Priya", "Yoga Class", "Car Service",
                "Interview Prep", "Parent-Teacher Meeting", "Dentist Follow-up", "Book Club Planning")
EVENT_LOCATIONS = ("Conference Room A", "Blue Bottle Coffee", "City Library", "Main Auditorium", "Tartine Bakery",
                   "Golden Gate Park")
# Weekdays of the three weeks after the one on screen: the quick-create date picker opens on July, whose grid
# runs to August 10, and these days are not also day headers of the visible week (the tree would show both).
EVENT_DAYS = tuple(d.isoformat() for d in (date(2024, 7, 22) + timedelta(days=i) for i in range(19))
                   if d.weekday() < 5)
EVENT_STARTS = tuple(h * 60 + m for h in range(8, 17) for m in (0, 30))
EVENT_DURATIONS = (30, 60, 90)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def time_label(minutes: int) -> str:
    """GoCalendar's time format: 570 -> ``9:30am``, 780 -> ``1:00pm``."""
    h, m = divmod(minutes, 60)
    return f"{h % 12 or 12}:{m:02d}{'am' if h < 12 else 'pm'}"


def day_label(iso_day: str, with_year: bool = False) -> str:
    """``2024-07-25`` -> ``Thursday, July 25`` (``, 2024`` with the year)."""
    d = date.fromisoformat(iso_day)
    text = f"{_WEEKDAYS[d.weekday()]}, {_MONTHS[d.month - 1]} {d.day}"
    return f"{text}, {d.year}" if with_year else text


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _cal_events(state: dict) -> dict:
    return ((state or {}).get("calendar") or {}).get("events") or {}


def _cal_create_combos() -> list[dict]:
    return [{"title": t, "day": d, "start": s, "end": s + dur}
            for t in EVENT_TITLES for d in EVENT_DAYS for s in EVENT_STARTS for dur in EVENT_DURATIONS]


def _cal_create_at_combos() -> list[dict]:
    return [{"title": t, "day": d, "start": s, "end": s + 60, "location": loc}
            for t in EVENT_TITLES for loc in EVENT_LOCATIONS for d in EVENT_DAYS for s in EVENT_STARTS if s % 60 == 0]


def _cal_delete_combos() -> list[dict]:
    """Events of the week on screen (July 15-19) whose title is unique on their day."""
    week = [e for e in sorted(_cal_events(gocalendar_seed.initial_state()).values(), key=lambda e: e["id"])
            if "2024-07-15" <= _local_day(e) <= "2024-07-19"]
    out = []
    for e in week:
        same_day_title = [x for x in week if x["title"] == e["title"] and _local_day(x) == _local_day(e)]
        if len(same_day_title) == 1:
            out.append({"event_id": e["id"], "title": e["title"], "day": _local_day(e)})
    return out


def _local_day(event: dict) -> str:
    start = datetime.fromisoformat(event["start"].replace("Z", "+00:00"))
    return start.astimezone(ZoneInfo("America/Los_Angeles")).date().isoformat()


def _cal_create_goal(p: dict) -> str:
    where = f' at {p["location"]}' if p.get("location") else ""
    return (f'Create an event called "{p["title"]}" on {day_label(p["day"])} from {time_label(p["start"])} '
            f'to {time_label(p["end"])}{where}.')


def _cal_delete_goal(p: dict) -> str:
    return f'Delete the "{p["title"]}" event on {day_label(p["day"])}.'


def _cal_untouched(initial: dict, final: dict, except_ids: set[str]) -> bool:
    """No event other than ``except_ids`` was changed or deleted."""
    after = _cal_events(final)
    return all(after.get(eid) == ev for eid, ev in _cal_events(initial).items() if eid not in except_ids)


def _cal_added(initial: dict, final: dict) -> list[dict]:
    before = _cal_events(initial)
    return [e for eid, e in _cal_events(final).items() if eid not in before]


def utc_event_times(day: str, start: int, end: int) -> tuple[str, str]:
    """The stored (UTC) start and end of a ``day`` event from ``start`` to ``end`` minutes, Pacific time."""
    return gocalendar_seed.utc_iso(day, _hhmm(start)), gocalendar_seed.utc_iso(day, _hhmm(end))


def _cal_create_check(p: dict, initial: dict, final: dict) -> bool:
    added = _cal_added(initial, final)
    if len(added) != 1 or not _cal_untouched(initial, final, set()):
        return False
    ev = added[0]
    ok = (str(ev.get("title", "")).strip().lower() == p["title"].lower() and not ev.get("allDay")
          and (ev.get("start"), ev.get("end")) == utc_event_times(p["day"], p["start"], p["end"]))
    if p.get("location"):
        ok = ok and str(ev.get("location", "")).strip().lower() == p["location"].lower()
    return ok


def _cal_delete_check(p: dict, initial: dict, final: dict) -> bool:
    return (p["event_id"] not in _cal_events(final) and not _cal_added(initial, final)
            and _cal_untouched(initial, final, {p["event_id"]}))


def _cal_create_steps(p: dict) -> list[Step]:
    steps = [Step("click", _node("button", "Create")),
             Step("fill", _node("textbox", "Add title"), p["title"]),
             Step("click", _node("button", "Start date:", prefix=True)),
             # depth 1: the picker's day, not the mini calendar's button of the same name
             Step("click", _node("button", day_label(p["day"], with_year=True), depth=1)),
             Step("click", _node("button", "Start time:", prefix=True)),
             Step("click", _node("option", time_label(p["start"])))]
    if p["end"] != p["start"] + 60:  # choosing a start keeps the default one-hour length
        steps += [Step("click", _node("button", "End time:", prefix=True)),
                  Step("click", _node("option", time_label(p["end"])))]
    if p.get("location"):
        steps.append(Step("fill", _node("textbox", "Add location"), p["location"]))
    return steps + [Step("click", _node("button", "Save"))]


def _cal_delete_steps(p: dict) -> list[Step]:
    chip = _node("button", f"{p['title']}, ", prefix=True) + r".*, " + re.escape(day_label(p["day"]))
    return [Step("click", chip), Step("click", _node("button", "Delete event"))]


# ---------------------------------------------------------------------------------------------------
# OpenDining
# ---------------------------------------------------------------------------------------------------
# Today on the site is Friday July 18, 2025; these days are today and the next two weeks' (the date input reaches them
# by typing, the plans fill it).
DINE_DAYS = ("2025-07-18", "2025-07-19", "2025-07-21", "2025-07-24", "2025-07-26", "2025-08-01")
DINE_TIMES = (9 * 60 + 30, 12 * 60, 13 * 60, 18 * 60, 19 * 60, 20 * 60)
DINE_PARTIES = (2, 3, 4, 6)


@functools.lru_cache(maxsize=1)
def _dine_catalogue() -> tuple[dict, ...]:
    return tuple(opendining_seed.restaurants())


@functools.lru_cache(maxsize=None)
def _dine_by_name(name: str) -> dict:
    return next(r for r in _dine_catalogue() if r["name"] == name)


def dine_reservations(state: dict) -> dict:
    return ((state or {}).get("booking") or {}).get("bookingDetails") or {}


def _dine_redoes_real(p: dict) -> bool:
    """True when booking ``p`` (with no occasion, as the reserve goals never ask for one) would pass a REAL v2
    opendining script: any Embarcadero restaurant (7; 12 is River View Cafe there), any 5 pm (20), 1:30 pm on
    July 18 (6), the 9 pm hour at 3.5 stars or more (4), 7-10 am at 3 stars or more (9), an Italian restaurant in
    the 3 pm hour or at 12:30 pm (1, 24). Scripts 2, 5 and 17 also need an occasion (Birthday, Business meal), which
    a reserve task's solution never sets; their times and party sizes are left out all the same (American 7-8 pm for
    2, 8-10 pm for 6), so no generated goal reads like them."""
    r = _dine_by_name(p["restaurant"])
    m, rating = p["minutes"], r["rating"]
    return (r["neighborhood"] == "Embarcadero" or m == 17 * 60
            or (m == 13 * 60 + 30 and p["day"].endswith("-07-18"))
            or (21 * 60 <= m < 22 * 60 and rating >= 3.5) or (7 * 60 <= m < 10 * 60 and rating >= 3.0)
            or (r["food_type"] == "Italian" and (15 * 60 <= m < 16 * 60 or m == 12 * 60 + 30))
            or (r["food_type"] == "American" and 19 * 60 <= m <= 20 * 60 and p["party"] == 2)
            or (20 * 60 <= m <= 22 * 60 and p["party"] == 6))


def _dine_reserve_combos() -> list[dict]:
    """Restaurant x day x time x party size, where the seed has the table free (``seed.is_available``)."""
    out = []
    for i, r in enumerate(_dine_catalogue()):
        for day in DINE_DAYS:
            for m in DINE_TIMES:
                for party in DINE_PARTIES:
                    if opendining_seed.is_available(i, r, day, m, party):
                        out.append({"restaurant_id": r["id"], "restaurant": r["name"], "day": day, "minutes": m,
                                    "party": party})
    return out


def _dine_reserve_goal(p: dict) -> str:
    d = date.fromisoformat(p["day"])
    return (f"Book a table for {p['party']} at {p['restaurant']} on {_WEEKDAYS[d.weekday()]}, {_MONTHS[d.month - 1]} "
            f"{d.day} at {opendining_seed.time_label(p['minutes'])}.")


def _dine_only_new_reservation(p: dict, initial: dict, final: dict) -> dict | None:
    """The one reservation ``final`` added, if it is on ``p``'s day, time and party size and the earlier reservations
    are untouched; else None."""
    before, after = dine_reservations(initial), dine_reservations(final)
    if any(after.get(k) != v for k, v in before.items()):
        return None
    new = [v for k, v in after.items() if k not in before]
    if len(new) != 1:
        return None
    res = new[0]
    when = (str(res.get("date", ""))[:10] == p["day"] and res.get("time") == opendining_seed.time_label(p["minutes"])
            and res.get("guests") == opendining_seed.guests_label(p["party"]))
    return res if when else None


def _dine_reserve_check(p: dict, initial: dict, final: dict) -> bool:
    """Exactly one new reservation, of that restaurant, day, time and party size; the earlier ones untouched."""
    res = _dine_only_new_reservation(p, initial, final)
    return res is not None and (res.get("restaurant") or {}).get("id") == p["restaurant_id"]


def _dine_reserve_steps(p: dict) -> list[Step]:
    return dine_book_steps(DineBooking(p["restaurant"], day=p["day"], minutes=p["minutes"], party=p["party"]))


def _dine_notify_combos() -> list[dict]:
    """Restaurant x day x time x party size where the restaurant takes reservations then but has no free table:
    the slot is on screen, crossed out, and "Notify me" is the way (as in opendining-20, whose Evening Delight at
    5 pm is left out)."""
    out = []
    for i, r in enumerate(_dine_catalogue()):
        for day in DINE_DAYS:
            for m in DINE_TIMES:
                if m not in opendining_seed.slot_times(r):
                    continue
                for party in DINE_PARTIES:
                    if not opendining_seed.is_available(i, r, day, m, party):
                        out.append({"restaurant_id": r["id"], "restaurant": r["name"], "day": day, "minutes": m,
                                    "party": party})
    return out


def _dine_notify_redoes_real(p: dict) -> bool:
    """eval_opendining_20.py takes any notification for Evening Delight at 5 pm."""
    return p["restaurant"] == "Evening Delight" and p["minutes"] == 17 * 60


def dine_notifications(state: dict) -> dict:
    return ((state or {}).get("notification") or {}).get("notifications") or {}


def _dine_notify_goal(p: dict) -> str:
    d = date.fromisoformat(p["day"])
    return (f"{p['restaurant']} has no table for {p['party']} on {_WEEKDAYS[d.weekday()]}, {_MONTHS[d.month - 1]} "
            f"{d.day} at {opendining_seed.time_label(p['minutes'])}. Ask to be notified when one opens up.")


def _dine_notify_check(p: dict, initial: dict, final: dict) -> bool:
    """Exactly one new notification, for that restaurant, day, time and party size; no reservation made or
    changed."""
    if dine_reservations(initial) != dine_reservations(final):
        return False
    before = dine_notifications(initial)
    new = [v for k, v in dine_notifications(final).items() if k not in before]
    if len(new) != 1:
        return False
    n = new[0]
    return (n.get("restaurantId") == p["restaurant_id"] and str(n.get("date", ""))[:10] == p["day"]
            and n.get("time") == opendining_seed.time_label(p["minutes"])
            and n.get("guests") == opendining_seed.guests_label(p["party"]))


def _dine_notify_steps(p: dict) -> list[Step]:
    b = DineBooking(p["restaurant"], day=p["day"], minutes=p["minutes"], party=p["party"])
    return dine_open_restaurant(b.restaurant) + dine_choose(b) + [Step("click", _node("button", "Notify me"))]


def _dine_free_of_cuisine(cuisine: str, day: str, minutes: int, party: int) -> list[dict]:
    """The restaurants of ``cuisine`` with a free table then, in the catalogue's (and the search page's) order."""
    return [r for i, r in enumerate(_dine_catalogue())
            if r["food_type"] == cuisine and opendining_seed.is_available(i, r, day, minutes, party)]


def _dine_cuisine_combos() -> list[dict]:
    """Cuisine x day x time x party size where some restaurant of the cuisine has a table; the goal lets the agent
    pick any of them, so a combination is left out when ANY of them would redo a REAL v2 task."""
    out = []
    for cuisine in sorted({row[1] for row in opendining_seed.RESTAURANTS}):
        for day in DINE_DAYS:
            for m in DINE_TIMES:
                for party in DINE_PARTIES:
                    free = _dine_free_of_cuisine(cuisine, day, m, party)
                    if free and not any(_dine_redoes_real({"restaurant": r["name"], "day": day, "minutes": m,
                                                           "party": party}) for r in free):
                        out.append({"cuisine": cuisine, "day": day, "minutes": m, "party": party})
    return out


def _dine_cuisine_goal(p: dict) -> str:
    d = date.fromisoformat(p["day"])
    article = "an" if p["cuisine"][0] in "AEIOU" else "a"
    return (f"Book a table for {p['party']} at {article} {p['cuisine']} restaurant on {_WEEKDAYS[d.weekday()]}, "
            f"{_MONTHS[d.month - 1]} {d.day} at {opendining_seed.time_label(p['minutes'])}.")


def _dine_cuisine_check(p: dict, initial: dict, final: dict) -> bool:
    """Exactly one new reservation, at a restaurant of that cuisine, on that day, time and party size; the earlier
    ones untouched."""
    res = _dine_only_new_reservation(p, initial, final)
    return res is not None and (res.get("restaurant") or {}).get("food_type") == p["cuisine"]


def _dine_cuisine_steps(p: dict) -> list[Step]:
    """The cuisine's chip on the home page, then the first restaurant of the results with the table free, booked
    from its card on the search page."""
    first = _dine_free_of_cuisine(p["cuisine"], p["day"], p["minutes"], p["party"])[0]
    return ([Step("click", _node("button", p["cuisine"]))]
            + dine_book_steps(DineBooking(first["name"], day=p["day"], minutes=p["minutes"], party=p["party"],
                                          via_card=True)))


# ---------------------------------------------------------------------------------------------------
# Udriver
# ---------------------------------------------------------------------------------------------------
# Places with a name of their own (no 7-Eleven or Chase Bank: several share those names): landmarks, restaurants,
# hotels and apartments across the city.
RIDE_PLACES = (501, 502, 503, 504, 505, 506, 507, 508, 509, 510, 511, 514, 515, 516, 518, 519, 521, 58, 61, 64, 67,
               304, 307, 705, 706, 708, 717, 723, 729, 741)
RIDE_CARS = udriver_seed.CAR_TYPES
RIDE_DAYS = ("7/18/2024", "7/19/2024", "7/20/2024")
RIDE_TIMES = ("7:30 AM", "8:45 AM", "11:00 AM", "12:15 PM", "2:30 PM", "5:45 PM", "7:00 PM", "9:15 PM")


def _ride_place(pid: int) -> dict:
    return udriver_seed.location_by_id(pid)


def _ride_book_combos() -> list[dict]:
    return [{"pickup_id": a, "pickup": _ride_place(a)["name"], "dropoff_id": b, "dropoff": _ride_place(b)["name"],
             "car": car}
            for a in RIDE_PLACES for b in RIDE_PLACES if a != b for car in RIDE_CARS]


def _ride_quote_combos() -> list[dict]:
    return [{"pickup_id": a, "pickup": _ride_place(a)["name"], "dropoff_id": b, "dropoff": _ride_place(b)["name"]}
            for a in RIDE_PLACES for b in RIDE_PLACES if a != b]


def _ride_schedule_combos() -> list[dict]:
    places = RIDE_PLACES[:12]
    return [{"pickup_id": a, "pickup": _ride_place(a)["name"], "dropoff_id": b, "dropoff": _ride_place(b)["name"],
             "car": car, "date": day, "time": t}
            for a in places for b in places if a != b for car in RIDE_CARS for day in RIDE_DAYS for t in RIDE_TIMES]


def ride_day_label(mdy: str) -> str:
    """Udriver's date list: ``7/18/2024`` -> ``Thu, Jul 18``."""
    m, d, y = (int(x) for x in mdy.split("/"))
    day = date(y, m, d)
    return f"{_WEEKDAYS[day.weekday()][:3]}, {_MONTHS[m - 1][:3]} {d}"


def _ride_book_goal(p: dict) -> str:
    return f'Book a {p["car"]} from {p["pickup"]} to {p["dropoff"]}, picking me up now.'


def _ride_quote_goal(p: dict) -> str:
    return f'Show me the prices of rides from {p["pickup"]} to {p["dropoff"]}, without booking one.'


def _ride_schedule_goal(p: dict) -> str:
    m, d, _ = (int(x) for x in p["date"].split("/"))
    return f'Schedule a {p["car"]} from {p["pickup"]} to {p["dropoff"]} for {_MONTHS[m - 1]} {d} at {p["time"]}.'


def ride_store(state: dict) -> tuple[dict, dict]:
    """Udriver's ``ride`` and ``user`` after the app's first load (the seed's before it: nothing done yet)."""
    state = state or {}
    seed = state.get("seed") or {}
    return state.get("ride") or seed.get("ride") or {}, state.get("user") or seed.get("user") or {}


def ride_new(initial: dict, final: dict, key: str) -> list[dict]:
    """Trips in ``ride[key]`` (``trips`` or ``bookedTrips``) that the seed does not hold."""
    before = {t.get("id") for t in ((initial.get("seed") or {}).get("ride") or {}).get(key) or []}
    return [t for t in ride_store(final)[0].get(key) or [] if isinstance(t, dict) and t.get("id") not in before]


def _ride_wallet_untouched(initial: dict, final: dict) -> bool:
    """No credits bought and the default payment method unchanged (trip debits are allowed)."""
    seed_wallet = ((initial.get("seed") or {}).get("user") or {}).get("wallet") or {}
    wallet = ride_store(final)[1].get("wallet") or {}
    known = {t.get("id") for t in seed_wallet.get("transactions") or []}
    bought = [t for t in wallet.get("transactions") or [] if t.get("id") not in known and t.get("type") != "debit"]

    def defaults(w: dict) -> dict:
        return {m.get("id"): bool(m.get("isDefault")) for m in w.get("paymentMethods") or []}

    return not bought and defaults(wallet) == defaults(seed_wallet)


def ride_matches(trip: dict, p: dict) -> bool:
    """The trip goes from the params' pickup to their drop-off in their ride type."""
    return ((trip.get("pickup") or {}).get("id") == p["pickup_id"]
            and (trip.get("destination") or {}).get("id") == p["dropoff_id"]
            and (trip.get("car") or {}).get("type") == p["car"])


def _ride_book_check(p: dict, initial: dict, final: dict) -> bool:
    trips, scheduled = ride_new(initial, final, "trips"), ride_new(initial, final, "bookedTrips")
    return (len(trips) == 1 and not scheduled and trips[0].get("status") == "completed" and ride_matches(trips[0], p)
            and _ride_wallet_untouched(initial, final))


def _ride_quote_check(p: dict, initial: dict, final: dict) -> bool:
    """The asked route's prices on screen (``ride.calculatedPrice`` with that pickup and drop-off), nothing booked."""
    ride = ride_store(final)[0]
    shown = ((ride.get("pickupLocation") or {}).get("id") == p["pickup_id"]
             and (ride.get("dropoffLocation") or {}).get("id") == p["dropoff_id"]
             and float((ride.get("calculatedPrice") or {}).get("finalPrice") or 0) > 0)
    booked = ride_new(initial, final, "trips") or ride_new(initial, final, "bookedTrips")
    return shown and not booked and _ride_wallet_untouched(initial, final)


def _ride_schedule_check(p: dict, initial: dict, final: dict) -> bool:
    trips, scheduled = ride_new(initial, final, "trips"), ride_new(initial, final, "bookedTrips")
    return (len(scheduled) == 1 and not trips and scheduled[0].get("status") == "scheduled"
            and ride_matches(scheduled[0], p)
            and (scheduled[0].get("date"), scheduled[0].get("time")) == (p["date"], p["time"])
            and _ride_wallet_untouched(initial, final))


def _ride_payment(p: dict) -> str | None:
    """Udriver Credits (the default) when they cover the ride, else the card."""
    _, final_price = udriver_seed.price(_ride_place(p["pickup_id"]), _ride_place(p["dropoff_id"]), p["car"])
    return None if final_price <= udriver_seed.BALANCE else "Visa •••• 4242"


def _ride_book_steps(p: dict) -> list[Step]:
    return udriver_flows.ride_steps(udriver_flows.Ride(p["pickup_id"], p["dropoff_id"], car=p["car"],
                                                       payment=_ride_payment(p)))


def _ride_quote_steps(p: dict) -> list[Step]:
    return udriver_flows.ride_steps(udriver_flows.Ride(p["pickup_id"], p["dropoff_id"], book=False))


def _ride_schedule_steps(p: dict) -> list[Step]:
    return udriver_flows.ride_steps(udriver_flows.Ride(p["pickup_id"], p["dropoff_id"], car=p["car"],
                                                       payment=_ride_payment(p), date=ride_day_label(p["date"]),
                                                       time=p["time"]))


# ---------------------------------------------------------------------------------------------------
# Staynb: book a named stay for given dates and a number of guests (search pill, listing page, Reserve, pay)
# ---------------------------------------------------------------------------------------------------
STAY_DATES = (("2024-08-01", "2024-08-05"), ("2024-08-09", "2024-08-11"), ("2024-09-27", "2024-09-29"),
              ("2024-10-01", "2024-10-06"), ("2024-10-15", "2024-10-19"), ("2024-11-15", "2024-11-18"),
              ("2024-12-20", "2024-12-27"), ("2025-01-03", "2025-01-05"), ("2025-03-14", "2025-03-16"))
STAY_GUESTS = (1, 2, 4)


@functools.lru_cache(maxsize=1)
def _stay_catalogue() -> tuple[dict, ...]:
    return tuple(staynb_seed.listings())


def stay_bookings(state: dict) -> dict:
    return ((state or {}).get("booking") or {}).get("bookingDetails") or {}


_STAY_REAL_SEARCHES = frozenset((t.place, t.check_in, t.check_out) for k, t in STAY_REAL_TRIPS.items()
                                if k.startswith("staynb-"))
"""(place, check in, check out) of every v2 staynb task's search."""


def _stay_redoes_real(p: dict) -> bool:
    """A book task first searches its place and dates: eval_staynb_1/4/13/14/17/19 judge only that search (and 6 a
    wishlist on it), so a place with the dates of a v2 task's search is left out, whatever the guest count."""
    return (p["place"], p["check_in"], p["check_out"]) in _STAY_REAL_SEARCHES


def _stay_book_combos() -> list[dict]:
    out = []
    for item in _stay_catalogue():
        for check_in, check_out in STAY_DATES:
            for guests in STAY_GUESTS:
                if guests <= item["rooms"]["guests"]:
                    out.append({"place": item["destination"], "listing": item["title"], "listing_id": item["id"],
                                "check_in": check_in, "check_out": check_out, "guests": guests})
    return out


def _stay_day(ymd: str, year: bool = False) -> str:
    d = date.fromisoformat(ymd)
    return f"{_MONTHS[d.month - 1]} {d.day}" + (f", {d.year}" if year else "")


def _stay_book_goal(p: dict) -> str:
    where = "a stay near me" if p["place"] == staynb_seed.NEARBY else p["place"]
    return (f"Search {where} and book {p['listing']} from {_stay_day(p['check_in'])} to "
            f"{_stay_day(p['check_out'], True)} for {staynb_seed.guests_label(p['guests'])}. Pay with card "
            f"4242 4242 4242 4242, expiry 12/27, CVV 123, ZIP 94103.")


def _stay_book_check(p: dict, initial: dict, final: dict) -> bool:
    """Exactly one new trip: that listing, those dates, that many adults (and no other guests)."""
    before = stay_bookings(initial)
    new = [v for k, v in stay_bookings(final).items() if k not in before]
    if len(new) != 1 or any(before[k] != stay_bookings(final).get(k) for k in before):
        return False
    t = new[0]
    g = t.get("guests") or {}
    return ((t.get("listing") or {}).get("id") == p["listing_id"]
            and str(t.get("checkIn", ""))[:10] == p["check_in"] and str(t.get("checkOut", ""))[:10] == p["check_out"]
            and g.get("Adults") == p["guests"] and not any(g.get(k) for k in ("Children", "Infants", "Pets")))


def _stay_book_steps(p: dict) -> list[Step]:
    trip = StayTrip(p["place"], p["check_in"], p["check_out"], adults=p["guests"], listing=p["listing"], then="book")
    return stay_search_steps(trip) + stay_act_steps(trip)


STAY_AMENITIES = ("Wifi", "Pool", "Free parking", "Air conditioning", "Kitchen")
STAY_WISHLISTS = ("Summer trip", "Dream stays", "Weekend away")


def _stay_fits(item: dict, guests: int, amenity: str | None = None) -> bool:
    return guests <= item["rooms"]["guests"] and (amenity is None or amenity in item["amenities"])


def _stay_search_combos() -> list[dict]:
    """A place, dates, adults and one amenity that at least one stay there has."""
    out = []
    for place in staynb_seed.PLACES:
        here = [i for i in _stay_catalogue() if i["destination"] == place]
        for check_in, check_out in STAY_DATES:
            for guests in STAY_GUESTS:
                for amenity in STAY_AMENITIES:
                    if any(_stay_fits(i, guests, amenity) for i in here):
                        out.append({"place": place, "check_in": check_in, "check_out": check_out, "guests": guests,
                                    "amenity": amenity})
    return out


def _stay_search_goal(p: dict) -> str:
    where = "places near me" if p["place"] == staynb_seed.NEARBY else f"places in {p['place']}"
    return (f"Show me {where} with {p['amenity'].lower()} from {_stay_day(p['check_in'])} to "
            f"{_stay_day(p['check_out'], True)} for {staynb_seed.guests_label(p['guests'])}. Don't book anything.")


def _stay_untouched_booking(initial: dict, final: dict) -> bool:
    b = (final or {}).get("booking") or {}
    return (stay_bookings(initial) == stay_bookings(final) and not b.get("isBooking")
            and b.get("currentBooking") is None)


def _stay_search_check(p: dict, initial: dict, final: dict) -> bool:
    """The applied search is exactly the place, dates, adults (no other guests) and the one amenity; no booking."""
    s = (final or {}).get("search") or {}
    d, g, f = s.get("appliedDates") or {}, s.get("appliedGuestCounts") or {}, s.get("appliedFilters") or {}
    return (s.get("appliedDestination") == p["place"] and str(d.get("startDate") or "")[:10] == p["check_in"]
            and str(d.get("endDate") or "")[:10] == p["check_out"] and g.get("Adults") == p["guests"]
            and not any(g.get(k) for k in ("Children", "Infants", "Pets")) and f.get("amenities") == [p["amenity"]]
            and _stay_untouched_booking(initial, final))


def _stay_search_steps(p: dict) -> list[Step]:
    return stay_search_steps(StayTrip(p["place"], p["check_in"], p["check_out"], adults=p["guests"],
                                      amenities=(p["amenity"],)))


def _stay_wishlist_combos() -> list[dict]:
    out = []
    for n, item in enumerate(_stay_catalogue()):
        for k, (check_in, check_out) in enumerate(STAY_DATES):
            for guests in STAY_GUESTS:
                if _stay_fits(item, guests):
                    out.append({"place": item["destination"], "listing": item["title"], "listing_id": item["id"],
                                "check_in": check_in, "check_out": check_out, "guests": guests,
                                "wishlist": STAY_WISHLISTS[(n + k + guests) % len(STAY_WISHLISTS)]})
    return out


def _stay_wishlist_goal(p: dict) -> str:
    where = "near me" if p["place"] == staynb_seed.NEARBY else f"in {p['place']}"
    return (f"Look for places {where} from {_stay_day(p['check_in'])} to {_stay_day(p['check_out'], True)} for "
            f"{staynb_seed.guests_label(p['guests'])} and save {p['listing']} to a new wishlist called "
            f"\"{p['wishlist']}\".")


def stay_wishlists(state: dict) -> dict:
    return ((state or {}).get("wishlist") or {}).get("wishlists") or {}


def _stay_wishlist_check(p: dict, initial: dict, final: dict) -> bool:
    """One new wishlist with that name holding exactly that stay, found by a search of the place, dates and adults."""
    before = stay_wishlists(initial)
    new = [w for k, w in stay_wishlists(final).items() if k not in before]
    s = (final or {}).get("search") or {}
    d, g = s.get("appliedDates") or {}, s.get("appliedGuestCounts") or {}
    return (len(new) == 1 and new[0].get("name") == p["wishlist"]
            and [x.get("id") for x in new[0].get("stays") or []] == [p["listing_id"]]
            and s.get("appliedDestination") == p["place"] and str(d.get("startDate") or "")[:10] == p["check_in"]
            and str(d.get("endDate") or "")[:10] == p["check_out"] and g.get("Adults") == p["guests"]
            and _stay_untouched_booking(initial, final))


def _stay_wishlist_steps(p: dict) -> list[Step]:
    trip = StayTrip(p["place"], p["check_in"], p["check_out"], adults=p["guests"], listing=p["listing"],
                    then="wishlist", wishlist=p["wishlist"])
    return stay_search_steps(trip) + stay_act_steps(trip)


# ---------------------------------------------------------------------------------------------------
# DashDish: order one dish (store x dish x size x quantity x delivery/pickup)
# ---------------------------------------------------------------------------------------------------
DASH_QUANTITIES = (1, 2, 3)
DASH_SHIPPING = ("Delivery", "Pickup")
_DASH_RICE = ("rice", "biryani", "risotto", "donburi", "bibimbap", "poke bowl", "sushi bowl", "chirashi", "onigiri",
              "nasi", "pilaf", "pilau", "paella", "jambalaya", "katsudon", "gyudon", "bento", "teriyaki bowl",
              "curry bowl")


@functools.lru_cache(maxsize=1)
def _dash_catalogue() -> tuple[dict, ...]:
    return tuple(dashdish_seed.restaurants())


def dash_orders(state: dict) -> dict:
    return ((state or {}).get("cart") or {}).get("foodOrders") or {}


def _dash_size_group(item: dict) -> dict | None:
    return next((g for g in item["options"] if g["required"] and g["single"]), None)


def _dash_total(p: dict, tip: float) -> float:
    store = next(r for r in _dash_catalogue() if r["id"] == p["store_id"])
    item = next(it for it in store["menu"] if it["id"] == p["item_id"])
    group = _dash_size_group(item)
    unit = dashdish_seed.unit_price(item, {group["name"]: [p["choice"]]} if group else {})
    return dashdish_seed.charges(unit * p["quantity"], store["deliveryFee"], p["shipping"], "Standard",
                                 tip)["totalAmount"]


def _dash_redoes_real(p: dict) -> bool:
    """True when ordering ``p`` could pass a REAL v2 dashdish script (their rules on the one dish, with the cheapest
    tip, $0, for the "under $X" scripts and the largest, $5, for "$20 worth"): noodles under $26 (1), pizza under
    $30 (3), a sandwich/sub under $25 (4) or $30 (11, which also takes hoagie/hero/grinder and the store's name),
    lemon pepper wings at Wingstop (7), Taco Boys at $20 or more (8), fries at $20 or less (10), all rice under $30
    (12), a rotisserie chicken sandwich under $30 (24), a Wingstop pickup under $35 (26). 17 needs two dishes."""
    low, high = _dash_total(p, 0.0), _dash_total(p, max(dashdish_seed.TIPS))
    name, desc, store = p["item"].lower(), p["description"].lower(), p["store"].lower()
    text = f"{name} {desc}"
    bowl = "bowl" in f"{text} {store}" and not any(w in f"{text} {store}" for w in ("soup", "salad", "fries", "wing",
                                                                                      "chips"))
    return ((("noodle" in text) and low < 26) or ("pizza" in name and low < 30)
            or (("sandwich" in name or "sub" in name) and low < 25)
            or (any(w in f"{text} {store}" for w in ("sub", "sandwich", "hoagie", "hero", "grinder")) and low < 30)
            or ("lemon" in name and "pepper" in name and "wing" in name and "wingstop" in store)
            or ("taco boys" in store and high >= 20) or ("fries" in text and low <= 20)
            or ((any(w in f"{text} {store}" for w in _DASH_RICE) or bowl) and low < 30)
            or ("rotisserie" in name and "chicken" in name and "sandwich" in name and low < 30)
            or ("wingstop" in store and p["shipping"] == "Pickup" and low < 35))


def _dash_order_combos() -> list[dict]:
    """Every dish of every store, each choice of its required single group (its size, protein...), 1-3 of it,
    delivered (standard) or picked up."""
    out = []
    for r in _dash_catalogue():
        for it in r["menu"]:
            group = _dash_size_group(it)
            for choice in [c["name"] for c in group["choices"]] if group else [""]:
                for q in DASH_QUANTITIES:
                    for ship in DASH_SHIPPING:
                        out.append({"store_id": r["id"], "store": r["name"], "item_id": it["id"], "item": it["name"],
                                    "description": it["description"], "group": group["name"] if group else "",
                                    "choice": choice, "quantity": q, "shipping": ship})
    return out


def _dash_one_of_each() -> list[dict]:
    """Every dish once, its required choices left as preselected (``order`` combos with quantity 1, delivery)."""
    return [p for p in _dash_order_combos() if p["quantity"] == 1 and p["shipping"] == "Delivery"
            and (not p["choice"] or p["choice"] == next(g for g in _dash_item(p)["options"]
                                                         if g["name"] == p["group"])["choices"][0]["name"])]


def _dash_item(p: dict) -> dict:
    store = next(r for r in _dash_catalogue() if r["id"] == p["store_id"])
    return next(it for it in store["menu"] if it["id"] == p["item_id"])


DASH_TIPS = (0.0, 2.0, 5.0)
"""The Dasher tips an ``express`` task asks for (the default, $3, is left to ``order``)."""


def _dash_express_combos() -> list[dict]:
    """Every dish, delivered Express, with each tip but the default."""
    return [{**p, "delivery": "Express", "tip": t} for p in _dash_one_of_each() for t in DASH_TIPS]


def _dash_express_goal(p: dict) -> str:
    return (f"On DashDish, get 1 {p['item']} from {p['store']} delivered with Express delivery, tip the Dasher "
            f"${p['tip']:.0f}, and place the order.")


def _dash_deliver_to_combos() -> list[dict]:
    """Every dish, 1 or 2 of it, delivered (standard) to the saved Work address."""
    out = []
    for p in _dash_one_of_each():
        for q in (1, 2):
            out.append({**p, "quantity": q, "address": "Work"})
    return out


def _dash_deliver_to_goal(p: dict) -> str:
    return (f"On DashDish, have {p['quantity']} {p['item']} from {p['store']} delivered to my Work address "
            f"(standard delivery) and place the order.")


def _dash_wanted_options(p: dict) -> list[tuple[str, str]]:
    """The (group, choice) pairs of the asked dish, in the app's order: the asked choice in its group, the preselected
    first choice in any other required group (Drunken Noodles' spice level), nothing optional."""
    out = []
    for g in _dash_item(p)["options"]:
        if g["name"] == p["group"] and p["choice"]:
            out.append((g["name"], p["choice"]))
        elif g["required"] and g["single"]:
            out.append((g["name"], g["choices"][0]["name"]))
    return out


def _dash_order_goal(p: dict) -> str:
    others = len([g for g in _dash_item(p)["options"] if g["required"] and g["single"]]) > 1
    what = (f"{p['quantity']} {p['item']}" + (f" ({p['group'].lower()}: {p['choice']}"
                                               + ("; other choices as preselected" if others else "") + ")"
                                               if p["choice"] else ""))
    how = "for standard delivery to my home address" if p["shipping"] == "Delivery" else "for pickup"
    return f"On DashDish, order {what} from {p['store']} {how}, with no extras, and place the order."


def _dash_order_check(p: dict, initial: dict, final: dict) -> bool:
    """Exactly one new placed order, from that store, holding only that dish: the quantity, the asked choice and no
    other option, the shipping (delivery: standard unless Express is asked, to Home unless another address is asked),
    the tip when one is asked; earlier orders untouched. The check of all three dashdish families."""
    before, after = dash_orders(initial), dash_orders(final)
    if any(after.get(k) != v for k, v in before.items()):
        return False
    new = [v for k, v in after.items() if k not in before]
    if len(new) != 1:
        return False
    o = new[0]
    items = o.get("cartItems") or []
    if o.get("restaurantId") != p["store_id"] or len(items) != 1:
        return False
    it = items[0]
    options = [(x.get("group"), x.get("choice")) for x in it.get("options") or []]
    want = _dash_wanted_options(p)
    shipping = ((o.get("checkoutDetails") or {}).get("shipping") or {})
    if shipping.get("shippingOption") != p["shipping"]:
        return False
    address = next(a for a in dashdish_seed.USER["addresses"] if a["label"] == p.get("address", "Home"))
    if p["shipping"] == "Delivery" and (shipping.get("deliveryOption") != p.get("delivery", "Standard")
                                        or not str(shipping.get("address", "")).startswith(address["street"])):
        return False
    if "tip" in p and ((o.get("checkoutDetails") or {}).get("charges") or {}).get("dasherTip") != p["tip"]:
        return False
    return it.get("itemId") == p["item_id"] and it.get("quantity") == p["quantity"] and options == want


def _dash_order_steps(p: dict) -> list[Step]:
    store = next(r for r in _dash_catalogue() if r["id"] == p["store_id"])
    item = next(it for it in store["menu"] if it["id"] == p["item_id"])
    group = _dash_size_group(item)
    choices = (p["choice"],) if group and p["choice"] != group["choices"][0]["name"] else ()
    return dash_order_steps(DashOrder(p["store"], (DashLine(p["item"], p["quantity"], choices),), shipping=p["shipping"],
                                      delivery=p.get("delivery", "Standard"),
                                      tip=p.get("tip", dashdish_seed.DEFAULT_TIP), address=p.get("address", "Home")))



# ---------------------------------------------------------------------------------------------------
# The family table
# ---------------------------------------------------------------------------------------------------
_FAMILIES: dict[str, dict[str, Family]] = {
    "gomail": {
        "send": Family("gomail", "send", _mail_send_combos, _mail_send_goal, _mail_send_check, _mail_send_steps),
        "star": Family("gomail", "star", lambda: _mail_targets("star"), _mail_action_goal("star"),
                       _mail_star_check, _mail_action_steps("star")),
        "archive": Family("gomail", "archive", lambda: _mail_targets("archive"), _mail_action_goal("archive"),
                          _mail_archive_check, _mail_action_steps("archive")),
        "delete": Family("gomail", "delete", lambda: _mail_targets("delete"), _mail_action_goal("delete"),
                         _mail_delete_check, _mail_action_steps("delete")),
    },
    "omnizon": {
        "cart": Family("omnizon", "cart", _shop_cart_combos, lambda p: f"Add {_amount(p)} to my cart.",
                       _shop_cart_check, _shop_cart_steps),
        "order": Family("omnizon", "order", _shop_order_combos, lambda p: f"Buy {_amount(p)}.",
                        _shop_order_check, _shop_order_steps),
        "cheapest": Family("omnizon", "cheapest", _shop_cheapest_combos,
                           lambda p: f'Search for "{p["query"]}" and buy the cheapest result.',
                           _shop_cheapest_check, _shop_cheapest_steps),
    },
    "gocalendar": {
        "create": Family("gocalendar", "create", _cal_create_combos, _cal_create_goal, _cal_create_check,
                         _cal_create_steps),
        "create_at": Family("gocalendar", "create_at", _cal_create_at_combos, _cal_create_goal, _cal_create_check,
                            _cal_create_steps),
        "delete": Family("gocalendar", "delete", _cal_delete_combos, _cal_delete_goal, _cal_delete_check,
                         _cal_delete_steps),
    },
    "opendining": {
        "reserve": Family("opendining", "reserve", _dine_reserve_combos, _dine_reserve_goal, _dine_reserve_check,
                          _dine_reserve_steps),
        "cuisine": Family("opendining", "cuisine", _dine_cuisine_combos, _dine_cuisine_goal, _dine_cuisine_check,
                          _dine_cuisine_steps),
        "notify": Family("opendining", "notify", _dine_notify_combos, _dine_notify_goal, _dine_notify_check,
                         _dine_notify_steps),
    },
    "udriver": {
        "book": Family("udriver", "book", _ride_book_combos, _ride_book_goal, _ride_book_check, _ride_book_steps),
        "schedule": Family("udriver", "schedule", _ride_schedule_combos, _ride_schedule_goal, _ride_schedule_check,
                           _ride_schedule_steps),
        "quote": Family("udriver", "quote", _ride_quote_combos, _ride_quote_goal, _ride_quote_check, _ride_quote_steps),
    },
    "staynb": {
        "book": Family("staynb", "book", _stay_book_combos, _stay_book_goal, _stay_book_check, _stay_book_steps),
        "search": Family("staynb", "search", _stay_search_combos, _stay_search_goal, _stay_search_check,
                         _stay_search_steps),
        "wishlist": Family("staynb", "wishlist", _stay_wishlist_combos, _stay_wishlist_goal, _stay_wishlist_check,
                           _stay_wishlist_steps),
    },
    "dashdish": {
        "order": Family("dashdish", "order", _dash_order_combos, _dash_order_goal, _dash_order_check,
                        _dash_order_steps),
        "express": Family("dashdish", "express", _dash_express_combos, _dash_express_goal, _dash_order_check,
                          _dash_order_steps),
        "deliver_to": Family("dashdish", "deliver_to", _dash_deliver_to_combos, _dash_deliver_to_goal,
                             _dash_order_check, _dash_order_steps),
    },
}


def sites() -> list[str]:
    return list(_FAMILIES)


def families(site: str) -> list[str]:
    if site not in _FAMILIES:
        raise UnknownTaskError(f"no generated tasks for site {site!r}; sites: {', '.join(_FAMILIES)}")
    return list(_FAMILIES[site])


def _family(site: str, name: str) -> Family:
    if name not in families(site):
        raise UnknownTaskError(f"no family {name!r} on {site}; families: {', '.join(families(site))}")
    return _FAMILIES[site][name]


_UDRIVER_REAL_ROUTES = frozenset(
    {"706>708", "705>210", "55>301", "699>708", "201>723", "739>52", "699>717", "733>741", "370>733", "204>717"}
    | {f"129>{pid}" for pid in (401, 402, 403, 404)} | {f"726>{pid}" for pid in (411, 412, 413)})

# What REAL v2 tasks on the local sites ask for, by the entity they act on: a generated task acting on one of
# these in the same way could pass that REAL task's official script, so those combinations are never made.
_REAL_TARGETS = {
    ("gomail", "delete"): ("email_id", {"1"}),  # gomail-24: delete John Doe's email
    # omnizon-3/9/13/15/17/24/28/30: headphones $24-100, gaming devices under $100, cooking pots, sports ball
    # pack, neck pillows, PS5 controllers, silverware, queen bed frame (and 91/159: apron, 40-inch desk)
    ("omnizon", "order"): ("product_id", {"16", "18", "30", "31", "32", "91", "114", "159", "167", "170", "192",
                                          "193", "212", "215", "220", "230"}),
    ("omnizon", "cheapest"): ("product_id", {"16", "18", "30", "31", "32", "91", "114", "159", "167", "170",
                                             "192", "193", "212", "215", "220", "230"}),
    # gocalendar-10/16/18/23: dinner with friends, reading time, coffee with sister, project sync (Wednesday)
    ("gocalendar", "delete"): ("title_day", {"Dinner with Friends|2024-07-17", "Reading Time|2024-07-17",
                                             "Coffee with Sister|2024-07-18", "Project Sync|2024-07-17"}),
    # udriver-3/4/6/7/9/11/13/15/16/17/19/20: their routes as pickup>dropoff place ids (any 7-Eleven from 22nd &
    # Irving, any Chase Bank from Golden Gate Apartments), whatever the ride type, now or scheduled
    ("udriver", "book"): ("route", _UDRIVER_REAL_ROUTES),
    ("udriver", "schedule"): ("route", _UDRIVER_REAL_ROUTES),
    ("udriver", "quote"): ("route", _UDRIVER_REAL_ROUTES),
}


_REAL_PREDICATES = {("opendining", "reserve"): _dine_redoes_real,
                    ("staynb", "book"): _stay_redoes_real,
                    # eval_staynb_15 passes any search of San Jose, Costa Rica without a booking attempt
                    ("staynb", "search"): lambda p: _stay_redoes_real(p) or p["place"] == "San Jose, Costa Rica",
                    ("staynb", "wishlist"): lambda p: _stay_redoes_real(p) or p["place"] == "San Jose, Costa Rica",
                    ("dashdish", "order"): _dash_redoes_real,
                    # standard-delivery totals with a $0..$5 tip: Express only adds, and 17 needs two dishes
                    ("dashdish", "express"): _dash_redoes_real,
                    ("dashdish", "deliver_to"): _dash_redoes_real,
                    ("opendining", "notify"): _dine_notify_redoes_real,
                    # the cuisine combos already leave out every one that any matching restaurant would redo
                    ("opendining", "cuisine"): lambda p: any(
                        _dine_redoes_real({"restaurant": r["name"], "day": p["day"], "minutes": p["minutes"],
                                           "party": p["party"]})
                        for r in _dine_free_of_cuisine(p["cuisine"], p["day"], p["minutes"], p["party"]))}
"""Families whose REAL overlap is a rule over the parameters rather than a set of entities."""


def is_real_target(site: str, family: str, params: dict) -> bool:
    """True when this combination would redo a REAL v2 task (see ``_REAL_TARGETS``, ``_REAL_PREDICATES``)."""
    if (site, family) in _REAL_PREDICATES:
        return _REAL_PREDICATES[(site, family)](params)
    key, values = _REAL_TARGETS.get((site, family), ("", set()))
    if key == "title_day":
        return f'{params.get("title")}|{params.get("day")}' in values
    if key == "route":
        return f'{params.get("pickup_id")}>{params.get("dropoff_id")}' in values
    return bool(key) and str(params.get(key)) in values


@functools.lru_cache(maxsize=None)
def _combos(site: str, family: str) -> tuple[dict, ...]:
    return tuple(p for p in _family(site, family).combos() if not is_real_target(site, family, p))


def parse_families(spec: str) -> tuple[str, list[str]]:
    """``gomail/archive+delete`` -> ``("gomail", ["archive", "delete"])``; a bare site -> all of its families."""
    site, _, wanted = spec.partition("/")
    return site, [f for f in wanted.split("+") if f]


def family_size(site: str, family: str, split: str | None = None) -> int:
    """How many tasks a family has (in ``split``, or in all)."""
    return sum(1 for p in _combos(site, family) if split is None or split_of(family, p) == split)


def make_task(site: str, family: str, index: int) -> GeneratedTask:
    """Combination ``index`` of a family, as a task (its split follows from the combination)."""
    combos = _combos(site, family)
    if not 0 <= index < len(combos):
        raise UnknownTaskError(f"{site}/{family} has combinations 0..{len(combos) - 1}, not {index}")
    params = copy.deepcopy(combos[index])
    fam = _family(site, family)
    return GeneratedTask(name=f"{site}-{family}-{index:04d}", version=GEN_VERSION, site=site, goal=fam.goal(params),
                         hosted_url="", eval_scripts=(), params=params, family=family,
                         split=split_of(family, params))


def resolve_generated(task_id: str) -> GeneratedTask:
    """``gen.gomail-send-0007`` -> the task (ids name a combination, so no seed is needed)."""
    m = _ID.match(task_id.strip())
    if not m:
        raise UnknownTaskError(f"{task_id!r} is not a generated task id (gen.<site>-<family>-<number>)")
    return make_task(m["site"], m["family"], int(m["index"]))


def resolve_any_task(task_id: str) -> Task:
    """A REAL task (``v2.gomail-1``) or a generated one (``gen.gomail-send-0007``)."""

    return resolve_generated(task_id) if task_id.startswith(f"{GEN_VERSION}.") else get_task(task_id)


def oracle_steps(task: GeneratedTask) -> list[Step]:
    """A scripted solution: ``ScriptedPolicy(oracle_steps(task))`` solves ``task`` in ``BrowserEnv``."""
    return _family(task.site, task.family).steps(task.params)


# ---------------------------------------------------------------------------------------------------
# Sampling, and the guard that keeps REAL tasks out of training
# ---------------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _benchmark_names_and_goals() -> tuple[frozenset[str], frozenset[str]]:
    real = list_tasks()
    return frozenset(t.name for t in real), frozenset(_norm_goal(t.goal) for t in real)


def _norm_goal(goal: str) -> str:
    return " ".join(words(goal))


def assert_not_benchmark(task: Task) -> None:
    """Raise if ``task`` is (or looks like) a REAL benchmark task: training must never use one."""
    names, goals = _benchmark_names_and_goals()
    if not isinstance(task, GeneratedTask) or task.version != GEN_VERSION:
        raise ValueError(f"{task.id} is not a generated task: REAL benchmark tasks never go into training")
    if task.name in names or _norm_goal(task.goal) in goals:
        raise ValueError(f"{task.id} collides with a REAL benchmark task (name or goal)")
    if is_real_target(task.site, task.family, task.params):
        raise ValueError(f"{task.id} acts on what a REAL benchmark task acts on: {task.params}")


def generate_tasks(site: str, n: int, seed: int, split: str = "train",
                   only_families: Sequence[str] = ()) -> list[GeneratedTask]:
    """``n`` distinct tasks of ``site`` from ``split``, families in turn (all of the site's, or ``only_families``),
    deterministic given ``seed``."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    for fam in only_families:
        _family(site, fam)  # unknown family: a clear error
    rng = random.Random(f"{site}/{split}/{seed}")
    pools = []
    for fam in [f for f in families(site) if not only_families or f in only_families]:
        indices = [i for i, p in enumerate(_combos(site, fam)) if split_of(fam, p) == split]
        rng.shuffle(indices)
        pools.append((fam, indices))
    available = sum(len(ix) for _, ix in pools)
    if n > available:
        raise ValueError(f"{site} has {available} {split} tasks, asked for {n}")
    out: list[GeneratedTask] = []
    while len(out) < n:
        for fam, indices in pools:
            if indices and len(out) < n:
                task = make_task(site, fam, indices.pop())
                assert_not_benchmark(task)
                out.append(task)
    return out
