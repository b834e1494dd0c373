"""Tables (pandas) of evaluation runs: success with 95% CIs per site / per task, steps and errors, comparisons."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from halo_lib.errors import HaloError
from halo_lib.stats import paired_bootstrap_diff, wilson_interval

BENCHMARK_MARK = "TRAINED_ON_BENCHMARK"
"""A file in a run folder that says the run trained on REAL benchmark tasks (written by ``halo train``)."""


def load_run(run_dir: str | Path) -> pd.DataFrame:
    """The episodes table (``episodes.csv``) of an evaluation run; a clear error when it is missing."""
    path = Path(run_dir) / "episodes.csv"
    if not path.is_file():
        raise HaloError(f"no evaluation results at {path}: run notebooks/01_baseline_eval.ipynb (or `halo eval`) "
                        "for that run first")
    frame = pd.read_csv(path)
    frame["success"] = frame["success"].astype(str).str.lower().isin(["true", "1"])
    return frame


def load_run_config(run_dir: str | Path) -> dict:
    path = Path(run_dir) / "config.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def load_metrics(training_dir: str | Path) -> pd.DataFrame:
    """``metrics.jsonl`` of a GRPO run, one row per iteration (cut lines from a crash are skipped)."""
    path = Path(training_dir) / "metrics.jsonl"
    if not path.is_file():
        raise HaloError(f"no training metrics at {path}: run notebooks/02_online_grpo.ipynb (or `halo train`) first")
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return pd.DataFrame(rows)


def trained_on_benchmark(*folders: str | Path) -> bool:
    """Whether any of these run folders is marked as trained on the benchmark."""
    for folder in folders:
        folder = Path(folder)
        if (folder / BENCHMARK_MARK).exists():
            return True
        config = load_run_config(folder)
        if config.get("trained_on_benchmark") or (config.get("params") or {}).get("trained_on_benchmark"):
            return True
    return False


def success_table(episodes: pd.DataFrame, by: str | list[str] | None = "site", confidence: float = 0.95
                  ) -> pd.DataFrame:
    """Per group: episodes n, successes, success rate and its Wilson interval (``by=None``: one overall row)."""
    keys = [by] if isinstance(by, str) else list(by or [])
    groups = episodes.groupby(keys, sort=True) if keys else [((("all",)), episodes)]
    rows = []
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        n, k = len(part), int(part["success"].sum())
        low, high = wilson_interval(k, n, confidence)
        rows.append({**dict(zip(keys or ["group"], key)), "n": n, "successes": k,
                     "success_rate": k / n if n else float("nan"), "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows, columns=[*(keys or ["group"]), "n", "successes", "success_rate", "ci_low", "ci_high"])


def steps_errors_table(episodes: pd.DataFrame, by: str = "site") -> pd.DataFrame:
    """Per group: mean steps, mean environment steps (a searched episode's replays and rollouts included; tables
    written before the column existed have none), mean action errors, the episodes' end statuses and mean seconds."""
    spent = {"mean_env_steps": ("env_steps", "mean")} if "env_steps" in episodes else {}
    table = episodes.groupby(by).agg(episodes=("success", "size"), mean_steps=("steps", "mean"), **spent,
                                     mean_action_errors=("action_errors", "mean"), mean_seconds=("seconds", "mean"))
    statuses = episodes.pivot_table(index=by, columns="status", values="episode", aggfunc="count", fill_value=0)
    statuses.columns = [f"status_{c}" for c in statuses.columns]
    return table.join(statuses).reset_index()


def compare_success(runs: dict[str, pd.DataFrame], by: str | None = "site", confidence: float = 0.95
                    ) -> pd.DataFrame:
    """Long table: one row per (run, group) with success and its Wilson interval; ``by=None`` overall."""
    parts = []
    for label, frame in runs.items():
        table = success_table(frame, by, confidence)
        table.insert(0, "run", label)
        parts.append(table)
    return pd.concat(parts, ignore_index=True)


def per_task_rates(episodes: pd.DataFrame) -> pd.Series:
    return episodes.groupby("task_id")["success"].mean()


