"""The notebooks' parameters: one typed dataclass shared by the three notebooks (one docstring per field).

A papermill config (``papermill_configs/<name>.yaml``) is a ``NotebookParams`` written as YAML: the recipe's settings
under ``recipe`` (``halo_lib.recipe.RecipeConfig`` fields) and the reports' own settings beside them::

    recipe: {policy: {model: smollm2}, grpo: {iterations: 12}, heldout_tasks_per_site: 24, ...}
    confidence: 0.95
    n_boot: 2000

``./launch.sh``, ``python -m halo_lib.report`` and the notebooks themselves fill it through
:func:`halo_lib.config.from_dict`, so an unknown or ill-typed parameter fails before any work, naming it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import field
from pathlib import Path
from typing import Any

import yaml

from halo_lib.config import config_dataclass, deep_merge, from_dict, load_yaml, parse_assignments
from halo_lib.errors import HaloError
# halo_lib.recipe (numpy, scipy) is imported lazily, in recipe_config: importing this module stays light.

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG_DIR = REPO_ROOT / "papermill_configs"
NOTEBOOK_DIR = REPO_ROOT / "notebooks"


@config_dataclass
class NotebookParams:
    """What each notebook runs and shows: 01 the recipe's base phase, 02 its BC and GRPO phases, 03 the comparison."""

    run_dir: str = ""
    """The run's folder, which the three notebooks share (``./launch.sh`` names it ``results/recipe/<config>-<time>``);
    empty: a new folder under ``recipe.out_dir``. A folder that holds the run already is continued."""
    recipe: dict = field(default_factory=dict)
    """``halo_lib.recipe.RecipeConfig`` fields (policy, task families, BC and GRPO sizes, ...): checked by field."""
    confidence: float = 0.95
    """Confidence level of every interval (Wilson for success rates, percentile bootstrap for paired differences)."""
    n_boot: int = 2000
    """Bootstrap resamples (over paired episodes) of a difference between phases."""
    filmstrip_steps: int = 6
    """Most screenshots in an episode's filmstrip."""

    def recipe_config(self):
        from halo_lib.recipe import RecipeConfig, check_not_moved

        check_not_moved(self.recipe, "RecipeConfig")  # a config written before the recipe had sections
        return from_dict(RecipeConfig, self.recipe)

    def check(self) -> "NotebookParams":
        if not 0 < self.confidence < 1:
            raise HaloError(f"NotebookParams.confidence must be in (0, 1), got {self.confidence}")
        for name in ("n_boot", "filmstrip_steps"):
            if getattr(self, name) < 1:
                raise HaloError(f"NotebookParams.{name} must be >= 1, got {getattr(self, name)}")
        try:
            self.recipe_config()
        except HaloError as err:
            raise HaloError(f"NotebookParams.recipe: {err}") from None
        return self


NOTEBOOKS: dict[str, str] = {
    "baseline_eval": "01_baseline_eval.ipynb",
    "online_grpo": "02_online_grpo.ipynb",
    "compare": "03_compare.ipynb",
}
"""Notebook key -> its file, in pipeline order."""


def notebook_key(notebook: str) -> str:
    """``baseline_eval``, ``01``, ``01_baseline_eval`` or ``notebooks/01_baseline_eval.ipynb`` -> ``baseline_eval``."""
    stem = Path(str(notebook)).name.removesuffix(".ipynb")
    for key, filename in NOTEBOOKS.items():
        if stem in (key, filename.removesuffix(".ipynb"), filename[:2]):
            return key
    raise HaloError(f"unknown notebook {notebook!r}; notebooks: " + ", ".join(f"{k} ({f})" for k, f in NOTEBOOKS.items()))


def config_path(name_or_path: str | Path) -> Path:
    """``cpu`` -> ``papermill_configs/cpu.yaml``; a path is taken as it is."""
    text = str(name_or_path)
    path = Path(text) if text.endswith((".yaml", ".yml")) or "/" in text else CONFIG_DIR / f"{text}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in CONFIG_DIR.glob("*.yaml"))
        raise HaloError(f"no papermill config {text!r} ({path} missing); configs: {', '.join(known) or 'none'} "
                        "(or give a path to a YAML file)")
    return path


def read_config(name_or_path: str | Path) -> dict[str, Any]:
    """A config file's values (a mapping of ``NotebookParams`` fields)."""
    path = config_path(name_or_path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise HaloError(f"{path} is not valid UTF-8 YAML: {err}") from None
    if not isinstance(data, dict):
        raise HaloError(f"{path} must hold a mapping of NotebookParams fields (recipe, confidence, ...)")
    return data


def load_params(name_or_path: str | Path, overrides: dict[str, Any] | None = None) -> NotebookParams:
    """The parameters of a config (``cpu``, ``h100``, ``quick`` or a YAML path), with ``overrides`` on top."""
    values = deep_merge(read_config(name_or_path), overrides or {})
    try:
        return from_dict(NotebookParams, values).check()
    except HaloError as err:
        raise HaloError(f"{config_path(name_or_path)}: {err}") from None


def parse_sets(items: list[str]) -> dict[str, Any]:
    """``["recipe.grpo.iterations=2", "recipe.env.max_steps=6", "n_boot=500"]`` -> ``{"recipe": {"grpo": {"iterations":
    2}, "env": {"max_steps": 6}}, "n_boot": 500}`` (values are YAML; a dotted name reaches into the recipe's
    sections)."""
    for item in items:
        key = item.partition("=")[0]
        if "." in key and key.split(".")[0] != "recipe":
            raise HaloError(f"--set {item!r}: only recipe.FIELD has a section (fields: "
                            f"{', '.join(f.name for f in dataclasses.fields(NotebookParams))})")
    return parse_assignments(items, "recipe.grpo.iterations=2 or recipe.env.max_steps=6")


def as_dict(params) -> dict[str, Any]:
    return dataclasses.asdict(params)
