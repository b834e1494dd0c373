"""Notebook parameters: one typed dataclass per notebook (one docstring per field).

papermill YAMLs (``papermill_configs/<name>.yaml``), ``halo notebooks run`` / ``python -m halo_lib.report`` and
the notebooks themselves all fill these through :func:`halo_lib.config.from_dict`, so an unknown or ill-typed
parameter fails before any work with a message naming it. A config file has one section per notebook::

    baseline_eval: {mode: qwen3vl_base, model: tiny-qwen3vl, tasks: "v2.gomail-1", ...}
    online_grpo:   {train_tasks: "gen:gomail:train:4", grpo: {group_size: 2, ...}, ...}
    compare:       {runs: {base: results/cpu-base, grpo: results/cpu-grpo}, ...}
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from halo_lib.config import EnvConfig, from_dict
from halo_lib.errors import HaloError

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG_DIR = REPO_ROOT / "papermill_configs"
NOTEBOOK_DIR = REPO_ROOT / "notebooks"


@dataclass
class BaselineEvalParams:
    """``notebooks/01_baseline_eval.ipynb``: evaluate one agent mode on a task set."""

    run_name: str = "cpu-base"
    """Results go to ``<results_dir>/<run_name>/`` (config.json, episodes.csv, summary.json, trajectories/)."""
    results_dir: str = "results"
    """Root folder of evaluation results (relative to the working directory)."""
    tasks: str = "v2.gomail-1,v2.omnizon-3,v2.gocalendar-4"
    """Task spec for ``halo_lib.tasks.resolve_tasks``: v2 ids, ``site:<site>``, ``gen:<site>:<split>:<n>``, ``all``."""
    mode: str = "qwen3vl_base"
    """Agent mode (``halo_lib.policies.modes``): gpt4o_baseline, qwen3vl_base, qwen3vl_grpo, text."""
    model: str = "tiny-qwen3vl"
    """Weights: tiny-qwen3vl, smollm2, qwen3vl-8b ($HALO_MODEL) or a local folder; empty: the mode's default."""
    adapter: str = ""
    """A trained LoRA adapter folder (mode qwen3vl_grpo / text); empty: none."""
    server: str = ""
    """An OpenAI-compatible vLLM base URL (``http://127.0.0.1:8000/v1``); empty: sample in-process."""
    episodes: int = 1
    """Episodes per task (k)."""
    concurrency: int = 2
    """Parallel browser contexts."""
    max_steps: int = 8
    """Step budget of an episode (REAL's score mode: 70)."""
    max_new_tokens: int = 48
    """Most tokens the policy generates per step."""
    temperature: float = 0.0
    """Sampling temperature (0: greedy)."""
    seed: int = 0
    """Seed of sampling and of generated task sets."""
    sites: Literal["local", "remote"] = "local"
    """Local clones (offline) or the hosted REAL sites (internet)."""
    filmstrip_steps: int = 6
    """Most screenshots in the episode filmstrip."""
    trained_on_benchmark: bool = False
    """Set when the run this report belongs to trained on REAL benchmark tasks: every report is marked."""

    def env_config(self) -> EnvConfig:
        return EnvConfig(max_steps=self.max_steps, sites=self.sites)

    def check(self) -> "BaselineEvalParams":
        _positive(self, "episodes", "concurrency", "max_steps", "max_new_tokens", "filmstrip_steps")
        _nonempty(self, "run_name", "tasks", "mode")
        if self.temperature < 0:
            raise HaloError(f"BaselineEvalParams.temperature must be >= 0, got {self.temperature}")
        return self


