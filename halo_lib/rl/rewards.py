"""Dense rewards for online RL: task progress read from the site's own state, exploration and anti-loop terms.

Per step, ``EpisodeRewarder.step(state_json, state_signature, action_text)`` pays

* ``progress``: ``milestone`` for each milestone reached for the first time. Milestones are read from the
  site's ``/finish`` JSON (``BrowserEnv.read_state()``): the final app state is rebuilt from
  ``initialfinaldiff`` (``halo_lib.tasks.generator.final_state_of``), including the UI state the apps keep
  for this (Omnizon's ``router``/``filter``, GoMail's ``ui.compose``/``ui.selectedIds``/``ui.openEmailId``,
  GoCalendar's ``calendar.ui.dialog``/``calendar.ui.popover``, OpenDining's ``ui.route``/``ui.search``/``ui.pending``,
  Udriver's ``ride.pickupLocation``/``ride.view``..., DashDish's ``ui.route`` and live ``cart.cartItems``). For a
  ``GeneratedTask`` they are
  task-aware (the task's recipient in the To field, the task's product in the cart...); REAL tasks get the
  site's generic steps (compose opened, something in the cart...), which are weaker hints.
* ``novelty``: for a state (``state_signature``) not seen before in the episode, up to ``novelty_cap``;
* ``loop``: for taking an action already taken on the same state;
* ``step_cost``: a constant per step (0 by default);

and ``finish(success, status)`` pays ``success`` from the task's evaluator at the end, or ``out_of_steps`` when the
step budget ran out before the agent answered.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from typing import Callable

from halo_lib.config import config_dataclass
from halo_lib.errors import HaloError
from halo_lib.tasks.generator import (
    GeneratedTask,
    dash_orders,
    dine_notifications,
    dine_reservations,
    final_state_of,
    has_words,
    initial_state_of,
    ride_matches,
    ride_new,
    ride_store,
    shop_words,
    stay_bookings,
    utc_event_times,
)
from halo_lib.real_tasks import Task
from halo_lib.sites.opendining.seed import guests_label as dine_guests_label, time_label as dine_time_label


@config_dataclass
class RewardConfig:
    """Weights of the dense reward terms."""

    milestone: float = 0.2
    """Paid once per milestone, the first time the episode reaches it."""
    novelty: float = 0.2
    """Paid for a state (url + accessibility tree) not seen before in the episode."""
    novelty_cap: float = 0.6
    """Most novelty one episode can earn (below ``success``: wandering through new pages never pays more than
    solving the task)."""
    loop: float = -0.5
    """Paid (a penalty) for repeating an action on a state where it was already taken."""
    success: float = 1.0
    """Paid at the end when the task's evaluator says success."""
    step_cost: float = 0.0
    """Subtracted on every step (a push towards short episodes)."""
    out_of_steps: float = 0.0
    """Paid (a penalty, e.g. -1.0) at the end of an episode whose step budget ran out before the agent gave its final
    answer. Such an episode fails, as a wrong answer does, yet it has had every step to earn milestones and novelty
    that an episode which answers stops earning: without a penalty, within a group, clicking on until the budget runs
    out pays more than answering early, which pushes the policy away from answering (0: no penalty)."""

    def __post_init__(self) -> None:
        if self.out_of_steps > 0:
            raise HaloError(f"RewardConfig.out_of_steps is a penalty: give a value <= 0 (e.g. -1.0), "
                            f"got {self.out_of_steps}")


@dataclass(frozen=True)
class RewardPieces:
    """The reward of one step (or of the episode's end), term by term."""

    progress: float = 0.0
    novelty: float = 0.0
    loop: float = 0.0
    success: float = 0.0
    step_cost: float = 0.0
    """Already negative: ``-config.step_cost``."""
    out_of_steps: float = 0.0
    """``config.out_of_steps`` at the end of an episode that ran out of steps without an answer."""
    milestones: tuple[str, ...] = ()
    """The milestones newly reached at this step, in order."""

    @property
    def total(self) -> float:
        return self.progress + self.novelty + self.loop + self.success + self.step_cost + self.out_of_steps

    def to_dict(self) -> dict:
        return dict(asdict(self), milestones=list(self.milestones), total=self.total)


