"""What a policy sees: the accessibility tree with element ids (text policy) and screenshots (vision policy).

:func:`mark_and_read_axtree` runs ``axtree.js`` in the page in ONE ``page.evaluate``: it gives every visible
interactive or text-bearing element a ``data-halo-id`` (kept stable across calls on the same page) and
returns a BrowserGym-style text tree whose ``[12]`` ids the element actions of :mod:`halo_lib.actions`
address, e.g.::

    [3] navigation
      [4] link 'Inbox 4'
    [9] textbox 'To' value='bob@x.com' focused
    [12] button 'Send'
    [20] StaticText 'Hello'

Speed (headless Chromium, 2 shared and heavily loaded cores): a 1,500-element page takes ~6-8 ms inside the
page and ~9-13 ms per call including the round trip (~23 ms on the first call, which assigns the ids);
a 5,000-element page ~20-30 ms in the page, 60+ ms with the round trip of its ~150 kB text.
"""

from __future__ import annotations

import asyncio
import base64
import weakref
from functools import cache
from pathlib import Path

from halo_lib.errors import HaloError

_AXTREE_JS = Path(__file__).with_name("axtree.js")
OBSERVATION_TIMEOUT_S = 5.0


@cache
def axtree_script() -> str:
    """The JS function (read once) that marks elements and returns the tree."""
    return _AXTREE_JS.read_text(encoding="utf-8")


async def mark_and_read_axtree(page, *, max_name_length: int = 100, max_text_length: int = 200) -> str:
    """Mark the page's visible interactive/text elements with ``data-halo-id`` and return the text tree.

    Names are clipped to ``max_name_length`` characters and text runs to ``max_text_length``. Raises
    HaloError if the page does not answer within OBSERVATION_TIMEOUT_S (a hung page must not hang the agent).
    """
    options = {"maxName": max_name_length, "maxText": max_text_length}
    try:
        return await asyncio.wait_for(page.evaluate(axtree_script(), options), timeout=OBSERVATION_TIMEOUT_S)
    except asyncio.TimeoutError:
        raise HaloError(f"the page did not return its accessibility tree within {OBSERVATION_TIMEOUT_S:g} s "
                        "(is it stuck in a script?)") from None


_CDP_SESSIONS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


async def screenshot(page, fmt: str = "png", *, quality: int = 85, timeout_ms: int = 5_000) -> bytes:
    """The viewport as PNG or JPEG bytes (``quality`` applies to JPEG only).

    On Chromium it asks the DevTools protocol directly with ``optimizeForSpeed`` (a faster encoder, still
    lossless PNG): encoding, done one page at a time by the browser, is what limited parallel contexts
    (``halo bench env``: 4-context scaling 1.3x with ``page.screenshot``, 1.86x this way)."""
    if fmt not in ("png", "jpeg"):
        raise HaloError(f"screenshot format must be 'png' or 'jpeg', not {fmt!r}")
    params = {"format": fmt, "optimizeForSpeed": True, **({"quality": quality} if fmt == "jpeg" else {})}
    try:
        session = _CDP_SESSIONS.get(page)
        if session is None:
            session = _CDP_SESSIONS[page] = await page.context.new_cdp_session(page)
        reply = await asyncio.wait_for(session.send("Page.captureScreenshot", params), timeout=timeout_ms / 1000)
        return base64.b64decode(reply["data"])
    except asyncio.TimeoutError:
        raise HaloError(f"the page did not render a screenshot within {timeout_ms / 1000:g} s") from None
    except Exception:  # not Chromium (no CDP), or a closed session: Playwright's own capture
        _CDP_SESSIONS.pop(page, None)
        extra = {"quality": quality} if fmt == "jpeg" else {}
        return await page.screenshot(type=fmt, timeout=timeout_ms, **extra)


__all__ = ["axtree_script", "mark_and_read_axtree", "screenshot"]
