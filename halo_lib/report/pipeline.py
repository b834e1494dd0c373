"""The notebook pipeline behind ``./launch.sh``, ``halo notebooks run`` and ``python -m halo_lib.report``:
baseline eval -> online GRPO -> compare, each executed headless with papermill and rendered to an HTML report.

Every parameter of every notebook is resolved and checked (types, ranges, task specs, modes, benchmark
training) before the first notebook starts. Runs of one pipeline share a tag: results go to
``results/<tag>-base``, ``results/grpo_training/<tag>``, ``results/<tag>-grpo``; reports to ``reports/<tag>/``.
"""

from __future__ import annotations

import datetime as _dt
import sys
import time
from pathlib import Path
from typing import Callable

from halo_lib.errors import HaloError
from halo_lib.provenance import git_revision
from halo_lib.report.notebook import BENCHMARK_BANNER, check_training_tasks
from halo_lib.report.params import NOTEBOOK_DIR, NOTEBOOKS, as_dict, config_path, load_params, notebook_key
from halo_lib.report.render import notebook_to_html, scrub_notebook, write_index, write_meta

TITLES = {"baseline_eval": "Baseline evaluation", "online_grpo": "Online GRPO", "compare": "Comparison of runs"}


def plan(config: str = "cpu", overrides: dict[str, dict] | None = None, *, task: str | None = None,
         episodes: int | None = None, allow_benchmark_training: bool = False, tag: str | None = None,
         wire: bool = True) -> tuple[str, dict[str, object]]:
    """Resolve and check the parameters of all three notebooks; returns ``(tag, {section: params})``.

    ``overrides``: ``{section: {field: value}}``. ``task`` sets the evaluation tasks and the training tasks (a REAL
    v2 id then needs ``allow_benchmark_training``, and every report is marked); ``episodes`` the episodes per
    evaluation task. ``wire`` names the runs after ``tag`` so the three notebooks feed each other."""
    overrides = {k: dict(v) for k, v in (overrides or {}).items()}
    unknown = sorted(set(overrides) - set(NOTEBOOKS))
    if unknown:
        raise HaloError(f"unknown notebook section(s) {unknown}; sections: {', '.join(NOTEBOOKS)}")
    tag = tag or f"{Path(str(config_path(config))).stem}-{_dt.datetime.now().strftime('%Y%m%d-%H%M%S')}"
    base, grpo, comp = (overrides.setdefault(k, {}) for k in NOTEBOOKS)
    if task:
        base.setdefault("tasks", task)
        grpo.setdefault("train_tasks", task)
        grpo.setdefault("eval_tasks", task)
    if episodes is not None:
        base.setdefault("episodes", episodes)
        grpo.setdefault("eval_episodes", episodes)
    if allow_benchmark_training:
        grpo["allow_benchmark_training"] = True
    params = {k: load_params(config, k, overrides[k]) for k in NOTEBOOKS}
    g = params["online_grpo"]
    if wire:
        results = Path(params["baseline_eval"].results_dir)
        params["baseline_eval"].run_name = f"{tag}-base"
        g.run_name, g.eval_run_name = tag, f"{tag}-grpo"
        runs = {"base": str(results / f"{tag}-base")}
        if g.eval_tasks:
            runs["grpo"] = str(Path(g.results_dir) / f"{tag}-grpo")
        params["compare"].runs, params["compare"].baseline = runs, "base"
        params["compare"].training_run = str(Path(g.results_dir) / "grpo_training" / tag)
    _check_work(params)
    if g.allow_benchmark_training and _benchmark_training(g):
        for p in params.values():
            p.trained_on_benchmark = True
    return tag, params


def _benchmark_training(g) -> list[str]:
    from halo_lib.tasks import resolve_tasks

    return check_training_tasks(resolve_tasks(g.train_tasks, seed=g.grpo_config().seed), g.allow_benchmark_training)


def _check_work(params: dict) -> None:
    """Cheap checks that would otherwise fail minutes in: task specs, the mode, benchmark training."""
    from halo_lib.policies.modes import resolve_mode
    from halo_lib.tasks import resolve_tasks

    b, g = params["baseline_eval"], params["online_grpo"]
    resolve_tasks(b.tasks, seed=b.seed)
    resolve_mode(b.mode, model=b.model or None, adapter=b.adapter or None, server=b.server or None)
    if g.eval_tasks:
        resolve_tasks(g.eval_tasks, seed=0)
    _benchmark_training(g)


