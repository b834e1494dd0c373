"""What a model is shown of the actions: the prompt text and the JSON tool schema, derived from the definitions."""

from __future__ import annotations

from halo_lib.actions.spec import _JSON_TYPES, _REGISTRY, _SHOWCASE, COMPUTER_USE, COORD_MAX, ActionDef, actions_for

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
