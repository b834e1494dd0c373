"""OpenDining seed data: San Francisco restaurants, the user's reservations; today is Friday July 18, 2025 (US Pacific).

State shape (top-level keys never change; the app POSTs the whole state back)::

    {"restaurants": [restaurant, ...],          # the catalogue (read-only for the app)
     "booking": {"bookingDetails": {"0": reservation, ...},   # every reservation, keyed "0", "1", ...
                 "bookingCompleted": False,     # True once a reservation was completed in this session
                 "loading": False,
                 # set when a reservation is completed (absent at the start, so /finish shows them as added):
                 # "index" (1-based number of that reservation), "date", "time", "guests", "restaurantId"
                },
     "notification": {"notifications": {"0": {restaurantId, restaurantName, date, time, guests, createdAt}}},
     "user": {firstName, lastName, email, phone},
     "ui": {"route": "/", "search": {term, date, time, guests, cuisines, neighborhoods, minRating},
            "pending": None | {restaurantId, date, time, guests}}}   # the slot being booked

A reservation: ``{restaurant: {id, name, food_type, rating, description, imageUrl, neighborhood, address, price},
date, time, guests, optionals: {occasion, request}, firstName, lastName, phone, email, confirmationNumber,
status, createdAt}``. ``time`` is ``"7:30 PM"``, ``guests`` ``"2 people"`` (``"1 person"``), ``date`` the local
calendar day written ``2025-07-18T00:00:00.000Z`` (the official scripts read its date part, ``-07-18``).

Why this shape: the 11 official scripts (agisdk v2 ``eval_opendining_*.py``) read it differently, and it satisfies
them all. Most look for ``booking`` under ``initialfinaldiff.added`` then ``.updated``; eval_opendining_4 reads ONLY
``added.booking`` and eval_opendining_24 needs a truthy ``index`` there, so ``index``/``date``/``time``/``guests``/
``restaurantId`` are absent from the initial ``booking`` and a completed reservation adds them (a new key of
``bookingDetails`` is ``added`` as a whole object, which every script reads). eval_opendining_20 reads the top-level
``booking.time`` with ``bookingCompleted`` (False at the start, so it shows as updated), or a 5 pm notification for
Evening Delight in ``notification.notifications``. eval_opendining_6 wants ``-07-18`` in the date, eval_opendining_9 a
``'%I:%M %p'`` time (``7:30 AM``), eval_opendining_5 the exact ``"2 people"``, eval_opendining_7 an Embarcadero word
in the restaurant's ``name``/``description``/``imageUrl`` (so no other restaurant may contain one), eval_opendining_1
``italian`` in ``food_type`` (or in the name/description, so no other restaurant may say it), and 2, 5 and 17 the
occasion at ``optionals.occasion``. The seed's own reservations are keys "0".."2", so a new one is never confused
with them (scripts 4 and 9 read the first ADDED entry).

Availability: a restaurant takes reservations every 30 minutes from its opening time to an hour before it closes;
a slot is full when it is in the restaurant's ``fullyBooked`` times of day, or by a fixed arithmetic rule
(:func:`is_available`), which ``static/app.js`` repeats exactly.
"""

from __future__ import annotations

import uuid
from datetime import date

NOW = "2025-07-18T06:30:00"
TODAY = "2025-07-18"
EPOCH = date(2025, 1, 1)
LAST_BOOKABLE_DAY = "2025-12-31"
"""The date input's range is today..this day."""

