"""Udriver seed data: San Francisco places, ride types, the rider's wallet and trip history.

Today on the site is Wednesday July 17, 2024, 9:30 am US Pacific.

State shape (top-level keys never change; the app POSTs the whole state back)::

    {"seed":   {"config": ..., "ride": ..., "user": ...},   # the task's data; the app never changes it
     "config": {}, "ride": {}, "user": {}}                  # filled from "seed" by the app on its first load

REAL's hosted Udriver reports its whole store as *added* in ``initialfinaldiff`` (its scripts read
``initialfinaldiff.added.ride.trips`` as a complete list, ``added.user.wallet.paymentMethods`` as a complete list
and ``added.config.udriver.cars``): the store is empty when the run starts and filled by the app. The clone does
the same: ``config``, ``ride`` and ``user`` start empty and the app copies ``seed`` into them when it first loads,
so every official script finds whole objects under ``added`` (and the generic deep diff needs no special case).

After the first load::

    config = {"udriver": {"cars": {type: {type, multiplier, discount, seats, etaMinutes, description}},
                          "currency": "USD", "today": "7/17/2024"}}
    ride   = {"locations": [location], "pickupLocation": location|None, "dropoffLocation": location|None,
              "pickupType": "now"|"scheduled", "pickupDate": "7/18/2024"|None, "pickupTime": "3:30 PM"|None,
              "selectedCarType": str|None, "calculatedPrice": {carType, priceWithoutDiscount, discount,
              finalPrice}|None, "selectedPaymentMethod": method, "trip": trip|None, "trips": [trip],
              "bookedTrip": trip|None, "bookedTrips": [trip], "view": page name}
    user   = {"id", "name", "email", "phone", "wallet": {"balance", "currency", "transactions": [transaction],
              "paymentMethods": [method]}}

A location: ``{id, identifier, name, address, formattedAddress, addressComponents: {street, city, state, zipCode,
country}, category, basePrice}``. A ride's price is ``(pickup.basePrice + destination.basePrice) * multiplier``
before its discount, ``* (1 - discount)`` after (REAL's udriver-20 script recomputes it so).
A trip: ``{id, pickup, destination, car: {type, multiplier, discount, priceWithoutDiscount, finalPrice, seats},
date, time, status ("completed" for a ride taken now, "scheduled", "cancelled"), paymentMethod, driver,
bookedAt}``. A transaction: ``{id, type: "credit"|"debit", amount (debits negative), description, date,
paymentMethodId}``; a ride paid with Udriver Credits adds ``"Trip to <destination name>"``.

What the official scripts read, and so what the app writes (they read the state in different places; one booking
satisfies all of them):

* a ride taken now goes to the front of ``ride.trips`` with status ``completed`` (udriver-3/4/6/7/11/16/20 want
  ``completed``; udriver-9 also takes ``in progress``) and becomes ``ride.trip`` (udriver-11/13/15 read that);
  a scheduled ride goes to ``ride.bookedTrips`` and ``ride.bookedTrip`` (status ``scheduled``), never to
  ``ride.trips``, so udriver-9's "now" tells them apart;
* paying with Udriver Credits debits the wallet with ``Trip to <destination name>`` (udriver-6/11/15/16 need the
  debit; udriver-6 also ``paymentMethod.type == "wallet"`` and a balance that stays >= 0, so the app refuses a
  ride the credits do not cover); card and cash rides leave the wallet alone;
* See prices writes ``ride.pickupLocation``/``dropoffLocation``, ``pickupDate`` (``7/18/2024``) and ``pickupTime``
  (``3:30 PM``) and ``ride.calculatedPrice`` of the chosen ride type (udriver-17/19);
* ``config.udriver.cars`` holds each type's ``multiplier`` and ``discount`` and every place its ``basePrice``
  (udriver-20 recomputes the cheapest ride from them);
* ``user.wallet.paymentMethods`` holds the card on file (id ``"1"``, Visa ``4242``) and making it the default also
  makes it ``ride.selectedPaymentMethod`` (udriver-14); a top-up adds a ``Wallet Top-up`` credit (udriver-2, which
  wants exactly one $100 top-up and a balance of 125.5 from the seed's 25.5).
"""

from __future__ import annotations

import copy

NOW = "2024-07-17T09:30:00"
TODAY = "7/17/2024"
BALANCE = 25.5
CURRENCY = "USD"