@dataclass(frozen=True)
class Milestone:
    """A named step towards success, read from (initial app state, final app state)."""

    name: str
    reached: Callable[[dict, dict], bool]


# ---------------------------------------------------------------------------------------------------
# Observation signatures
# ---------------------------------------------------------------------------------------------------
_ELEMENT_ID = re.compile(r"\[[^\]\s]*\] ")


def state_signature(obs) -> str:
    """``url#hash``: the page as the policy sees it. Element ids are left out of the hash (they are
    renumbered between observations); without a tree, the screenshot's bytes are hashed."""
    if getattr(obs, "axtree", None):
        content = _ELEMENT_ID.sub("", obs.axtree).encode("utf-8")
    else:
        content = getattr(obs, "screenshot", None) or b""
    return f"{obs.url}#{hashlib.sha1(content).hexdigest()[:16]}"


# ---------------------------------------------------------------------------------------------------
# Omnizon milestones: router.location, filter.searchQuery, cart, orders
# ---------------------------------------------------------------------------------------------------
def _route(state: dict) -> str:
    return ((state.get("router") or {}).get("location") or {}).get("pathname") or ""


def _cart_ids(state: dict) -> set[str]:
    cart = state.get("cart") or {}
    ids = {str(it.get("id")) for it in cart.get("cartItems") or []}
    if cart.get("buyNow"):
        ids.add(str(cart["buyNow"].get("id")))
    return ids


def _cart_quantity(state: dict, product_id: str) -> int:
    return sum(int(it.get("quantity") or 0) for it in (state.get("cart") or {}).get("cartItems") or []
               if str(it.get("id")) == product_id)


def _ordered_ids(initial: dict, final: dict) -> set[str]:
    known = {o.get("id") for o in (initial.get("order") or {}).get("orders") or []}
    return {str(it.get("id")) for o in (final.get("order") or {}).get("orders") or [] if o.get("id") not in known
            for it in o.get("items") or []}


def _searched(query: str | None = None) -> Milestone:
    def reached(initial: dict, final: dict) -> bool:
        typed = (final.get("filter") or {}).get("searchQuery") or ""
        if query is None:
            return bool(typed.strip())
        return bool(typed) and set(shop_words(query)) <= set(shop_words(typed))

    return Milestone("searched", reached)


def _omnizon_milestones(task: Task) -> list[Milestone]:
    p = task.params if isinstance(task, GeneratedTask) else {}
    pid = p.get("product_id")

    def on_product(i, f):
        return _route(f) == f"/product/{pid}" if pid else _route(f).startswith("/product/")

    def chosen(i, f):
        return pid in _cart_ids(f) if pid else bool(_cart_ids(f))

    def ordered(i, f):
        return pid in _ordered_ids(i, f) if pid else bool(_ordered_ids(i, f))

    searched = _searched(p.get("query"))
    opened = Milestone("product_opened", on_product)
    in_cart = Milestone("added_to_cart", chosen)
    if getattr(task, "family", "") == "cart":
        right_qty = Milestone("cart_quantity", lambda i, f: _cart_quantity(f, pid) == p["quantity"])
        return [searched, opened, in_cart, right_qty]
    return [searched, opened, in_cart, Milestone("checkout", lambda i, f: _route(f) == "/checkout"),
            Milestone("order_placed", ordered)]


# ---------------------------------------------------------------------------------------------------
# GoMail milestones: ui.compose (the open compose window), new emails, ui.selectedIds / ui.openEmailId
# ---------------------------------------------------------------------------------------------------
def _mail_ui(state: dict) -> dict:
    return state.get("ui") or {}


def _mail_emails(state: dict) -> dict:
    return (state.get("email") or {}).get("emails") or {}


