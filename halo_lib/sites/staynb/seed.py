"""Staynb seed data: stays in fifteen places; today is Thursday July 18, 2024 (US Pacific), 9:00 am.

State shape (top-level keys never change; the app POSTs the whole state back)::

    {"listings": [listing, ...],                 # the catalogue (read-only for the app)
     "search": {},                               # EMPTY at the start; Search adds the applied* keys below
     "wishlist": {"wishlists": {}},              # EMPTY at the start; key "0", "1", ... per wishlist created
     "booking": {"bookingDetails": {"0": trip, "1": trip},   # the user's past trips
                 "currentBooking": None,          # the stay being booked (set by Reserve, kept after paying)
                 "isBooking": False,              # True from Reserve until Confirm and pay succeeds
                 "errors": {"cardNumber": "", "expiration": "", "cvv": "", "zipcode": ""}},
     "share": {"shares": {}},                    # "Share" dialog: {listingId, title, channel, to, sharedAt}
     "user": {firstName, lastName, email},
     "ui": {...}}                                # the app's own page state (route, the search pill's draft)

The search, once applied (the pill's Search button), and the filters (the Filters dialog's "Show places")::

    search.appliedDestination   "Paris, France" (a place's label; "Nearby" for "Search nearby"; else the text typed)
    search.appliedDates         {"startDate": "2024-10-15T00:00:00.000Z" | None, "endDate": ... | None}
    search.appliedGuestCounts   {"Adults": 3, "Children": 0, "Infants": 0, "Pets": 0}
    search.appliedFilters       {"priceMin": 0, "priceMax": 1000, "bedrooms": 0, "beds": 0, "bathrooms": 0,
                                 "types": [...], "amenities": ["Wifi", "Free parking", ...]}   (absent until applied)
    search.recentSearches       {"0": {"destination", "dates": {"startDate", "endDate"}, "guests": "3 guests"}, ...}

Why this shape: the 11 official scripts (agisdk v2 ``eval_staynb_*.py``) read ``initialfinaldiff.added.search``
(4, 5 and 6 read ONLY ``added``; the others ``added`` then ``updated``), so ``search`` starts empty and each applied
key is new in the final state: it shows under ``added`` as a whole value, however often it changed. Likewise
eval_staynb_6 wants ``added.wishlist.wishlists.<key>.stays`` to be a LIST with ``rooms.bedrooms``/``rooms.beds``,
so no wishlist exists at the start (a stay appended to a seeded list would show as a dict of indices). Dates are
the local calendar day written ``YYYY-MM-DDT00:00:00.000Z`` (scripts read the first 10 characters or parse it).
A stay of "tonight" / "the night of July 18" is a search with the same check-in and check-out day (eval_staynb_9
and eval_staynb_13 want ``startDate == endDate``), so the search pill accepts check-out == check-in; booking needs
at least one night. Where the scripts disagree or are lenient:

* eval_staynb_4 accepts an empty amenity list when ``config.staynb.removePopup`` is true or the destination has
  ", USA"; eval_staynb_14 wants ``removePopup`` truthy when present. The state has no ``config`` key and no place
  label ends in ", USA", so wifi must really be filtered for staynb-4.
* eval_staynb_9 falls back on the parity of the run id's seconds when no amenity was filtered; the oracle filters.
* eval_staynb_17 fails an applied EMPTY amenity list, so ``appliedFilters`` is absent until the Filters dialog is
  applied (a plain search leaves it out).
* eval_staynb_5/9/12/15 fail a booking attempt: ``booking.isBooking``, a non-null ``currentBooking``, an error
  message in ``booking.errors``, or (5) a new ``bookingDetails`` entry.
* eval_staynb_1/13/19 fall back on ``differences["search"]``: the ``differences`` block never has that key.
"""

from __future__ import annotations

from datetime import date

NOW = "2024-07-18T09:00:00"
TODAY = "2024-07-18"
LAST_DAY = "2025-12-31"
NEARBY = "Nearby"

