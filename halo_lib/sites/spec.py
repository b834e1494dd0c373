"""What a local site is: its name, port, seed data, and how its per-entity ``differences`` are computed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class SiteSpec:
    """Everything the generic server needs to host one REAL-compatible site."""

    name: str
    """Site id as REAL names it (``gomail``), also the first part of its task ids."""
    title: str
    """Display name (``GoMail``)."""
    package_dir: Path
    """Folder of the site's package; its ``static/`` holds ``index.html`` and the app's assets."""
    initial_state: Callable[[str | None], dict]
    """Task name (``gomail-1``, a generated id, or None for a plain visit) -> a fresh initial state."""
    differences: Callable[[dict, dict], dict]
    """(initial, final) -> per-entity changes, the ``differences`` block of ``/finish``."""
    now: str
    """The site's fixed clock, local time ISO (``2024-07-17T09:30:00``): REAL checks assume it."""
    timezone: str = "America/Los_Angeles"
    """IANA zone of that clock; stored times are UTC, shown in this zone."""

    @property
    def now_utc(self) -> str:
        """The fixed clock as a UTC instant, ``2024-07-17T16:30:00Z``."""
        local = datetime.fromisoformat(self.now).replace(tzinfo=ZoneInfo(self.timezone))
        return local.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def static_dir(self) -> Path:
        return self.package_dir / "static"
