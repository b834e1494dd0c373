"""The local REAL-compatible sites (GoMail, Omnizon, GoCalendar).

Each site is a small single-page web app served by one generic server (``server.py``) on its own port
of 127.0.0.1. Its state lives on the server per browser session (a cookie set by ``/config``), so
parallel episodes in separate browser contexts never see each other's state. ``/finish`` reports the
diff of that state the way REAL's hosted sites do, and agisdk's official scripts judge it.
"""

from __future__ import annotations

import importlib

from halo_lib.errors import SiteError
from halo_lib.ports import HOST, SITE_NAMES, port_base, site_port, site_url
from halo_lib.sites.spec import SiteSpec


def get_site(name: str) -> SiteSpec:
    """The spec of a local site; an unknown name is a clear error."""
    if name not in SITE_NAMES:
        raise SiteError(f"unknown site {name!r}: local sites are {', '.join(SITE_NAMES)}")
    return importlib.import_module(f"halo_lib.sites.{name}").SPEC


__all__ = ["HOST", "SITE_NAMES", "SiteSpec", "get_site", "port_base", "site_port", "site_url"]