AMENITIES = ("Wifi", "Kitchen", "Free parking", "Air conditioning", "Pool", "Washer", "Hot tub", "TV",
             "Heating", "Dedicated workspace")
TYPES = ("Entire home", "Apartment", "Cabin", "Villa", "Private room")

# label, town names used for the listings, country words; listings per place come from LISTINGS below
PLACES = (
    "Austria", "San Francisco, California", "Paris, France", "Cape Town, South Africa", NEARBY, "Delhi, India",
    "Miami, Florida", "Rome, Italy", "San Jose, Costa Rica", "Provence, France", "Vancouver, Canada",
    "London, United Kingdom", "Tokyo, Japan", "Lake Tahoe, California", "Barcelona, Spain",
)

W, K, P, AC, POOL, WASH, TUB, TV, HEAT, DESK = AMENITIES
# place, title, type, town, price/night, guests, bedrooms, beds, baths, rating, reviews, amenities
LISTINGS = (
    ("Austria", "Cabin in the woods", "Cabin", "Hallstatt", 185, 4, 2, 2, 1, 4.92, 128, (W, K, P, HEAT, TV)),
    ("Austria", "Alpine chalet with lake view", "Entire home", "Zell am See", 240, 6, 3, 4, 2, 4.85, 96, (W, K, P, HEAT, TUB)),
    ("Austria", "Old town studio", "Apartment", "Salzburg", 95, 2, 1, 1, 1, 4.61, 212, (W, K, HEAT)),
    ("Austria", "Ringstrasse apartment", "Apartment", "Vienna", 150, 4, 2, 2, 1, 4.77, 174, (W, K, WASH, HEAT, DESK)),
    ("Austria", "Room above the bakery", "Private room", "Innsbruck", 70, 2, 1, 1, 1, 4.48, 63, (W, HEAT)),
    ("San Francisco, California", "Painted lady flat", "Apartment", "San Francisco", 210, 4, 2, 2, 1, 4.81, 155, (W, K, WASH, HEAT, TV)),
    ("San Francisco, California", "Mission loft", "Apartment", "San Francisco", 165, 2, 1, 1, 1, 4.66, 201, (W, K, DESK)),
    ("San Francisco, California", "Sunset district room", "Private room", "San Francisco", 89, 2, 1, 1, 1, 4.39, 88, (K, HEAT)),
    ("San Francisco, California", "Nob Hill view home", "Entire home", "San Francisco", 320, 6, 3, 3, 2, 4.9, 73, (W, K, P, WASH, TV)),
    ("Paris, France", "Montmartre garret", "Apartment", "Paris", 140, 2, 1, 1, 1, 4.74, 240, (W, K, HEAT)),
    ("Paris, France", "Marais family apartment", "Apartment", "Paris", 260, 5, 2, 3, 1, 4.83, 119, (W, K, P, AC, WASH)),
    ("Paris, France", "Left bank room", "Private room", "Paris", 95, 2, 1, 1, 1, 4.52, 301, (W, AC)),
    ("Paris, France", "Townhouse near the canal", "Entire home", "Paris", 310, 6, 3, 3, 2, 4.88, 58, (W, K, P, AC, TV, DESK)),
    ("Cape Town, South Africa", "Camps Bay villa", "Villa", "Cape Town", 280, 8, 4, 5, 3, 4.93, 84, (W, K, P, POOL, AC)),
    ("Cape Town, South Africa", "Bo-Kaap cottage", "Entire home", "Cape Town", 130, 4, 2, 2, 1, 4.72, 142, (W, K, P)),
    ("Cape Town, South Africa", "Sea Point studio", "Apartment", "Cape Town", 75, 4, 1, 2, 1, 4.55, 97, (W, K, TV)),
    ("Cape Town, South Africa", "Table Mountain guest room", "Private room", "Cape Town", 60, 2, 1, 1, 1, 4.41, 51, (W,)),
    (NEARBY, "Sausalito houseboat", "Entire home", "Sausalito, California", 230, 4, 2, 2, 1, 4.86, 133, (W, K, P, AC, POOL)),
    (NEARBY, "Half Moon Bay cottage", "Cabin", "Half Moon Bay, California", 190, 4, 2, 3, 1, 4.79, 91, (W, K, P, HEAT)),
    (NEARBY, "Berkeley hills room", "Private room", "Berkeley, California", 85, 2, 1, 1, 1, 4.5, 77, (W, P)),
    (NEARBY, "Oakland garden suite", "Apartment", "Oakland, California", 120, 3, 1, 2, 1, 4.63, 110, (W, K, AC, POOL)),
    ("Delhi, India", "Hauz Khas apartment", "Apartment", "New Delhi", 55, 4, 2, 2, 1, 4.58, 160, (W, K, AC)),
    ("Delhi, India", "Haveli room in Old Delhi", "Private room", "Delhi", 35, 2, 1, 1, 1, 4.44, 203, (W, AC)),
    ("Delhi, India", "Lodhi garden villa", "Villa", "New Delhi", 150, 8, 4, 4, 3, 4.87, 45, (W, K, P, AC, POOL)),
    ("Miami, Florida", "South Beach condo", "Apartment", "Miami Beach", 175, 4, 2, 2, 2, 4.7, 188, (W, K, AC, POOL, P)),
    ("Miami, Florida", "Little Havana casita", "Entire home", "Miami", 140, 3, 1, 2, 1, 4.62, 121, (W, K, AC)),
    ("Miami, Florida", "Biscayne bay room", "Private room", "Miami", 80, 2, 1, 1, 1, 4.35, 67, (W, AC)),
    ("Rome, Italy", "Trastevere terrace apartment", "Apartment", "Rome", 190, 4, 2, 2, 1, 4.89, 164, (W, K, AC, WASH)),
    ("Rome, Italy", "Monti studio", "Apartment", "Rome", 110, 2, 1, 1, 1, 4.67, 233, (W, K, AC)),
    ("Rome, Italy", "Villa on the Appian Way", "Villa", "Rome", 340, 8, 4, 4, 3, 4.91, 52, (K, P, POOL, AC)),
    ("Rome, Italy", "Vatican view room", "Private room", "Rome", 85, 2, 1, 1, 1, 4.46, 140, (W,)),
    ("San Jose, Costa Rica", "Escazu hillside home", "Entire home", "San Jose", 120, 6, 3, 3, 2, 4.76, 69, (W, K, P, POOL)),
    ("San Jose, Costa Rica", "Barrio Amon loft", "Apartment", "San Jose", 65, 2, 1, 1, 1, 4.57, 102, (W, K)),
    ("San Jose, Costa Rica", "Coffee farm cabin", "Cabin", "San Jose", 90, 4, 2, 2, 1, 4.82, 38, (K, P)),
    ("Provence, France", "Lavender field farmhouse", "Entire home", "Gordes", 270, 6, 3, 4, 2, 4.94, 81, (W, K, P, POOL)),
    ("Provence, France", "Aix old town apartment", "Apartment", "Aix-en-Provence", 130, 3, 1, 2, 1, 4.69, 147, (W, K, AC)),
    ("Provence, France", "Stone mas without internet", "Villa", "Luberon", 210, 4, 2, 2, 1, 4.73, 40, (K, P, POOL)),
    ("Vancouver, Canada", "Kitsilano house", "Entire home", "Vancouver", 260, 6, 3, 3, 2, 4.84, 93, (W, K, P, WASH)),
    ("Vancouver, Canada", "Gastown loft", "Apartment", "Vancouver", 160, 3, 1, 2, 1, 4.65, 178, (W, K, DESK)),
    ("Vancouver, Canada", "North Shore cabin", "Cabin", "North Vancouver", 180, 5, 2, 3, 1, 4.8, 64, (W, K, P, HEAT, TUB)),
    ("London, United Kingdom", "Notting Hill mews house", "Entire home", "London", 330, 5, 2, 3, 2, 4.87, 99, (W, K, WASH, HEAT)),
    ("London, United Kingdom", "Shoreditch flat", "Apartment", "London", 170, 2, 1, 1, 1, 4.6, 215, (W, K, DESK)),
    ("London, United Kingdom", "Camden box room", "Private room", "London", 75, 1, 1, 1, 1, 4.32, 143, (W, HEAT)),
    ("Tokyo, Japan", "Shibuya micro apartment", "Apartment", "Tokyo", 110, 2, 1, 1, 1, 4.71, 260, (W, AC, WASH)),
    ("Tokyo, Japan", "Yanaka machiya", "Entire home", "Tokyo", 230, 5, 2, 4, 1, 4.9, 71, (W, K, AC, HEAT)),
    ("Tokyo, Japan", "Asakusa tatami room", "Private room", "Tokyo", 60, 2, 1, 1, 1, 4.54, 188, (W, AC)),
    ("Lake Tahoe, California", "Lakeside A-frame", "Cabin", "South Lake Tahoe", 250, 6, 3, 4, 2, 4.88, 115, (W, K, P, TUB, HEAT)),
    ("Lake Tahoe, California", "Ski-in condo", "Apartment", "Olympic Valley", 200, 4, 2, 2, 1, 4.68, 92, (W, K, P, HEAT)),
    ("Lake Tahoe, California", "Pine forest cabin", "Cabin", "Tahoe City", 160, 4, 1, 2, 1, 4.6, 58, (K, P, HEAT)),
    ("Barcelona, Spain", "Gothic quarter flat", "Apartment", "Barcelona", 150, 4, 2, 2, 1, 4.73, 201, (W, K, AC)),
    ("Barcelona, Spain", "Gracia rooftop room", "Private room", "Barcelona", 70, 2, 1, 1, 1, 4.49, 154, (W, AC)),
    ("Barcelona, Spain", "Sitges beach villa", "Villa", "Sitges", 360, 10, 5, 6, 4, 4.92, 47, (W, K, P, AC, POOL)),
)

