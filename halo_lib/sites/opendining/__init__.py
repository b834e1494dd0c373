"""OpenDining: an OpenTable look-alike (San Francisco restaurants; today is Friday July 18, 2025, 6:30 am PT)."""

from pathlib import Path

from halo_lib.sites.opendining.differences import differences
from halo_lib.sites.opendining.seed import NOW, initial_state
from halo_lib.sites.spec import SiteSpec

SPEC = SiteSpec(
    name="opendining",
    title="OpenDining",
    package_dir=Path(__file__).parent,
    initial_state=initial_state,
    differences=differences,
    now=NOW,
)