# type, multiplier, discount, seats, minutes away, description (the order of the ride list)
CARS = (
    ("UdriverX", 1.0, 0.0, 4, 3, "Affordable rides, all to yourself"),
    ("UdriverGreen", 1.05, 0.10, 4, 6, "Electric and hybrid cars, 10% off"),
    ("UdriverComfort", 1.25, 0.0, 4, 4, "Newer cars with extra legroom"),
    ("UdriverXL", 1.6, 0.05, 6, 7, "Rides for groups of up to 6, 5% off"),
    ("UdriverBlack", 2.1, 0.0, 4, 5, "Premium rides in luxury cars"),
)
CAR_TYPES = tuple(c[0] for c in CARS)

# id, identifier, name, street, zip, category, basePrice. Ids and identifiers of the places REAL's scripts name
# by id (udriver-7/11/15/16/19) are the ones those scripts expect.
PLACES = (
    (699, "OHS", "1 Hotel San Francisco", "8 Mission St", "94105", "hotel", 8.0),
    (717, "VNA", "100 Van Ness", "100 Van Ness Ave", "94102", "apartment", 9.0),
    (705, "CHS", "1000 Chestnut Street Apartments", "1000 Chestnut St", "94109", "apartment", 7.0),
    (706, "CAS", "1001 Castro Street", "1001 Castro St", "94114", "apartment", 8.5),
    (708, "PST", "1030 Post Street Apartments", "1030 Post St", "94109", "apartment", 6.5),
    (733, "DLO", "333 Fremont Apartments", "333 Fremont St", "94105", "apartment", 7.5),
    (739, "BEA", "388 Beale", "388 Beale St", "94105", "apartment", 7.5),
    (741, "TRK", "201 Turk Street Apartments", "201 Turk St", "94102", "apartment", 6.0),
    (723, "FOX", "Fox Plaza Apartments", "1390 Market St", "94102", "apartment", 8.0),
    (726, "GGA", "Golden Gate Apartments", "1177 Golden Gate Ave", "94115", "apartment", 7.0),
    (729, "AXP", "Avalon Mission Bay Apartments", "255 King St", "94107", "apartment", 8.0),
    (129, "SPR", "22nd & Irving", "2101 Irving St", "94122", "intersection", 10.0),
    (201, "CLX", "Club X", "715 Harrison St", "94107", "nightlife", 9.0),
    (204, "C26", "Club 26 Mix", "3140 16th St", "94103", "nightlife", 8.0),
    (210, "RTF", "Rooftop 25", "25 Lusk St", "94107", "nightlife", 8.5),
    (52, "AMB", "Amber India", "25 Yerba Buena Ln", "94103", "restaurant", 8.0),
    (55, "AAH", "Aaha Indian Cuisine", "1221 Polk St", "94109", "restaurant", 14.0),
    (58, "TRT", "Tartine Bakery", "600 Guerrero St", "94110", "restaurant", 9.5),
    (61, "ZUN", "Zuni Cafe", "1658 Market St", "94102", "restaurant", 7.5),
    (64, "SWN", "Swan Oyster Depot", "1517 Polk St", "94109", "restaurant", 7.0),
    (67, "HOG", "Hog Island Oyster Co.", "1 Ferry Building #11a", "94111", "restaurant", 8.5),
    (301, "CLH", "Casa Loma Hotel", "610 Fillmore St", "94117", "hotel", 15.0),
    (304, "PHM", "Hotel Zephyr", "250 Beach St", "94133", "hotel", 10.0),
    (307, "FAI", "Fairmont San Francisco", "950 Mason St", "94108", "hotel", 9.0),
    (370, "RF1", "AI Electronics Center", "1255 Folsom St", "94103", "store", 8.0),
    (401, "SE1", "7-Eleven", "507 Sutter St", "94102", "convenience", 7.0),
    (402, "SE2", "7-Eleven", "1500 Taraval St", "94116", "convenience", 11.0),
    (403, "SE3", "7-Eleven", "2800 Geary Blvd", "94118", "convenience", 9.0),
    (404, "SE4", "7-Eleven", "221 Sansome St", "94104", "convenience", 8.0),
    (411, "CB1", "Chase Bank", "2 Embarcadero Center", "94111", "bank", 8.0),
    (412, "CB2", "Chase Bank", "1 Stockton St", "94108", "bank", 7.5),
    (413, "CB3", "Chase Bank", "2001 Fillmore St", "94115", "bank", 7.0),
    (415, "WFB", "Wells Fargo Bank", "464 California St", "94104", "bank", 8.0),
    (421, "WAG", "Walgreens", "135 Powell St", "94102", "pharmacy", 7.0),
    (424, "SAF", "Safeway", "2020 Market St", "94114", "grocery", 8.0),
    (427, "WFM", "Whole Foods Market", "1765 California St", "94109", "grocery", 7.5),
    (501, "FRY", "Ferry Building", "1 Ferry Building", "94111", "landmark", 8.0),
    (502, "ORP", "Oracle Park", "24 Willie Mays Plaza", "94107", "landmark", 9.0),
    (503, "UNS", "Union Square", "333 Post St", "94108", "landmark", 7.0),
    (504, "CTT", "Coit Tower", "1 Telegraph Hill Blvd", "94133", "landmark", 9.5),
    (505, "P39", "Pier 39", "Beach St & The Embarcadero", "94133", "landmark", 10.0),
    (506, "GHS", "Ghirardelli Square", "900 North Point St", "94109", "landmark", 9.5),
    (507, "PFA", "Palace of Fine Arts", "3601 Lyon St", "94123", "landmark", 11.0),
    (508, "CHC", "Chase Center", "1 Warriors Way", "94158", "landmark", 9.0),
    (509, "MOS", "Moscone Center", "747 Howard St", "94103", "landmark", 7.5),
    (510, "MIC", "Museum of Ice Cream", "1 Grant Ave", "94108", "museum", 7.0),
    (511, "DEY", "de Young Museum", "50 Hagiwara Tea Garden Dr", "94118", "museum", 12.0),
    (512, "CAS2", "California Academy of Sciences", "55 Music Concourse Dr", "94118", "museum", 12.0),
    (513, "EXP", "Exploratorium", "Pier 15, The Embarcadero", "94111", "museum", 8.5),
    (514, "SFT", "Salesforce Tower", "415 Mission St", "94105", "office", 7.5),
    (515, "DOL", "Mission Dolores Park", "19th St & Dolores St", "94114", "park", 9.0),
    (516, "ALS", "Alamo Square", "Steiner St & Hayes St", "94117", "park", 8.5),
    (517, "GGB", "Golden Gate Bridge Welcome Center", "Golden Gate Bridge", "94129", "landmark", 13.0),
    (518, "CTL", "City Lights Books", "261 Columbus Ave", "94133", "store", 8.5),
    (519, "WSF", "Westfield San Francisco Centre", "865 Market St", "94103", "store", 7.0),
    (520, "UCS", "UCSF Medical Center", "505 Parnassus Ave", "94143", "hospital", 11.0),
    (521, "CTR", "Caltrain 4th & King Station", "700 4th St", "94107", "transit", 8.0),
    (522, "SFO", "San Francisco International Airport", "San Francisco International Airport", "94128",
     "airport", 32.0),
)

