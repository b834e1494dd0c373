"""Launching Chromium through Playwright, offline: the system browser (its headless shell when headless), flags that
keep it quiet."""

from __future__ import annotations

import functools
import logging
import os
import shutil
from pathlib import Path

from halo_lib.config import EnvConfig
from halo_lib.errors import HaloError

log = logging.getLogger(__name__)

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


def chromium_path(headless: bool = True) -> str:
    """The browser binary: $HALO_CHROMIUM; else, for a headless browser, Debian's chromium-headless-shell (Playwright's
    own headless default; pages and steps cost far less CPU than in full Chromium's headless mode, see
    docs/benchmarks.md#env-bench); else Debian's /usr/bin/chromium, else one on PATH."""
    chosen = os.environ.get("HALO_CHROMIUM")
    if chosen:
        if not Path(chosen).exists():
            raise HaloError(f"HALO_CHROMIUM={chosen} does not exist: point it at a Chromium/Chrome binary or unset it")
        return chosen
    # the binary itself: Debian's /usr/bin wrapper runs it as a child of /bin/sh (no exec)
    shell = ["/usr/lib/chromium/chromium-headless-shell", shutil.which("chromium-headless-shell")] if headless else []
    full = ["/usr/bin/chromium", *(shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome"))]
    for c in shell + full:
        if c and Path(c).exists():
            if headless and c not in shell:
                _warn_no_shell()
            return c
    raise HaloError("no Chromium found: run ./launch.sh setup (installs Debian's chromium and "
                    "chromium-headless-shell) or set HALO_CHROMIUM to a Chromium/Chrome binary")


@functools.cache
def _warn_no_shell() -> None:
    log.warning("chromium-headless-shell not found: headless pages run in full Chromium, which costs more CPU per page "
                "and step (./launch.sh setup installs it)")


async def launch_browser(playwright, headless: bool = True):
    """An async Playwright Browser on the system Chromium (its headless shell when headless)."""
    return await playwright.chromium.launch(
        executable_path=chromium_path(headless), headless=headless, args=CHROMIUM_ARGS
    )
