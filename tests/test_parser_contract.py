"""``parse_action``'s contract, fuzzed with Hypothesis: for ANY string it returns an Action whose every argument is
of its kind, finite and in range, or raises ActionParseError (never another exception), and the work it does is
bounded by the reply's length (a reply over ``MAX_REPLY_CHARS`` is refused at once, at most ``MAX_CANDIDATES``
action-like pieces are tried)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from halo_lib.actions import parser
from halo_lib.actions import (ACTIONS, COMPUTER_USE, ELEMENT, MAX_CANDIDATES, MAX_NUMBER, MAX_REPLY_CHARS,
                              Action, contract_problem, parse_action)
from halo_lib.errors import ActionParseError

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMES = sorted({n for f in ACTIONS for n in ACTIONS[f]} | {COMPUTER_USE})
ARG_NAMES = sorted({a.name for f in ACTIONS for d in ACTIONS[f].values() for a in d.args} | {"action", "x", "y"})


def assert_valid(action: Action) -> None:
    """Every argument of the action is what its definition's kind promises, and within range."""
    assert isinstance(action, Action)
    assert contract_problem(action) is None, contract_problem(action)


def test_the_contract_check_finds_what_breaks_it():
    """``contract_problem`` (what these tests and ``halo bench faults`` hold parse results to) names each breach."""
    def cu(**args):
        return Action("left_click" if "coordinate" in args else "wait", COMPUTER_USE, args)

    assert contract_problem(cu(coordinate=[500, 500])) is None
    assert contract_problem(cu(coordinate=[1001, 5])) == "coordinate=[1001, 5]"
    assert contract_problem(cu(coordinate=[True, 5])) == "coordinate=[True, 5]"
    assert contract_problem(cu(time=float("nan"))) == "time=nan"
    assert contract_problem(Action("scroll", ELEMENT, {"delta_x": 0, "delta_y": MAX_NUMBER * 2})) is not None
    assert contract_problem(Action("click", ELEMENT, {})) == "bid missing"
    assert contract_problem(Action("terminate", COMPUTER_USE, {"status": "maybe"})) == "status='maybe'"


def holds(text: str) -> None:
    try:
        action = parse_action(text)
    except ActionParseError:
        return
    assert_valid(action)


numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**30, 10**30),
                    st.sampled_from([0, 1000, 1001, -1, 1e308, -1e308, 10**6 + 1]))
leaves = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=20), st.sampled_from(NAMES))
values = st.recursive(leaves, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(st.sampled_from(ARG_NAMES), inner, max_size=4)),
                      max_leaves=12)
arguments = st.dictionaries(st.sampled_from(ARG_NAMES), values, max_size=5)


@st.composite
def json_calls(draw) -> str:
    """Tool calls as JSON: wrapped, the shorthand, or bare arguments, with any values (NaN, Infinity, huge)."""
    name, args = draw(st.sampled_from(NAMES)), draw(arguments)
    shape = draw(st.sampled_from(["wrapped", "shorthand", "bare"]))
    if shape == "wrapped":
        obj = {"name": COMPUTER_USE, "arguments": {"action": name, **args}}
    elif shape == "shorthand":
        obj = {"name": name, "arguments": args}
    else:
        obj = {"action": name, **args}
    text = json.dumps(obj, allow_nan=True)
    if draw(st.booleans()):
        text = f"<tool_call>\n{text}\n</tool_call>"
    cut = draw(st.integers(0, len(text)))
    return text[:cut] if draw(st.booleans()) else text


@st.composite
def python_calls(draw) -> str:
    """``name(arg, key=value)`` with Python literals, including 1e999 (inf), huge integers and nesting."""
    literal = st.one_of(st.sampled_from(["1e999", "-1e999", "10**400", "9" * 50, "nan", "float('nan')", "()",
                                         "[[[[1]]]]", "{'a': {1, 2}}", "b'x'", "1j", "None", "True"]),
                        values.map(repr))
    positional = draw(st.lists(literal, max_size=3))
    keywords = [f"{k}={v}" for k, v in draw(st.dictionaries(st.sampled_from(ARG_NAMES), literal, max_size=3)).items()]
    return f"{draw(st.sampled_from(NAMES))}({', '.join(positional + keywords)})"


@FUZZ
@given(st.text(max_size=300))
def test_any_text_gives_a_valid_action_or_a_parse_error(text):
    holds(text)


@FUZZ
@given(json_calls())
def test_any_json_tool_call_gives_a_valid_action_or_a_parse_error(text):
    holds(text)


@FUZZ
@given(python_calls())
def test_any_call_gives_a_valid_action_or_a_parse_error(text):
    holds(text)


@FUZZ
@given(st.lists(st.one_of(json_calls(), python_calls(), st.text(max_size=40),
                          st.sampled_from(["{", "[", "(", "click(", "'", '"', "<tool_call>", "```"])), max_size=8))
def test_any_mixture_gives_a_valid_action_or_a_parse_error(pieces):
    holds(" ".join(pieces))


@pytest.mark.parametrize("text, where", [
    ('{"name": "computer_use", "arguments": {"action": "wait", "time": NaN}}', "time"),
    ('{"name": "computer_use", "arguments": {"action": "scroll", "pixels": Infinity}}', "pixels"),
    ('{"name": "computer_use", "arguments": {"action": "left_click", "coordinate": [1e999, 5]}}', "coordinate"),
    ('scroll(delta_x=0, delta_y=-1e999)', "delta_y"),
    ("scroll(0, 1e999)", "delta_y"),
    ("left_click(coordinate=[1e999, 1])", "coordinate"),
    ('{"name": "computer_use", "arguments": {"action": "scroll", "pixels": ' + "9" * 5000 + "}}", "pixels|could not read"),
    ("click(" + "[" * 400 + ")", "could not read|no action"),
])
def test_non_finite_huge_or_deep_arguments_are_parse_errors(text, where):
    """Each of these raised OverflowError, ValueError or RecursionError from the parser (or passed a NaN wait)."""
    with pytest.raises(ActionParseError, match=where):
        parse_action(text)


def test_numbers_beyond_the_bound_are_refused_and_within_it_kept():
    assert parse_action("scroll(0, 1000000)").args["delta_y"] == MAX_NUMBER
    with pytest.raises(ActionParseError, match="not a finite number"):
        parse_action("scroll(0, 1000001)")


def test_the_work_is_bounded_by_the_replys_length(monkeypatch):
    """A long reply is refused before any search; a reply full of openers is searched at most MAX_CANDIDATES times
    (each search reads at most the reply), so the parse is linear in its length."""
    with pytest.raises(ActionParseError, match="characters long"):
        parse_action("click('1') " + "x" * MAX_REPLY_CHARS)
    tried = []
    original = parser._candidate
    monkeypatch.setattr(parser, "_candidate", lambda *a: tried.append(1) or original(*a))
    for opener in ("{", "click(", "[{", "computer_use("):
        tried.clear()
        with pytest.raises(ActionParseError):
            parse_action(opener * (MAX_REPLY_CHARS // len(opener)))
        assert len(tried) <= MAX_CANDIDATES
    assert parse_action("{ " * 10 + "click('12')").args == {"bid": "12"}  # openers before an action do not hide it


def test_an_element_action_json_still_parses():
    assert parse_action(json.dumps({"action": "click", "bid": "7"}), ELEMENT).args == {"bid": "7"}