HOSTS = ("Anna", "Marco", "Leila", "Tom", "Priya", "Jonas", "Sofia", "Kwame", "Yuki", "Claire", "Diego", "Hannah")
REVIEWERS = ("Maya", "Oliver", "Chen", "Fatima", "Lucas", "Emma", "Noah", "Aisha", "Liam", "Zoe", "Ravi", "Ines")
REVIEW_TEXTS = (
    "Spotless, quiet and exactly as pictured. We would stay again.",
    "Great location and a very responsive host.",
    "Cozy beds and a well-stocked kitchen. Check-in was easy.",
    "The view alone was worth it. A little noisy on Saturday night.",
    "Lovely place for a family trip; the kids loved it.",
    "Comfortable and clean, a short walk to everything.",
    "Good value. The wifi was fast enough for video calls.",
    "Beautiful decor and thoughtful touches everywhere.",
)
CLEANING_FEE_RATE = 0.12
SERVICE_FEE_RATE = 0.14


def slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def listing_id(title: str) -> str:
    return f"stay-{slug(title)}"


def date_value(ymd: str | None) -> str | None:
    """The stored form of a calendar day: ``2024-08-01T00:00:00.000Z`` (None stays None)."""
    return f"{ymd}T00:00:00.000Z" if ymd else None


