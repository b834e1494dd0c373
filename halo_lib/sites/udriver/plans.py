"""Udriver's v2 tasks as element-action plans (see ``halo_lib.sites.plans``), on the oracles' UI routes.

Each task's solution is a list of route pieces (``flows.Ride``, ``Topup``, ``Default``) and the final answer;
``oracle.py`` drives the same pieces with Playwright. Place ids are the seed's (``seed.PLACES``).
Today on the site is Wednesday July 17, 2024, 9:30 am; the rider holds $25.50 of Udriver Credits (the default
payment method) and a Visa card ending 4242.
"""

from __future__ import annotations

from dataclasses import dataclass

from halo_lib.policies.scripted import Step
from halo_lib.sites.udriver.flows import Ride, default_steps, ride_steps, topup_steps


@dataclass(frozen=True)
class Topup:
    amount: int


@dataclass(frozen=True)
class Default:
    display_name: str


Piece = Ride | Topup | Default

# place ids
HOTEL1, VAN_NESS, CHESTNUT, CASTRO, POST, FREMONT, BEALE, TURK = 699, 717, 705, 706, 708, 733, 739, 741
FOX, GOLDEN_GATE_APTS, IRVING, CLUB_X, CLUB_26, ROOFTOP, AMBER, AAHA = 723, 726, 129, 201, 204, 210, 52, 55
CASA_LOMA, AI_CENTER, SEVEN_ELEVEN_SUTTER, CHASE_EMBARCADERO, WALGREENS = 301, 370, 401, 411, 421
VISA = "Visa •••• 4242"

SOLUTIONS: dict[str, tuple[list[Piece], str]] = {
    "udriver-2": ([Topup(100)], "Added $100 of Udriver Credits with your Visa card; your balance is $125.50."),
    "udriver-3": ([Ride(CASTRO, POST)], "Booked a UdriverX from 1001 Castro Street to 1030 Post Street Apartments."),
    "udriver-4": ([Ride(CHESTNUT, ROOFTOP)], "Rides from 1000 Chestnut St to Rooftop 25 start at $14.65 "
                  "(UdriverGreen); I booked a UdriverX for $15.50."),
    # The cheapest ride costs $27.41 and the rider holds $25.50: add credits first, then pay with them.
    "udriver-6": ([Topup(25), Ride(AAHA, CASA_LOMA)], "Added $25 of credits and booked a UdriverX from Aaha Indian "
                  "Cuisine to Casa Loma Hotel for $29.00, paid with Udriver Credits."),
    "udriver-7": ([Ride(IRVING, SEVEN_ELEVEN_SUTTER)], "Booked a UdriverX from 22nd & Irving to the 7-Eleven at "
                  "507 Sutter St."),
    "udriver-9": ([Ride(HOTEL1, POST, car="UdriverXL", payment="Cash")], "Booked a UdriverXL from 1 Hotel San "
                  "Francisco to 1030 Post Street Apartments, picking you up now, paid in cash."),
    "udriver-11": ([Ride(CLUB_X, FOX)], "Booked a UdriverX ($17.00) from Club X to Fox Plaza Apartments with your "
                   "Udriver Credits."),
    "udriver-13": ([Ride(GOLDEN_GATE_APTS, CHASE_EMBARCADERO)], "Booked a UdriverX now from Golden Gate Apartments "
                   "to Chase Bank at 2 Embarcadero Center."),
    "udriver-14": ([Default(VISA)], "Your Visa card ending 4242 is now your default payment method."),
    "udriver-15": ([Ride(BEALE, AMBER, car="UdriverXL")], "Booked a UdriverXL from 388 Beale to Amber India."),
    "udriver-16": ([Ride(HOTEL1, VAN_NESS)], "Booked a UdriverX from 1 Hotel San Francisco to 100 Van Ness Ave."),
    "udriver-17": ([Ride(FREMONT, TURK, date="Thu, Jul 18", time="3:30 PM", book=False)],
                   "A ride from 333 Fremont Apartments to 201 Turk Street Apartments on July 18 at 3:30 PM costs "
                   "$13.50 (UdriverX), $12.76 (UdriverGreen), $16.88 (UdriverComfort), $20.52 (UdriverXL) or $28.35 "
                   "(UdriverBlack)."),
    "udriver-19": ([Ride(AI_CENTER, FREMONT, book=False)], "Rides from AI Electronics Center to 333 Fremont "
                   "Apartments cost $14.65 to $32.55; your $25.50 of credits cover every ride but UdriverBlack."),
    "udriver-20": ([Ride(CLUB_26, VAN_NESS, car="UdriverGreen")], "Booked the cheapest ride, a UdriverGreen for "
                   "$16.07, from Club 26 Mix to 100 Van Ness."),
}

WRONG: dict[str, list[tuple[str, list[Piece]]]] = {
    "udriver-2": [("adds $50", [Topup(50)]), ("adds $100 twice", [Topup(100), Topup(100)])],
    "udriver-3": [("the reverse route", [Ride(POST, CASTRO)])],
    "udriver-4": [("prices shown, nothing booked", [Ride(CHESTNUT, ROOFTOP, book=False)]),
                  ("the reverse route", [Ride(ROOFTOP, CHESTNUT)])],
    "udriver-6": [("paid by card, not credits", [Ride(AAHA, CASA_LOMA, payment=VISA)])],
    "udriver-7": [("to Walgreens", [Ride(IRVING, WALGREENS)]),
                  ("the reverse route", [Ride(SEVEN_ELEVEN_SUTTER, IRVING)])],
    "udriver-9": [("scheduled for tomorrow", [Ride(HOTEL1, POST, car="UdriverXL", payment="Cash", date="Thu, Jul 18",
                                                   time="10:00 AM")]),
                  ("paid with credits", [Ride(HOTEL1, POST, car="UdriverXL")])],
    "udriver-11": [("paid by card", [Ride(CLUB_X, FOX, payment=VISA)])],
    "udriver-13": [("a UdriverXL", [Ride(GOLDEN_GATE_APTS, CHASE_EMBARCADERO, car="UdriverXL")])],
    "udriver-14": [("cash made the default", [Default("Cash")]),
                   ("the card chosen for one ride only", [Ride(CASTRO, POST, payment=VISA)])],
    "udriver-15": [("a UdriverX, not XL", [Ride(BEALE, AMBER)])],
    "udriver-16": [("the reverse route", [Ride(VAN_NESS, HOTEL1)])],
    "udriver-17": [("3:30 AM", [Ride(FREMONT, TURK, date="Thu, Jul 18", time="3:30 AM", book=False)]),
                   ("pickup now", [Ride(FREMONT, TURK, book=False)])],
    "udriver-19": [("the reverse route", [Ride(FREMONT, AI_CENTER, book=False)])],
    "udriver-20": [("a UdriverX, not the cheapest", [Ride(CLUB_26, VAN_NESS)])],
}


def piece_steps(pieces: list[Piece]) -> list[Step]:
    steps: list[Step] = []
    on_home = True
    for p in pieces:
        if isinstance(p, Topup):
            steps += topup_steps(p.amount)
            on_home = False
        elif isinstance(p, Default):
            steps += default_steps(p.display_name)
            on_home = False
        else:
            steps += ride_steps(p, from_home=on_home)
            on_home = False
    return steps


PLANS: dict[str, list[Step]] = {
    name: piece_steps(pieces) + [Step("send_msg_to_user", value=answer)]
    for name, (pieces, answer) in SOLUTIONS.items()
}
