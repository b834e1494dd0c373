"""The action parser, schema and prompt text (no browser): every accepted form, each repair, each clear error."""

import json

import pytest

from halo_lib.actions import (
    COMPUTER_USE,
    COORD_MAX,
    ELEMENT,
    FAMILIES,
    MAX_WAIT_S,
    Action,
    actions_for,
    normalise_key,
    origin_of,
    parse_action,
    prompt_text,
    to_pixels,
    tool_schema,
)
from halo_lib.errors import ActionParseError, HaloError

ALL_DEFS = [d for f in FAMILIES for d in actions_for(f)]


def cu(action: str, **args) -> Action:
    return Action(action, COMPUTER_USE, {**args})


def tool_call(arguments: dict) -> str:
    return "<tool_call>\n" + json.dumps({"name": "computer_use", "arguments": arguments}) + "\n</tool_call>"


# ---------------------------------------------------------------- round trips over every definition


@pytest.mark.parametrize("defn", ALL_DEFS, ids=lambda d: f"{d.family}.{d.name}")
def test_canonical_text_round_trips_for_every_action(defn):
    example = defn.example()
    for family in (defn.family, None):
        parsed = parse_action(example.to_text(), family=family)
        assert parsed == example
        assert parsed.family == defn.family
        assert parsed.repairs == ()


@pytest.mark.parametrize("defn", ALL_DEFS, ids=lambda d: f"{d.family}.{d.name}")
def test_dict_round_trip_for_every_action(defn):
    example = defn.example()
    line = json.dumps(example.to_dict())
    assert Action.from_dict(json.loads(line)) == example


def test_from_dict_revalidates():
    with pytest.raises(ActionParseError):
        Action.from_dict({"name": "left_click", "family": COMPUTER_USE, "args": {"coordinate": "nowhere"}})


def test_canonical_computer_use_text_is_the_cookbook_form():
    text = cu("left_click", coordinate=[12, 34]).to_text()
    assert text.startswith("<tool_call>\n") and text.endswith("\n</tool_call>")
    body = json.loads(text.split("\n")[1])
    assert body == {"name": "computer_use", "arguments": {"action": "left_click", "coordinate": [12, 34]}}


def test_canonical_element_text_is_a_python_call():
    assert Action("click", ELEMENT, {"bid": "12"}).to_text() == "click('12')"
    assert Action("fill", ELEMENT, {"bid": "3", "value": "it's"}).to_text() == "fill('3', \"it's\")"
    assert Action("go_back", ELEMENT, {}).to_text() == "go_back()"


# ---------------------------------------------------------------- accepted forms


def test_tool_call_with_thought_around_it():
    text = ("Thought: the Send button is at the bottom.\nAction: click Send.\n"
            + tool_call({"action": "left_click", "coordinate": [640, 900]}) + "\nDone.")
    assert parse_action(text) == cu("left_click", coordinate=[640, 900])


def test_tool_call_missing_closing_tag():
    text = '<tool_call>\n{"name": "computer_use", "arguments": {"action": "type", "text": "hi"}}'
    assert parse_action(text) == cu("type", text="hi")


def test_bare_json():
    text = '{"name": "computer_use", "arguments": {"action": "key", "keys": ["Enter"]}}'
    assert parse_action(text) == cu("key", keys=["Enter"])


def test_json_code_fence():
    text = '```json\n{"name": "computer_use", "arguments": {"action": "scroll", "pixels": -300}}\n```'
    assert parse_action(text) == cu("scroll", pixels=-300)


def test_python_code_fence():
    assert parse_action("```python\nclick('12')\n```") == Action("click", ELEMENT, {"bid": "12"})


def test_call_with_double_quotes_and_keywords():
    assert parse_action('click("12")') == Action("click", ELEMENT, {"bid": "12"})
    assert parse_action("fill(value='x@y.z', bid='7')") == Action("fill", ELEMENT, {"bid": "7", "value": "x@y.z"})


