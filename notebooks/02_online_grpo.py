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
# # Behaviour cloning and online GRPO
#
# The recipe's learning phases (`halo_lib.recipe.run_recipe`): behaviour cloning on oracle demonstrations of training
# tasks, then online GRPO from BC's adapter (rollouts sampled by vLLM, the adapter hot-reloaded after every update),
# each evaluated on the same held-out tasks as the base model. A run that stopped goes on from its newest checkpoint
# when this notebook runs again on its folder. Parameters: `halo_lib.report.params.NotebookParams`.

# %%
from IPython.display import display

from halo_lib.report import notebook as nb

_names_before = set(globals())  # what the parameters cell and papermill add is checked against the dataclass

# %% tags=["parameters"]
config = "cpu"  # papermill_configs/<config>.yaml (cpu, quick, h100) or a YAML path: the defaults
overrides = {}  # NotebookParams fields on top of the config, e.g. {"recipe": {"grpo": {"iterations": 4}}}

# %%
P = nb.resolve("online_grpo", config, overrides, globals(), _names_before)  # fails here, naming a bad parameter
info = nb.header("Behaviour cloning and online GRPO", P, config)  # parameters, seeds, git revision

# %%
from halo_lib.recipe import run_recipe
from halo_lib.report import plots, tables

cfg, run_dir = nb.run_folder(P)  # P.run_dir, or a new folder under recipe.out_dir

# %%
result = nb.call(run_recipe, cfg, run_dir, until="grpo", say=nb.say)

# %% [markdown]
# ## Behaviour cloning

# %%
import json

import pandas as pd

bc_file = run_dir / "bc_metrics.json"
if bc_file.is_file():
    bc = json.loads(bc_file.read_text())
    print(f"{bc['demonstrations']} demonstrations from {bc['solved_tasks']}/{bc['tasks']} solved training tasks")
    display(pd.DataFrame(bc["epochs"]).round(3))
else:
    print("BC's adapter came from another run (recipe.reuse): its training is recorded there")

# %% [markdown]
# ## Online GRPO: learning curves

# %%
metrics = tables.load_metrics(run_dir / "grpo_training")
plots.show(plots.learning_curves(metrics, title=f"online GRPO from BC ({cfg.policy.model})"))
columns = ["iteration", "tasks", "reward_mean", "success_rate", "kl", "invalid_action_rate", "zero_spread_groups",
           "groups", "train_samples", "loss", "iteration_s"]
display(metrics[[c for c in columns if c in metrics]].round(4))

# %% [markdown]
# ## Every phase on the held-out tasks

# %%
phases = tables.load_phases(run_dir)
table = tables.phase_success(phases, P.confidence)
display(tables.headline_table(phases, P.confidence))
plots.show(plots.success_bars(table, "site", hue="phase", title="held-out success per site and phase"))
