"""Writes the three notebooks (without outputs) from the cell sources below: `python notebooks/generate.py`.

The notebooks are thin drivers: one cell tagged `parameters` (papermill), then calls into halo_lib. Edit the
sources here and regenerate; tests/test_notebooks.py checks the committed notebooks match this file.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = """\
from IPython.display import HTML, display

from halo_lib.report import notebook as nb

_names_before = set(globals())  # what the parameters cell and papermill add is checked against the dataclass"""


def params_cell(cls: str, example: str) -> str:
    return (f'config = "cpu"  # papermill_configs/<config>.yaml (cpu, h100) or a YAML path: the defaults\n'
            f"overrides = {{}}  # {cls} fields on top of the config, e.g. {example}")


def resolve_cell(key: str, title: str) -> str:
    return (f'P = nb.resolve("{key}", config, overrides, globals(), _names_before)  # fails here, naming a bad '
            f"parameter\ninfo = nb.header(\"{title}\", P, config)  # parameters, seeds, git revision")


BASELINE = [
    ("md", """\
# Baseline evaluation

Runs one agent mode on a task set with `halo_lib.agent.evaluate.run_eval`: success per site and per task with 95%
Wilson intervals, steps and errors, and one episode's filmstrip. Parameters: `halo_lib.report.params.BaselineEvalParams`
(defaults from `papermill_configs/<config>.yaml`); results in `results/<run_name>/`."""),
    ("code", SETUP),
    ("params", params_cell("BaselineEvalParams", '{"episodes": 3, "tasks": "site:gomail"}')),
    ("code", resolve_cell("baseline_eval", "Baseline evaluation")),
    ("code", """\
from pathlib import Path

from halo_lib.agent.evaluate import run_eval
from halo_lib.policies.modes import build_policy, resolve_mode
from halo_lib.tasks import resolve_tasks

tasks = resolve_tasks(P.tasks, seed=P.seed)
spec = resolve_mode(P.mode, model=P.model or None, adapter=P.adapter or None, server=P.server or None)
run_dir = Path(P.results_dir) / P.run_name
print(f"{len(tasks)} task(s) x {P.episodes} episode(s), mode {P.mode} ({spec.model}), {P.max_steps} steps max -> {run_dir}")"""),
    ("code", """\
policy = build_policy(spec, temperature=P.temperature, max_new_tokens=P.max_new_tokens, seed=P.seed)
with nb.local_sites(tasks, P.sites):
    # nb.call: run_eval uses asyncio.run, so it runs in a worker thread beside the kernel's event loop
    episodes = nb.call(run_eval, tasks, policy, run_dir, P.mode, episodes=P.episodes, concurrency=P.concurrency,
                       env_config=P.env_config(),
                       extra_config={"params": info["params"], "seeds": info["seeds"],
                                     "trained_on_benchmark": P.trained_on_benchmark})
print(f"success {episodes['success'].mean():.0%} over {len(episodes)} episode(s); results in {run_dir}")"""),
    ("md", "## Success per site"),
    ("code", """\
from halo_lib.report import plots, tables

by_site = tables.success_table(episodes, "site")
display(tables.format_rates(by_site))
plots.show(plots.success_bars(by_site, "site", title=f"success per site ({P.mode})"))"""),
    ("md", "## Success per task"),
    ("code", """\
by_task = tables.success_table(episodes, "task_id")
display(tables.format_rates(by_task))
plots.show(plots.success_bars(by_task, "task_id", title=f"success per task ({P.mode})"))"""),
    ("md", "## Steps and errors"),
    ("code", """\
display(tables.steps_errors_table(episodes, "site"))
display(episodes.drop(columns=["answer"]))"""),
    ("md", "## One episode, step by step\n\nRed circle: the click point of a coordinate action (0-1000 frame mapped to "
           "the screenshot's pixels); the caption is the action the agent chose on that screen."),
    ("code", """\
from halo_lib.agent.trajectory import load_episodes, load_trajectories

steps = load_trajectories(run_dir / "trajectories")
episode_id = plots.pick_episode(steps, load_episodes(run_dir / "trajectories"))
plots.show(plots.filmstrip(steps, episode_id, max_steps=P.filmstrip_steps))"""),
]