# name, food_type, neighborhood, rating, reviews, price, opens, closes, description
RESTAURANTS = (
    ("Bella Notte", "Italian", "North Beach", 4.6, 312, "$$$", "11:00", "22:30",
     "Hand-rolled pasta and wood-fired dishes in a candlelit North Beach dining room."),
    ("Trattoria Roma", "Italian", "Hayes Valley", 4.2, 188, "$$", "11:30", "22:00",
     "A neighbourhood trattoria with Roman classics, daily specials and a long wine list."),
    ("Pasta Fresca", "Italian", "Mission District", 3.4, 96, "$$", "12:00", "21:30",
     "Casual counter-service pasta shop with a few tables on the side street."),
    ("Nonna's Table", "Italian", "Noe Valley", 4.0, 141, "$$", "17:00", "22:00",
     "Family recipes from Emilia-Romagna served at long shared tables."),
    ("North Beach Pizzeria", "Italian", "North Beach", 3.8, 233, "$", "11:00", "23:00",
     "Thin-crust pizza by the slice or the pie, open late."),
    ("The Golden Fork", "American", "Union Square", 4.4, 276, "$$$", "11:00", "23:00",
     "Modern American plates and craft cocktails a block from the theatres."),
    ("Evening Delight", "American", "Nob Hill", 4.3, 203, "$$$", "16:00", "23:00",
     "An intimate supper club known for its early-evening tasting menu, which sells out every night."),
    ("Liberty Grill", "American", "SoMa", 3.6, 122, "$$", "11:00", "22:00",
     "Burgers, chops and a big patio for the after-work crowd."),
    ("Hearth & Barrel", "American", "Haight-Ashbury", 4.1, 167, "$$", "17:00", "23:00",
     "Wood-fired American cooking with a private dining room for groups."),
    ("Haight Street Social", "American", "Haight-Ashbury", 4.0, 158, "$$", "11:00", "23:00",
     "A lively corner spot for shared plates, local beer and weekend brunch."),
    ("The Velvet Spoon", "American", "Castro", 2.9, 74, "$$", "11:00", "22:00",
     "Comfort food classics in a retro dining room."),
    ("River View Cafe", "American", "Embarcadero", 4.1, 154, "$$", "08:00", "21:00",
     "Relaxed all-day cafe with views of the water along the Embarcadero."),
    ("Crowded Corner", "Seafood", "Embarcadero", 3.9, 211, "$$", "11:00", "22:00",
     "A busy Embarcadero fish house serving chowder, crab and the catch of the day."),
    ("Pier Seven Oyster Bar", "Seafood", "Embarcadero", 4.5, 298, "$$$", "11:30", "22:30",
     "Oysters, raw bar towers and seafood plates on the pier, looking out at the water."),
    ("Harbor Lights Bistro", "French", "Embarcadero", 3.7, 119, "$$$", "11:30", "22:00",
     "French bistro classics beside the ferry terminal on the Embarcadero."),
    ("Sunrise Diner", "Breakfast & Brunch", "Mission District", 4.2, 245, "$", "07:00", "15:00",
     "Pancakes, omelettes and strong coffee from seven in the morning."),
    ("Morning Glory Griddle", "Breakfast & Brunch", "SoMa", 2.7, 88, "$", "07:00", "14:00",
     "A quick griddle counter for eggs and hash browns before work."),
    ("The Early Bird", "Breakfast & Brunch", "Castro", 3.8, 132, "$$", "07:30", "14:30",
     "Seasonal brunch plates, fresh juices and house-baked pastries."),
    ("Casa Azul", "Mexican", "Mission District", 4.3, 221, "$$", "11:00", "22:00",
     "Regional Mexican cooking, hand-pressed tortillas and a mezcal list."),
    ("Taqueria del Sol", "Mexican", "Mission District", 3.5, 301, "$", "10:00", "22:00",
     "Burritos, tacos and aguas frescas, fast and generous."),
    ("Cantina Luna", "Mexican", "Haight-Ashbury", 3.2, 97, "$$", "17:00", "23:30",
     "Late-night tacos and margaritas in a candlelit cantina."),
    ("Sakura House", "Japanese", "Japantown", 4.7, 354, "$$$", "11:30", "22:00",
     "Omakase sushi and seasonal Japanese dishes at a cedar counter."),
    ("Umi Sushi Bar", "Japanese", "Richmond District", 4.0, 143, "$$", "11:30", "21:30",
     "Neighbourhood sushi bar with generous rolls and bento lunches."),
    ("Izakaya Kaze", "Japanese", "Haight-Ashbury", 4.4, 187, "$$", "17:00", "23:30",
     "Skewers from the charcoal grill, small plates and sake until late."),
    ("Golden Dragon Palace", "Chinese", "Chinatown", 3.9, 265, "$$", "10:00", "22:00",
     "Dim sum carts at lunch and Cantonese banquets at dinner."),
    ("Jade Garden", "Chinese", "Richmond District", 4.1, 176, "$$", "11:00", "21:30",
     "Sichuan and Hunan dishes with plenty of heat."),
    ("Saffron Spice", "Indian", "SoMa", 4.5, 209, "$$", "11:00", "22:00",
     "Tandoor breads, rich curries and a lunch thali."),
    ("Taj Tandoor", "Indian", "Haight-Ashbury", 3.3, 91, "$", "11:30", "22:00",
     "North Indian favourites and a lunch buffet."),
    ("Le Petit Jardin", "French", "Hayes Valley", 4.8, 289, "$$$$", "17:00", "22:30",
     "A garden dining room with a seasonal French tasting menu."),
    ("Cafe Lumiere", "French", "Pacific Heights", 3.9, 134, "$$", "08:00", "21:00",
     "Croissants in the morning, steak frites at night."),
    ("Thai Orchid", "Thai", "Castro", 4.0, 158, "$$", "11:00", "22:00",
     "Curries, noodles and grilled dishes from central Thailand."),
    ("Bangkok Street Kitchen", "Thai", "Union Square", 3.1, 82, "$", "11:00", "21:00",
     "Street-food style noodles and rice plates."),
    ("Olive & Fig", "Mediterranean", "Noe Valley", 4.4, 173, "$$", "11:00", "22:00",
     "Mezze, grilled meats and natural wines in a sunny room."),
    ("Aegean Table", "Greek", "North Beach", 4.2, 149, "$$", "11:30", "22:00",
     "Greek taverna dishes, whole grilled fish and honeyed desserts."),
    ("Prime Cut Steakhouse", "Steakhouse", "Nob Hill", 4.6, 331, "$$$$", "17:00", "23:00",
     "Dry-aged steaks, classic sides and a deep cellar."),
    ("Iron Range Chophouse", "Steakhouse", "Haight-Ashbury", 3.7, 121, "$$$", "17:00", "23:00",
     "Chops and steaks from the grill with a whiskey bar."),
    ("Seoul Kitchen", "Korean", "Richmond District", 4.2, 166, "$$", "11:00", "22:00",
     "Tabletop barbecue, stews and banchan."),
    ("Pho Saigon House", "Vietnamese", "Civic Center", 3.8, 192, "$", "10:00", "21:00",
     "Slow-simmered pho, rice plates and iced coffee."),
    ("Casa Barcelona", "Spanish", "Mission District", 4.3, 184, "$$", "12:00", "23:00",
     "Tapas, paella for the table and Spanish wines."),
    ("Green Leaf Kitchen", "Vegetarian", "Hayes Valley", 4.1, 117, "$$", "11:00", "21:30",
     "Vegetable-forward plates from local farms."),
    ("Smokestack BBQ", "Barbecue", "SoMa", 3.5, 140, "$$", "11:00", "22:00",
     "Brisket, ribs and smoked sausages by the pound."),
    ("Nob Hill Brasserie", "French", "Nob Hill", 4.5, 207, "$$$", "07:00", "22:00",
     "A grand brasserie serving breakfast, lunch and dinner under a glass ceiling."),
)

