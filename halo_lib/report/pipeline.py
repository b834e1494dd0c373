"""The notebook pipeline behind ``./launch.sh``, ``halo notebooks run`` and ``python -m halo_lib.report``: the
recipe's three notebooks (baseline eval -> BC + online GRPO -> compare), each executed headless with papermill on one
run folder and rendered to an HTML report, then the ``main job:`` line.

Every parameter is resolved and checked (types, ranges, task families) before the first notebook starts. A run's
results go to ``results/recipe/<tag>/`` (``recipe.out_dir``), its reports to ``reports/<tag>/``.
"""

from __future__ import annotations

import datetime as _dt
import sys
import time
from pathlib import Path
from typing import Callable

from halo_lib.errors import HaloError
from halo_lib.provenance import git_revision
from halo_lib.report.params import NOTEBOOK_DIR, NOTEBOOKS, as_dict, config_path, load_params, notebook_key
from halo_lib.report.render import notebook_to_html, scrub_notebook, write_headline, write_index, write_meta
# papermill, jupytext and halo_lib.recipe (numpy, scipy) are imported lazily, in the functions that use them: importing
# this module stays light.

TITLES = {"baseline_eval": "Baseline evaluation", "online_grpo": "Behaviour cloning and online GRPO",
          "compare": "Comparison of phases"}


def plan(config: str = "cpu", overrides: dict | None = None, *, tag: str | None = None):
    """Resolve and check the parameters; returns ``(tag, params)`` with ``params.run_dir`` set (``<recipe.out_dir>/
    <tag>`` unless the overrides name a folder)."""
    from halo_lib.recipe import check_families, new_run_dir

    tag = tag or f"{Path(str(config_path(config))).stem}-{_dt.datetime.now().strftime('%Y%m%d-%H%M%S')}"
    params = load_params(config, overrides)
    cfg = params.recipe_config()
    check_families(cfg)  # cheap: it would otherwise fail minutes in
    if not params.run_dir:
        params.run_dir = str(new_run_dir(cfg, tag))
    return tag, params


def main_job_line(run_dir: str | Path, index: Path) -> str:
    """``main job: success base <a>%, bc <b>%, grpo <c>% on <n> held-out episodes (95% CI of grpo-bc: [<lo>, <hi>]);
    <index.html>``."""
    from halo_lib.recipe import RecipeResult, summary_line

    return f"{summary_line(RecipeResult.load(run_dir), 'main job')}; {index.resolve()}"


def execute(notebook: str, params, config: str, out_ipynb: Path, cwd: Path | None = None,
            stream: bool = False, kernel_name: str = "python3") -> None:
    """Execute one notebook with papermill (parameters ``config`` + the resolved ``overrides``). What runs is the
    notebook's jupytext source (``notebooks/<name>.py``), so an edit there takes effect whether or not its paired
    ``.ipynb`` was synced."""
    import jupytext
    import papermill as pm

    key = notebook_key(notebook)
    source = NOTEBOOK_DIR / NOTEBOOKS[key].replace(".ipynb", ".py")
    if not source.is_file():
        raise HaloError(f"notebook source {source} is missing (a jupytext percent script; restore it from git)")
    out_ipynb.parent.mkdir(parents=True, exist_ok=True)
    pm.execute_notebook(jupytext.read(source), str(out_ipynb), parameters={"config": str(config_path(config)),
                                                                  "overrides": as_dict(params)},
                        kernel_name=kernel_name, cwd=str(cwd or Path.cwd()), progress_bar=False,
                        stdout_file=sys.stdout if stream else None, request_save_on_cell_execute=True)