@dataclass
class OnlineGRPOParams:
    """``notebooks/02_online_grpo.ipynb``: run (or resume) online GRPO, then evaluate the trained adapter."""

    run_name: str = "cpu-grpo"
    """Training goes to ``<results_dir>/grpo_training/<run_name>/`` (config.json, metrics.jsonl, checkpoints/, tb/)."""
    results_dir: str = "results"
    """Root folder of results (relative to the working directory)."""
    train_tasks: str = "gen:gomail:train:4"
    """Training task spec (generated tasks; REAL v2 ids only with ``allow_benchmark_training``)."""
    grpo: dict = field(default_factory=dict)
    """``GRPOConfig`` fields (model, iterations, group_size, max_steps, learning_rate, ...): checked by field."""
    resume: bool = False
    """Continue the run's latest checkpoint instead of starting fresh."""
    server: str = ""
    """A vLLM base URL (started with LoRA enabled) that samples rollouts and reloads the adapter; empty: in-process."""
    allow_benchmark_training: bool = False
    """Allow REAL v2 benchmark tasks in ``train_tasks`` (the run and its reports are then marked)."""
    eval_tasks: str = "v2.gomail-1,v2.omnizon-3,v2.gocalendar-4"
    """After training, evaluate the final adapter on these tasks (empty: skip)."""
    eval_run_name: str = "cpu-grpo-eval"
    """The adapter's evaluation goes to ``<results_dir>/<eval_run_name>/``."""
    eval_episodes: int = 1
    """Episodes per evaluation task."""
    eval_max_steps: int = 8
    """Step budget of an evaluation episode."""
    eval_concurrency: int = 2
    """Parallel browser contexts of the evaluation."""
    max_new_tokens: int = 48
    """Most tokens per step in the evaluation (training uses ``grpo.max_completion_length``)."""
    sites: Literal["local", "remote"] = "local"
    """Local clones (offline) or the hosted REAL sites (internet)."""
    trained_on_benchmark: bool = False
    """Set when this run trains on REAL benchmark tasks: every report is marked."""

    def grpo_config(self):
        from halo_lib.rl.config import GRPOConfig

        values = dict(self.grpo)
        values.setdefault("output_dir", str(Path(self.results_dir) / "grpo_training"))
        if self.server:
            values.setdefault("policy_backend", "vllm")
        return from_dict(GRPOConfig, values)

    def check(self) -> "OnlineGRPOParams":
        _nonempty(self, "run_name", "train_tasks")
        _positive(self, "eval_episodes", "eval_max_steps", "eval_concurrency", "max_new_tokens")
        try:
            self.grpo_config()
        except HaloError as err:
            raise HaloError(f"OnlineGRPOParams.grpo: {err}") from None
        if self.eval_tasks and not self.eval_run_name:
            raise HaloError("OnlineGRPOParams.eval_run_name must name a run when eval_tasks is set")
        return self


@dataclass
class CompareParams:
    """``notebooks/03_compare.ipynb``: compare evaluation runs (base vs grpo, base/bc/grpo)."""

    runs: dict = field(default_factory=lambda: {"base": "results/cpu-base", "grpo": "results/cpu-grpo-eval"})
    """Run label -> evaluation run folder (holding episodes.csv), in display order."""
    baseline: str = "base"
    """The label paired differences are taken against (each other run minus this one, per task)."""
    training_run: str = "results/grpo_training/cpu-grpo"
    """A GRPO training folder (metrics.jsonl) whose learning curves to show; empty: none."""
    confidence: float = 0.95
    """Confidence level of every interval (Wilson for rates, percentile bootstrap for differences)."""
    n_boot: int = 2000
    """Bootstrap resamples (over tasks) of a paired difference."""
    seed: int = 0
    """Seed of the bootstrap."""
    trained_on_benchmark: bool = False
    """Set when a compared run trained on REAL benchmark tasks: every report is marked."""

    def check(self) -> "CompareParams":
        if not self.runs:
            raise HaloError("CompareParams.runs must map at least one label to a run folder")
        for label, path in self.runs.items():
            if not isinstance(label, str) or not isinstance(path, str) or not path:
                raise HaloError(f"CompareParams.runs must map labels to folder paths (str: str), got {label!r}: "
                                f"{path!r}")
        if self.baseline not in self.runs:
            raise HaloError(f"CompareParams.baseline must be one of the runs' labels {list(self.runs)}, "
                            f"got {self.baseline!r}")
        if not 0 < self.confidence < 1:
            raise HaloError(f"CompareParams.confidence must be in (0, 1), got {self.confidence}")
        _positive(self, "n_boot")
        return self


