"""GoMail: a local Gmail look-alike compatible with REAL's gomail v2 tasks."""

from __future__ import annotations

from pathlib import Path

from halo_lib.sites.gomail.differences import differences
from halo_lib.sites.gomail.seed import NOW_LOCAL, initial_state
from halo_lib.sites.spec import SiteSpec

SPEC = SiteSpec(
    name="gomail",
    title="GoMail",
    package_dir=Path(__file__).parent,
    initial_state=initial_state,
    differences=differences,
    now=NOW_LOCAL,
)