FULLY_BOOKED = {"Evening Delight": ["17:00"]}
"""Times of day a restaurant never has a free table (Evening Delight's 5 pm tasting: opendining-20's 'notify me')."""

RIVER_VIEW_ID = "cd4f81d3-3c75-4c67-b47b-e7f013f6ae9d"

MENUS = {
    "Italian": (("Antipasti", (("Burrata", "heirloom tomatoes, basil oil", 16), ("Arancini", "saffron rice, mozzarella", 12),
                               ("Carpaccio", "beef, arugula, parmesan", 17))),
                ("Pasta", (("Cacio e Pepe", "tonnarelli, pecorino, black pepper", 22),
                           ("Pappardelle", "slow-cooked beef ragu", 26), ("Gnocchi", "brown butter, sage", 23)))),
    "American": (("Starters", (("Deviled Eggs", "smoked paprika, chives", 11), ("Wedge Salad", "blue cheese, bacon", 14),
                               ("Crab Cakes", "remoulade, pickled onion", 19))),
                 ("Mains", (("Burger", "aged cheddar, fries", 21), ("Roast Chicken", "mashed potatoes, jus", 28),
                            ("Pork Chop", "apple mostarda, greens", 32)))),
    "Seafood": (("Raw Bar", (("Oysters", "half dozen, mignonette", 21), ("Shrimp Cocktail", "horseradish sauce", 18),
                             ("Tuna Crudo", "citrus, chili", 19))),
                ("Mains", (("Clam Chowder", "sourdough bowl", 16), ("Cioppino", "crab, mussels, tomato broth", 36),
                           ("Grilled Salmon", "fennel, lemon", 32)))),
    "French": (("Entrees", (("French Onion Soup", "gruyere crouton", 14), ("Escargots", "garlic butter", 16),
                            ("Pate", "cornichons, toast", 15))),
               ("Plats", (("Steak Frites", "bearnaise", 36), ("Duck Confit", "lentils, frisee", 33),
                          ("Sole Meuniere", "brown butter, capers", 38)))),
    "Breakfast & Brunch": (("Griddle", (("Buttermilk Pancakes", "maple syrup, butter", 13),
                                        ("French Toast", "brioche, berries", 14), ("Waffle", "whipped cream", 12))),
                           ("Eggs", (("Two Eggs Any Style", "toast, potatoes", 12), ("Eggs Benedict", "ham, hollandaise", 17),
                                     ("Veggie Omelette", "spinach, mushrooms, goat cheese", 15)))),
    "Mexican": (("Antojitos", (("Guacamole", "chips, salsa", 12), ("Elote", "cotija, chili, lime", 8),
                               ("Ceviche", "lime, chili, cilantro", 16))),
                ("Platos", (("Tacos al Pastor", "pineapple, onion", 15), ("Mole Poblano", "chicken, rice", 24),
                            ("Carnitas", "tortillas, salsa verde", 22)))),
    "Japanese": (("Small Plates", (("Edamame", "sea salt", 6), ("Gyoza", "pork, ponzu", 10), ("Agedashi Tofu", "dashi", 9))),
                 ("Sushi", (("Nigiri Set", "chef's selection of eight", 38), ("Spicy Tuna Roll", "cucumber, chili", 14),
                            ("Salmon Sashimi", "five pieces", 18)))),
    "Chinese": (("Dim Sum", (("Har Gow", "shrimp dumplings", 9), ("Siu Mai", "pork and shrimp", 9),
                             ("Char Siu Bao", "barbecue pork buns", 8))),
                ("Mains", (("Kung Pao Chicken", "peanuts, chili", 19), ("Mapo Tofu", "Sichuan pepper", 17),
                           ("Peking Duck", "pancakes, scallion", 48)))),
    "Indian": (("Starters", (("Samosas", "potato, peas, chutney", 9), ("Pakora", "onion fritters", 8),
                             ("Chicken Tikka", "yogurt marinade", 14))),
               ("Curries", (("Butter Chicken", "tomato, cream", 21), ("Palak Paneer", "spinach, cheese", 18),
                            ("Lamb Rogan Josh", "Kashmiri chili", 24)))),
    "Thai": (("Starters", (("Satay", "peanut sauce", 11), ("Tom Yum", "hot and sour soup", 10), ("Spring Rolls", "sweet chili", 9))),
             ("Mains", (("Pad Thai", "tamarind, peanuts", 16), ("Green Curry", "eggplant, basil", 18),
                        ("Pad See Ew", "wide noodles, broccoli", 16)))),
    "Mediterranean": (("Mezze", (("Hummus", "olive oil, pita", 10), ("Baba Ganoush", "smoked eggplant", 10),
                                 ("Falafel", "tahini", 11))),
                      ("Grill", (("Lamb Kofta", "yogurt, herbs", 24), ("Chicken Shawarma", "garlic sauce", 21),
                                 ("Grilled Halloumi", "figs, honey", 17)))),
    "Greek": (("Meze", (("Spanakopita", "spinach, feta", 12), ("Dolmades", "rice, dill", 10), ("Tzatziki", "pita", 9))),
              ("Mains", (("Moussaka", "eggplant, lamb, bechamel", 25), ("Lamb Souvlaki", "lemon potatoes", 27),
                         ("Whole Branzino", "olive oil, oregano", 34)))),
    "Steakhouse": (("Starters", (("Shrimp Cocktail", "horseradish", 22), ("Caesar Salad", "anchovy, parmesan", 16),
                                 ("Bone Marrow", "parsley salad", 19))),
                   ("Steaks", (("Ribeye", "16 oz, dry-aged", 68), ("Filet Mignon", "8 oz", 62),
                               ("New York Strip", "14 oz", 58)))),
    "Korean": (("Starters", (("Kimchi Pancake", "scallion", 14), ("Mandu", "pork dumplings", 11), ("Japchae", "glass noodles", 15))),
               ("Barbecue", (("Galbi", "marinated short rib", 34), ("Bulgogi", "ribeye, pear marinade", 29),
                             ("Pork Belly", "sesame oil, salt", 26)))),
    "Vietnamese": (("Starters", (("Goi Cuon", "fresh rolls", 9), ("Cha Gio", "fried rolls", 9), ("Papaya Salad", "herbs", 11))),
                   ("Bowls", (("Pho Bo", "beef noodle soup", 16), ("Bun Cha", "grilled pork, noodles", 17),
                              ("Com Tam", "broken rice, pork chop", 17)))),
    "Spanish": (("Tapas", (("Patatas Bravas", "aioli, spicy tomato", 10), ("Gambas al Ajillo", "garlic shrimp", 15),
                           ("Croquetas", "jamon", 12))),
                ("Para Compartir", (("Paella Valenciana", "chicken, rabbit, beans", 48), ("Pulpo", "octopus, paprika", 24),
                                    ("Jamon Iberico", "hand-carved", 32)))),
    "Vegetarian": (("Small Plates", (("Roasted Carrots", "harissa, yogurt", 12), ("Beet Salad", "citrus, pistachio", 13),
                                     ("Charred Broccolini", "lemon, chili", 11))),
                   ("Large Plates", (("Mushroom Risotto", "parmesan", 22), ("Cauliflower Steak", "romesco", 21),
                                     ("Grain Bowl", "tahini, seasonal vegetables", 18)))),
    "Barbecue": (("Meats", (("Brisket", "half pound", 22), ("Pork Ribs", "half rack", 24), ("Hot Links", "two sausages", 15))),
                 ("Sides", (("Mac and Cheese", "three cheeses", 7), ("Cornbread", "honey butter", 5),
                            ("Coleslaw", "vinegar dressing", 5)))),
}
DESSERTS = (("Chocolate Cake", "salted caramel", 11), ("Seasonal Sorbet", "three scoops", 9))

