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


def params_cell(example: str) -> str:
    return ('config = "cpu"  # papermill_configs/<config>.yaml (cpu, quick, h100) or a YAML path: the defaults\n'
            f"overrides = {{}}  # NotebookParams fields on top of the config, e.g. {example}")


def resolve_cell(key: str, title: str) -> str:
    return (f'P = nb.resolve("{key}", config, overrides, globals(), _names_before)  # fails here, naming a bad '
            f"parameter\ninfo = nb.header(\"{title}\", P, config)  # parameters, seeds, git revision")


RUN_DIR = """\
from pathlib import Path

from halo_lib.recipe import new_run_dir, run_recipe
from halo_lib.report import plots, tables

cfg = P.recipe_config()
run_dir = Path(P.run_dir) if P.run_dir else new_run_dir(cfg)
print(f"run folder {run_dir}: model {cfg.model}, families {', '.join(cfg.families)}")"""

BASELINE = [
    ("md", """\
# Baseline evaluation

The learning recipe's first phase (`halo_lib.recipe.run_recipe(until="base")`): the base model, greedy, on the
held-out generated tasks every later phase is evaluated on. Success per site with 95% Wilson intervals, steps and
errors, and one episode's filmstrip. Parameters: `halo_lib.report.params.NotebookParams` (the recipe's settings under
`recipe`); results in the run folder's `base/`."""),
    ("code", SETUP),
    ("params", params_cell('{"recipe": {"heldout_tasks_per_site": 4}}')),
    ("code", resolve_cell("baseline_eval", "Baseline evaluation")),
    ("code", RUN_DIR),
    ("code", """\
# nb.call: the recipe uses asyncio.run, so it runs in a worker thread beside the kernel's event loop
result = nb.call(run_recipe, cfg, run_dir, until="base", say=nb.say)"""),
    ("md", "## Success per site"),
    ("code", """\
phases = tables.load_phases(run_dir, ["base"])
table = tables.phase_success(phases, P.confidence)
display(tables.format_rates(table, P.confidence))
plots.show(plots.success_bars(table, "site", hue="phase", title=f"base {cfg.model}: held-out success per site"))"""),
    ("md", "## Steps and errors"),
    ("code", """\
display(tables.steps_errors_table(phases["base"], "site"))"""),
    ("md", "## One episode, step by step\n\nThe caption is the action the agent chose on that screen (a red circle marks "
           "the click point of a coordinate action)."),
    ("code", """\
from halo_lib.agent.trajectory import load_episodes, load_trajectories

steps = load_trajectories(run_dir / "base" / "trajectories")
episode_id = plots.pick_episode(steps, load_episodes(run_dir / "base" / "trajectories"))
plots.show(plots.filmstrip(steps, episode_id, max_steps=P.filmstrip_steps))"""),
]

GRPO = [
    ("md", """\
# Behaviour cloning and online GRPO

The recipe's learning phases (`halo_lib.recipe.run_recipe`): behaviour cloning on oracle demonstrations of training
tasks, then online GRPO from BC's adapter (rollouts sampled by vLLM, the adapter hot-reloaded after every update),
each evaluated on the same held-out tasks as the base model. A run that stopped goes on from its newest checkpoint
when this notebook runs again on its folder. Parameters: `halo_lib.report.params.NotebookParams`."""),
    ("code", SETUP),
    ("params", params_cell('{"recipe": {"grpo_iterations": 4}}')),
    ("code", resolve_cell("online_grpo", "Behaviour cloning and online GRPO")),
    ("code", RUN_DIR),
    ("code", """\
result = nb.call(run_recipe, cfg, run_dir, until="grpo", say=nb.say)"""),
    ("md", "## Behaviour cloning"),
    ("code", """\
import json

import pandas as pd

bc_file = run_dir / "bc_metrics.json"
if bc_file.is_file():
    bc = json.loads(bc_file.read_text())
    print(f"{bc['demonstrations']} demonstrations from {bc['solved_tasks']}/{bc['tasks']} solved training tasks")
    display(pd.DataFrame(bc["epochs"]).round(3))
else:
    print("BC's adapter came from another run (recipe.reuse): its training is recorded there")"""),
    ("md", "## Online GRPO: learning curves"),
    ("code", """\
metrics = tables.load_metrics(run_dir / "grpo_training")
plots.show(plots.learning_curves(metrics, title=f"online GRPO from BC ({cfg.model})"))
columns = ["iteration", "tasks", "reward_mean", "success_rate", "kl", "invalid_action_rate", "zero_spread_groups",
           "groups", "train_samples", "loss", "iteration_s"]
display(metrics[[c for c in columns if c in metrics]].round(4))"""),
    ("md", "## Every phase on the held-out tasks"),
    ("code", """\
phases = tables.load_phases(run_dir)
table = tables.phase_success(phases, P.confidence)
display(tables.headline_table(phases, P.confidence))
plots.show(plots.success_bars(table, "site", hue="phase", title="held-out success per site and phase"))"""),
]