def _drafts(initial: dict, final: dict) -> list[dict]:
    """What is being written: the open compose window and every new email (sent or saved as a draft),
    as ``{"to", "subject", "body", "sent"}``."""
    out = []
    compose = _mail_ui(final).get("compose")
    if isinstance(compose, dict):
        out.append({"to": compose.get("toField") or [], "subject": compose.get("subjectField") or "",
                    "body": compose.get("bodyField") or "", "sent": False})
    before = _mail_emails(initial)
    for eid, e in _mail_emails(final).items():
        if eid not in before:
            out.append({"to": e.get("to") or [], "subject": e.get("subject") or "", "body": e.get("content") or "",
                        "sent": bool(e.get("sent")) and not e.get("draft")})
    return out


def _addressed_to(draft: dict, address: str | None) -> bool:
    to = [str(a).strip().lower() for a in draft["to"]]
    return address.lower() in to if address else bool(to)


def _gomail_send_milestones(p: dict) -> list[Milestone]:
    addr = p.get("recipient_email")

    def any_draft(test):
        return lambda i, f: any(test(d) for d in _drafts(i, f))

    subject_ok = (lambda d: has_words(d["subject"], [p["subject"]])) if p else (lambda d: bool(d["subject"].strip()))
    body_ok = (lambda d: has_words(d["body"], p["body_words"])) if p else (lambda d: bool(d["body"].strip()))
    return [
        Milestone("compose_opened", lambda i, f: "compose" in _mail_ui(f) or bool(_drafts(i, f))),
        Milestone("recipient", any_draft(lambda d: _addressed_to(d, addr))),
        Milestone("subject", any_draft(lambda d: _addressed_to(d, addr) and subject_ok(d))),
        Milestone("body", any_draft(lambda d: _addressed_to(d, addr) and body_ok(d))),
        Milestone("sent", any_draft(lambda d: d["sent"] and _addressed_to(d, addr))),
    ]


_MAIL_FLAG = {"star": "starred", "archive": "archived", "delete": "trash"}
_MAIL_ACTED_FLAGS = ("starred", "archived", "trash", "spam", "snoozed")


def _gomail_action_milestones(family: str, email_id: str) -> list[Milestone]:
    flag = _MAIL_FLAG[family]

    def acted(i, f):
        e = _mail_emails(f).get(email_id)
        return (e is None and family == "delete") or bool(e and e.get(flag))

    def found(i, f):
        ui = _mail_ui(f)
        return email_id in (ui.get("selectedIds") or []) or ui.get("openEmailId") == email_id or acted(i, f)

    return [Milestone("email_found", found), Milestone("email_acted_on", acted)]


def _gomail_generic_milestones() -> list[Milestone]:
    def acted_on_any(i, f):
        after = _mail_emails(f)
        return any(eid not in after or any(bool(after[eid].get(k)) != bool(e.get(k)) for k in _MAIL_ACTED_FLAGS)
                   for eid, e in _mail_emails(i).items())

    return _gomail_send_milestones({}) + [
        Milestone("emails_selected", lambda i, f: bool(_mail_ui(f).get("selectedIds")) or acted_on_any(i, f)),
        Milestone("emails_acted_on", acted_on_any),
    ]


def _gomail_milestones(task: Task) -> list[Milestone]:
    family = getattr(task, "family", "")
    if family == "send":
        return _gomail_send_milestones(task.params)
    if family in _MAIL_FLAG:
        return _gomail_action_milestones(family, task.params["email_id"])
    return _gomail_generic_milestones()


# ---------------------------------------------------------------------------------------------------
# GoCalendar milestones: calendar.ui.dialog / calendar.ui.popover, events added / deleted
# ---------------------------------------------------------------------------------------------------
def _cal_ui(state: dict) -> dict:
    return (state.get("calendar") or {}).get("ui") or {}


def _cal_events(state: dict) -> dict:
    return (state.get("calendar") or {}).get("events") or {}


def _added_events(initial: dict, final: dict) -> list[dict]:
    before = _cal_events(initial)
    return [e for eid, e in _cal_events(final).items() if eid not in before]


