"""``halo bench async``: the recipe's GRPO phase synchronous and asynchronous, side by side in one run.

Both sides start from a finished recipe run's BC adapter and train the same starts (the run's GRPO starts, in order)
for the same iterations with the same settings and the same vLLM server; only where and when the episodes are played
differs:

- ``sync``: rollouts in the trainer's process (``LocalRollouts``), then the update, then the adapter reload;
- ``async``: ``workers`` Ray rollout workers (``RayRollouts``), ``max_staleness`` K: the next K iterations' groups
  play while the trainer updates, each sampled by the adapter version it was started with.

Measured: episodes trained per minute of the whole ``train`` call (Ray's start-up and the workers' browsers
included), the share of the iterations' time the trainer waited for rollouts, and the staleness of what it trained.
Then what Ray itself costs: the same scripted episodes (a fixed few steps, no model) through Ray workers and through
the in-process pool, same contexts in all. Ends with

    async bench: async/sync throughput <x>x, trainer idle <a>% -> <b>%, max staleness <k> (bound <K>), <w> rollout workers on <m> nodes
    async bench: Ray workers play scripted episodes at <r>x the in-process pool's rate (<e> episodes each)
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from halo_lib.atomic import write_text_atomic
from halo_lib.errors import HaloError, first_line
from halo_lib.policies.base import Candidate
from halo_lib.policies.vllm_server import policy_server
from halo_lib.recipe import RunningServer, bc_policy, config_from_saved, grpo_starts, training_config, training_tasks
from halo_lib.rl.config import RolloutConfig
from halo_lib.rl.rewards import RewardConfig
from halo_lib.rl.rollout import Start
from halo_lib.rl.rollout_workers import LocalRollouts, RayRollouts
from halo_lib.rl.sync import VLLMSync
from halo_lib.rl.trainer import train
from halo_lib.sites.server import SitesInThread
from halo_lib.tasks.generator import parse_families


@dataclass
class Side:
    mode: str  # "sync" or "async"
    episodes: int
    seconds: float  # the whole train() call
    metrics: list[dict] = field(default_factory=list)

    @property
    def episodes_per_minute(self) -> float:
        return self.episodes / self.seconds * 60

    @property
    def trainer_idle(self) -> float:
        """Share of the iterations' time the trainer waited for rollouts."""
        return sum(m["rollout_s"] for m in self.metrics) / sum(m["iteration_s"] for m in self.metrics)


@dataclass
class AsyncBenchResult:
    sync: Side
    async_: Side
    bound: int
    workers: int
    nodes: int
    scripted_episodes: int = 0
    scripted_local_s: float = 0.0
    scripted_ray_s: float = 0.0


class Scrolls:
    """The scripted policy of the Ray-cost measurement: ``steps - 1`` scrolls, then an answer (no model)."""

    def __init__(self, steps: int = 3):
        self.steps, self.taken = steps, 0

    async def act(self, obs) -> Candidate:
        self.taken += 1
        text = "scroll(0, 200)" if self.taken < self.steps else "send_msg_to_user('done')"
        return Candidate.from_text(text, "element")


class ScriptedSampler:
    """A sampler whose every version plays ``Scrolls`` (picklable: Ray workers build it too)."""

    def policy_at(self, version):
        return self

    def for_episode(self, i):
        return Scrolls()