def test_arguments_as_a_json_string():
    text = '{"name": "computer_use", "arguments": "{\\"action\\": \\"wait\\", \\"time\\": 1}"}'
    assert parse_action(text) == cu("wait", time=1)


def test_single_quoted_json_and_trailing_commas_are_read_and_noted():
    text = "<tool_call>{'name': 'computer_use', 'arguments': {'action': 'left_click', 'coordinate': [1, 2],},}</tool_call>"
    action = parse_action(text)
    assert action == cu("left_click", coordinate=[1, 2])
    assert any("leniently" in r for r in action.repairs)


def test_json_keywords_inside_lenient_json():
    action = parse_action("{'action': 'answer', 'text': 'true story', 'extra': null,}")
    assert action == cu("answer", text="true story")


def test_shorthand_without_the_computer_use_wrapper():
    for text in ('{"name": "left_click", "arguments": {"coordinate": [5, 6]}}',
                 '{"name": "left_click", "coordinate": [5, 6]}',
                 '{"action": "left_click", "coordinate": [5, 6]}'):
        action = parse_action(text)
        assert action == cu("left_click", coordinate=[5, 6]), text
        assert any("wrapper" in r for r in action.repairs), text


def test_openai_function_wrapper():
    text = json.dumps({"type": "function", "function": {"name": "computer_use",
                                                        "arguments": {"action": "terminate", "status": "success"}}})
    assert parse_action(text) == cu("terminate", status="success")


def test_numbers_as_strings_are_converted_and_noted():
    action = parse_action(tool_call({"action": "left_click", "coordinate": ["100", "200"]}))
    assert action.args["coordinate"] == [100, 200]
    assert action.repairs
    assert parse_action(tool_call({"action": "scroll", "pixels": "-300"})).args["pixels"] == -300
    assert parse_action(tool_call({"action": "wait", "time": "1.5"})).args["time"] == 1.5


def test_element_id_given_as_a_number():
    action = parse_action("click(12)")
    assert action == Action("click", ELEMENT, {"bid": "12"})
    assert action.repairs


def test_several_actions_take_the_last_and_say_so():
    text = "First I would click('3'), but the form needs the address: fill('4', 'bob@x.com')"
    action = parse_action(text)
    assert action == Action("fill", ELEMENT, {"bid": "4", "value": "bob@x.com"})
    assert any("took the last" in r for r in action.repairs)
    two_calls = tool_call({"action": "left_click", "coordinate": [1, 1]}) + tool_call({"action": "type", "text": "a"})
    assert parse_action(two_calls).name == "type"


def test_action_text_inside_a_json_string_is_not_a_second_action():
    action = parse_action(tool_call({"action": "type", "text": "click('3') and {\"a\": 1}"}))
    assert action == cu("type", text="click('3') and {\"a\": 1}")
    assert action.repairs == ()


def test_truncated_json_is_closed_and_noted():
    text = '<tool_call>\n{"name": "computer_use", "arguments": {"action": "left_click", "coordinate": [3, 4]'
    action = parse_action(text)
    assert action == cu("left_click", coordinate=[3, 4])
    assert any("missing" in r for r in action.repairs)


def test_scroll_is_resolved_by_form_and_arguments():
    assert parse_action("scroll(0, 250)").family == ELEMENT
    assert parse_action('{"name": "scroll", "arguments": {"pixels": -100}}').family == COMPUTER_USE
    assert parse_action("scroll(pixels=-100)").family == COMPUTER_USE
    assert parse_action("scroll(-120)", family=COMPUTER_USE).args == {"pixels": -120}


def test_family_restriction():
    assert parse_action("click('5')", family=ELEMENT).name == "click"
    with pytest.raises(ActionParseError, match="computer_use action"):
        parse_action(tool_call({"action": "left_click", "coordinate": [1, 2]}), family=ELEMENT)
    with pytest.raises(ActionParseError, match="element action"):
        parse_action("fill('5', 'x')", family=COMPUTER_USE)


# ---------------------------------------------------------------- repairs