def _gocalendar_create_milestones(p: dict) -> list[Milestone]:
    """Each field counts when the open dialog holds it, or when a saved new event does (titled as asked)."""
    start_iso, end_iso = utc_event_times(p["day"], p["start"], p["end"]) if p else ("", "")
    location = (p.get("location") or "").lower()

    def same_title(text) -> bool:
        return str(text or "").strip().lower() == p["title"].lower() if p else bool(str(text or "").strip())

    def dialog_or_event(dialog_test, event_test):
        def reached(i, f):
            d = _cal_ui(f).get("dialog")
            if isinstance(d, dict) and d.get("kind") == "event" and same_title(d.get("titleText")) and dialog_test(d):
                return True
            return any(same_title(e.get("title")) and event_test(e) for e in _added_events(i, f))
        return reached

    def dialog_opened(i, f):
        return isinstance(_cal_ui(f).get("dialog"), dict) or bool(_added_events(i, f))

    def dialog_day(d):
        return d.get("day") == p["day"]

    def event_day(e):  # both UTC: a Pacific evening is the next UTC day on both sides
        return str(e.get("start", ""))[:10] == start_iso[:10]

    def dialog_time(d):
        return dialog_day(d) and (d.get("startMinutes"), d.get("endMinutes")) == (p["start"], p["end"])

    def event_time(e):
        return (e.get("start"), e.get("end")) == (start_iso, end_iso)

    def dialog_location(d):
        return str(d.get("locationText") or "").strip().lower() == location

    def event_location(e):
        return str(e.get("location") or "").strip().lower() == location

    def anything(_):
        return True

    out = [Milestone("dialog_opened", dialog_opened), Milestone("title", dialog_or_event(anything, anything))]
    if p:
        out += [Milestone("day", dialog_or_event(dialog_day, event_day)),
                Milestone("time", dialog_or_event(dialog_time, event_time))]
    if location:
        out.append(Milestone("location", dialog_or_event(dialog_location, event_location)))
    out.append(Milestone("saved", lambda i, f: any(same_title(e.get("title")) for e in _added_events(i, f))))
    return out


def _gocalendar_delete_milestones(event_id: str | None) -> list[Milestone]:
    def deleted(i, f):
        after = _cal_events(f)
        gone = [eid for eid in _cal_events(i) if eid not in after]
        return event_id in gone if event_id else bool(gone)

    def opened(i, f):
        pop = _cal_ui(f).get("popover") or {}
        return (pop.get("itemId") == event_id if event_id else bool(pop)) or deleted(i, f)

    return [Milestone("event_opened", opened), Milestone("event_deleted", deleted)]


def _gocalendar_milestones(task: Task) -> list[Milestone]:
    family = getattr(task, "family", "")
    if family in ("create", "create_at"):
        return _gocalendar_create_milestones(task.params)
    if family == "delete":
        return _gocalendar_delete_milestones(task.params["event_id"])
    return _gocalendar_create_milestones({}) + _gocalendar_delete_milestones(None)


# ---------------------------------------------------------------------------------------------------
# OpenDining milestones: ui.route (the page), ui.search (what was searched), ui.pending (the table being booked),
# new reservations in booking.bookingDetails. A later milestone implies the earlier ones.
# ---------------------------------------------------------------------------------------------------
def _dine_ui(state: dict) -> dict:
    return state.get("ui") or {}


def _new_reservations(initial: dict, final: dict) -> list[dict]:
    before = dine_reservations(initial)
    return [r for k, r in dine_reservations(final).items() if k not in before]


