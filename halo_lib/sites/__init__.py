"""The local REAL-compatible sites (GoMail, Omnizon, GoCalendar).

Each site is a small single-page web app served by one generic server (``server.py``) on its own port
of 127.0.0.1. Its state lives on the server per browser session (a cookie set by ``/config``), so
parallel episodes in separate browser contexts never see each other's state. ``/finish`` reports the
diff of that state the way REAL's hosted sites do, and agisdk's official scripts judge it.
"""

from __future__ import annotations

import importlib
import os

from halo_lib.errors import SiteError
from halo_lib.sites.spec import SiteSpec

SITE_NAMES: tuple[str, ...] = ("gomail", "omnizon", "gocalendar")
DEFAULT_PORT_BASE = 18000
HOST = "127.0.0.1"


def get_site(name: str) -> SiteSpec:
    """The spec of a local site; an unknown name is a clear error."""
    if name not in SITE_NAMES:
        raise SiteError(f"unknown site {name!r}: local sites are {', '.join(SITE_NAMES)}")
    return importlib.import_module(f"halo_lib.sites.{name}").SPEC


def port_base() -> int:
    raw = os.environ.get("HALO_SITES_PORT_BASE", str(DEFAULT_PORT_BASE))
    try:
        return int(raw)
    except ValueError:
        raise SiteError(f"HALO_SITES_PORT_BASE={raw!r} is not a port number") from None


def site_port(name: str) -> int:
    """Each site is its own origin: ``HALO_SITES_PORT_BASE + 1 + its index`` (gomail 18001, ...)."""
    if name not in SITE_NAMES:
        get_site(name)  # raises the clear error
    return port_base() + 1 + SITE_NAMES.index(name)


def site_url(name: str) -> str:
    """Base URL of a local site, without a trailing slash."""
    return f"http://{HOST}:{site_port(name)}"


__all__ = ["HOST", "SITE_NAMES", "SiteSpec", "get_site", "port_base", "site_port", "site_url"]
