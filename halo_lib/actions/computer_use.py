"""The computer_use family: the Qwen3-VL cookbook tool (argument names exactly as there); coordinates in a
0..1000 frame over the screenshot, mapped onto the viewport when executed."""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

from halo_lib.actions.spec import COMPUTER_USE, COORD_MAX, MAX_WAIT_S, Arg, ExecContext, ExecResult, action

# --------------------------------------------------------------------------------------------------
# Executor helpers
# --------------------------------------------------------------------------------------------------

# Playwright cannot tell where the mouse is; `left_click_drag` starts from the last point we moved to.
_CURSORS: "weakref.WeakKeyDictionary[Any, tuple[float, float]]" = weakref.WeakKeyDictionary()


def to_pixels(coordinate: list[int], viewport: dict) -> tuple[float, float]:
    """A 0..1000 point -> viewport pixels (x_px = x/1000*width), kept inside the viewport."""
    width, height = viewport["width"], viewport["height"]
    return (min(coordinate[0] / COORD_MAX * width, width - 1), min(coordinate[1] / COORD_MAX * height, height - 1))


async def _move_to(page, coordinate: list[int], ctx: ExecContext) -> tuple[float, float]:
    x, y = to_pixels(coordinate, ctx.viewport)
    await page.mouse.move(x, y)
    _CURSORS[page] = (x, y)
    return x, y


async def _click_at(page, args: dict, ctx: ExecContext, button: str = "left", click_count: int = 1) -> None:
    x, y = await _move_to(page, args["coordinate"], ctx)
    await page.mouse.click(x, y, button=button, click_count=click_count)


# --------------------------------------------------------------------------------------------------
# The computer_use family (Qwen3-VL cookbook tool; argument names exactly as there)
# --------------------------------------------------------------------------------------------------

COORDINATE = Arg("coordinate", "coordinate",
                 "(x, y): the point on the screenshot, x from the left edge and y from the top edge, "
                 f"both in 0..{COORD_MAX}.",
                 [500, 300])
KEYS = Arg("keys", "keys", "The keys to press together, e.g. [\"Control\", \"a\"] or [\"Enter\"].", ["Enter"])
TEXT = Arg("text", "text", "The text to type, or the final answer.", "hello")
PIXELS = Arg("pixels", "integer", "How far to scroll, in pixels.", -300)
TIME = Arg("time", "seconds", f"The seconds to wait (at most {MAX_WAIT_S:g}).", 2, default=2)
STATUS = Arg("status", "choice", "Whether the task is done (success) or cannot be done (failure).", "success",
             choices=("success", "failure"))
SCROLL_AT = Arg("coordinate", "coordinate", "Where to scroll (the scrollable area under this point).", [500, 500],
                required=False)


@action("key", COMPUTER_USE, "Press keys down in order, then release them in reverse order (a key combination).", KEYS)
async def _key(page, args: dict, ctx: ExecContext) -> None:
    keys = args["keys"]
    for key in keys:
        await page.keyboard.down(key)
    for key in reversed(keys):
        await page.keyboard.up(key)


@action("type", COMPUTER_USE, "Type a string of text on the keyboard, into the focused field.",
        Arg("text", "text", TEXT.doc, "hello"))
async def _type(page, args: dict, ctx: ExecContext) -> None:
    await page.keyboard.type(args["text"])


@action("mouse_move", COMPUTER_USE, "Move the cursor to a point on the screen (e.g. to hover).", COORDINATE)
async def _mouse_move(page, args: dict, ctx: ExecContext) -> None:
    await _move_to(page, args["coordinate"], ctx)


@action("left_click", COMPUTER_USE, "Click the left mouse button at a point on the screen.", COORDINATE)
async def _left_click(page, args: dict, ctx: ExecContext) -> None:
    await _click_at(page, args, ctx)


@action("left_click_drag", COMPUTER_USE, "Press the left button where the cursor is and drag it to a point.",
        COORDINATE)
async def _left_click_drag(page, args: dict, ctx: ExecContext) -> None:
    start = _CURSORS.get(page, (0.0, 0.0))
    end = to_pixels(args["coordinate"], ctx.viewport)
    await page.mouse.move(*start)
    await page.mouse.down()
    await page.mouse.move(*end, steps=8)  # intermediate moves: drag handlers listen for mousemove
    await page.mouse.up()
    _CURSORS[page] = end


@action("right_click", COMPUTER_USE, "Click the right mouse button at a point on the screen.", COORDINATE)
async def _right_click(page, args: dict, ctx: ExecContext) -> None:
    await _click_at(page, args, ctx, button="right")


@action("middle_click", COMPUTER_USE, "Click the middle mouse button at a point on the screen.", COORDINATE)
async def _middle_click(page, args: dict, ctx: ExecContext) -> None:
    await _click_at(page, args, ctx, button="middle")


@action("double_click", COMPUTER_USE, "Double-click the left mouse button at a point on the screen.", COORDINATE)
async def _double_click(page, args: dict, ctx: ExecContext) -> None:
    await _click_at(page, args, ctx, click_count=2)


@action("triple_click", COMPUTER_USE, "Triple-click the left mouse button at a point (selects a line of text).",
        COORDINATE)
async def _triple_click(page, args: dict, ctx: ExecContext) -> None:
    await _click_at(page, args, ctx, click_count=3)


@action("scroll", COMPUTER_USE, "Scroll vertically with the mouse wheel: positive pixels scroll up, negative down.",
        PIXELS, SCROLL_AT)
async def _scroll(page, args: dict, ctx: ExecContext) -> None:
    if "coordinate" in args:
        await _move_to(page, args["coordinate"], ctx)
    await page.mouse.wheel(0, -args["pixels"])


@action("hscroll", COMPUTER_USE, "Scroll horizontally: positive pixels scroll right, negative left.",
        Arg("pixels", "integer", PIXELS.doc, 300), SCROLL_AT)
async def _hscroll(page, args: dict, ctx: ExecContext) -> None:
    if "coordinate" in args:
        await _move_to(page, args["coordinate"], ctx)
    await page.mouse.wheel(args["pixels"], 0)


@action("wait", COMPUTER_USE, "Wait some seconds for the page to change.", TIME)
async def _wait(page, args: dict, ctx: ExecContext) -> None:
    await asyncio.sleep(min(float(args["time"]), MAX_WAIT_S))


@action("terminate", COMPUTER_USE, "End the task and report whether it succeeded.", STATUS, terminal=True)
async def _terminate(page, args: dict, ctx: ExecContext) -> ExecResult:
    return ExecResult(done=True, status=args["status"])


@action("answer", COMPUTER_USE, "Give the final answer to the user's question; this ends the task.",
        Arg("text", "text", TEXT.doc, "42 unread emails"), terminal=True)
async def _answer(page, args: dict, ctx: ExecContext) -> ExecResult:
    return ExecResult(done=True, answer=args["text"], status="success")