def _opendining_notify_milestones(p: dict) -> list[Milestone]:
    """The restaurant's page, its pickers on the asked day, time and party size, the notification."""
    route = f"/restaurant/{p['restaurant_id']}"
    asked = (p["day"], f"{p['minutes'] // 60:02d}:{p['minutes'] % 60:02d}", p["party"])

    def notified(i, f):
        before = dine_notifications(i)
        return any(n.get("restaurantId") == p["restaurant_id"] and str(n.get("date", ""))[:10] == p["day"]
                   and n.get("time") == dine_time_label(p["minutes"]) and n.get("guests") == dine_guests_label(p["party"])
                   for k, n in dine_notifications(f).items() if k not in before)

    def picked(i, f):
        s = _dine_ui(f).get("search") or {}
        on_page = _dine_ui(f).get("route") == route and (s.get("date"), s.get("time"), s.get("guests")) == asked
        return on_page or notified(i, f)

    return [Milestone("restaurant_opened", lambda i, f: _dine_ui(f).get("route") == route or picked(i, f)),
            Milestone("time_chosen", picked), Milestone("notified", notified)]


def _opendining_milestones(task: Task) -> list[Milestone]:
    """``reserve`` tasks name a restaurant, ``cuisine`` tasks a cuisine (any restaurant of it will do), ``notify``
    tasks a full table to be told about; REAL tasks get the generic steps: anything searched, a restaurant opened, a
    table chosen, a reservation made."""
    family = getattr(task, "family", "") if isinstance(task, GeneratedTask) else ""
    if family == "notify":
        return _opendining_notify_milestones(task.params)
    p = task.params if family in ("reserve", "cuisine") else {}
    hhmm = f"{p['minutes'] // 60:02d}:{p['minutes'] % 60:02d}" if p else ""

    def right_restaurant(restaurant_id, state) -> bool:
        if family == "reserve":
            return restaurant_id == p["restaurant_id"]
        if family == "cuisine":
            r = next((r for r in state.get("restaurants") or [] if r.get("id") == restaurant_id), {})
            return r.get("food_type") == p["cuisine"]
        return bool(restaurant_id)

    def reserved(i, f):
        new = _new_reservations(i, f)
        if not p:
            return bool(new)
        return any(right_restaurant((r.get("restaurant") or {}).get("id"), f) and str(r.get("date", ""))[:10] == p["day"]
                   and r.get("time") == dine_time_label(p["minutes"]) and r.get("guests") == dine_guests_label(p["party"])
                   for r in new)

    def chosen(i, f):
        pending = _dine_ui(f).get("pending")
        if isinstance(pending, dict) and right_restaurant(pending.get("restaurantId"), f) and (
                not p or (pending.get("date"), pending.get("time"), pending.get("guests")) == (p["day"], hhmm, p["party"])):
            return True
        return reserved(i, f)

    def opened(i, f):
        route = str(_dine_ui(f).get("route") or "")
        return (route.startswith("/restaurant/") and right_restaurant(route.split("/")[2], f)) or chosen(i, f)

    def searched(i, f):
        s = _dine_ui(f).get("search") or {}
        term = str(s.get("term") or "")
        if family == "reserve":
            hit = has_words(term, [p["restaurant"]])
        elif family == "cuisine":
            hit = p["cuisine"] in (s.get("cuisines") or []) or has_words(term, [p["cuisine"]])
        else:
            hit = bool(term.strip() or s.get("cuisines") or s.get("neighborhoods"))
        return hit or opened(i, f)

    return [Milestone("searched", searched), Milestone("restaurant_opened", opened), Milestone("table_chosen", chosen),
            Milestone("reserved", reserved)]


# ---------------------------------------------------------------------------------------------------
# Udriver milestones: ride.pickupLocation / dropoffLocation / pickupDate+pickupTime, ride.calculatedPrice,
# ride.selectedCarType, new trips (ride.trips, or ride.bookedTrips for scheduled rides), ride.view, the wallet
# ---------------------------------------------------------------------------------------------------
def _ud_ride(state: dict) -> dict:
    return ride_store(state)[0]


def _ud_place_id(state: dict, key: str):
    return (_ud_ride(state).get(key) or {}).get("id")