PAYMENT_METHODS = (
    {"id": "wallet", "type": "wallet", "displayName": "Udriver Credits", "isDefault": True},
    {"id": "1", "type": "credit", "brand": "Visa", "last4": "4242", "expiry": "08/27",
     "displayName": "Visa •••• 4242", "isDefault": False},
    {"id": "cash", "type": "cash", "displayName": "Cash", "isDefault": False},
)

DRIVERS = (
    ("Carlos M.", "Toyota Prius", "Silver", "8KJD214", 4.92),
    ("Aisha K.", "Honda Accord", "Black", "7TRW553", 4.97),
    ("Dmitri P.", "Tesla Model 3", "White", "9ELC771", 4.89),
    ("Grace L.", "Chevrolet Suburban", "Black", "6XLV208", 4.95),
    ("Mateo R.", "Hyundai Ioniq", "Blue", "8GRN440", 4.90),
)

# Past trips (newest first): (date, time, pickup id, destination id, car, status, payment id). None of them is a
# route a REAL v2 task asks for, so no task passes before the agent acts.
HISTORY = (
    ("7/15/2024", "8:10 AM", 503, 514, "UdriverX", "completed", "wallet"),
    ("7/13/2024", "7:45 PM", 733, 58, "UdriverComfort", "completed", "1"),
    ("7/12/2024", "6:20 PM", 514, 502, "UdriverXL", "completed", "1"),
    ("7/10/2024", "12:05 PM", 501, 510, "UdriverGreen", "completed", "wallet"),
    ("7/8/2024", "10:30 PM", 201, 733, "UdriverX", "cancelled", "wallet"),
    ("7/6/2024", "11:15 AM", 705, 506, "UdriverX", "completed", "cash"),
    ("7/3/2024", "5:40 PM", 739, 521, "UdriverBlack", "completed", "1"),
    ("6/29/2024", "9:00 AM", 522, 699, "UdriverXL", "completed", "1"),
)

TRANSACTIONS = (
    # (date, type, amount, description, payment id)
    ("7/15/2024", "debit", None, "Trip to Salesforce Tower", "wallet"),  # amount: the trip's price
    ("7/11/2024", "credit", 25.0, "Wallet Top-up", "1"),
    ("7/10/2024", "debit", None, "Trip to Museum of Ice Cream", "wallet"),
    ("7/1/2024", "credit", 20.0, "Promo credit: Summer rides", None),
)