def guests_label(total: int) -> str:
    return "1 guest" if total == 1 else f"{total} guests"


def nights(check_in: str, check_out: str) -> int:
    return (date.fromisoformat(check_out) - date.fromisoformat(check_in)).days


def price_breakdown(listing: dict, check_in: str, check_out: str) -> dict:
    """Nights, subtotal, cleaning fee, service fee and total in whole dollars (app.js ``prices`` is the same)."""
    n = nights(check_in, check_out)
    subtotal = listing["pricePerNight"] * n
    cleaning = round(listing["pricePerNight"] * CLEANING_FEE_RATE) if n > 0 else 0
    service = round(subtotal * SERVICE_FEE_RATE)
    return {"nights": n, "subtotal": subtotal, "cleaningFee": cleaning, "serviceFee": service,
            "total": subtotal + cleaning + service}


def _reviews(i: int) -> list[dict]:
    return [{"author": REVIEWERS[(i * 5 + k) % len(REVIEWERS)], "text": REVIEW_TEXTS[(i * 3 + k) % len(REVIEW_TEXTS)],
             "stars": 5 if (i + k) % 3 else 4, "date": ("June 2024", "May 2024", "April 2024")[k]}
            for k in range(3)]


def _listing(i: int, row: tuple) -> dict:
    place, title, kind, town, price, guests, bedrooms, beds, baths, rating, reviews, amenities = row
    location = town if "," in town else f"{town}, {place.split(', ')[-1]}"
    return {
        "id": listing_id(title), "title": title, "type": kind, "destination": place, "location": location,
        "host": HOSTS[i % len(HOSTS)], "superhost": i % 3 == 0,
        "pricePerNight": price, "rating": rating, "reviewCount": reviews,
        "rooms": {"guests": guests, "bedrooms": bedrooms, "beds": beds, "bathrooms": baths},
        "amenities": list(amenities),
        "description": f"{kind} in {location} for up to {guests} guests: {bedrooms} bedroom"
                       f"{'s' if bedrooms != 1 else ''}, {beds} bed{'s' if beds != 1 else ''} and {baths} bath"
                       f"{'s' if baths != 1 else ''}. Hosted by {HOSTS[i % len(HOSTS)]}.",
        "hue": (i * 47) % 360, "reviews": _reviews(i),
    }


