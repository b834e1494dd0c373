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
"""

from __future__ import annotations

import ast
import asyncio
import json
import re
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from halo_lib.env.browser import VIEWPORT
from halo_lib.errors import ActionExecutionError, ActionParseError

COMPUTER_USE = "computer_use"
ELEMENT = "element"
FAMILIES = (COMPUTER_USE, ELEMENT)

COORD_MAX = 1000
"""Qwen3-VL's normalised frame: (0, 0) is the screenshot's top left corner, (1000, 1000) its bottom right."""
MAX_WAIT_S = 10.0
"""The longest `wait` a model may ask for; longer requests are clamped (and noted as a repair)."""
MAX_NUMBER = 1e6
"""Largest magnitude a numeric argument may have (scroll pixels, integers): anything beyond is no action a page can
take, and non-finite numbers (inf, NaN) are refused too."""
MAX_REPLY_CHARS = 8_000
"""A reply longer than this is refused at once (a 256-token reply is ~1,000 characters): parsing stays bounded."""
MAX_CANDIDATES = 32
"""Most action-like pieces (an opening brace or a call) one reply is searched for: with the length cap, the parse
takes time linear in the reply."""
DEFAULT_TIMEOUT_MS = 3_000
NAVIGATION_TIMEOUT_MS = 10_000


# --------------------------------------------------------------------------------------------------
# Key names: what models write ("ctrl", "enter", "pgdn") -> what Playwright presses ("Control", ...)
# --------------------------------------------------------------------------------------------------

_PLAYWRIGHT_KEYS = (
    "Alt Control Meta Shift ControlOrMeta Enter Tab Escape Backspace Delete Insert Home End PageUp PageDown "
    "ArrowUp ArrowDown ArrowLeft ArrowRight Space CapsLock NumLock ScrollLock PrintScreen Pause ContextMenu"
).split() + [f"F{n}" for n in range(1, 13)]
_KEY_ALIASES = {
    "ctrl": "Control", "ctl": "Control", "cmd": "Meta", "command": "Meta", "win": "Meta", "windows": "Meta",
    "super": "Meta", "option": "Alt", "opt": "Alt", "return": "Enter", "esc": "Escape", "del": "Delete",
    "ins": "Insert", "pgup": "PageUp", "pgdn": "PageDown", "up": "ArrowUp", "down": "ArrowDown",
    "left": "ArrowLeft", "right": "ArrowRight", "spacebar": "Space", "back": "Backspace",
}
_KEY_BY_LOWER = {k.lower(): k for k in _PLAYWRIGHT_KEYS} | _KEY_ALIASES
_OTHER_PLAYWRIGHT_KEY = re.compile(r"^(Key[A-Z]|Digit[0-9]|Numpad\w+|F([1-9]|1[0-9]|2[0-4]))$")


def normalise_key(name: str) -> str:
    """One key as Playwright names it; raises ValueError for names it would not know."""
    if len(name) == 1:
        return name  # a character: "a", "A", "+", " "
    key = _KEY_BY_LOWER.get(re.sub(r"[\s_-]", "", name.lower()))
    if key:
        return key
    if _OTHER_PLAYWRIGHT_KEY.match(name):
        return name
    raise ValueError(f"unknown key {name!r}")


def split_key_combo(combo: str) -> list[str]:
    """``"ctrl+shift++"`` -> ``["ctrl", "shift", "+"]`` (a trailing "+" is the plus key itself)."""
    if combo in ("+", ""):
        return [combo] if combo else []
    if combo.endswith("++"):
        return split_key_combo(combo[:-2]) + ["+"]
    return [part.strip() if part.strip() else part for part in combo.split("+")]


# --------------------------------------------------------------------------------------------------
# Argument specs, and how a raw value a model wrote becomes a valid one (with notes on each repair)
# --------------------------------------------------------------------------------------------------


class _BadArg(ValueError):
    """A value that cannot be made valid; the message says what it was."""


@dataclass(frozen=True)
class Arg:
    """One argument of an action: its name, kind (how it is validated), doc and an example value."""

    name: str
    kind: str
    doc: str
    example: Any
    required: bool = True
    default: Any = None
    """Used (and noted as a repair) when a required argument is missing and guessing it is harmless."""
    choices: tuple[str, ...] = ()

    def form(self, family: str) -> str:
        """How this argument is written, for error messages: ``"coordinate": [x, y] with ...``."""
        hint = _KIND_HINTS[self.kind]
        if self.choices:
            hint = " or ".join(json.dumps(c) for c in self.choices)
        return f'"{self.name}": {hint}' if family == COMPUTER_USE else f"{self.name} ({hint})"


_KIND_HINTS = {
    "coordinate": f"[x, y] with 0<=x,y<={COORD_MAX}",
    "keys": '["Control", "a"] (key names such as Enter, Tab, Escape, ArrowDown, or single characters)',
    "text": "a string",
    "integer": "an integer",
    "number": "a number",
    "seconds": f"seconds, a number from 0 to {MAX_WAIT_S:g}",
    "choice": "one of the listed strings",
    "id": "an element id from the accessibility tree, e.g. '12'",
    "options": "an option's text or value, or a list of them",
    "key_comb": "keys joined by '+', e.g. 'Enter' or 'Control+a'",
    "url": "a URL on the current site",
}
_JSON_TYPES = {"coordinate": "array", "keys": "array", "text": "string", "integer": "number", "number": "number",
               "seconds": "number", "choice": "string", "id": "string", "options": "string", "key_comb": "string",
               "url": "string"}
_NUMBER = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*$")


def _as_number(value: Any, arg: Arg, notes: list[str]) -> float | int:
    """A finite number of at most ``MAX_NUMBER`` in magnitude (a string that spells one is noted as a repair)."""
    if isinstance(value, bool):
        raise _BadArg(f"{arg.name} is {value!r}, not a number")
    if isinstance(value, str) and len(value) <= 64 and _NUMBER.match(value):
        notes.append(f"{arg.name}: number given as a string")
        number = float(value)
        value = int(number) if number.is_integer() else number
    if not isinstance(value, (int, float)):
        raise _BadArg(f"{arg.name} is {_short(value)}, not a number")
    if not -MAX_NUMBER <= value <= MAX_NUMBER:  # False for NaN as well
        raise _BadArg(f"{arg.name} is {_short(value)}, not a finite number within +-{MAX_NUMBER:g}")
    return value


def _short(value: Any) -> str:
    """A value as an error message shows it: its repr, cut (a huge integer's repr fails outright)."""
    try:
        text = repr(value)
    except ValueError:
        return f"a {type(value).__name__} too large to show"
    return text if len(text) <= 60 else text[:57] + "..."


def _integral(value: float | int) -> float | int:
    return int(value) if float(value).is_integer() else value


def _coerce_coordinate(arg: Arg, value: Any, notes: list[str]) -> list[int]:
    if isinstance(value, str):
        numbers = re.findall(r"[-+]?\d+(?:\.\d+)?", value)
        if len(numbers) != 2:
            raise _BadArg(f"{arg.name} is {value!r}, not a point")
        notes.append(f"{arg.name} given as the string {value!r}")
        value = [float(n) for n in numbers]
    elif isinstance(value, dict) and {"x", "y"} <= value.keys():
        notes.append(f"{arg.name} given as an {{x, y}} object")
        value = [value["x"], value["y"]]
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise _BadArg(f"{arg.name} is {value!r}, not a point [x, y]")
    sub_notes: list[str] = []
    raw = [_as_number(v, arg, sub_notes) for v in value]
    if sub_notes:
        notes.append(f"{arg.name}: numbers given as strings")
    point = [round(v) for v in raw]
    if point != raw:
        notes.append(f"{arg.name} {raw} rounded to {point}")
    clamped = [min(max(v, 0), COORD_MAX) for v in point]
    if clamped != point:
        notes.append(f"{arg.name} {point} clamped to {clamped} (the frame is 0..{COORD_MAX})")
    return clamped


def _coerce_keys(arg: Arg, value: Any, notes: list[str]) -> list[str]:
    if isinstance(value, str):
        notes.append(f"{arg.name} given as the string {value!r}, not a list")
        value = split_key_combo(value)
    if not isinstance(value, (list, tuple)) or not value or not all(isinstance(k, str) for k in value):
        raise _BadArg(f"{arg.name} is {value!r}, not a list of key names")
    names = [name for item in value for name in (split_key_combo(item) if len(item) > 1 else [item])]
    try:
        keys = [normalise_key(name) for name in names]
    except ValueError as err:
        raise _BadArg(str(err)) from None
    if keys != list(value):
        notes.append(f"{arg.name} {list(value)} normalised to {keys}")
    return keys


def _coerce_key_comb(arg: Arg, value: Any, notes: list[str]) -> str:
    if not isinstance(value, str) or not value:
        raise _BadArg(f"{arg.name} is {value!r}, not a key combination")
    try:
        combo = "+".join(normalise_key(name) for name in split_key_combo(value))
    except ValueError as err:
        raise _BadArg(str(err)) from None
    if combo != value:
        notes.append(f"{arg.name} {value!r} normalised to {combo!r}")
    return combo


def _coerce_text(arg: Arg, value: Any, notes: list[str]) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        notes.append(f"{arg.name} given as a number")
        return str(value)
    raise _BadArg(f"{arg.name} is {value!r}, not a string")


def _coerce_id(arg: Arg, value: Any, notes: list[str]) -> str:
    bid = _coerce_text(arg, value, notes).strip()
    if not re.fullmatch(r"[\w-]+", bid):
        raise _BadArg(f"{arg.name} is {value!r}, not an element id")
    return bid


def _coerce_integer(arg: Arg, value: Any, notes: list[str]) -> int:
    number = _as_number(value, arg, notes)
    if number != round(number):
        notes.append(f"{arg.name} {number} rounded to {round(number)}")
    return round(number)


def _coerce_number(arg: Arg, value: Any, notes: list[str]) -> float | int:
    return _integral(_as_number(value, arg, notes))


def _coerce_seconds(arg: Arg, value: Any, notes: list[str]) -> float | int:
    seconds = _integral(_as_number(value, arg, notes))
    clamped = _integral(min(max(seconds, 0), MAX_WAIT_S))
    if clamped != seconds:
        notes.append(f"{arg.name} {seconds} clamped to {clamped}")
    return clamped


def _coerce_choice(arg: Arg, value: Any, notes: list[str]) -> str:
    text = _coerce_text(arg, value, notes)
    match = next((c for c in arg.choices if c == text.strip().lower()), None)
    if match is None:
        raise _BadArg(f"{arg.name} is {value!r}")
    if match != text:
        notes.append(f"{arg.name} {text!r} read as {match!r}")
    return match


def _coerce_options(arg: Arg, value: Any, notes: list[str]) -> str | list[str]:
    if isinstance(value, (list, tuple)) and value:
        return [_coerce_text(arg, v, notes) for v in value]
    return _coerce_text(arg, value, notes)


def _coerce_url(arg: Arg, value: Any, notes: list[str]) -> str:
    url = _coerce_text(arg, value, notes).strip()
    if not url:
        raise _BadArg(f"{arg.name} is empty")
    return url


_COERCERS: dict[str, Callable[[Arg, Any, list[str]], Any]] = {
    "coordinate": _coerce_coordinate, "keys": _coerce_keys, "key_comb": _coerce_key_comb, "text": _coerce_text,
    "id": _coerce_id, "integer": _coerce_integer, "number": _coerce_number, "seconds": _coerce_seconds,
    "choice": _coerce_choice, "options": _coerce_options, "url": _coerce_url,
}


# --------------------------------------------------------------------------------------------------
# Definitions, the registry, and the Action value
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExecContext:
    """What an executor may need beyond the page: the viewport, the allowed origin, timeouts."""

    viewport: dict
    allowed_origin: str | None
    timeout_ms: int = DEFAULT_TIMEOUT_MS
    navigation_timeout_ms: int = NAVIGATION_TIMEOUT_MS


@dataclass(frozen=True)
class ExecResult:
    """What an executed action did. Terminal actions set ``done`` and carry the final answer."""

    done: bool = False
    answer: str | None = None
    """The final answer text (``answer``, ``send_msg_to_user``, ``report_infeasible``)."""
    status: str | None = None
    """For terminal actions: "success", "failure" or "infeasible"."""


Executor = Callable[[Any, dict, ExecContext], Awaitable["ExecResult | None"]]


@dataclass(frozen=True)
class ActionDef:
    """The single definition of one action; prompt, schema, parser and executor all read it."""

    name: str
    family: str
    doc: str
    args: tuple[Arg, ...]
    executor: Executor = field(repr=False)
    terminal: bool = False

    def arg(self, name: str) -> Arg | None:
        return next((a for a in self.args if a.name == name), None)

    def example(self) -> "Action":
        return Action(self.name, self.family, {a.name: a.example for a in self.args})

    def signature(self) -> str:
        """``fill(bid: str, value: str)`` -- how the element family's prompt lists it."""
        return f"{self.name}({', '.join(f'{a.name}: {_PY_TYPES[a.kind]}' for a in self.args)})"

    def needs(self) -> str:
        """What a valid call looks like, for error messages."""
        forms = ", ".join(a.form(self.family) for a in self.args if a.required)
        needs = f"{self.name} needs {forms}" if forms else f"{self.name} takes no arguments"
        return f"{needs}; e.g. {self.example().to_text(compact=True)}"


_PY_TYPES = {"coordinate": "list[int]", "keys": "list[str]", "text": "str", "integer": "int", "number": "float",
             "seconds": "float", "choice": "str", "id": "str", "options": "str | list[str]", "key_comb": "str",
             "url": "str"}
_REGISTRY: dict[str, dict[str, ActionDef]] = {family: {} for family in FAMILIES}


def action(name: str, family: str, doc: str, *args: Arg, terminal: bool = False):
    """Register the decorated async executor as the action ``name`` of ``family``."""

    def register(executor: Executor) -> Executor:
        if name in _REGISTRY[family]:
            raise ValueError(f"action {family}.{name} is defined twice")
        _REGISTRY[family][name] = ActionDef(name, family, doc, tuple(args), executor, terminal)
        return executor

    return register


def actions_for(family: str) -> tuple[ActionDef, ...]:
    """The family's actions, in definition order."""
    if family not in _REGISTRY:
        raise ValueError(f"unknown action family {family!r}; families: {', '.join(FAMILIES)}")
    return tuple(_REGISTRY[family].values())


def action_def(family: str, name: str) -> ActionDef:
    try:
        return _REGISTRY[family][name]
    except KeyError:
        raise ActionParseError(f"unknown {family} action {name!r}; known: {', '.join(_REGISTRY[family])}") from None


@dataclass(frozen=True)
class Action:
    """One parsed, valid action. ``repairs`` notes what the parser fixed (not part of equality)."""

    name: str
    family: str
    args: dict = field(default_factory=dict)
    repairs: tuple[str, ...] = field(default=(), compare=False)

    @property
    def definition(self) -> ActionDef:
        return action_def(self.family, self.name)

    def to_text(self, compact: bool = False) -> str:
        """The canonical form a model would emit (``compact``: the tool call on one line)."""
        if self.family == COMPUTER_USE:
            call = json.dumps({"name": COMPUTER_USE, "arguments": {"action": self.name, **self.args}},
                              ensure_ascii=False)
            return f"<tool_call>{call}</tool_call>" if compact else f"<tool_call>\n{call}\n</tool_call>"
        return f"{self.name}({', '.join(repr(v) for v in self.args.values())})"

    def to_dict(self) -> dict:
        return {"name": self.name, "family": self.family, "args": dict(self.args), "repairs": list(self.repairs)}

    @classmethod
    def from_dict(cls, data: dict) -> "Action":
        """Back from :meth:`to_dict` (re-validated, so a hand-edited JSONL line cannot smuggle bad args)."""
        built = _build(action_def(data["family"], data["name"]), dict(data.get("args") or {}), [])
        return cls(built.name, built.family, built.args, tuple(data.get("repairs") or ()) + built.repairs)


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


# --------------------------------------------------------------------------------------------------
# Prompt text and tool schema, derived from the definitions
# --------------------------------------------------------------------------------------------------


def _computer_use_properties() -> dict:
    """The cookbook's parameters: one ``action`` enum, then each argument once, saying which actions need it."""
    defs = actions_for(COMPUTER_USE)
    action_lines = "\n".join(f"* `{d.name}`: {d.doc}" for d in defs)
    properties: dict = {"action": {"description": f"The action to perform. The available actions are:\n{action_lines}",
                                   "enum": [d.name for d in defs], "type": "string"}}
    for arg_name in dict.fromkeys(a.name for d in defs for a in d.args):
        users = [d for d in defs if d.arg(arg_name)]
        first = users[0].arg(arg_name)
        required_by = [d.name for d in users if d.arg(arg_name).required]
        optional_for = [d.name for d in users if not d.arg(arg_name).required]
        doc = first.doc
        if required_by:
            doc += " Required only by " + ", ".join(f"`action={n}`" for n in required_by) + "."
        if optional_for:
            doc += " Optional for " + ", ".join(f"`action={n}`" for n in optional_for) + "."
        prop = {"description": doc, "type": _JSON_TYPES[first.kind]}
        if first.choices:
            prop["enum"] = list(first.choices)
        properties[arg_name] = prop
    return properties


def _element_function(defn: ActionDef) -> dict:
    properties = {}
    for a in defn.args:
        prop: dict = {"description": a.doc, "type": _JSON_TYPES[a.kind]}
        if a.kind == "options":
            prop = {"description": a.doc, "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
        properties[a.name] = prop
    return {"type": "function", "function": {
        "name": defn.name, "description": defn.doc,
        "parameters": {"type": "object", "properties": properties,
                       "required": [a.name for a in defn.args if a.required]}}}


def tool_schema(family: str) -> list[dict]:
    """The tools list (OpenAI / Qwen chat-template format): one ``computer_use`` function with an ``action`` enum
    for the computer_use family (as the cookbook's tool), one function per action for the element family."""
    if family == COMPUTER_USE:
        description = (
            "Use a mouse and keyboard to interact with a web page in a browser, and see the result in screenshots.\n"
            "* Pages may take time to react; use `wait` and look at the next screenshot before acting again.\n"
            f"* The screen's resolution is {COORD_MAX}x{COORD_MAX}: every coordinate is in that frame.\n"
            "* Click buttons, links and fields at their centre, not on their edges.")
        return [{"type": "function", "function": {
            "name": COMPUTER_USE, "description": description,
            "parameters": {"properties": _computer_use_properties(), "required": ["action"], "type": "object"}}}]
    return [_element_function(d) for d in actions_for(family)]


def prompt_text(family: str, only: tuple[str, ...] = (), brief: bool = False) -> str:
    """The action documentation a prompt shows: every action (or just those named in ``only``), its arguments
    and an example in canonical form; ``brief`` gives one line per action (short prompts for small models)."""
    defs = actions_for(family)
    if only:
        unknown = sorted(set(only) - {d.name for d in defs})
        if unknown:
            raise ValueError(f"no {family} action named {', '.join(unknown)}; actions: "
                             f"{', '.join(d.name for d in defs)}")
        defs = tuple(d for d in defs if d.name in only)
    if family == COMPUTER_USE:
        lines = [f"Call the `{COMPUTER_USE}` tool with one of these actions (coordinates are [x, y] in a "
                 f"{COORD_MAX}x{COORD_MAX} frame over the screenshot):"]
        for d in defs:
            args = ", ".join(a.form(family) + ("" if a.required else " (optional)") for a in d.args)
            lines.append(f"* `{d.name}`: {d.doc}" + (f" Arguments: {args}." if args else ""))
        showcase = _REGISTRY[family][_SHOWCASE[family]].example()
        lines += ["", "Reply with exactly one action, for example:", showcase.to_text()]
        return "\n".join(lines)
    if brief:
        return ("Reply with exactly one action, written as a Python call. Actions:\n"
                + "\n".join(f"{d.signature()}: {d.doc} e.g. {d.example().to_text()}" for d in defs))
    blocks = []
    for d in defs:
        arg_docs = "".join(f"\n    {a.name}: {a.doc}" for a in d.args)
        blocks.append(f"{d.signature()}\n    {d.doc}{arg_docs}\n    Example: {d.example().to_text()}")
    return ("Reply with exactly one action, written as a Python call, e.g. click('12'). Available actions:\n\n"
            + "\n\n".join(blocks))


# --------------------------------------------------------------------------------------------------
# Parsing model output
# --------------------------------------------------------------------------------------------------

# Names models use for computer_use actions that the cookbook spells differently.
_ACTION_ALIASES = {COMPUTER_USE: {"click": "left_click", "hotkey": "key", "press": "key", "move": "mouse_move",
                                  "drag": "left_click_drag", "typing": "type"},
                   ELEMENT: {}}
# Argument names models use that the definitions spell differently.
_ARG_ALIASES = {COMPUTER_USE: {"coordinates": "coordinate", "key": "keys", "content": "text", "seconds": "time"},
                ELEMENT: {"element_id": "bid", "id": "bid", "message": "text", "option": "options",
                          "key": "key_comb"}}


class _NotAnAction(Exception):
    """A piece of text that is no action at all (a JSON object without "name"/"action", prose)."""


class _Candidate(Exception):
    """Carries the error of a piece that looked like an action but was not valid (priority: how action-like)."""

    def __init__(self, error: ActionParseError, priority: int):
        super().__init__(str(error))
        self.error, self.priority = error, priority


def _build(defn: ActionDef, raw: dict, notes: list[str]) -> Action:
    """Validate raw arguments against the definition; repair what is safe, record each repair."""
    raw = dict(raw)
    for alias, real in _ARG_ALIASES[defn.family].items():
        if alias in raw and real not in raw and defn.arg(real):
            raw[real] = raw.pop(alias)
            notes.append(f"argument {alias!r} read as {real!r}")
    args = {}
    for arg in defn.args:
        value = raw.pop(arg.name, None)
        if value is None:
            if arg.required and arg.default is None:
                raise ActionParseError(f"{defn.name} is missing {arg.name!r}. {defn.needs()}")
            if arg.required:
                notes.append(f"{arg.name} missing; used {arg.default!r}")
                args[arg.name] = arg.default
            continue
        try:
            args[arg.name] = _COERCERS[arg.kind](arg, value, notes)
        except _BadArg as err:
            raise ActionParseError(f"{defn.name}: {err}. {defn.needs()}") from None
    notes += [f"ignored argument {name!r}" for name, value in raw.items() if value is not None]
    return Action(defn.name, defn.family, args, tuple(notes))


def _resolve(name: Any, family: str | None, arg_names: set[str], form_family: str, notes: list[str]) -> ActionDef:
    """Which definition a name means: within ``family`` if given; otherwise by name, then by argument names."""
    if not isinstance(name, str) or not name.strip():
        raise ActionParseError(f"the action name is {name!r}. {_expected(family)}")
    name = name.strip()
    families = [family] if family else list(FAMILIES)
    matches = [f for f in families if name in _REGISTRY[f]]
    if not matches:
        aliased = [f for f in families if name.lower() in _ACTION_ALIASES[f]]
        if aliased:
            real = _ACTION_ALIASES[aliased[0]][name.lower()]
            notes.append(f"action {name!r} read as {real!r}")
            return _REGISTRY[aliased[0]][real]
        other = [f for f in FAMILIES if f not in families and name in _REGISTRY[f]]
        if other:
            raise ActionParseError(f"{name} is a {other[0]} action, but this policy uses {family} actions. "
                                   f"{_expected(family)}")
        raise ActionParseError(f"unknown action {name!r}. {_expected(family)}")
    if len(matches) == 1:
        return _REGISTRY[matches[0]][name]
    # Both families define it (scroll): the one whose argument names fit, else the one this form belongs to.
    overlap = {f: len(arg_names & {a.name for a in _REGISTRY[f][name].args}) for f in matches}
    best = max(matches, key=lambda f: (overlap[f], f == form_family))
    return _REGISTRY[best][name]


_SHOWCASE = {COMPUTER_USE: "left_click", ELEMENT: "click"}


def _expected(family: str | None) -> str:
    families = [family] if family else list(FAMILIES)
    examples = " or ".join(_REGISTRY[f][_SHOWCASE[f]].example().to_text(compact=True) for f in families)
    names = "; ".join(f"{f} actions: {', '.join(_REGISTRY[f])}" for f in families)
    return f"Expected one action such as {examples} ({names})."


def _from_object(obj: Any, family: str | None, notes: list[str]) -> Action:
    """A JSON object -> Action: the wrapped tool call, the ``{"name": "left_click", ...}`` shorthand, or bare args."""
    if not isinstance(obj, dict):
        raise _NotAnAction
    if isinstance(obj.get("function"), dict):  # OpenAI-style {"type": "function", "function": {...}}
        obj = obj["function"]
    if "name" in obj:
        name = obj["name"]
        args = obj.get("arguments", obj.get("parameters", {k: v for k, v in obj.items() if k != "name"}))
        if isinstance(args, str):
            args, _ = _load_object(args, notes)
        if not isinstance(args, dict):
            raise ActionParseError(f"the arguments of {name!r} are not an object. {_expected(family)}")
        if name == COMPUTER_USE:
            return _from_computer_use_args(args, family, notes)
        defn = _resolve(name, family, set(args), COMPUTER_USE, notes)
        if defn.family == COMPUTER_USE:
            notes.append(f"{name!r} given without the computer_use wrapper")
        return _build(defn, args, notes)
    if "action" in obj:
        rest = {k: v for k, v in obj.items() if k != "action"}
        if _looks_like_element_action(obj["action"], rest, family):
            notes.append("element action written as JSON")
            return _build(_resolve(obj["action"], ELEMENT, set(rest), ELEMENT, notes), rest, notes)
        return _from_computer_use_args(obj, family, notes, wrapped=False)
    raise _NotAnAction


def _looks_like_element_action(name: Any, args: dict, family: str | None) -> bool:
    """``{"action": "click", "bid": "12"}``: an element action, unless the computer_use family reads it better."""
    if family is not None:
        return family == ELEMENT
    defn = _REGISTRY[ELEMENT].get(name) if isinstance(name, str) else None
    return defn is not None and name not in _REGISTRY[COMPUTER_USE] and bool(set(args) & {a.name for a in defn.args})


def _from_computer_use_args(args: dict, family: str | None, notes: list[str], wrapped: bool = True) -> Action:
    args = dict(args)
    name = args.pop("action", None)
    if not wrapped:
        notes.append("arguments given without the computer_use wrapper")
    if name is None:
        raise ActionParseError(f'the computer_use call has no "action". {_expected(COMPUTER_USE)}')
    if family == ELEMENT:
        raise ActionParseError(f"{name} is a computer_use action, but this policy uses element actions. "
                               f"{_expected(ELEMENT)}")
    return _build(_resolve(name, COMPUTER_USE, set(args), COMPUTER_USE, notes), args, notes)


def _from_call(source: str, family: str | None, notes: list[str]) -> Action:
    """``click('12')`` / ``fill(bid="3", value='x')`` / ``left_click(coordinate=[1, 2])`` -> Action."""
    try:
        call = ast.parse(source.strip(), mode="eval").body
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
            raise ValueError("not a call")
        positional = [ast.literal_eval(a) for a in call.args]
        keywords = {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg}
    except (SyntaxError, ValueError, TypeError, RecursionError, MemoryError) as err:  # what literal_eval raises
        raise _Candidate(ActionParseError(f"could not read {source[:80]!r} as a call ({err}). "
                                          f"{_expected(family)}"), priority=1) from None
    name = call.func.id
    if name == COMPUTER_USE:
        return _from_computer_use_args(keywords, family, notes)
    defn = _resolve(name, family, set(keywords), ELEMENT, notes)
    if len(positional) > len(defn.args):
        raise ActionParseError(f"{name} got {len(positional)} arguments. {defn.needs()}")
    raw = dict(zip((a.name for a in defn.args), positional))
    if family != ELEMENT and defn.family == COMPUTER_USE:
        notes.append(f"{name} written as a call, not a computer_use tool call")
    return _build(defn, raw | keywords, notes)


_STRING_OR_JSON_WORD = re.compile(r"(\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*')|\b(true|false|null)\b")
_PYTHON_WORDS = {"true": "True", "false": "False", "null": "None"}


def _load_object(source: str, notes: list[str]) -> tuple[Any, list[str]]:
    """Strict JSON first; then a lenient read (single quotes, trailing commas) noted as a repair."""
    try:  # (ValueError: also a number of more digits than Python converts; RecursionError: deep nesting)
        return json.loads(source), notes
    except (ValueError, RecursionError):
        pass
    python = _STRING_OR_JSON_WORD.sub(lambda m: m.group(1) or _PYTHON_WORDS[m.group(2)], source)
    try:
        value = ast.literal_eval(python)
    except (SyntaxError, ValueError, TypeError, RecursionError, MemoryError) as err:
        raise _Candidate(ActionParseError(f"could not read {source[:80]!r} as JSON ({err.__class__.__name__}). "
                                          "Write the tool call as strict JSON."), priority=1) from None
    notes.append("malformed JSON read leniently (single quotes or trailing commas)")
    return value, notes


_PAIRS = {"{": "}", "[": "]", "(": ")"}


def _bracket_end(text: str, start: int) -> tuple[int, str] | None:
    """End (exclusive) of the bracket group opening at ``text[start]``, and the closers missing at the end of the
    text ('' when complete). None when brackets mismatch or the text ends inside a string."""
    stack: list[str] = []
    quote = None
    i = start
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch in _PAIRS:
            stack.append(_PAIRS[ch])
        elif ch in ")]}":
            if not stack or ch != stack.pop():
                return None
            if not stack:
                return i + 1, ""
        i += 1
    return None if quote else (len(text), "".join(reversed(stack)))


_CALL_NAMES = sorted({n for f in FAMILIES for n in _REGISTRY[f]} | {COMPUTER_USE}, key=len, reverse=True)
_START = re.compile(r"\{|(?<![\w.$])(?:" + "|".join(_CALL_NAMES) + r")\(")


def _candidate(text: str, start: int, family: str | None) -> tuple[Action | None, int, _Candidate | None]:
    """Try the object or call starting at ``start``: (action or None, where to scan next, error if action-like)."""
    span = _bracket_end(text, text.index("{", start) if text[start] == "{" else text.index("(", start))
    if span is None:
        return None, start + 1, None
    end, missing = span
    source = text[start:end] + missing
    notes = [f"added the missing {missing!r} at the end"] if missing else []
    try:
        if text[start] == "{":
            obj, notes = _load_object(source, notes)
            action = _from_object(obj, family, notes)
        else:
            action = _from_call(source, family, notes)
        return action, end, None
    except _NotAnAction:
        return None, start + 1, None
    except _Candidate as candidate:
        return None, start + 1, candidate
    except ActionParseError as err:
        return None, (end if not missing else start + 1), _Candidate(err, priority=2)


def parse_action(text: str, family: str | None = None) -> Action:
    """The action in a model's output, validated and (where safe) repaired; ``repairs`` notes each fix.

    Accepts ``<tool_call>{json}</tool_call>`` (closing tag optional), bare JSON, single-quoted JSON, trailing
    commas, code fences, prose around the action, ``{"name": "left_click", ...}`` without the computer_use
    wrapper, calls like ``click('12')``, and numbers written as strings. When several actions are present the
    LAST complete one is taken (noted as a repair). ``family`` restricts to one family; None infers it.
    Raises ActionParseError with what was wrong and the expected form.
    """
    if family is not None and family not in FAMILIES:
        raise ValueError(f"unknown action family {family!r}; families: {', '.join(FAMILIES)}")
    if not isinstance(text, str) or not text.strip():
        raise ActionParseError(f"the reply is empty. {_expected(family)}")
    if len(text) > MAX_REPLY_CHARS:
        raise ActionParseError(f"the reply is {len(text):,} characters long; write one short action "
                               f"(at most {MAX_REPLY_CHARS:,} characters). {_expected(family)}")
    found: list[Action] = []
    failures: list[_Candidate] = []
    position = 0
    tried = 0
    while tried < MAX_CANDIDATES and (match := _START.search(text, position)) is not None:
        tried += 1
        action, position, failure = _candidate(text, match.start(), family)
        if action is not None:
            found.append(action)
        elif failure is not None:
            failures.append(failure)
    if found:
        chosen = found[-1]
        if len(found) > 1:
            return Action(chosen.name, chosen.family, chosen.args,
                          chosen.repairs + (f"{len(found)} actions in the reply; took the last",))
        return chosen
    if failures:
        best = max(f.priority for f in failures)
        raise [f for f in failures if f.priority == best][-1].error  # the last of the most action-like
    raise ActionParseError(f"no action found in the reply. {_expected(family)}")


# --------------------------------------------------------------------------------------------------
# Execution
# --------------------------------------------------------------------------------------------------


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

    ``viewport`` maps computer_use coordinates (default: the page's viewport, else VIEWPORT); ``goto`` may only
    open URLs on ``allowed_origin`` (default: the page's current origin). Errors -- no such element, a
    timeout, a refused URL -- raise ActionExecutionError with a short message a model can read; nothing
    waits longer than the timeouts (the whole action is capped too).
    """
    from playwright.async_api import Error as PlaywrightError  # noqa: PLC0415 -- keep import of this module light

    defn = action.definition
    ctx = ExecContext(viewport=viewport or page.viewport_size or VIEWPORT, allowed_origin=allowed_origin,
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


__all__ = ["ACTIONS", "COMPUTER_USE", "COORD_MAX", "ELEMENT", "FAMILIES", "Action", "ActionDef", "Arg",
           "ExecContext", "ExecResult", "action", "action_def", "actions_for", "execute", "normalise_key",
           "origin_of", "parse_action", "prompt_text", "to_pixels", "tool_schema"]

ACTIONS = _REGISTRY
"""family -> name -> ActionDef (read-only by convention; register new actions with :func:`action`)."""