def execute(notebook: str, params, config: str, out_ipynb: Path, cwd: Path | None = None,
            stream: bool = False, kernel_name: str = "python3") -> None:
    """Execute one notebook with papermill (parameters ``config`` + the resolved ``overrides``)."""
    import papermill as pm

    key = notebook_key(notebook)
    source = NOTEBOOK_DIR / NOTEBOOKS[key][0]
    if not source.is_file():
        raise HaloError(f"notebook {source} is missing (python notebooks/generate.py writes it)")
    out_ipynb.parent.mkdir(parents=True, exist_ok=True)
    pm.execute_notebook(str(source), str(out_ipynb), parameters={"config": str(config_path(config)),
                                                                  "overrides": as_dict(params)},
                        kernel_name=kernel_name, cwd=str(cwd or Path.cwd()), progress_bar=False,
                        stdout_file=sys.stdout if stream else None, request_save_on_cell_execute=True)


def run_notebooks(config: str = "cpu", out_dir: str | Path = "reports", overrides: dict[str, dict] | None = None, *,
                  task: str | None = None, episodes: int | None = None, allow_benchmark_training: bool = False,
                  tag: str | None = None, only: list[str] | None = None, cwd: str | Path | None = None,
                  stream: bool = False, log: Callable[[str], None] = print) -> list[Path]:
    """Run the notebooks headless (baseline eval -> online GRPO -> compare) and render each to HTML.

    Returns the HTML report paths (``<out_dir>/<tag>/<notebook>.html``) and rewrites ``<out_dir>/index.html``. A
    failing notebook is still rendered (status ``failed``) before the error is raised."""
    tag, params = plan(config, overrides, task=task, episodes=episodes,
                       allow_benchmark_training=allow_benchmark_training, tag=tag)
    keys = [notebook_key(n) for n in only] if only else list(NOTEBOOKS)
    out_dir = Path(out_dir)
    folder = out_dir / tag
    reports: list[Path] = []
    revision = git_revision()
    for i, key in enumerate(keys, 1):
        name = NOTEBOOKS[key][0].removesuffix(".ipynb")
        p = params[key]
        log(f"[{i}/{len(keys)}] {name} (config {config}, run {tag}) ...")
        t0 = time.perf_counter()
        out_ipynb = folder / f"{name}.ipynb"
        status, error = "ok", None
        try:
            execute(key, p, config, out_ipynb, cwd=Path(cwd) if cwd else None, stream=stream)
        except Exception as err:  # papermill's execution error, a dead kernel ...
            status, error = "failed", err
        seconds = time.perf_counter() - t0
        html = folder / f"{name}.html"
        if out_ipynb.exists():
            scrub_notebook(out_ipynb)
            notebook_to_html(out_ipynb, html, title=f"{TITLES[key]} ({tag})",
                             banner=BENCHMARK_BANNER if p.trained_on_benchmark else None)
            write_meta(html, title=f"{TITLES[key]}", notebook=NOTEBOOKS[key][0], run=tag, config=str(config),
                       status=status, seconds=round(seconds, 1), order=i, git_revision=revision,
                       trained_on_benchmark=p.trained_on_benchmark,
                       created=_dt.datetime.now().isoformat(timespec="seconds"))
            reports.append(html)
        index = write_index(out_dir)
        if error is not None:
            message = str(getattr(error, "evalue", "") or error).strip().splitlines()
            raise HaloError(f"notebook {name} failed after {seconds:.0f} s: "
                            f"{getattr(error, 'ename', type(error).__name__)}: {message[0] if message else ''}"
                            f" (report: {html if out_ipynb.exists() else 'none'})") from None
        log(f"[{i}/{len(keys)}] {name} done in {seconds:.0f} s -> {html}")
    log(f"reports: {index}")
    return reports


def report_one(notebook: str, config: str = "cpu", out_dir: str | Path = "reports",
               overrides: dict | None = None, tag: str | None = None, stream: bool = False) -> Path:
    """Run and render a single notebook with its config values as they are (no run wiring): ``halo report``."""
    key = notebook_key(notebook)
    params = load_params(config, key, overrides)
    tag = tag or f"{key}-{_dt.datetime.now().strftime('%Y%m%d-%H%M%S')}"
    name = NOTEBOOKS[key][0].removesuffix(".ipynb")
    out = Path(out_dir) / tag / f"{name}.ipynb"
    status = "ok"
    try:
        execute(key, params, config, out, stream=stream)
    except Exception:
        status = "failed"
        raise
    finally:
        if out.exists():
            scrub_notebook(out)
            html = notebook_to_html(out, out.with_suffix(".html"), title=f"{TITLES[key]} ({tag})",
                                    banner=BENCHMARK_BANNER if params.trained_on_benchmark else None)
            write_meta(html, title=TITLES[key], notebook=NOTEBOOKS[key][0], run=tag, config=str(config),
                       status=status, order=1, git_revision=git_revision(),
                       trained_on_benchmark=params.trained_on_benchmark,
                       created=_dt.datetime.now().isoformat(timespec="seconds"))
            write_index(out_dir)
    return out.with_suffix(".html")