def location(row: tuple) -> dict:
    pid, ident, name, street, zip_code, category, base = row
    formatted = f"{street}, San Francisco, CA {zip_code}, USA"
    return {"id": pid, "identifier": ident, "name": name, "address": street, "formattedAddress": formatted,
            "addressComponents": {"street": street, "city": "San Francisco", "state": "CA", "zipCode": zip_code,
                                  "country": "USA"},
            "category": category, "basePrice": base}


def locations() -> list[dict]:
    return [location(row) for row in PLACES]


def location_by_id(pid: int) -> dict:
    for row in PLACES:
        if row[0] == pid:
            return location(row)
    raise KeyError(pid)


def cars_config() -> dict:
    return {t: {"type": t, "multiplier": m, "discount": d, "seats": s, "etaMinutes": eta, "description": desc}
            for t, m, d, s, eta, desc in CARS}


def price(pickup: dict, destination: dict, car_type: str) -> tuple[float, float]:
    """(price without discount, final price), both rounded to cents, as the app computes them."""
    cfg = cars_config()[car_type]
    before = (pickup["basePrice"] + destination["basePrice"]) * cfg["multiplier"]
    return round(before, 2), round(before * (1 - cfg["discount"]), 2)


def car_of(pickup: dict, destination: dict, car_type: str) -> dict:
    cfg = cars_config()[car_type]
    before, final = price(pickup, destination, car_type)
    return {"type": car_type, "multiplier": cfg["multiplier"], "discount": cfg["discount"], "seats": cfg["seats"],
            "priceWithoutDiscount": before, "finalPrice": final}


def payment_ref(method_id: str) -> dict:
    m = next(p for p in PAYMENT_METHODS if p["id"] == method_id)
    return {"id": m["id"], "type": m["type"], "displayName": m["displayName"]}


def _trip(n: int, row: tuple) -> dict:
    date, time, pickup_id, dest_id, car, status, pay = row
    pickup, dest = location_by_id(pickup_id), location_by_id(dest_id)
    name, model, color, plate, rating = DRIVERS[n % len(DRIVERS)]
    return {"id": f"trip-{100 + n}", "pickup": pickup, "destination": dest, "car": car_of(pickup, dest, car),
            "date": date, "time": time, "status": status, "paymentMethod": payment_ref(pay),
            "driver": {"name": name, "car": model, "color": color, "plate": plate, "rating": rating},
            "bookedAt": date}


def history() -> list[dict]:
    return [_trip(n, row) for n, row in enumerate(HISTORY)]


def transactions(trips: list[dict]) -> list[dict]:
    out = []
    for n, (date, kind, amount, desc, pay) in enumerate(TRANSACTIONS):
        if amount is None:  # the wallet-paid trip of that day
            trip = next(t for t in trips if t["date"] == date and t["paymentMethod"]["id"] == "wallet")
            amount = -trip["car"]["finalPrice"]
        out.append({"id": f"txn-{100 + n}", "type": kind, "amount": amount, "description": desc, "date": date,
                    "paymentMethodId": pay})
    return out


def seed_data(task_name: str | None = None) -> dict:
    """The data the app copies into ``config``/``ride``/``user`` on its first load (the same for every task)."""
    trips = history()
    return {
        "config": {"udriver": {"cars": cars_config(), "currency": CURRENCY, "today": TODAY}},
        "ride": {
            "locations": locations(), "pickupLocation": None, "dropoffLocation": None, "pickupType": "now",
            "pickupDate": None, "pickupTime": None, "selectedCarType": None, "calculatedPrice": None,
            "selectedPaymentMethod": payment_ref("wallet"), "trip": None, "trips": trips, "bookedTrip": None,
            "bookedTrips": [], "view": "home",
        },
        "user": {
            "id": "user-1", "name": "Jordan Lee", "email": "jordan.lee@udriver.com", "phone": "(415) 555-0142",
            "wallet": {"balance": BALANCE, "currency": CURRENCY, "transactions": transactions(trips),
                       "paymentMethods": copy.deepcopy(list(PAYMENT_METHODS))},
        },
    }


def initial_state(task_name: str | None = None) -> dict:
    """A fresh initial state: the seed, and the empty store the app fills from it."""
    return {"seed": seed_data(task_name), "config": {}, "ride": {}, "user": {}}


def hydrated(state: dict) -> dict:
    """What the app's store holds after its first load (``state`` with ``seed`` copied into the store)."""
    out = copy.deepcopy(state)
    for key in ("config", "ride", "user"):
        if not out[key]:
            out[key] = copy.deepcopy(out["seed"][key])
    return out
