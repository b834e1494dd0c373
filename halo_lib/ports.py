"""Where the local sites listen: each is its own origin on 127.0.0.1, ``HALO_SITES_PORT_BASE + 1 + its index``."""

from __future__ import annotations

import os

from halo_lib.errors import SiteError

SITE_NAMES: tuple[str, ...] = ("gomail", "omnizon", "gocalendar", "opendining", "udriver", "staynb", "dashdish")
DEFAULT_PORT_BASE = 18000
HOST = "127.0.0.1"


def port_base() -> int:
    raw = os.environ.get("HALO_SITES_PORT_BASE", str(DEFAULT_PORT_BASE))
    try:
        return int(raw)
    except ValueError:
        raise SiteError(f"HALO_SITES_PORT_BASE={raw!r} is not a port number") from None


def site_port(name: str) -> int:
    """The port of a local site (gomail 18001, omnizon 18002, gocalendar 18003, opendining 18004, udriver 18005,
    staynb 18006, dashdish 18007 by default)."""
    if name not in SITE_NAMES:
        raise SiteError(f"unknown site {name!r}: local sites are {', '.join(SITE_NAMES)}")
    return port_base() + 1 + SITE_NAMES.index(name)


def site_url(name: str) -> str:
    """Base URL of a local site, without a trailing slash."""
    return f"http://{HOST}:{site_port(name)}"
