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
# # Baseline evaluation
#
# The learning recipe's first phase (`halo_lib.recipe.run_recipe(until="base")`): the base model, greedy, on the
# held-out generated tasks every later phase is evaluated on. Success per site with 95% Wilson intervals, steps and
# errors, and one episode's filmstrip. Parameters: `halo_lib.report.params.NotebookParams` (the recipe's settings under
# `recipe`); results in the run folder's `base/`.

# %%
from IPython.display import display

from halo_lib.report import notebook as nb

_names_before = set(globals())  # what the parameters cell and papermill add is checked against the dataclass

# %% tags=["parameters"]
config = "cpu"  # papermill_configs/<config>.yaml (cpu, quick, h100) or a YAML path: the defaults
overrides = {}  # NotebookParams fields on top of the config, e.g. {"recipe": {"heldout_tasks_per_site": 4}}

# %%
P = nb.resolve("baseline_eval", config, overrides, globals(), _names_before)  # fails here, naming a bad parameter
info = nb.header("Baseline evaluation", P, config)  # parameters, seeds, git revision

# %%
from halo_lib.recipe import run_recipe
from halo_lib.report import plots, tables

cfg, run_dir = nb.run_folder(P)  # P.run_dir, or a new folder under recipe.out_dir

# %%
# nb.call: the recipe uses asyncio.run, so it runs in a worker thread beside the kernel's event loop
result = nb.call(run_recipe, cfg, run_dir, until="base", say=nb.say)

# %% [markdown]
# ## Success per site

# %%
phases = tables.load_phases(run_dir, ["base"])
table = tables.phase_success(phases, P.confidence)
display(tables.format_rates(table, P.confidence))
plots.show(plots.success_bars(table, "site", hue="phase", title=f"base {cfg.policy.model}: held-out success per site"))

# %% [markdown]
# ## Steps and errors

# %%
display(tables.steps_errors_table(phases["base"], "site"))

# %% [markdown]
# ## One episode, step by step
#
# The caption is the action the agent chose on that screen (a red circle marks the click point of a coordinate action).

# %%
from halo_lib.agent.trajectory import load_episodes, load_trajectories

steps = load_trajectories(run_dir / "base" / "trajectories")
episode_id = plots.pick_episode(steps, load_episodes(run_dir / "base" / "trajectories"))
plots.show(plots.filmstrip(steps, episode_id, max_steps=P.filmstrip_steps))
