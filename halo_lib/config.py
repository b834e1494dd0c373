"""Typed configs: dataclasses with a docstring per field, validated by pydantic on every construction (strict types:
no "3" for an int, no "yes" for a bool; unknown fields refused). YAML (papermill configs, ``--set``, ``--config``),
the CLI and the notebooks all fill them through ``from_dict``, whose errors name the field."""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Literal, TypeVar

import pydantic
import yaml
from pydantic.dataclasses import dataclass as _pydantic_dataclass

from halo_lib.errors import HaloError

T = TypeVar("T")

_RULES = pydantic.ConfigDict(strict=True, extra="forbid")


def config_dataclass(cls=None, *, frozen: bool = False):
    """The decorator of every config class: a dataclass that pydantic validates, strictly, when it is built. A field
    typed as another config class is a section: ``from_dict`` builds it from a nested mapping."""
    wrap = _pydantic_dataclass(config=_RULES, frozen=frozen)
    return wrap if cls is None else wrap(cls)


@config_dataclass
class EnvConfig:
    """The browser environment."""

    max_steps: int = 70
    """Step budget of an episode (70 is REAL's score-mode budget; agisdk's harness defaults to 25)."""
    max_unparsed_replies: int = 0
    """End the episode (as a failure, then judged as usual) after this many policy replies in a row with no action
    in them (0: never). A model that only emits prose burns the rest of its step budget, seconds per reply on CPU."""
    viewport_width: int = 1280
    """Viewport width in CSS pixels; the screenshot has this width."""
    viewport_height: int = 720
    """Viewport height in CSS pixels."""
    use_screenshot: bool = True
    """Capture a screenshot in every observation (vision policies)."""
    use_axtree: bool = True
    """Capture the accessibility tree with element ids in every observation (text policies)."""
    screenshot_format: Literal["png", "jpeg"] = "png"
    """PNG is lossless; JPEG (quality 80) is about twice as fast to capture."""
    action_timeout_s: float = 5.0
    """Longest a single action may take before it is reported as an action error."""
    step_timeout_s: float = 30.0
    """Longest a whole step (action + observation) may take before the page counts as hung."""
    reset_timeout_s: float = 30.0
    """Longest a reset (/config, load of the site) may take."""
    sites: Literal["local", "remote"] = "local"
    """Run on the local clones (offline) or on the hosted REAL sites (needs internet)."""
    headless: bool = True
    """Headless Chromium; turn off to watch an episode."""

    def __post_init__(self) -> None:
        # (the types are pydantic's to check: these are the ranges)
        for name in ("max_steps", "viewport_width", "viewport_height"):
            if getattr(self, name) < 1:
                raise HaloError(f"EnvConfig.{name} must be a whole number >= 1, got {getattr(self, name)!r}")
        if self.max_unparsed_replies < 0:
            raise HaloError(f"EnvConfig.max_unparsed_replies must be >= 0 (0: never), got {self.max_unparsed_replies!r}")
        for name in ("action_timeout_s", "step_timeout_s", "reset_timeout_s"):
            value = getattr(self, name)
            if not 0 < value < float("inf"):
                raise HaloError(f"EnvConfig.{name} must be a finite number of seconds > 0, got {value!r}")


def from_dict(cls: type[T], values: dict[str, Any] | None, where: str = "") -> T:
    """Build a config from a plain dict (a YAML mapping, parsed ``--set`` values), its sections (fields typed as a
    config class) from nested mappings; an unknown or ill-typed field fails with one line naming it by its path
    (``RecipeConfig.prompt.axtree_chars``)."""
    where = where or cls.__name__
    if values is not None and not isinstance(values, dict):
        raise HaloError(f"{where} must be a mapping of its fields, got {type(values).__name__}")
    values = dict(values or {})
    for name, section in sections(cls).items():
        if isinstance(values.get(name), dict):  # on top of the section's default here (a recipe's own env, ...)
            values[name] = from_dict(section, deep_merge(_default(cls, name), values[name]), f"{where}.{name}")
    try:
        return cls(**values)
    except pydantic.ValidationError as err:
        raise HaloError(_explain(cls, err, where)) from None
    except HaloError as err:  # a range check of the class: say where, for a section
        raise HaloError(f"{where}: {err}" if where != cls.__name__ else str(err)) from None