REVIEWERS = ("Robert Johnson", "Sandra Baker", "Michelle Park", "David Nguyen", "Aisha Khan", "Tom Becker",
             "Lucia Romero", "Kevin O'Brien", "Hannah Schultz", "Marcus Lee", "Priya Raman", "Olivia Chen")
REVIEW_TEXTS = (
    "I really enjoyed my meal. The presentation was beautiful, and the flavors were fantastic.",
    "The food was very tasty, and the atmosphere was warm and inviting.",
    "Great service from start to finish. Our server had excellent recommendations.",
    "A little noisy on a Friday night, but the dishes made up for it.",
    "Perfect spot for a celebration. They brought a candle for the birthday without us asking.",
    "Portions were generous and the prices fair. We will be back.",
    "The wait for our table was longer than expected even with a reservation.",
    "Lovely for a business dinner: quiet corners and attentive staff.",
    "Everything was fresh and seasonal. The dessert was the highlight.",
    "Good but not memorable. The starters were better than the mains.",
    "Cozy room, friendly staff and a wine list with something for everyone.",
    "We came for a date night and it was just right.",
)
REVIEW_DAYS = ("2025-07-12", "2025-07-05", "2025-06-28", "2025-06-21", "2025-06-14", "2025-06-07")

# (restaurant name, local date, time, party, occasion, status): the user's reservations before this session
PAST_RESERVATIONS = (
    ("Casa Azul", "2025-06-27", "7:00 PM", 2, "", "completed"),
    ("Sakura House", "2025-07-04", "6:30 PM", 4, "Birthday", "completed"),
    ("Olive & Fig", "2025-07-26", "12:30 PM", 3, "", "upcoming"),
)

