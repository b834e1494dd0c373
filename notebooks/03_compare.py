# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Comparison: base, BC and GRPO on the same held-out tasks
#
# Every phase of a recipe run on the same held-out episodes: success per site with 95% Wilson intervals, the paired
# GRPO-BC difference with the episodes GRPO won and lost, a held-out episode GRPO solved and BC did not, and GRPO's
# learning curves. Parameters: `halo_lib.report.params.NotebookParams`.

# %%
from IPython.display import display

from halo_lib.report import notebook as nb

_names_before = set(globals())  # what the parameters cell and papermill add is checked against the dataclass

# %% tags=["parameters"]
config = "cpu"  # papermill_configs/<config>.yaml (cpu, quick, h100) or a YAML path: the defaults
overrides = {}  # NotebookParams fields on top of the config, e.g. {"run_dir": "results/recipe/cpu-20261206-120000"}

# %%
P = nb.resolve("compare", config, overrides, globals(), _names_before)  # fails here, naming a bad parameter
info = nb.header("Comparison of phases", P, config)  # parameters, seeds, git revision

# %%
from halo_lib.recipe import RecipeResult, by_site, summary_line
from halo_lib.report import plots, tables

cfg, run_dir = nb.run_folder(P)  # the run to compare: P.run_dir

result = RecipeResult.load(run_dir)
phases = tables.load_phases(run_dir)
print(summary_line(result, "main job"))
print(f"{result.seconds / 60:.1f} min; sampler: {result.sampler}" + "".join(f"; {n}" for n in result.notes))

# %% [markdown]
# ## Success per phase and site

# %%
display(tables.headline_table(phases, P.confidence))
table = tables.phase_success(phases, P.confidence)
plots.show(plots.success_bars(table, "site", hue="phase", title="held-out success per site and phase"))

# %% [markdown]
# ## GRPO against BC, episode by episode
#
# Wins: held-out episodes GRPO solved and BC did not; losses: the reverse. The interval is the percentile bootstrap of the mean paired difference (the headline's).

# %%
display(by_site(result))  # grpo_wins: GRPO solved and BC did not; grpo_losses: the reverse
print(f"GRPO - BC: {100 * (sum(result.grpo) - sum(result.bc)) / len(result.grpo):+.0f} points on {len(result.grpo)} "
      f"paired episodes, 95% CI [{100 * result.ci[0]:.0f}, {100 * result.ci[1]:.0f}]")
_, diffs = tables.paired_differences(phases, "bc", n_boot=P.n_boot, confidence=P.confidence, seed=cfg.seed)
plots.show(plots.diff_bars(diffs))

# %% [markdown]
# ## Search at inference (Agent Q's MCTS)
#
# With `recipe.search_tasks_per_site` > 0 the GRPO policy also plays the first held-out tasks of each family with a tree
# search before every step (`halo_lib.rl.search`), paired with its single-pass episodes on the same tasks. A searched
# episode spends many environment steps (replays and rollouts) for each step it plays: its cost is beside its success.

# %%
from halo_lib.recipe import search_line

if result.search:
    print(search_line(result))
    display(tables.steps_errors_table(phases["grpo_search"]))
else:
    print("no search phase in this run (recipe.search_tasks_per_site is 0)")

# %% [markdown]
# ## A held-out episode GRPO solved and BC did not

# %%
task = tables.contrast_task(phases, "grpo", "bc")
if task is None:
    print("no held-out task that GRPO solved and BC did not")
else:
    plots.show(plots.task_filmstrip(run_dir / "bc", task, P.filmstrip_steps, title="BC"))
    plots.show(plots.task_filmstrip(run_dir / "grpo", task, P.filmstrip_steps, title="GRPO"))

# %% [markdown]
# ## REAL v2 tasks (reported separately)

# %%
real = {p: tables.load_run(run_dir / p) for p in ("bc_real", "grpo_real") if (run_dir / p / "episodes.csv").is_file()}
if real:
    display(tables.format_rates(tables.compare_success(real, "task_id", P.confidence), P.confidence))
else:
    print("no REAL v2 tasks in this run (recipe.real_tasks_per_site is 0)")

# %% [markdown]
# ## GRPO's learning curves

# %%
plots.show(plots.learning_curves(tables.load_metrics(run_dir / "grpo_training"),
                                title=f"online GRPO ({cfg.policy.model})"))
