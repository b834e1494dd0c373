"""Udriver: an Uber look-alike (San Francisco places, five ride types; today Wed July 17, 2024, 9:30 am PT)."""

from pathlib import Path

from halo_lib.sites.spec import SiteSpec
from halo_lib.sites.udriver.differences import differences
from halo_lib.sites.udriver.seed import NOW, initial_state

SPEC = SiteSpec(
    name="udriver",
    title="Udriver",
    package_dir=Path(__file__).parent,
    initial_state=initial_state,
    differences=differences,
    now=NOW,
)
