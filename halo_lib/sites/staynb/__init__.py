"""Staynb: an Airbnb look-alike (stays in fifteen places; today is Thursday July 18, 2024, 9:00 am PT)."""

from pathlib import Path

from halo_lib.sites.spec import SiteSpec
from halo_lib.sites.staynb.differences import differences
from halo_lib.sites.staynb.seed import NOW, initial_state

SPEC = SiteSpec(
    name="staynb",
    title="Staynb",
    package_dir=Path(__file__).parent,
    initial_state=initial_state,
    differences=differences,
    now=NOW,
)
