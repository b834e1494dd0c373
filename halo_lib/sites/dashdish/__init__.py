"""DashDish: a DoorDash look-alike (San Francisco stores; today is Tuesday July 15, 2025, 11:30 am PT)."""

from pathlib import Path

from halo_lib.sites.dashdish.differences import differences
from halo_lib.sites.dashdish.seed import NOW, initial_state
from halo_lib.sites.spec import SiteSpec

SPEC = SiteSpec(
    name="dashdish",
    title="DashDish",
    package_dir=Path(__file__).parent,
    initial_state=initial_state,
    differences=differences,
    now=NOW,
)
