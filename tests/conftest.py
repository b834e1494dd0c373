"""Shared fixtures. Tests use their own port range so a `halo sites serve` on the default ports is left alone."""

import os

# One port range per xdist worker: sites started by different workers never collide.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
os.environ.setdefault("HALO_SITES_PORT_BASE", str(23000 + 100 * int(_worker.lstrip("gw") or 0)))
