"""Launching Chromium through Playwright, offline: the system browser, flags that keep it quiet."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from halo_lib.config import EnvConfig
from halo_lib.errors import HaloError

VIEWPORT = {"width": EnvConfig.viewport_width, "height": EnvConfig.viewport_height}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps dialling Google's hosts, which this network refuses.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    """The Chromium binary: $HALO_CHROMIUM, else Debian's /usr/bin/chromium, else one on PATH."""
    candidates = [os.environ.get("HALO_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                  shutil.which("chromium-browser"), shutil.which("google-chrome")]
    for c in candidates:
        if c and Path(c).exists():
            return c
    raise HaloError(
        "no Chromium found: run ./launch.sh setup (installs Debian's chromium) or set HALO_CHROMIUM "
        "to a Chromium/Chrome binary"
    )


async def launch_browser(playwright, headless: bool = True):
    """An async Playwright Browser on the system Chromium."""
    return await playwright.chromium.launch(
        executable_path=chromium_path(), headless=headless, args=CHROMIUM_ARGS
    )
