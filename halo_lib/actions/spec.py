"""The action spec: families, limits, key names, argument specs (and how a raw value a model wrote becomes a valid
one), definitions and their registry, and the ``Action`` value."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from halo_lib.errors import ActionParseError

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



_SHOWCASE = {COMPUTER_USE: "left_click", ELEMENT: "click"}
"""The action each family shows as its example."""

# Argument names models use that the definitions spell differently.
_ARG_ALIASES = {COMPUTER_USE: {"coordinates": "coordinate", "key": "keys", "content": "text", "seconds": "time"},
                ELEMENT: {"element_id": "bid", "id": "bid", "message": "text", "option": "options",
                          "key": "key_comb"}}


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


def contract_problem(action: Action) -> str | None:
    """What in ``action`` breaks the parser's contract (every argument of the kind its definition promises, finite and
    within range; a missing one only where the definition allows it), or None. The contract ``parse_action`` keeps
    for any input: the fuzz tests and ``halo bench faults`` check its results with this."""
    for arg in action.definition.args:
        if arg.name not in action.args:
            if arg.required and arg.default is None:
                return f"{arg.name} missing"
            continue
        value = action.args[arg.name]
        bad = f"{arg.name}={value!r}"
        if arg.kind == "coordinate":
            if not (isinstance(value, list) and len(value) == 2
                    and all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= COORD_MAX for v in value)):
                return bad
        elif arg.kind in ("integer", "number"):
            if not (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
                    and abs(value) <= MAX_NUMBER and (arg.kind == "number" or isinstance(value, int))):
                return bad
        elif arg.kind == "seconds":
            if not (isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= MAX_WAIT_S):
                return bad
        elif arg.kind == "keys":
            if not (isinstance(value, list) and value and all(isinstance(k, str) and k for k in value)):
                return bad
        elif arg.kind == "options":
            if not (isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))):
                return bad
        elif not isinstance(value, str):  # text, id, url, key_comb, choice
            return bad
        if arg.kind == "choice" and value not in arg.choices:
            return bad
    return None