def _udriver_ride_milestones(p: dict, scheduled: bool) -> list[Milestone]:
    key = "bookedTrips" if scheduled else "trips"

    def booked(i, f):
        return any(ride_matches(t, p) for t in ride_new(i, f, key))

    def route(f):
        return (_ud_place_id(f, "pickupLocation") == p["pickup_id"]
                and _ud_place_id(f, "dropoffLocation") == p["dropoff_id"])

    def when(f):
        r = _ud_ride(f)
        return (r.get("pickupType") == "scheduled"
                and (r.get("pickupDate"), r.get("pickupTime")) == (p["date"], p["time"]))

    out = [Milestone("pickup", lambda i, f: _ud_place_id(f, "pickupLocation") == p["pickup_id"] or booked(i, f)),
           Milestone("dropoff", lambda i, f: _ud_place_id(f, "dropoffLocation") == p["dropoff_id"] or booked(i, f))]
    if scheduled:
        out.append(Milestone("pickup_time", lambda i, f: (route(f) and when(f)) or booked(i, f)))
    out += [Milestone("prices_shown", lambda i, f: (route(f) and bool(_ud_ride(f).get("calculatedPrice")))
                      or booked(i, f)),
            Milestone("ride_type", lambda i, f: (route(f) and _ud_ride(f).get("selectedCarType") == p["car"])
                      or booked(i, f)),
            Milestone("booked", booked)]
    return out


def _udriver_generic_milestones() -> list[Milestone]:
    def booked(i, f):
        return bool(ride_new(i, f, "trips") or ride_new(i, f, "bookedTrips"))

    def wallet_changed(i, f):
        seed_wallet = ((i.get("seed") or {}).get("user") or {}).get("wallet") or {}
        wallet = ride_store(f)[1].get("wallet") or {}
        return (wallet.get("paymentMethods") != seed_wallet.get("paymentMethods")
                or any(t.get("type") == "credit" for t in wallet.get("transactions") or []
                       if t not in (seed_wallet.get("transactions") or [])))

    return [Milestone("pickup", lambda i, f: bool(_ud_place_id(f, "pickupLocation")) or booked(i, f)),
            Milestone("dropoff", lambda i, f: bool(_ud_place_id(f, "dropoffLocation")) or booked(i, f)),
            Milestone("prices_shown", lambda i, f: bool(_ud_ride(f).get("calculatedPrice")) or booked(i, f)),
            Milestone("booked", booked),
            Milestone("wallet_opened", lambda i, f: _ud_ride(f).get("view") == "wallet" or wallet_changed(i, f)),
            Milestone("wallet_changed", wallet_changed)]


def _udriver_milestones(task: Task) -> list[Milestone]:
    family = getattr(task, "family", "")
    if family in ("book", "schedule"):
        return _udriver_ride_milestones(task.params, scheduled=family == "schedule")
    if family == "quote":  # the ride type and booking do not apply
        return [m for m in _udriver_ride_milestones(dict(task.params, car=None), scheduled=False)
                if m.name in ("pickup", "dropoff", "prices_shown")]
    return _udriver_generic_milestones()


# ---------------------------------------------------------------------------------------------------
# Staynb milestones: search.appliedDestination / appliedDates / appliedGuestCounts (what was searched), ui.route (the
# page), booking.currentBooking (checkout started) and new booking.bookingDetails (booked). A later milestone implies
# the earlier ones.
# ---------------------------------------------------------------------------------------------------
def _stay_search(state: dict) -> dict:
    return state.get("search") or {}


