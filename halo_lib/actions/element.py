"""The element family (BrowserGym-style actions addressed by ``data-halo-id``), and element actions as pointer
actions (oracle demonstrations for vision policies)."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from halo_lib.actions.spec import (COMPUTER_USE, COORD_MAX, ELEMENT, Action, Arg, ExecContext, ExecResult, _build,
                                  action, action_def, split_key_combo)
from halo_lib.errors import ActionExecutionError

async def _element(page, bid: str):
    """The element with ``data-halo-id == bid``; a readable error when the page has none."""
    locator = page.locator(f'[data-halo-id="{bid}"]')
    if await locator.count() == 0:
        raise ActionExecutionError(f"no element [{bid}] on the page; use an id from the current accessibility tree")
    return locator.first


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL (default ports dropped), else None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    default = {"http": 80, "https": 443}[parts.scheme]
    return f"{parts.scheme}://{parts.hostname}" + (f":{port}" if port and port != default else "")


# --------------------------------------------------------------------------------------------------
# The element family (BrowserGym-style, addressed by data-halo-id)
# --------------------------------------------------------------------------------------------------

BID = Arg("bid", "id", "The element's id, the number in [brackets] in the accessibility tree.", "12")


@action("click", ELEMENT, "Click an element.", BID)
async def _click(page, args: dict, ctx: ExecContext) -> None:
    await (await _element(page, args["bid"])).click(timeout=ctx.timeout_ms)


@action("fill", ELEMENT, "Clear a text field and type a value into it.", BID,
        Arg("value", "text", "The text to put in the field.", "bob@example.com"))
async def _fill(page, args: dict, ctx: ExecContext) -> None:
    await (await _element(page, args["bid"])).fill(args["value"], timeout=ctx.timeout_ms)


@action("select_option", ELEMENT, "Select option(s) of a <select> by their text or value.", BID,
        Arg("options", "options", "The option's text or value, or a list of them for a multi-select.", "Blue"))
async def _select_option(page, args: dict, ctx: ExecContext) -> None:
    await (await _element(page, args["bid"])).select_option(args["options"], timeout=ctx.timeout_ms)


@action("press", ELEMENT, "Focus an element and press a key combination.", BID,
        Arg("key_comb", "key_comb", "Keys joined by '+', e.g. 'Enter' or 'Control+a'.", "Enter"))
async def _press(page, args: dict, ctx: ExecContext) -> None:
    await (await _element(page, args["bid"])).press(args["key_comb"], timeout=ctx.timeout_ms)


@action("hover", ELEMENT, "Move the mouse over an element.", BID)
async def _hover(page, args: dict, ctx: ExecContext) -> None:
    await (await _element(page, args["bid"])).hover(timeout=ctx.timeout_ms)


@action("scroll", ELEMENT, "Scroll the page (or the scrollable area under the mouse) by pixels; positive "
        "delta_y scrolls down.", Arg("delta_x", "number", "Horizontal pixels (positive: right).", 0),
        Arg("delta_y", "number", "Vertical pixels (positive: down).", 300))
async def _element_scroll(page, args: dict, ctx: ExecContext) -> None:
    await page.mouse.wheel(args["delta_x"], args["delta_y"])


@action("goto", ELEMENT, "Open a URL on the current site.", Arg("url", "url", "The URL (may be relative).", "/inbox"))
async def _goto(page, args: dict, ctx: ExecContext) -> None:
    url = urljoin(page.url, args["url"])
    allowed = origin_of(ctx.allowed_origin) if ctx.allowed_origin else origin_of(page.url)
    if allowed is None or origin_of(url) != allowed:
        raise ActionExecutionError(f"goto({args['url']!r}) refused: only URLs on {allowed or 'the task site'} "
                                   "may be opened")
    if urlsplit(url).path.rstrip("/") in ("/config", "/finish"):  # the harness's routes: restart or leave the task
        raise ActionExecutionError(f"goto({args['url']!r}) refused: {urlsplit(url).path} is not a page of the site; "
                                   "navigate with the site's own links")
    await page.goto(url, timeout=ctx.navigation_timeout_ms, wait_until="domcontentloaded")


@action("go_back", ELEMENT, "Go back to the previous page.")
async def _go_back(page, args: dict, ctx: ExecContext) -> None:
    url_before = page.url
    site = origin_of(ctx.allowed_origin) if ctx.allowed_origin else origin_of(url_before)
    response = await page.go_back(timeout=ctx.navigation_timeout_ms, wait_until="domcontentloaded")
    # None also means a same-document step back (SPA history), so only an unchanged URL is an error.
    if response is None and page.url == url_before:
        raise ActionExecutionError("go_back(): there is no previous page")
    if origin_of(page.url) != site:  # stepped off the site (the tab's blank first entry): the episode's first page
        await page.go_forward(timeout=ctx.navigation_timeout_ms, wait_until="domcontentloaded")
        raise ActionExecutionError("go_back(): there is no previous page (this is the episode's first page)")


@action("send_msg_to_user", ELEMENT, "Send the final answer or message to the user; this ends the task.",
        Arg("text", "text", "The message.", "There are 4 unread emails."), terminal=True)
async def _send_msg_to_user(page, args: dict, ctx: ExecContext) -> ExecResult:
    return ExecResult(done=True, answer=args["text"], status="success")


@action("report_infeasible", ELEMENT, "Say the task cannot be done, and why; this ends the task.",
        Arg("reason", "text", "Why the task cannot be done.", "The item is out of stock."), terminal=True)
async def _report_infeasible(page, args: dict, ctx: ExecContext) -> ExecResult:
    return ExecResult(done=True, answer=args["reason"], status="infeasible")


# --------------------------------------------------------------------------------------------------
# Element actions as pointer actions (demonstrations for vision policies)
# --------------------------------------------------------------------------------------------------


async def as_computer_use(action: "Action", page, viewport: dict) -> list["Action"]:
    """The ``computer_use`` actions that do what an element action does on this page, pointing at the element's
    centre (0..1000 frame): ``click`` -> left_click; ``fill`` -> triple_click (selects the old text) + type;
    ``press`` -> left_click + key; ``send_msg_to_user`` -> answer; ``report_infeasible`` -> terminate(failure).
    An element outside the viewport first needs a ``scroll``: then the result is ``[scroll, action]``, and the
    element action is to be converted again on the page the scroll leaves. Turns element-action plans (oracle
    demonstrations) into a vision policy's own action space; raises ``ActionExecutionError`` for what a pointer
    cannot do here (``select_option`` on a native <select>, ``goto``...)."""
    if action.family == COMPUTER_USE:
        return [action]
    args = action.args
    if action.name == "send_msg_to_user":
        return [_pointer("answer", {"text": args["text"]})]
    if action.name == "report_infeasible":
        return [_pointer("terminate", {"status": "failure"})]
    if action.name not in ("click", "fill", "press"):
        raise ActionExecutionError(f"{action.name}() has no pointer form: only click, fill, press and the final "
                                   "answers convert to computer_use actions")
    box = await (await _element(page, args["bid"])).bounding_box()
    if box is None:
        raise ActionExecutionError(f"element [{args['bid']}] is not visible: nothing to point at")
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    width, height = viewport["width"], viewport["height"]
    if not 0 <= y < height:
        # scroll so the element lands mid-screen (wheel pixels: positive scrolls up)
        return [_pointer("scroll", {"pixels": -round(y - height / 2), "coordinate": [500, 500]}), action]
    point = [min(COORD_MAX, max(0, round(x / width * COORD_MAX))),
             min(COORD_MAX, max(0, round(y / height * COORD_MAX)))]
    if action.name == "click":
        return [_pointer("left_click", {"coordinate": point})]
    if action.name == "fill":
        return [_pointer("triple_click", {"coordinate": point}), _pointer("type", {"text": args["value"]})]
    return [_pointer("left_click", {"coordinate": point}),
            _pointer("key", {"keys": split_key_combo(args["key_comb"])})]


def _pointer(name: str, args: dict) -> "Action":
    """A computer_use action, validated (and normalised: key names) as if a model had written it."""
    return _build(action_def(COMPUTER_USE, name), args, [])