def run_async_bench(run: Path, iterations: int = 6, workers: int = 2, max_staleness: int = 1,
                    scripted_groups: int = 16, out: Path | None = None, server: str = "",
                    say=print) -> AsyncBenchResult:
    """Both sides on ``server`` (a running vLLM server's OpenAI base URL, serving the run's model with runtime LoRA)
    or, without one, on a server started here for the run's model."""
    run = Path(run)
    try:
        cfg = config_from_saved(json.loads((run / "config.json").read_text()), str(run))
    except FileNotFoundError:
        raise HaloError(f"{run}/config.json is missing: name a recipe run's folder (results/recipe/<tag>)") from None
    out = Path(out or Path("results/async_bench") / f"{run.name}-{time.strftime('%Y%m%d-%H%M%S')}")
    starts = grpo_starts(cfg, *training_tasks(cfg))
    sites = sorted({parse_families(spec)[0] for spec in cfg.families})
    sides: dict[str, Side] = {}
    serving = (contextlib.nullcontext(RunningServer(server)) if server
               else policy_server(cfg.policy.model, lora_rank=cfg.policy.lora_rank))
    with SitesInThread(sites), serving as server:
        for mode in ("sync", "async"):
            policy = bc_policy(cfg, run)
            tcfg = training_config(cfg, policy.modality)
            grpo = dataclasses.replace(tcfg.grpo, iterations=iterations, checkpoint_interval=0,
                                       max_staleness=max_staleness if mode == "async" else 0)
            rollout = RolloutConfig(workers=workers if mode == "async" else 0,
                                    contexts_per_worker=grpo.group_size * grpo.tasks_per_iteration)
            tcfg = dataclasses.replace(tcfg, grpo=grpo, rollout=rollout)
            sampler = VLLMSync.for_rollouts(server.base_url, policy.modality, temperature=grpo.temperature,
                                            max_tokens=grpo.max_completion_length, prompt=tcfg.prompt)
            sampler.adapter_name = f"bench-{mode}"
            say(f"{mode}: {iterations} GRPO iterations from {run.name}'s BC adapter"
                + (f", {workers} Ray rollout workers, max_staleness {max_staleness}" if mode == "async" else ""))
            t0 = time.perf_counter()
            result = train(tcfg, starts, out / mode, sampler=sampler, policy=policy,
                           on_iteration=lambda m: say(f"  iter {m['iteration']}: {m['iteration_s']:.0f} s, waited "
                                                      f"{m['rollout_s']:.0f} s, staleness {m['staleness_max']}"))
            sides[mode] = Side(mode, iterations * grpo.episodes_per_iteration, time.perf_counter() - t0,
                               result.metrics)
        nodes = max(m["rollout_nodes"] for m in sides["async"].metrics)
        bench = AsyncBenchResult(sides["sync"], sides["async"], max_staleness, workers, nodes)
        return with_ray_cost(bench, lambda: _ray_cost([starts[i % len(starts)] for i in range(scripted_groups)],
                                                      tcfg, workers, say), out, say)


def with_ray_cost(bench: AsyncBenchResult, measure, out: Path, say) -> AsyncBenchResult:
    """``bench`` (both trained sides) with Ray's cost from ``measure()`` added. The sides are written to
    ``out/async_bench.json`` first, so a failure of the scripted episodes loses only their measurement: the
    throughput line is said, and the error names the file."""
    path = out / "async_bench.json"

    def save() -> None:
        write_text_atomic(path, json.dumps(dataclasses.asdict(bench), indent=2, default=str))

    save()
    try:
        bench.scripted_episodes, bench.scripted_local_s, bench.scripted_ray_s = measure()
    except HaloError as err:
        say(summary_lines(bench)[0])
        raise HaloError(f"the Ray-cost part (scripted episodes) failed: {first_line(err)}; the sync and async "
                        f"sides' results are in {path}") from err
    save()
    return bench


def _ray_cost(starts: list[Start], tcfg, workers: int, say) -> tuple[int, float, float]:
    """Seconds the same scripted groups take through the in-process pool and through Ray workers (same contexts)."""
    g = tcfg.grpo.group_size
    per_worker = max(g, tcfg.rollout.contexts_per_worker)
    env = dataclasses.replace(tcfg.env, use_screenshot=False)

    async def play(rollouts) -> float:
        async with rollouts:
            t0 = time.perf_counter()
            await asyncio.gather(*(rollouts.play(s, 0) for s in starts))
            return time.perf_counter() - t0

    sampler = ScriptedSampler()
    local = asyncio.run(play(LocalRollouts(env, RewardConfig(), g, workers * (per_worker // g), sampler.policy_at)))
    ray = asyncio.run(play(RayRollouts(workers, per_worker, "", env, RewardConfig(), g, sampler,
                                       sorted({s.task.site for s in starts}))))
    say(f"scripted episodes: {len(starts) * g} in {local:.1f} s in-process, {ray:.1f} s through {workers} Ray workers")
    return len(starts) * g, local, ray


def summary_lines(r: AsyncBenchResult) -> list[str]:
    a, s = r.async_, r.sync
    staleness = max(m["staleness_max"] for m in a.metrics)
    lines = [(f"async bench: async/sync throughput {a.episodes_per_minute / s.episodes_per_minute:.2f}x, trainer "
              f"idle {s.trainer_idle:.0%} -> {a.trainer_idle:.0%}, max staleness {staleness} (bound {r.bound}), "
              f"{r.workers} rollout workers on {r.nodes} nodes")]
    if r.scripted_episodes:  # Ray's cost was measured
        lines.append(f"async bench: Ray workers play scripted episodes at {r.scripted_local_s / r.scripted_ray_s:.2f}x "
                     f"the in-process pool's rate ({r.scripted_episodes} episodes each)")
    return lines