def test_coordinates_outside_the_frame_are_clamped():
    action = parse_action(tool_call({"action": "left_click", "coordinate": [1200, -5]}))
    assert action.args["coordinate"] == [COORD_MAX, 0]
    assert any("clamped" in r for r in action.repairs)


def test_coordinate_as_a_string_or_object_or_float():
    for value in ("640,360", "(640, 360)", "[640, 360]", {"x": 640, "y": 360}, [640.4, 359.6]):
        action = parse_action(tool_call({"action": "double_click", "coordinate": value}))
        assert action.args["coordinate"] == [640, 360], value
        assert action.repairs, value


@pytest.mark.parametrize("written, expected", [
    (["enter"], ["Enter"]), (["ctrl", "a"], ["Control", "a"]), ("ctrl+a", ["Control", "a"]),
    (["CTRL+Shift+t"], ["Control", "Shift", "t"]), (["esc"], ["Escape"]), (["page_down"], ["PageDown"]),
    (["cmd", "+"], ["Meta", "+"]), ("ctrl++", ["Control", "+"]), (["down"], ["ArrowDown"]),
])
def test_key_names_are_normalised(written, expected):
    action = parse_action(tool_call({"action": "key", "keys": written}))
    assert action.args["keys"] == expected
    assert action.repairs


def test_key_combination_for_element_press():
    action = parse_action("press('9', 'ctrl+a')")
    assert action.args["key_comb"] == "Control+a"
    assert action.repairs
    assert parse_action("press('9', 'Enter')").repairs == ()


def test_status_case_wait_clamp_and_default():
    assert parse_action(tool_call({"action": "terminate", "status": "Success"})).args["status"] == "success"
    long_wait = parse_action(tool_call({"action": "wait", "time": 60}))
    assert long_wait.args["time"] == MAX_WAIT_S and long_wait.repairs
    no_time = parse_action(tool_call({"action": "wait"}))
    assert no_time.args["time"] > 0 and no_time.repairs


def test_action_and_argument_aliases():
    action = parse_action(tool_call({"action": "click", "coordinates": [10, 20]}))
    assert action == cu("left_click", coordinate=[10, 20])
    assert len(action.repairs) == 2


def test_extra_arguments_are_dropped_and_noted():
    action = parse_action(tool_call({"action": "left_click", "coordinate": [1, 2], "text": "oops", "keys": None}))
    assert action.args == {"coordinate": [1, 2]}
    assert action.repairs == ("ignored argument 'text'",)


# ---------------------------------------------------------------- errors a model can learn from


def test_missing_coordinate_says_the_expected_form():
    with pytest.raises(ActionParseError) as err:
        parse_action(tool_call({"action": "left_click"}))
    message = str(err.value)
    assert '"coordinate": [x, y] with 0<=x,y<=1000' in message
    assert "<tool_call>" in message  # an example of the right form
    assert isinstance(err.value, HaloError)


@pytest.mark.parametrize("arguments, fragment", [
    ({"action": "left_click", "coordinate": "the send button"}, "coordinate"),
    ({"action": "left_click", "coordinate": [1, 2, 3, 4]}, "[x, y]"),
    ({"action": "left_click", "coordinate": [True, 2]}, "not a number"),
    ({"action": "key", "keys": ["hyperdrive"]}, "unknown key 'hyperdrive'"),
    ({"action": "key"}, '"keys"'),
    ({"action": "terminate", "status": "maybe"}, '"success" or "failure"'),
    ({"action": "fly"}, "unknown action 'fly'"),
    ({"text": "hi"}, 'has no "action"'),
])
def test_invalid_computer_use_calls(arguments, fragment):
    with pytest.raises(ActionParseError) as err:
        parse_action(tool_call(arguments), family=COMPUTER_USE)
    assert fragment in str(err.value)


@pytest.mark.parametrize("text, fragment", [
    ("fill('3')", "fill needs bid"),
    ("click()", "click is missing 'bid'"),
    ("click('a b')", "not an element id"),
    ("select_option('4', [])", "options"),
    ("go_back('now')", "go_back got 1 arguments"),
    ("press('3', 'ctrl+warp')", "unknown key 'warp'"),
])
def test_invalid_element_calls(text, fragment):
    with pytest.raises(ActionParseError) as err:
        parse_action(text, family=ELEMENT)
    assert fragment in str(err.value)


