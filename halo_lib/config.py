"""Typed configs. Every field has a docstring; YAML (papermill), the CLI and notebooks fill the same dataclasses."""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from halo_lib.errors import HaloError

T = TypeVar("T")


@dataclass
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
        for name in ("max_steps", "viewport_width", "viewport_height"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise HaloError(f"EnvConfig.{name} must be a whole number >= 1, got {getattr(self, name)!r}")
        if not isinstance(self.max_unparsed_replies, int) or self.max_unparsed_replies < 0:
            raise HaloError(f"EnvConfig.max_unparsed_replies must be >= 0 (0: never), got {self.max_unparsed_replies!r}")
        for name in ("action_timeout_s", "step_timeout_s", "reset_timeout_s"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0 < value < float("inf"):
                raise HaloError(f"EnvConfig.{name} must be a finite number of seconds > 0, got {value!r}")


def from_dict(cls: type[T], values: dict[str, Any] | None) -> T:
    """Build a config dataclass from a plain dict; unknown or ill-typed fields fail naming the field."""
    values = dict(values or {})
    hints = typing.get_type_hints(cls)
    known = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise HaloError(f"unknown {cls.__name__} field(s) {unknown}; known fields: {', '.join(known)}")
    for name, value in values.items():
        values[name] = _checked(f"{cls.__name__}.{name}", hints[name], value)
    return cls(**values)


def _checked(where: str, hint: Any, value: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin is Literal:
        choices = typing.get_args(hint)
        if value not in choices:
            raise HaloError(f"{where} must be one of {list(choices)}, got {value!r}")
        return value
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is float and isinstance(value, str):  # YAML 1.1 reads 4e-4 (no dot) as a string
        try:
            return float(value)
        except ValueError:
            pass
    if isinstance(hint, type) and (not isinstance(value, hint) or (hint is int and isinstance(value, bool))):
        raise HaloError(f"{where} must be {hint.__name__}, got {value!r}")
    return value
