"""The lenient parser: model output -> a validated ``Action`` or ``ActionParseError``."""

from __future__ import annotations

import ast
import json
import re
from typing import Any

from halo_lib.actions.spec import (_REGISTRY, _SHOWCASE, COMPUTER_USE, ELEMENT, FAMILIES, MAX_CANDIDATES, MAX_REPLY_CHARS,
                                  Action, ActionDef, _build)
from halo_lib.errors import ActionParseError

# --------------------------------------------------------------------------------------------------
# Parsing model output
# --------------------------------------------------------------------------------------------------

# Names models use for computer_use actions that the cookbook spells differently.
_ACTION_ALIASES = {COMPUTER_USE: {"click": "left_click", "hotkey": "key", "press": "key", "move": "mouse_move",
                                  "drag": "left_click_drag", "typing": "type"},
                   ELEMENT: {}}
class _NotAnAction(Exception):
    """A piece of text that is no action at all (a JSON object without "name"/"action", prose)."""


class _Candidate(Exception):
    """Carries the error of a piece that looked like an action but was not valid (priority: how action-like)."""

    def __init__(self, error: ActionParseError, priority: int):
        super().__init__(str(error))
        self.error, self.priority = error, priority


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