def paired_differences(runs: dict[str, pd.DataFrame], baseline: str, n_boot: int = 2000, confidence: float = 0.95,
                       seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-task success of every run and its difference to ``baseline`` on the tasks both ran, plus a summary
    (mean paired difference over tasks with a bootstrap interval) per run.

    Returns ``(per_task, summary)``: ``per_task`` has one row per task with ``<run>`` rates and ``<run> - <baseline>``
    columns; ``summary`` one row per non-baseline run."""
    if baseline not in runs:
        raise HaloError(f"baseline {baseline!r} is not among the runs {list(runs)}")
    rates = pd.DataFrame({label: per_task_rates(frame) for label, frame in runs.items()})
    rates.index.name = "task_id"
    summary = []
    for label in runs:
        if label == baseline:
            continue
        both = rates[[baseline, label]].dropna()
        rates[f"{label} - {baseline}"] = rates[label] - rates[baseline]
        mean, low, high = paired_bootstrap_diff(both[baseline], both[label], n_boot, confidence, seed)
        summary.append({"run": label, "baseline": baseline, "paired_tasks": len(both), "mean_diff": mean,
                        "ci_low": low, "ci_high": high,
                        "wins": int((both[label] > both[baseline]).sum()),
                        "losses": int((both[label] < both[baseline]).sum())})
    columns = ["run", "baseline", "paired_tasks", "mean_diff", "ci_low", "ci_high", "wins", "losses"]
    return rates.reset_index(), pd.DataFrame(summary, columns=columns)


def load_phases(run_dir: str | Path, phases=None) -> dict[str, pd.DataFrame]:
    """The held-out evaluations a recipe run recorded so far, by phase (those it has not played are left out); by
    default the recipe's phases in order and its search phase (``halo_lib.recipe``: each has
    ``<run>/<phase>/episodes.csv``; the search phase plays a subset of the held-out tasks)."""
    if phases is None:
        from halo_lib.recipe import PHASES, SEARCH_PHASE

        phases = (*PHASES, SEARCH_PHASE)
    return {p: load_run(Path(run_dir) / p) for p in phases if (Path(run_dir) / p / "episodes.csv").is_file()}


def phase_success(phases: dict[str, pd.DataFrame], confidence: float = 0.95) -> pd.DataFrame:
    """Success of every phase per site and over all sites (Wilson intervals), one row per (phase, site)."""
    per_site = compare_success(phases, "site", confidence)
    overall = compare_success(phases, None, confidence).rename(columns={"group": "site"})
    table = pd.concat([per_site, overall], ignore_index=True)
    table["run"] = pd.Categorical(table["run"], categories=list(phases), ordered=True)
    return table.sort_values(["run", "site"], ignore_index=True).rename(columns={"run": "phase"})


def headline_table(phases: dict[str, pd.DataFrame], confidence: float = 0.95) -> pd.DataFrame:
    """Phases as rows, sites (and ``all``) as columns, each cell ``successes/n = rate [low, high]``."""
    table = phase_success(phases, confidence)
    cells = [f"{k}/{n} = {r:.0%} [{lo:.0%}, {hi:.0%}]" for k, n, r, lo, hi in
             zip(table["successes"], table["n"], table["success_rate"], table["ci_low"], table["ci_high"])]
    wide = table.assign(cell=cells).pivot(index="phase", columns="site", values="cell")
    wide = wide[[c for c in wide.columns if c != "all"] + ["all"]]
    wide.columns.name = None
    return wide.reindex([p for p in phases]).rename_axis(f"success ({confidence:.0%} CI)")


def contrast_task(phases: dict[str, pd.DataFrame], better: str = "grpo", than: str = "bc") -> str | None:
    """A held-out task ``better`` solved and ``than`` did not (the first by id), or None."""
    a = phases[better].groupby("task_id")["success"].any()
    b = phases[than].groupby("task_id")["success"].any().reindex(a.index, fill_value=False)
    won = a[a & ~b]
    return str(won.index[0]) if len(won) else None


def format_rates(table: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Percentages with their interval as text, for display (``42% [20%, 67%]``)."""
    out = table.copy()
    if {"success_rate", "ci_low", "ci_high"} <= set(out.columns):
        out[f"success ({confidence:.0%} CI)"] = [f"{r:.0%} [{lo:.0%}, {hi:.0%}]" for r, lo, hi in
                                   zip(out["success_rate"], out["ci_low"], out["ci_high"])]
        out = out.drop(columns=["success_rate", "ci_low", "ci_high"])
    return out