def _default(cls: type, name: str) -> dict[str, Any]:
    """The default value of a section field of ``cls``, as a dict."""
    f = cls.__dataclass_fields__[name]
    value = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
    return dataclasses.asdict(value) if dataclasses.is_dataclass(value) else {}


def deep_merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``overrides`` on top of ``base``; nested mappings are merged key by key, anything else replaced."""
    out = dict(base)
    for key, value in overrides.items():
        out[key] = deep_merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def sections(cls: type) -> dict[str, type]:
    """A config class's fields that are config classes themselves: name -> class."""
    fields = getattr(cls, "__pydantic_fields__", {})
    return {name: f.annotation for name, f in fields.items()
            if isinstance(f.annotation, type) and hasattr(f.annotation, "__pydantic_fields__")}


def flat_fields(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A config's ``asdict`` with its sections flattened: ``{"prompt": {"axtree_chars": 500}}`` ->
    ``{"prompt.axtree_chars": 500}`` (how runs' settings are compared)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, dict) and value:
            out.update(flat_fields(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def nested_fields(flat: dict[str, Any]) -> dict[str, Any]:
    """The inverse of ``flat_fields``: ``{"prompt.axtree_chars": 500}`` -> ``{"prompt": {"axtree_chars": 500}}``."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        *path, name = key.split(".")
        node = out
        for part in path:
            node = node.setdefault(part, {})
        node[name] = value
    return out


_EXPECTED = {"int_type": "int", "float_type": "float", "bool_type": "bool", "string_type": "str", "list_type": "a list",
             "dict_type": "a mapping"}


def _explain(cls: type, err: pydantic.ValidationError, where: str = "") -> str:
    """pydantic's errors as one line: ``unknown X field(s) [...]; known fields: ...`` or ``X.field must be int, got
    'three'`` (the first error; the others follow)."""
    errors = err.errors()
    unknown = sorted(str(e["loc"][0]) for e in errors if e["type"] == "unexpected_keyword_argument")
    if unknown:
        known = ", ".join(getattr(cls, "__dataclass_fields__", {}))
        return f"unknown {where or cls.__name__} field(s) {unknown}; known fields: {known}"
    parts = []
    for e in errors:
        field = f"{where or cls.__name__}." + ".".join(str(x) for x in e["loc"])
        if e["type"] == "literal_error":
            parts.append(f"{field} must be one of {e['ctx']['expected']}, got {e['input']!r}")
        elif e["type"] == "dataclass_exact_type":
            parts.append(f"{field} must be a mapping of its fields, got {e['input']!r}")
        elif e["type"] in _EXPECTED:
            parts.append(f"{field} must be {_EXPECTED[e['type']]}, got {e['input']!r}")
        else:
            parts.append(f"{field}: {e['msg']}, got {e['input']!r}")
    return "; ".join(parts)


def parse_assignments(items: list[str], example: str) -> dict[str, Any]:
    """``--set`` values: ``["seed=1", "prompt.axtree_chars=500"]`` -> ``{"seed": 1, "prompt":
    {"axtree_chars": 500}}``; a value is YAML, a dotted name reaches into a section. ``example`` shows a good one in
    the error a malformed item gets."""
    flat: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key or "" in key.split("."):
            raise HaloError(f"--set {item!r}: use FIELD=VALUE (a section's field as SECTION.FIELD), e.g. {example}")
        try:
            flat[key] = load_yaml(value)
        except yaml.YAMLError as err:
            raise HaloError(f"--set {item!r}: the value is not YAML ({err})") from None
    return nested_fields(flat)


class _Yaml12Loader(yaml.SafeLoader):
    """YAML as 1.2 reads numbers: ``4e-4`` is a float (YAML 1.1, PyYAML's default, reads it as a string)."""


_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+]?[0-9]+)?"
               r"|[0-9][0-9_]*[eE][-+]?[0-9]+|\.inf|\.Inf|\.INF|\.nan|\.NaN|\.NAN)$"),
    list("-+0123456789."))


def load_yaml(text: str) -> Any:
    """YAML the configs' way (``safe_load`` with 1.2 numbers)."""
    return yaml.load(text, Loader=_Yaml12Loader)  # noqa: S506 - a SafeLoader subclass