TIME_SLOTS = tuple(range(7 * 60, 23 * 60 + 1, 30))
"""The times a search can ask for: 7:00 AM .. 11:00 PM, every 30 minutes."""


def slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).replace("--", "-").strip("-")


def cuisine_slug(food_type: str) -> str:
    return slug(food_type.replace("&", "and"))


def restaurant_id(name: str) -> str:
    if name == "River View Cafe":
        return RIVER_VIEW_ID
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"opendining/{slug(name)}"))


def minutes_of(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def time_label(minutes: int) -> str:
    """570 -> ``9:30 AM``, 1260 -> ``9:00 PM`` (the form the site shows and stores)."""
    h, m = divmod(minutes, 60)
    return f"{h % 12 or 12}:{m:02d} {'AM' if h < 12 else 'PM'}"


def guests_label(n: int) -> str:
    return "1 person" if n == 1 else f"{n} people"


def date_value(ymd: str) -> str:
    """The stored form of a local calendar day: ``2025-07-18`` -> ``2025-07-18T00:00:00.000Z``."""
    return f"{ymd}T00:00:00.000Z"


def _reviews(i: int, rating: float) -> list[dict]:
    out = []
    for k in range(4):
        n = (i * 5 + k * 7) % len(REVIEW_TEXTS)
        stars = max(1, min(5, round(rating + (0.6 if k % 2 == 0 else -0.6) * (k % 3 == 2))))
        out.append({"author": REVIEWERS[(i * 3 + k) % len(REVIEWERS)], "stars": stars, "text": REVIEW_TEXTS[n],
                    "dined": REVIEW_DAYS[(i + k) % len(REVIEW_DAYS)],
                    "helpful": (i * 7 + k * 3) % 12})
    return out


def _restaurant(i: int, row: tuple) -> dict:
    name, food_type, hood, rating, reviews, price, opens, closes, description = row
    sections = [{"title": t, "items": [{"name": n, "description": d, "price": p} for n, d, p in items]}
                for t, items in MENUS[food_type]]
    sections.append({"title": "Desserts", "items": [{"name": n, "description": d, "price": p} for n, d, p in DESSERTS]})
    spread = (i % 5 - 2) / 10
    return {
        "id": restaurant_id(name),
        "name": name,
        "food_type": food_type,
        "neighborhood": hood,
        "address": f"{100 + (i * 37) % 900} {('Main', 'Oak', 'Pine', 'Valencia', 'Grant', 'Fillmore', 'Clement')[i % 7]} St, "
                   f"San Francisco, CA",
        "rating": rating,
        "reviewCount": reviews,
        "ratings": {"food": round(min(5.0, rating + 0.1 + spread / 2), 1), "service": round(min(5.0, rating + spread), 1),
                    "ambience": round(min(5.0, rating - spread), 1), "value": round(min(5.0, rating - 0.1), 1)},
        "histogram": _histogram(rating),
        "price": price,
        "description": description,
        "imageUrl": f"/static/img/{cuisine_slug(food_type)}.svg",
        "hours": {"open": opens, "close": closes},
        "fullyBooked": list(FULLY_BOOKED.get(name, [])),
        "menu": sections,
        "reviews": _reviews(i, rating),
    }


def _histogram(rating: float) -> list[int]:
    """Shares (percent) of 5, 4, 3, 2, 1-star reviews, leaning towards the rating."""
    five = max(5, min(85, round((rating - 2.5) * 30)))
    four = max(5, min(40, round(60 - abs(rating - 4.0) * 40)))
    rest = max(0, 100 - five - four)
    return [five, four, round(rest * 0.5), round(rest * 0.3), rest - round(rest * 0.5) - round(rest * 0.3)]


def restaurants() -> list[dict]:
    return [_restaurant(i, row) for i, row in enumerate(RESTAURANTS)]


def restaurant_summary(r: dict) -> dict:
    """The part of a restaurant a reservation keeps (what the official scripts read: name, food_type, rating...)."""
    return {k: r[k] for k in ("id", "name", "food_type", "rating", "description", "imageUrl", "neighborhood",
                              "address", "price")}


def by_name(name: str) -> tuple[int, dict]:
    for i, r in enumerate(restaurants()):
        if r["name"] == name:
            return i, r
    raise KeyError(name)


def slot_times(r: dict) -> list[int]:
    """Minutes of the day the restaurant takes reservations (opening .. an hour before closing, every 30 min)."""
    return [m for m in TIME_SLOTS if minutes_of(r["hours"]["open"]) <= m <= minutes_of(r["hours"]["close"]) - 60]


def is_available(index: int, r: dict, ymd: str, minutes: int, party: int) -> bool:
    """Whether the restaurant (at ``index`` in the catalogue) has a table for ``party`` on ``ymd`` at ``minutes``.
    app.js's ``isAvailable`` is the same rule."""
    if minutes not in slot_times(r):
        return False
    if f"{minutes // 60:02d}:{minutes % 60:02d}" in r["fullyBooked"]:
        return False
    n = (date.fromisoformat(ymd) - EPOCH).days
    return ((index + 1) * 7 + n * 3 + (minutes // 30) * 5 + party) % 10 != 0


def _reservation(n: int, name: str, ymd: str, time: str, party: int, occasion: str, status: str) -> dict:
    _, r = by_name(name)
    return {
        "restaurant": restaurant_summary(r),
        "date": date_value(ymd),
        "time": time,
        "guests": guests_label(party),
        "optionals": {"occasion": occasion, "request": ""},
        "firstName": "Jordan", "lastName": "Rivera", "phone": "(415) 555-0142", "email": "jordan.rivera@example.com",
        "confirmationNumber": f"OD{48213 + n * 1117}",
        "status": status,
        "createdAt": f"{ymd}T00:00:00.000Z",
    }


def initial_state(task_name: str | None = None) -> dict:
    """A fresh initial state (the same for every task)."""
    return {
        "restaurants": restaurants(),
        "booking": {
            "bookingDetails": {str(n): _reservation(n, *row) for n, row in enumerate(PAST_RESERVATIONS)},
            "bookingCompleted": False,
            "loading": False,
        },
        "notification": {"notifications": {}},
        "user": {"firstName": "Jordan", "lastName": "Rivera", "email": "jordan.rivera@example.com",
                 "phone": "(415) 555-0142"},
        "ui": {"route": "/",
               "search": {"term": "", "date": TODAY, "time": "19:00", "guests": 2, "cuisines": [],
                          "neighborhoods": [], "minRating": 0},
               "pending": None},
    }