def _staynb_book_milestones(p: dict) -> list[Milestone]:
    """The place searched, with the asked dates and guests, the listing opened, checkout started on it, booked."""
    def booked(i, f):
        before = stay_bookings(i)
        return any((t.get("listing") or {}).get("id") == p["listing_id"] and str(t.get("checkIn", ""))[:10] == p["check_in"]
                   and str(t.get("checkOut", ""))[:10] == p["check_out"] for k, t in stay_bookings(f).items()
                   if k not in before)

    def checkout(i, f):
        c = (f.get("booking") or {}).get("currentBooking") or {}
        return ((c.get("listing") or {}).get("id") == p["listing_id"] and str(c.get("checkIn", ""))[:10] == p["check_in"]
                and str(c.get("checkOut", ""))[:10] == p["check_out"]) or booked(i, f)

    def opened(i, f):
        return str((f.get("ui") or {}).get("route") or "") == f"/rooms/{p['listing_id']}" or checkout(i, f)

    def searched_dates(i, f):
        s = _stay_search(f)
        d = s.get("appliedDates") or {}
        g = s.get("appliedGuestCounts") or {}
        right = (s.get("appliedDestination") == p["place"] and str(d.get("startDate") or "")[:10] == p["check_in"]
                 and str(d.get("endDate") or "")[:10] == p["check_out"] and g.get("Adults") == p["guests"])
        return right or opened(i, f)

    def searched(i, f):
        return _stay_search(f).get("appliedDestination") == p["place"] or searched_dates(i, f)

    return [Milestone("place_searched", searched), Milestone("dates_and_guests_searched", searched_dates),
            Milestone("listing_opened", opened), Milestone("checkout_started", checkout), Milestone("booked", booked)]


def _staynb_milestones(task: Task) -> list[Milestone]:
    """``book`` tasks name a stay, dates and guests (``search`` and ``wishlist`` tasks: the search, then the amenity
    filtered or the stay saved); REAL tasks (searches, a wishlist, a share) get the generic
    steps: anything searched, filters applied."""
    family = task.family if isinstance(task, GeneratedTask) else ""
    if family == "book":
        return _staynb_book_milestones(task.params)
    if family in ("search", "wishlist"):
        p = task.params
        steps = _staynb_book_milestones(p)[:2]  # the place searched, then with the asked dates and guests
        if family == "search":
            return steps + [Milestone("amenity_filtered", lambda i, f: p["amenity"] in (
                (_stay_search(f).get("appliedFilters") or {}).get("amenities") or []))]
        return steps + [Milestone("saved", lambda i, f: any(
            w.get("name") == p["wishlist"] and any(x.get("id") == p["listing_id"] for x in w.get("stays") or [])
            for k, w in ((f.get("wishlist") or {}).get("wishlists") or {}).items()
            if k not in ((i.get("wishlist") or {}).get("wishlists") or {})))]
    return [Milestone("searched", lambda i, f: bool(_stay_search(f).get("appliedDestination"))),
            Milestone("filtered", lambda i, f: bool(_stay_search(f).get("appliedFilters")))]


# ---------------------------------------------------------------------------------------------------
# DashDish milestones: ui.route (the page), the live cart (cart.cartItems), new placed orders (cart.foodOrders).
# A later milestone implies the earlier ones.
# ---------------------------------------------------------------------------------------------------
def _dashdish_milestones(task: Task) -> list[Milestone]:
    """``order``, ``express`` and ``deliver_to`` tasks name a store and a dish; REAL tasks get the generic steps: a store opened, something in the
    cart, the checkout opened, an order placed."""
    p = task.params if isinstance(task, GeneratedTask) and getattr(task, "family", "") in (
        "order", "express", "deliver_to") else {}

    def right_item(item) -> bool:
        if not isinstance(item, dict):
            return False
        return not p or (item.get("itemId") == p["item_id"] and item.get("quantity") == p["quantity"])

    def placed(i, f):
        before = dash_orders(i)
        return any(any(right_item(it) for it in o.get("cartItems") or [])
                   for k, o in dash_orders(f).items() if k not in before and isinstance(o, dict))

    def in_cart(i, f):
        return any(right_item(it) for it in ((f.get("cart") or {}).get("cartItems") or [])) or placed(i, f)

    def at_checkout(i, f):
        return ((f.get("ui") or {}).get("route") == "/checkout" and in_cart(i, f)) or placed(i, f)

    def opened(i, f):
        route = str((f.get("ui") or {}).get("route") or "")
        hit = route == f"/store/{p['store_id']}" if p else route.startswith("/store/")
        return hit or in_cart(i, f)

    return [Milestone("store_opened", opened), Milestone("in_cart", in_cart), Milestone("checkout_opened", at_checkout),
            Milestone("order_placed", placed)]


