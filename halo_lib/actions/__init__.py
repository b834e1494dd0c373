"""Every action a HALO policy can emit, defined once.

An action is one decorated executor function: the decorator carries its name, family, doc and argument
specs, and everything else is derived from that single definition -- the prompt text
(:func:`prompt_text`), the JSON tool schema (:func:`tool_schema`), parsing and validation of model output
(:func:`parse_action`) and execution on a Playwright page (:func:`execute`).

Two families:

* ``computer_use`` -- the Qwen3-VL cookbook tool ``computer_use`` (vision policy). Coordinates are in
  Qwen3-VL's 0..1000 frame over the screenshot and are mapped onto the viewport at execution time.
  Canonical text: ``<tool_call>\\n{"name": "computer_use", "arguments": {"action": ...}}\\n</tool_call>``.
* ``element`` -- BrowserGym-style actions addressed by ``data-halo-id`` (text policy, ids from
  :func:`halo_lib.env.observation.mark_and_read_axtree`). Canonical text: ``click('12')``.

Parsing rule when a text holds several actions: the LAST complete action wins (models reason first and
commit last; a mention in the reasoning is usually superseded), and a repair note records how many there
were so that training can penalise it.

Modules: ``spec`` (families, limits, argument specs, the registry, ``Action``), ``computer_use`` and ``element`` (the
two families' executors), ``rendering`` (prompt text, tool schema), ``parser`` (the lenient parser); execution here.
"""

from __future__ import annotations

import asyncio

from halo_lib.actions.spec import (_REGISTRY, COMPUTER_USE, COORD_MAX, DEFAULT_TIMEOUT_MS, ELEMENT, FAMILIES,
                                  MAX_CANDIDATES, MAX_NUMBER, MAX_REPLY_CHARS, MAX_WAIT_S, NAVIGATION_TIMEOUT_MS, Action,
                                  ActionDef, Arg, ExecContext, ExecResult, action, action_def, actions_for,
                                  contract_problem, normalise_key, split_key_combo)
from halo_lib.actions import computer_use, element  # noqa: F401 - their executors register their actions
from halo_lib.actions.element import as_computer_use, origin_of
from halo_lib.actions.computer_use import to_pixels
from halo_lib.actions.rendering import prompt_text, tool_schema
from halo_lib.actions.parser import parse_action
from halo_lib.errors import ActionExecutionError



def _short_playwright_message(err: Exception) -> str:
    """Playwright's first line plus the most telling line of its call log, e.g. 'element is not visible'."""
    lines = [line.strip(" -") for line in str(err).splitlines() if line.strip(" -")]
    if not lines:
        return err.__class__.__name__
    telling = [line for line in lines[1:] if not line.startswith(("retrying", "waiting for", "attempting",
                                                                   "Call log", "locator resolved", "scrolling"))]
    message = lines[0] + (f" ({telling[-1]})" if telling else "")
    return message[:240]


async def execute(action: Action, page, *, viewport: dict | None = None, allowed_origin: str | None = None,
                  timeout_ms: int = DEFAULT_TIMEOUT_MS, navigation_timeout_ms: int = NAVIGATION_TIMEOUT_MS
                  ) -> ExecResult:
    """Run ``action`` on a Playwright page. Terminal actions leave the page alone and return ``done=True``.

    ``viewport`` maps computer_use coordinates (default: the page's viewport); ``goto`` may only
    open URLs on ``allowed_origin`` (default: the page's current origin). Errors -- no such element, a
    timeout, a refused URL -- raise ActionExecutionError with a short message a model can read; nothing
    waits longer than the timeouts (the whole action is capped too).
    """
    from playwright.async_api import Error as PlaywrightError  # noqa: PLC0415 -- keep import of this module light

    defn = action.definition
    viewport = viewport or page.viewport_size
    if not viewport:
        raise ActionExecutionError("the page has no viewport size: pass viewport={'width': ..., 'height': ...}")
    ctx = ExecContext(viewport=viewport, allowed_origin=allowed_origin,
                      timeout_ms=timeout_ms, navigation_timeout_ms=navigation_timeout_ms)
    cap_s = MAX_WAIT_S + (navigation_timeout_ms + timeout_ms) / 1000 + 2
    try:
        result = await asyncio.wait_for(defn.executor(page, action.args, ctx), timeout=cap_s)
    except ActionExecutionError:
        raise
    except asyncio.TimeoutError:
        raise ActionExecutionError(f"{action.to_text(compact=True)} did not finish within {cap_s:g} s") from None
    except PlaywrightError as err:
        raise ActionExecutionError(f"{action.to_text(compact=True)} failed: {_short_playwright_message(err)}") from None
    return result or ExecResult()


__all__ = ["ACTIONS", "COMPUTER_USE", "COORD_MAX", "ELEMENT", "FAMILIES", "MAX_CANDIDATES", "MAX_NUMBER",
           "MAX_REPLY_CHARS", "MAX_WAIT_S", "Action", "ActionDef", "Arg", "ExecContext", "ExecResult", "action",
           "action_def", "actions_for", "as_computer_use", "contract_problem", "execute", "normalise_key", "origin_of", "parse_action",
           "prompt_text", "split_key_combo", "to_pixels", "tool_schema"]

ACTIONS = _REGISTRY
"""family -> name -> ActionDef (read-only by convention; register new actions with :func:`action`)."""
