"""Helpers the notebooks call: parameters from the notebook's namespace, the header every report starts with,
running the recipe beside the kernel's event loop. (Kept light: importing this pulls no torch.)"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as _dt
import html
import json
import os
import platform
from pathlib import Path
from typing import Any

from halo_lib.errors import HaloError
from halo_lib.provenance import git_revision
from halo_lib.report.params import NotebookParams, as_dict, config_path, load_params, notebook_key
# IPython and halo_lib.recipe (numpy, scipy) are imported lazily, in the functions that use them: importing this module
# stays light.

NOTEBOOK_GLOBALS = ("config", "overrides")
"""The two names every parameters cell defines: the config (name or path) and a dict of overrides."""


def resolve(notebook: str, config: str, overrides: dict | None, namespace: dict, names_before: set[str]):
    """The notebook's parameters: ``config`` (``cpu``, ``h100``, ``quick`` or a YAML path), then ``overrides``, then
    any field papermill injected as a top-level parameter (``-p run_dir results/recipe/x``). A name that is no field
    fails here, before any work, naming it."""
    key = notebook_key(notebook)
    known = list(NotebookParams.__dataclass_fields__)
    defined = {n for n in namespace if n not in names_before and not n.startswith("_")} - set(NOTEBOOK_GLOBALS)
    unknown = sorted(defined - set(known))
    if unknown:
        raise HaloError(f"unknown parameter(s) {unknown} for notebook {key}; parameters: config, overrides, "
                        + ", ".join(known))
    if overrides is not None and not isinstance(overrides, dict):
        raise HaloError(f"overrides must be a mapping of NotebookParams fields, got {overrides!r}")
    values = {**(overrides or {}), **{n: namespace[n] for n in defined}}
    return load_params(config, values)


def provenance(params, config: str) -> dict[str, Any]:
    """What a report records about itself: parameters, seeds, config file, git revision, time, machine."""
    try:
        config_file = str(config_path(config))
    except HaloError:
        config_file = str(config)
    values = as_dict(params)
    seeds = {"recipe.seed": params.recipe_config().seed}
    return {"params_class": type(params).__name__, "params": values, "seeds": seeds, "config": config_file,
            "git_revision": git_revision(), "created": _dt.datetime.now().isoformat(timespec="seconds"),
            "python": platform.python_version(), "host_cpus": os.cpu_count()}


def header(title: str, params, config: str) -> dict:
    """Display the report's header (title, benchmark mark, parameters, seeds, git revision) and return it."""
    from IPython.display import HTML, display

    info = provenance(params, config)
    rows = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th><td style='text-align:left'>"
                   f"<code>{html.escape(json.dumps(v, default=str))}</code></td></tr>"
                   for k, v in info["params"].items())
    display(HTML(
        f"<h2>{html.escape(title)}</h2>"
        f"<p>config <code>{html.escape(info['config'])}</code> &middot; git <code>{html.escape(info['git_revision'])}"
        f"</code> &middot; seeds <code>{html.escape(json.dumps(info['seeds']))}</code> &middot; {info['created']}</p>"
        f"<details open><summary>parameters ({info['params_class']})</summary><table>{rows}</table></details>"))
    return info


def run_folder(params):
    """The recipe's settings and the run's folder (``params.run_dir``, or a new one under ``recipe.out_dir``), said in
    one line: the cell every notebook opens its work with."""
    from halo_lib.recipe import new_run_dir

    cfg = params.recipe_config()
    run_dir = Path(params.run_dir) if params.run_dir else new_run_dir(cfg)
    print(f"run folder {run_dir}: model {cfg.policy.model}, families {', '.join(cfg.families)}")
    return cfg, run_dir


def say(line: str) -> None:
    """How the recipe's progress lines reach a notebook's output (and papermill's streamed log)."""
    print(line, flush=True)


def call(fn, *args, **kwargs):
    """``fn(*args, **kwargs)``, in a worker thread when this thread runs an event loop (a Jupyter kernel does):
    ``run_eval`` and ``train`` call ``asyncio.run``, which refuses to nest in a running loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="halo-nb") as pool:
        return pool.submit(fn, *args, **kwargs).result()