_SITE_MILESTONES = {"omnizon": _omnizon_milestones, "gomail": _gomail_milestones,
                    "gocalendar": _gocalendar_milestones, "opendining": _opendining_milestones,
                    "udriver": _udriver_milestones, "staynb": _staynb_milestones, "dashdish": _dashdish_milestones}


def milestones_for(task: Task) -> list[Milestone]:
    """The ordered milestones of a task (task-aware for generated tasks, generic for REAL ones)."""
    build = _SITE_MILESTONES.get(task.site)
    return build(task) if build else []


def reached_milestones(task: Task, finish_state: dict, milestones: list[Milestone] | None = None) -> list[str]:
    """Names of the milestones true in a ``/finish`` state (a broken predicate counts as not reached)."""
    initial, final = initial_state_of(task), final_state_of(task, finish_state)
    out = []
    for m in milestones if milestones is not None else milestones_for(task):
        try:
            if m.reached(initial, final):
                out.append(m.name)
        except (KeyError, TypeError, AttributeError, ValueError):
            continue
    return out


# ---------------------------------------------------------------------------------------------------
# The per-episode calculator
# ---------------------------------------------------------------------------------------------------
def _action_key(action_text: str) -> str:
    return " ".join(str(action_text or "").split())


@dataclass
class EpisodeRewarder:
    """Dense rewards of one episode of one task. Call ``reset`` with the first observation's signature (and
    state), ``step`` after every action, ``finish`` once with the evaluator's verdict."""

    task: Task
    config: RewardConfig = field(default_factory=RewardConfig)
    reached: list[str] = field(default_factory=list)
    """Milestones reached so far, in the order they were first reached."""
    history: list[RewardPieces] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.milestones = milestones_for(self.task)
        self._seen: set[str] = set()
        self._tried: set[tuple[str, str]] = set()
        self._current: str | None = None
        self._finished = False

    def reset(self, state_signature: str, state_json: dict | None = None) -> None:
        """The episode's start: its state is not novel, and milestones already true in it never pay."""
        self._seen = {state_signature}
        self._tried.clear()
        self._current = state_signature
        self.reached = reached_milestones(self.task, state_json, self.milestones) if state_json else []
        self.history.clear()
        self._finished = False

    def step(self, state_json: dict | None, state_signature: str, action_text: str) -> RewardPieces:
        """The reward of one action: ``state_json``/``state_signature`` describe the state AFTER it."""
        cfg = self.config
        tried = (self._current, _action_key(action_text))
        loop = cfg.loop if self._current is not None and tried in self._tried else 0.0
        if self._current is not None:
            self._tried.add(tried)
        earned = sum(p.novelty for p in self.history)
        novelty = 0.0 if state_signature in self._seen else max(0.0, min(cfg.novelty, cfg.novelty_cap - earned))
        self._seen.add(state_signature)
        self._current = state_signature
        new = self._new_milestones(state_json) if state_json else []
        pieces = RewardPieces(progress=cfg.milestone * len(new), novelty=novelty, loop=loop,
                              step_cost=-cfg.step_cost, milestones=tuple(new))
        self.history.append(pieces)
        return pieces

    def _new_milestones(self, state_json: dict) -> list[str]:
        now = reached_milestones(self.task, state_json, self.milestones)
        new = [name for name in now if name not in self.reached]
        self.reached.extend(new)
        return new

    def finish(self, success: bool, status: str = "") -> RewardPieces:
        """The end-of-episode reward (paid once): ``success`` when the task's evaluator said so; ``out_of_steps`` when
        the environment's ``status`` is ``max_steps`` (the budget ran out before an answer)."""
        first = not self._finished
        pieces = RewardPieces(success=self.config.success if success and first else 0.0,
                              out_of_steps=self.config.out_of_steps if status == "max_steps" and first else 0.0)
        self._finished = True
        self.history.append(pieces)
        return pieces

    @property
    def total(self) -> float:
        """Everything paid so far in this episode."""
        return sum(p.total for p in self.history)
