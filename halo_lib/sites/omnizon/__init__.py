"""Omnizon: the local clone of REAL's Amazon look-alike shop."""

from __future__ import annotations

from pathlib import Path

from halo_lib.sites.omnizon.differences import differences
from halo_lib.sites.omnizon.seed import initial_state
from halo_lib.sites.spec import SiteSpec

SPEC = SiteSpec(
    name="omnizon",
    title="Omnizon",
    package_dir=Path(__file__).parent,
    initial_state=initial_state,
    differences=differences,
    now="2024-07-18T10:30:00",
)
