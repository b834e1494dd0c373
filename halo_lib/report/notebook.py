"""Helpers the notebooks call: parameters from the notebook's namespace, the header every report starts with,
the local sites for a task set. (Kept light: importing this pulls no torch.)"""

from __future__ import annotations

import contextlib
import datetime as _dt
import html
import json
import os
import platform
from pathlib import Path
from typing import Any

from halo_lib.errors import HaloError
from halo_lib.provenance import git_revision
from halo_lib.report.params import NOTEBOOKS, REPO_ROOT, as_dict, config_path, load_params, notebook_key

NOTEBOOK_GLOBALS = ("config", "overrides")
"""The two names every parameters cell defines: the config (name or path) and a dict of overrides."""


def resolve(notebook: str, config: str, overrides: dict | None, namespace: dict, names_before: set[str]):
    """The notebook's parameters: ``config`` (``cpu``, ``h100`` or a YAML path), then ``overrides``, then any
    dataclass field papermill injected as a top-level parameter (``-p episodes 3``). A name that is no field
    fails here, before any work, naming it."""
    key = notebook_key(notebook)
    _, cls = NOTEBOOKS[key]
    known = [f for f in cls.__dataclass_fields__]
    defined = {n for n in namespace if n not in names_before and not n.startswith("_")} - set(NOTEBOOK_GLOBALS)
    unknown = sorted(defined - set(known))
    if unknown:
        raise HaloError(f"unknown parameter(s) {unknown} for notebook {key}; parameters: config, overrides, "
                        + ", ".join(known))
    if overrides is not None and not isinstance(overrides, dict):
        raise HaloError(f"overrides must be a mapping of {cls.__name__} fields, got {overrides!r}")
    values = {**(overrides or {}), **{n: namespace[n] for n in defined}}
    return load_params(config, key, values)


def provenance(params, config: str) -> dict[str, Any]:
    """What a report records about itself: parameters, seeds, config file, git revision, time, machine."""
    try:
        config_file = str(config_path(config))
    except HaloError:
        config_file = str(config)
    values = as_dict(params)
    seeds = {k: v for k, v in values.items() if "seed" in k}
    seeds.update({f"grpo.{k}": v for k, v in (values.get("grpo") or {}).items() if "seed" in k})
    return {"params_class": type(params).__name__, "params": values, "seeds": seeds, "config": config_file,
            "git_revision": git_revision(), "created": _dt.datetime.now().isoformat(timespec="seconds"),
            "python": platform.python_version(), "host_cpus": os.cpu_count()}


BENCHMARK_BANNER = ("TRAINED ON THE BENCHMARK: this run trained on REAL v2 benchmark tasks; its benchmark scores "
                    "are not held-out results.")


def header(title: str, params, config: str) -> dict:
    """Display the report's header (title, benchmark mark, parameters, seeds, git revision) and return it."""
    from IPython.display import HTML, display

    info = provenance(params, config)
    banner = ""
    if getattr(params, "trained_on_benchmark", False):
        banner = (f'<p class="halo-benchmark" style="background:#b00020;color:white;padding:8px;font-weight:bold">'
                  f"{html.escape(BENCHMARK_BANNER)}</p>")
    rows = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th><td style='text-align:left'>"
                   f"<code>{html.escape(json.dumps(v, default=str))}</code></td></tr>"
                   for k, v in info["params"].items())
    display(HTML(
        f"<h2>{html.escape(title)}</h2>{banner}"
        f"<p>config <code>{html.escape(info['config'])}</code> &middot; git <code>{html.escape(info['git_revision'])}"
        f"</code> &middot; seeds <code>{html.escape(json.dumps(info['seeds']))}</code> &middot; {info['created']}</p>"
        f"<details open><summary>parameters ({info['params_class']})</summary><table>{rows}</table></details>"))
    return info


def local_sites(tasks, sites: str = "local"):
    """A context that serves the tasks' local sites (reusing ones already running); nothing for hosted sites."""
    if sites != "local":
        return contextlib.nullcontext()
    from halo_lib.sites import SITE_NAMES
    from halo_lib.sites.server import SitesInThread

    names = sorted({t.site for t in tasks})
    missing = [n for n in names if n not in SITE_NAMES]
    if missing:
        raise HaloError(f"no local clone of {missing}: local sites are {', '.join(SITE_NAMES)} (or use sites: remote)")
    return SitesInThread(names)


def benchmark_tasks(tasks) -> list[str]:
    """Ids of the REAL benchmark tasks among ``tasks`` (everything that is not a generated task)."""
    return [t.id for t in tasks if t.version != "gen"]


def check_training_tasks(tasks, allow_benchmark_training: bool) -> list[str]:
    """Refuse REAL benchmark tasks in training unless explicitly allowed; returns the benchmark ids."""
    bench = benchmark_tasks(tasks)
    if bench and not allow_benchmark_training:
        raise HaloError(f"{', '.join(bench[:3])} are REAL benchmark tasks, held out for evaluation: train on "
                        "gen:<site>:train:<n>, or pass --allow-benchmark-training (every report is then marked)")
    return bench


def adapter_eval_mode(model: str) -> str:
    """The eval mode that runs a trained adapter of ``model``."""
    return "text" if model == "smollm2" else "qwen3vl_grpo"


def call(fn, *args, **kwargs):
    """``fn(*args, **kwargs)``, in a worker thread when this thread runs an event loop (a Jupyter kernel does):
    ``run_eval`` and ``train`` call ``asyncio.run``, which refuses to nest in a running loop."""
    import asyncio
    import concurrent.futures

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="halo-nb") as pool:
        return pool.submit(fn, *args, **kwargs).result()