def listings() -> list[dict]:
    return [_listing(i, row) for i, row in enumerate(LISTINGS)]


def by_title(title: str) -> dict:
    for item in listings():
        if item["title"] == title:
            return item
    raise KeyError(title)


def stay_summary(listing: dict) -> dict:
    """What a wishlist keeps of a stay (eval_staynb_6 reads ``rooms.bedrooms`` and ``rooms.beds``)."""
    return {k: listing[k] for k in ("id", "title", "type", "location", "destination", "pricePerNight", "rating",
                                    "rooms", "amenities")}


PAST_TRIPS = (("Lakeside A-frame", "2024-02-09", "2024-02-11", 4), ("Shoreditch flat", "2024-05-03", "2024-05-06", 2))


def _trip(n: int, title: str, check_in: str, check_out: str, guests: int) -> dict:
    item = by_title(title)
    return {"listing": stay_summary(item), "checkIn": date_value(check_in), "checkOut": date_value(check_out),
            "guests": {"Adults": guests, "Children": 0, "Infants": 0, "Pets": 0}, "guestLabel": guests_label(guests),
            "price": price_breakdown(item, check_in, check_out), "confirmationCode": f"HM{58213 + n * 977}",
            "status": "completed", "createdAt": f"{check_in}T00:00:00.000Z"}


def initial_state(task_name: str | None = None) -> dict:
    """A fresh initial state (the same for every task)."""
    return {
        "listings": listings(),
        "search": {},
        "wishlist": {"wishlists": {}},
        "booking": {"bookingDetails": {str(n): _trip(n, *row) for n, row in enumerate(PAST_TRIPS)},
                    "currentBooking": None, "isBooking": False,
                    "errors": {"cardNumber": "", "expiration": "", "cvv": "", "zipcode": ""}},
        "share": {"shares": {}},
        "user": {"firstName": "Alex", "lastName": "Morgan", "email": "alex.morgan@example.com"},
        "ui": {"route": "/"},
    }