COMPARE = [
    ("md", """\
# Comparison: base, BC and GRPO on the same held-out tasks

Every phase of a recipe run on the same held-out episodes: success per site with 95% Wilson intervals, the paired
GRPO-BC difference with the episodes GRPO won and lost, a held-out episode GRPO solved and BC did not, and GRPO's
learning curves. Parameters: `halo_lib.report.params.NotebookParams`."""),
    ("code", SETUP),
    ("params", params_cell('{"run_dir": "results/recipe/cpu-20261206-120000"}')),
    ("code", resolve_cell("compare", "Comparison of phases")),
    ("code", RUN_DIR + """
from halo_lib.recipe import RecipeResult, by_site, summary_line

result = RecipeResult.load(run_dir)
phases = tables.load_phases(run_dir)
print(summary_line(result, "main job"))
print(f"{result.seconds / 60:.1f} min; sampler: {result.sampler}" + "".join(f"; {n}" for n in result.notes))"""),
    ("md", "## Success per phase and site"),
    ("code", """\
display(tables.headline_table(phases, P.confidence))
table = tables.phase_success(phases, P.confidence)
plots.show(plots.success_bars(table, "site", hue="phase", title="held-out success per site and phase"))"""),
    ("md", "## GRPO against BC, episode by episode\n\nWins: held-out episodes GRPO solved and BC did not; losses: the "
           "reverse. The interval is the percentile bootstrap of the mean paired difference (the headline's)."),
    ("code", """\
display(by_site(result))  # grpo_wins: GRPO solved and BC did not; grpo_losses: the reverse
print(f"GRPO - BC: {100 * (sum(result.grpo) - sum(result.bc)) / len(result.grpo):+.0f} points on {len(result.grpo)} "
      f"paired episodes, 95% CI [{100 * result.ci[0]:.0f}, {100 * result.ci[1]:.0f}]")
_, diffs = tables.paired_differences(phases, "bc", n_boot=P.n_boot, confidence=P.confidence, seed=cfg.seed)
plots.show(plots.diff_bars(diffs))"""),
    ("md", "## A held-out episode GRPO solved and BC did not"),
    ("code", """\
task = tables.contrast_task(phases, "grpo", "bc")
if task is None:
    print("no held-out task that GRPO solved and BC did not")
else:
    plots.show(plots.task_filmstrip(run_dir / "bc", task, P.filmstrip_steps, title="BC"))
    plots.show(plots.task_filmstrip(run_dir / "grpo", task, P.filmstrip_steps, title="GRPO"))"""),
    ("md", "## REAL v2 tasks (reported separately)"),
    ("code", """\
real = {p: tables.load_run(run_dir / p) for p in ("bc_real", "grpo_real") if (run_dir / p / "episodes.csv").is_file()}
if real:
    display(tables.format_rates(tables.compare_success(real, "task_id", P.confidence), P.confidence))
else:
    print("no REAL v2 tasks in this run (recipe.real_tasks_per_site is 0)")"""),
    ("md", "## GRPO's learning curves"),
    ("code", """\
plots.show(plots.learning_curves(tables.load_metrics(run_dir / "grpo_training"), title=f"online GRPO ({cfg.model})"))"""),
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
