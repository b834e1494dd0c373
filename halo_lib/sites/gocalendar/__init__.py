"""GoCalendar: a Google Calendar look-alike (work week of July 15-19, 2024; today Wed July 17, 9:20 am PT)."""

from pathlib import Path

from halo_lib.sites.gocalendar.differences import differences
from halo_lib.sites.gocalendar.seed import NOW, initial_state
from halo_lib.sites.spec import SiteSpec

SPEC = SiteSpec(
    name="gocalendar",
    title="GoCalendar",
    package_dir=Path(__file__).parent,
    initial_state=initial_state,
    differences=differences,
    now=NOW,
)