GRPO = [
    ("md", """\
# Online GRPO

Runs (or resumes) online GRPO (`halo_lib.rl.trainer.train`) on generated training tasks, with a live progress bar
and learning curves, then evaluates the trained LoRA adapter on the evaluation tasks. Parameters:
`halo_lib.report.params.OnlineGRPOParams` (`grpo` holds `GRPOConfig` fields); results in
`results/grpo_training/<run_name>/` and `results/<eval_run_name>/`."""),
    ("code", SETUP),
    ("params", params_cell("OnlineGRPOParams", '{"resume": True, "grpo": {"iterations": 20}}')),
    ("code", resolve_cell("online_grpo", "Online GRPO")),
    ("code", """\
from pathlib import Path

from halo_lib.config import EnvConfig
from halo_lib.tasks import resolve_tasks

cfg = P.grpo_config()
train_tasks = resolve_tasks(P.train_tasks, seed=cfg.seed)
benchmark = nb.check_training_tasks(train_tasks, P.allow_benchmark_training)
run_dir = Path(P.results_dir) / "grpo_training" / P.run_name
print(f"{cfg.iterations} iteration(s) x {cfg.tasks_per_iteration} task(s) x group {cfg.group_size}, model {cfg.model}, "
      f"{cfg.max_steps} steps max, loss {cfg.loss_type}, {len(train_tasks)} training task(s) -> {run_dir}")"""),
    ("code", """\
import sys

from tqdm.std import tqdm

from halo_lib.report import plots, tables
from halo_lib.rl.trainer import train

sampler = None
if P.server:  # rollouts from vLLM, which reloads the adapter after every update
    from halo_lib.rl.sync import VLLMSync

    sampler = VLLMSync(P.server, "text" if cfg.model == "smollm2" else "vision", temperature=cfg.temperature,
                       max_tokens=cfg.max_completion_length, seed=cfg.seed)
done = len(tables.load_metrics(run_dir)) if P.resume and (run_dir / "metrics.jsonl").exists() else 0
bar = tqdm(total=cfg.iterations, initial=done, desc="GRPO", unit="it", file=sys.stderr)


def on_iteration(m):
    bar.update(1)
    bar.set_postfix(reward=f"{m['reward_mean']:+.2f}", success=f"{m['success_rate']:.0%}")
    print(f"iter {m['iteration']:>4}  reward {m['reward_mean']:+.3f}  success {m['success_rate']:.0%}  "
          f"loss {m.get('loss', 0):+.4f}  invalid {m['invalid_action_rate']:.0%}  {m['iteration_s']:.1f}s", flush=True)


with nb.local_sites(train_tasks, P.sites):
    result = nb.call(train, cfg, train_tasks, run_dir, resume=P.resume, sampler=sampler, on_iteration=on_iteration,
                     env_config=EnvConfig(max_steps=cfg.max_steps, sites=P.sites))
bar.close()
if benchmark:
    (run_dir / tables.BENCHMARK_MARK).write_text("\\n".join(benchmark))
print(f"{result.iterations} iteration(s) in this session -> {run_dir}")"""),
    ("md", "## Learning curves"),
    ("code", """\
metrics = tables.load_metrics(run_dir)
plots.show(plots.learning_curves(metrics, title=f"online GRPO: {P.run_name}"))
display(metrics.drop(columns=["tasks"], errors="ignore").round(4))"""),
    ("md", "## The trained adapter on the evaluation tasks"),
    ("code", """\
from halo_lib.agent.evaluate import run_eval
from halo_lib.policies.modes import build_policy, resolve_mode
from halo_lib.rl.checkpoint import latest_checkpoint

checkpoint = latest_checkpoint(run_dir)
if not P.eval_tasks:
    print("evaluation skipped (eval_tasks is empty)")
elif checkpoint is None:
    print(f"no checkpoint in {run_dir}: nothing to evaluate")
else:
    adapter = checkpoint / "adapter"
    eval_tasks = resolve_tasks(P.eval_tasks, seed=cfg.seed)
    if P.server:
        from halo_lib.policies.vllm_server import load_adapter

        load_adapter(P.server, adapter.name, adapter, replace=True)
    spec = resolve_mode(nb.adapter_eval_mode(cfg.model), model=cfg.model, adapter=str(adapter),
                        server=P.server or None)
    policy = build_policy(spec, temperature=0.0, max_new_tokens=P.max_new_tokens, seed=cfg.seed)
    eval_dir = Path(P.results_dir) / P.eval_run_name
    with nb.local_sites(eval_tasks, P.sites):
        eval_episodes = nb.call(run_eval, eval_tasks, policy, eval_dir, spec.mode, episodes=P.eval_episodes,
                                concurrency=P.eval_concurrency, env_config=EnvConfig(max_steps=P.eval_max_steps,
                                                                                     sites=P.sites),
                                extra_config={"params": info["params"], "adapter": str(adapter),
                                              "training_run": str(run_dir),
                                              "trained_on_benchmark": P.trained_on_benchmark})
    by_site = tables.success_table(eval_episodes, "site")
    display(tables.format_rates(by_site))
    plots.show(plots.success_bars(by_site, "site", title=f"success per site after GRPO ({checkpoint.name})"))"""),
]