@pytest.mark.parametrize("text", ["", "   ", "I think the task is done.", "{not json at all", "{\"thought\": 1}"])
def test_no_action_at_all(text):
    with pytest.raises(ActionParseError) as err:
        parse_action(text)
    assert "Expected" in str(err.value) or "strict JSON" in str(err.value)


def test_broken_call_syntax_is_reported():
    with pytest.raises(ActionParseError, match="could not read"):
        parse_action("click('12',, 'x')")


def test_unknown_family_is_a_programming_error():
    with pytest.raises(ValueError):
        parse_action("click('1')", family="mouse")


# ---------------------------------------------------------------- schema and prompt derived from definitions


def test_computer_use_schema_is_one_function_with_an_action_enum():
    [tool] = tool_schema(COMPUTER_USE)
    assert tool["function"]["name"] == "computer_use"
    params = tool["function"]["parameters"]
    assert params["required"] == ["action"]
    enum = params["properties"]["action"]["enum"]
    assert enum == [d.name for d in actions_for(COMPUTER_USE)]
    assert set(enum) == {"left_click", "double_click", "triple_click", "right_click", "middle_click", "mouse_move",
                         "left_click_drag", "type", "key", "scroll", "hscroll", "wait", "answer", "terminate"}
    arg_names = {a.name for d in actions_for(COMPUTER_USE) for a in d.args}
    assert set(params["properties"]) == arg_names | {"action"}
    assert params["properties"]["status"]["enum"] == ["success", "failure"]
    for d in actions_for(COMPUTER_USE):  # each action's doc is in the enum description
        assert f"`{d.name}`: {d.doc}" in params["properties"]["action"]["description"]
    assert "`action=left_click`" in params["properties"]["coordinate"]["description"]
    json.dumps(tool)  # serialisable


def test_element_schema_has_one_function_per_action():
    tools = tool_schema(ELEMENT)
    assert [t["function"]["name"] for t in tools] == [d.name for d in actions_for(ELEMENT)]
    fill = next(t for t in tools if t["function"]["name"] == "fill")["function"]["parameters"]
    assert fill["required"] == ["bid", "value"]


@pytest.mark.parametrize("family", FAMILIES)
def test_prompt_text_documents_every_action_with_a_parseable_example(family):
    text = prompt_text(family)
    for d in actions_for(family):
        assert d.name in text and d.doc in text
        for a in d.args:
            assert a.name in text
    if family == ELEMENT:
        for d in actions_for(family):
            example = d.example().to_text()
            assert f"Example: {example}" in text
            assert parse_action(example, family=family) == d.example()


def test_tool_names_in_prompt_match_schema_enum():
    enum = tool_schema(COMPUTER_USE)[0]["function"]["parameters"]["properties"]["action"]["enum"]
    text = prompt_text(COMPUTER_USE)
    assert all(f"`{name}`" in text for name in enum)


# ---------------------------------------------------------------- helpers


def test_coordinate_mapping_onto_the_viewport():
    viewport = {"width": 1280, "height": 720}
    assert to_pixels([500, 500], viewport) == (640.0, 360.0)
    assert to_pixels([0, 0], viewport) == (0.0, 0.0)
    assert to_pixels([1000, 1000], viewport) == (1279, 719)  # kept inside the viewport
    assert to_pixels([250, 100], {"width": 800, "height": 600}) == (200.0, 60.0)


def test_normalise_key_and_origin():
    assert normalise_key("Return") == "Enter" and normalise_key("a") == "a" and normalise_key("F5") == "F5"
    with pytest.raises(ValueError):
        normalise_key("Hyper")
    assert origin_of("http://127.0.0.1:8001/inbox?x=1") == "http://127.0.0.1:8001"
    assert origin_of("https://Example.com:443/") == "https://example.com"
    assert origin_of("javascript:alert(1)") is None
