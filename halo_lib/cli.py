"""The ``halo`` command: one entry point shared by launch.sh, the notebooks and users."""

from __future__ import annotations

import logging
import sys
from typing import List, Optional

import typer

from halo_lib.errors import HaloError

app = typer.Typer(help="HALO-Agent: browser agents for the REAL benchmark.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)
sites_app = typer.Typer(help="The local REAL-compatible sites.", no_args_is_help=True)
tasks_app = typer.Typer(help="REAL benchmark tasks (from the installed agisdk).", no_args_is_help=True)
app.add_typer(sites_app, name="sites")
bench_app = typer.Typer(help="Benchmarks that print ratios measured side by side in one run.", no_args_is_help=True)
app.add_typer(tasks_app, name="tasks")
app.add_typer(bench_app, name="bench")


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
):
    """Prove the sites: every v2 task's oracle must pass its official script and its wrong solutions fail."""
    from halo_lib.sites import SITE_NAMES
    from halo_lib.sites.check import check_tasks, summary_line
    from halo_lib.sites.server import SitesInThread
    from halo_lib.tasks import get_task, list_tasks

    try:
        names = list(site or SITE_NAMES)
        tasks = [get_task(t) for t in task] if task else [t for n in names for t in list_tasks(site=n)]
        with SitesInThread(sorted({t.site for t in tasks})):
            rows = check_tasks(tasks, concurrency=concurrency, on_row=lambda r: typer.echo(r.line()))
    except HaloError as err:
        _fail(err)
    typer.echo(summary_line(rows))
    if not all(r.passed for r in rows):
        raise typer.Exit(code=1)


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


@bench_app.command("env")
def bench_env(
    steps: int = typer.Option(24, help="Scripted steps per driver (playwright, halo, each pool context)."),
    agisdk_steps: int = typer.Option(6, help="Steps through agisdk's BrowserEnv (about 1.6 s each as shipped)."),
    contexts: int = typer.Option(4, help="Parallel contexts of the pool run."),
):
    """Steps/s of a bare Playwright loop, the HALO env, agisdk's BrowserEnv and the HALO pool, on one local site."""
    from halo_lib.bench.env_bench import BENCH_TASK, run_env_bench, summary_line
    from halo_lib.sites.server import SitesInThread
    from halo_lib.tasks import get_task

    try:
        with SitesInThread([get_task(BENCH_TASK).site]):
            measures = run_env_bench(steps, agisdk_steps, contexts)
    except HaloError as err:
        _fail(err)
    for m in measures:
        typer.echo(f"{m.name:<18} {m.steps:>4} steps in {m.seconds:6.2f} s = {m.steps_per_s:6.2f} steps/s")
    typer.echo(summary_line(measures))


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


def main() -> None:  # pragma: no cover
    logging.basicConfig(level=logging.WARNING)
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