def run_notebooks(config: str = "cpu", out_dir: str | Path = "reports", overrides: dict | None = None, *,
                  tag: str | None = None, only: list[str] | None = None, cwd: str | Path | None = None,
                  stream: bool = False, log: Callable[[str], None] = print) -> list[Path]:
    """Run the notebooks headless (baseline eval -> BC + online GRPO -> compare) on one run folder and render each to
    HTML; after the comparison, log the ``main job:`` line.

    Returns the HTML report paths (``<out_dir>/<tag>/<notebook>.html``) and rewrites ``<out_dir>/index.html``, which
    opens with the newest run's headline. A failing notebook is still rendered (status ``failed``) before the error is
    raised; running the pipeline again with the same ``recipe.out_dir`` and ``tag`` goes on with the run."""
    tag, params = plan(config, overrides, tag=tag)
    keys = [notebook_key(n) for n in only] if only else list(NOTEBOOKS)
    out_dir = Path(out_dir)
    folder = out_dir / tag
    reports: list[Path] = []
    revision = git_revision()
    started = time.perf_counter()
    log(f"run folder {params.run_dir}")
    for i, key in enumerate(keys, 1):
        name = NOTEBOOKS[key].removesuffix(".ipynb")
        log(f"[{i}/{len(keys)}] {name} (config {config}, run {tag}) ...")
        t0 = time.perf_counter()
        out_ipynb = folder / f"{name}.ipynb"
        status, error = "ok", None
        try:
            execute(key, params, config, out_ipynb, cwd=Path(cwd) if cwd else None, stream=stream)
        except Exception as err:  # papermill's execution error, a dead kernel ...
            status, error = "failed", err
        seconds = time.perf_counter() - t0
        html = folder / f"{name}.html"
        if out_ipynb.exists():
            scrub_notebook(out_ipynb)
            notebook_to_html(out_ipynb, html, title=f"{TITLES[key]} ({tag})")
            write_meta(html, title=f"{TITLES[key]}", notebook=NOTEBOOKS[key], run=tag, config=str(config),
                       status=status, seconds=round(seconds, 1), order=i, git_revision=revision,
                       run_dir=params.run_dir, created=_dt.datetime.now().isoformat(timespec="seconds"))
            reports.append(html)
        if key == "compare" and error is None:
            write_headline(folder, Path(cwd or ".") / params.run_dir, params.confidence, run=tag, config=str(config),
                           git_revision=revision)
        index = write_index(out_dir)
        if error is not None:
            message = str(getattr(error, "evalue", "") or error).strip().splitlines()
            raise HaloError(f"notebook {name} failed after {seconds:.0f} s: "
                            f"{getattr(error, 'ename', type(error).__name__)}: {message[0] if message else ''}"
                            f" (report: {html if out_ipynb.exists() else 'none'}; what finished is kept in "
                            f"{params.run_dir}: run again with --tag {tag} to go on)") from None
        log(f"[{i}/{len(keys)}] {name} done in {seconds:.0f} s -> {html}")
    minutes = (time.perf_counter() - started) / 60
    log(f"notebooks done in {minutes:.1f} min; reports: {index}")
    if "compare" in keys:
        log(main_job_line(Path(cwd or ".") / params.run_dir, index))
    return reports


def report_one(notebook: str, config: str = "cpu", out_dir: str | Path = "reports",
               overrides: dict | None = None, tag: str | None = None, stream: bool = False) -> Path:
    """Run and render a single notebook (on ``run_dir`` from the overrides, or a new run folder): ``halo report``."""
    key = notebook_key(notebook)
    tag, params = plan(config, overrides, tag=tag or f"{key}-{_dt.datetime.now().strftime('%Y%m%d-%H%M%S')}")
    name = NOTEBOOKS[key].removesuffix(".ipynb")
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
            html = notebook_to_html(out, out.with_suffix(".html"), title=f"{TITLES[key]} ({tag})")
            write_meta(html, title=TITLES[key], notebook=NOTEBOOKS[key], run=tag, config=str(config),
                       status=status, order=1, git_revision=git_revision(), run_dir=params.run_dir,
                       created=_dt.datetime.now().isoformat(timespec="seconds"))
            write_index(out_dir)
    return out.with_suffix(".html")