COMPARE = [
    ("md", """\
# Comparison of runs

Success of several evaluation runs (base vs grpo, or base / bc / grpo) with 95% Wilson intervals, per site and per
task, and paired per-task differences against the baseline with bootstrap intervals. Parameters:
`halo_lib.report.params.CompareParams`."""),
    ("code", SETUP),
    ("params", params_cell("CompareParams", '{"runs": {"base": "results/a", "grpo": "results/b"}}')),
    ("code", resolve_cell("compare", "Comparison of runs")),
    ("code", """\
from pathlib import Path

from halo_lib.report import plots, tables

runs = {label: tables.load_run(path) for label, path in P.runs.items()}
folders = [*P.runs.values(), *([P.training_run] if P.training_run else [])]
if not P.trained_on_benchmark and tables.trained_on_benchmark(*folders):
    display(HTML(f'<p style="background:#b00020;color:white;padding:8px"><b>{nb.BENCHMARK_BANNER}</b></p>'))
for label, frame in runs.items():
    print(f"{label:>8}: {len(frame)} episode(s) of {frame['task_id'].nunique()} task(s) from {P.runs[label]}")"""),
    ("md", "## Overall success"),
    ("code", """\
overall = tables.compare_success(runs, by=None, confidence=P.confidence)
display(tables.format_rates(overall, P.confidence))
plots.show(plots.success_bars(overall, "run", title="overall success"))"""),
    ("md", "## Per site"),
    ("code", """\
by_site = tables.compare_success(runs, "site", P.confidence)
display(tables.format_rates(by_site, P.confidence))
plots.show(plots.success_bars(by_site, "site", hue="run", title="success per site"))"""),
    ("md", "## Per task, and paired differences against the baseline"),
    ("code", """\
per_task, diffs = tables.paired_differences(runs, P.baseline, n_boot=P.n_boot, confidence=P.confidence, seed=P.seed)
display(per_task.round(3))
display(diffs.round(3))
if len(diffs):
    plots.show(plots.diff_bars(diffs))
by_task = tables.compare_success(runs, "task_id", P.confidence)
plots.show(plots.success_bars(by_task, "task_id", hue="run", title="success per task"))"""),
    ("md", "## Learning curves of the training run"),
    ("code", """\
if P.training_run and (Path(P.training_run) / "metrics.jsonl").exists():
    plots.show(plots.learning_curves(tables.load_metrics(P.training_run), title=f"online GRPO: {P.training_run}"))
else:
    print("no training run to show (training_run is empty or has no metrics.jsonl)")"""),
]

NOTEBOOKS = {"01_baseline_eval.ipynb": BASELINE, "02_online_grpo.ipynb": GRPO, "03_compare.ipynb": COMPARE}


def build(name: str, cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    nb = new_notebook(metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
        "language_info": {"name": "python"},
    })
    stem = name.removesuffix(".ipynb")
    for i, (kind, source) in enumerate(cells):
        if kind == "md":
            cell = new_markdown_cell(source)
        else:
            cell = new_code_cell(source)
            if kind == "params":
                cell.metadata["tags"] = ["parameters"]
        cell["id"] = f"{stem}-{i:02d}"  # stable ids: regenerating changes nothing
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def render(name: str) -> str:
    return nbformat.writes(build(name, NOTEBOOKS[name])) + "\n"


def main(check: bool = False) -> int:
    stale = []
    for name in NOTEBOOKS:
        path = HERE / name
        text = render(name)
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if stale:
        print(f"stale notebooks (run python notebooks/generate.py): {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(check="--check" in sys.argv))