NOTEBOOKS: dict[str, tuple[str, type]] = {
    "baseline_eval": ("01_baseline_eval.ipynb", BaselineEvalParams),
    "online_grpo": ("02_online_grpo.ipynb", OnlineGRPOParams),
    "compare": ("03_compare.ipynb", CompareParams),
}
"""Section name in a config file -> (notebook file, its parameters dataclass), in pipeline order."""


def _positive(obj, *names: str) -> None:
    for name in names:
        if getattr(obj, name) < 1:
            raise HaloError(f"{type(obj).__name__}.{name} must be >= 1, got {getattr(obj, name)}")


def _nonempty(obj, *names: str) -> None:
    for name in names:
        if not getattr(obj, name):
            raise HaloError(f"{type(obj).__name__}.{name} must not be empty")


def notebook_key(notebook: str) -> str:
    """``baseline_eval``, ``01``, ``01_baseline_eval`` or ``notebooks/01_baseline_eval.ipynb`` -> ``baseline_eval``."""
    stem = Path(str(notebook)).name.removesuffix(".ipynb")
    for key, (filename, _) in NOTEBOOKS.items():
        if stem in (key, filename.removesuffix(".ipynb"), filename[:2]):
            return key
    raise HaloError(f"unknown notebook {notebook!r}; notebooks: "
                    + ", ".join(f"{k} ({f})" for k, (f, _) in NOTEBOOKS.items()))


def config_path(name_or_path: str | Path) -> Path:
    """``cpu`` -> ``papermill_configs/cpu.yaml``; a path is taken as it is."""
    text = str(name_or_path)
    if text.endswith((".yaml", ".yml")) or "/" in text:
        path = Path(text)
    else:
        path = CONFIG_DIR / f"{text}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in CONFIG_DIR.glob("*.yaml"))
        raise HaloError(f"no papermill config {text!r} ({path} missing); configs: {', '.join(known) or 'none'} "
                        "(or give a path to a YAML file)")
    return path


def read_config(name_or_path: str | Path) -> dict[str, dict]:
    """The sections of a config file (unknown sections fail naming them)."""
    path = config_path(name_or_path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise HaloError(f"{path} is not valid YAML: {err}") from None
    if not isinstance(data, dict):
        raise HaloError(f"{path} must hold a mapping of sections ({', '.join(NOTEBOOKS)})")
    unknown = sorted(set(data) - set(NOTEBOOKS))
    if unknown:
        raise HaloError(f"{path}: unknown section(s) {unknown}; sections: {', '.join(NOTEBOOKS)}")
    for key, section in data.items():
        if section is not None and not isinstance(section, dict):
            raise HaloError(f"{path}: section {key!r} must be a mapping of parameters, got {section!r}")
    return {k: dict(v or {}) for k, v in data.items()}


def build_params(notebook: str, values: dict[str, Any] | None):
    """The notebook's dataclass from plain values, checked (types by ``from_dict``, ranges by ``check``)."""
    _, cls = NOTEBOOKS[notebook_key(notebook)]
    return from_dict(cls, values).check()


def load_params(name_or_path: str | Path, notebook: str, overrides: dict[str, Any] | None = None):
    """Parameters of ``notebook`` from a config (``cpu``, ``h100`` or a YAML path), with ``overrides`` on top."""
    key = notebook_key(notebook)
    values = read_config(name_or_path).get(key, {})
    values.update(overrides or {})
    try:
        return build_params(key, values)
    except HaloError as err:
        raise HaloError(f"{config_path(name_or_path)} [{key}]: {err}") from None


def as_dict(params) -> dict[str, Any]:
    return dataclasses.asdict(params)
