"""Oracle and wrong solutions for Udriver's v2 tasks, driven through the UI only (the routes of ``plans.py``).

Every udriver v2 script has content; none is empty or self-contradictory. Where scripts read the state
differently (``ride.trips`` vs ``ride.trip`` vs ``ride.bookedTrip``, wallet debits), the site writes them all
(see ``seed.py``), so one booking satisfies each of them.
"""

from __future__ import annotations

from halo_lib.sites.oracle import Oracle, do_nothing
from halo_lib.sites.udriver.flows import Ride, drive_default, drive_ride, drive_topup
from halo_lib.sites.udriver.plans import SOLUTIONS, WRONG, Default, Piece, Topup


def _solution(pieces: list[Piece], answer: str | None = None):
    async def solve(page):
        for p in pieces:
            if isinstance(p, Topup):
                await drive_topup(page, p.amount)
            elif isinstance(p, Default):
                await drive_default(page, p.display_name)
            else:
                assert isinstance(p, Ride)
                await drive_ride(page, p)
        return answer
    return solve


ORACLES: dict[str, Oracle] = {
    name: Oracle(_solution(pieces, answer),
                 wrong=tuple((desc, _solution(wrong)) for desc, wrong in WRONG[name]) + (("nothing done", do_nothing),))
    for name, (pieces, answer) in SOLUTIONS.items()
}
