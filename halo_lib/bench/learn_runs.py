"""``halo bench learn-runs``: several finished ``halo bench learn`` runs of one configuration, read back and pooled.

One run's interval says whether that run's GRPO beat its BC; whether the recipe does so reliably takes several runs
(the vLLM rollouts are unseeded, so GRPO differs from run to run). This reads each run's ``result.json``, prints one
row per run and ends with one line:

    learn runs: grpo-bc <d> points over <k> runs (<n> paired episodes; 95% CI: [<lo>, <hi>]); <c> of <k> single-run intervals above 0

The pooled interval is a two-level bootstrap (runs resampled, then each chosen run's paired episodes), so it counts
the run-to-run spread as well as the evaluation's; the point estimate weighs every run alike.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from halo_lib.config import flat_fields
from halo_lib.recipe import NOT_COMPARED as RUN_PLACE_FIELDS
from halo_lib.recipe import REMOVED_FIELDS, TRAINING_DIR, config_from_saved, differing, run_setting, saved_settings
from halo_lib.errors import HaloError
# pandas is imported lazily, in runs_table: importing this module stays light.

NOT_COMPARED = RUN_PLACE_FIELDS | {"seed", "grpo.checkpoint_interval"}
"""Config fields runs may differ in and still be pooled: where things ran (the recipe's ``NOT_COMPARED``: the server,
how many evaluation episodes at once, where a run wrote), whether it took an earlier run's base and BC (such a run is
listed as a reuse), the seed (replicates of one recipe: its held-out and training tasks, LoRA
initialisation and BC batches differ), and how often GRPO saved a checkpoint (every iteration since the learn bench
resumes; a run resumed after that change records it)."""


@dataclass
class LearnRun:
    name: str
    config: dict
    bc: np.ndarray  # per held-out episode, success (0/1), in the run's task order
    grpo: np.ndarray
    base: np.ndarray
    ci: tuple[float, float]
    minutes: float
    real: dict
    training: dict  # the GRPO run's own config.json (its TrainConfig); {} where a run has none
    resumed: int = 0  # times it was resumed after it stopped (its minutes then count only the kept work)
    overran: tuple[int, int] | None = None  # held-out GRPO episodes that ran out of steps, of all (None: not recorded)
    training_overran: tuple[int, int] | None = None  # GRPO's training episodes that ran out of steps, of all

    @property
    def wins(self) -> int:
        return int(((self.grpo == 1) & (self.bc == 0)).sum())

    @property
    def losses(self) -> int:
        return int(((self.grpo == 0) & (self.bc == 1)).sum())


def load_run(path: Path) -> LearnRun:
    """A finished learn-bench run (its ``result.json`` and ``config.json``); a clear error for anything else."""
    path = Path(path)
    try:
        result = json.loads((path / "result.json").read_text())
        config = json.loads((path / "config.json").read_text())
    except FileNotFoundError as err:
        raise HaloError(f"{path}: no {Path(err.filename).name}: name the folders of finished `halo bench learn` runs "
                        "(results/learn_bench/<time>; a run writes result.json when it ends)") from None
    except ValueError as err:
        raise HaloError(f"{path}: unreadable JSON ({err})") from None
    phases = {k: np.asarray(result.get(k, []), dtype=float) for k in ("base", "bc", "grpo")}
    if not len(phases["grpo"]) or len(phases["bc"]) != len(phases["grpo"]) or "ci" not in result:
        raise HaloError(f"{path}/result.json holds no paired bc and grpo episodes with their interval (ci): is it a "
                        "learn-bench result?")
    training_config = path / TRAINING_DIR / "config.json"
    training = json.loads(training_config.read_text()) if training_config.is_file() else {}
    return LearnRun(path.name, config, phases["bc"], phases["grpo"], phases["base"], tuple(result["ci"]),
                    result.get("seconds", 0.0) / 60, result.get("real", {}), training, result.get("resumed", 0),
                    *out_of_steps(path))


def out_of_steps(path: Path) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """(held-out GRPO episodes that ended out of steps, of all), the same of GRPO's training episodes: what credit
    rules that let a policy dawdle show first (``grpo/episodes.csv``, ``grpo_training/rollouts.jsonl``; None where a
    run has not the file)."""
    import pandas as pd

    heldout = training = None
    if (path / "grpo" / "episodes.csv").is_file():
        statuses = pd.read_csv(path / "grpo" / "episodes.csv")["status"]
        heldout = (int((statuses == "max_steps").sum()), len(statuses))
    if (path / TRAINING_DIR / "rollouts.jsonl").is_file():
        lines = (path / TRAINING_DIR / "rollouts.jsonl").read_text().splitlines()
        statuses = [json.loads(line).get("status") for line in lines if line.strip()]
        training = (statuses.count("max_steps"), len(statuses))
    return heldout, training


def _settings(run: LearnRun, other: LearnRun) -> tuple[dict, dict]:
    """The two runs' settings, flat: the learn bench's, and, where both recorded their GRPO run's own config (runs
    made since it has a folder of its own), its settings under today's names (``TRAINING_SETTINGS``: what the GRPO run
    trained with, such as a vision policy's LoRA on every layer; older runs recorded it all as ``grpo.<field>``)."""
    mine, theirs = _recipe_settings(run), _recipe_settings(other)
    if run.training and other.training:
        mine.update(_training_settings(run))
        theirs.update(_training_settings(other))
    return mine, theirs


TRAINING_SETTINGS = ("seed", "policy_backend", "policy", "prompt", "grpo", "rewards")
"""What a GRPO run's config.json records that learn-runs compares: its TrainConfig but the episodes' environment
(the recipe's ``env``, each phase setting the screenshot its policy needs)."""


def _training_settings(run: LearnRun) -> dict:
    return saved_settings({k: v for k, v in run.training.items() if k in TRAINING_SETTINGS})


def _recipe_settings(run: LearnRun) -> dict:
    """A run's recipe settings, flat, every field named (as it had them in effect)."""
    return flat_fields(asdict(config_from_saved(run.config, run.name)))


def check_same_config(runs: list[LearnRun]) -> None:
    """Pooling runs of different settings would mix two recipes: raise HaloError naming the fields that differ.
    Every pair is compared: two runs' GRPO settings count only where both recorded them, so an older run first in
    the list must not hide a difference between two newer ones."""
    for first, run in itertools.combinations(runs, 2):
        there, here = _settings(first, run)
        differ = differing(there, here, NOT_COMPARED | REMOVED_FIELDS)
        if differ:
            raise HaloError(f"{run.name} ran with other settings than {first.name}: "
                            + ", ".join(f"{k}={run_setting(here, k)!r} (there {run_setting(there, k)!r})"
                                        for k in differ)
                            + "; pool runs of one configuration")


def pooled_difference(runs: list[LearnRun], n: int = 10_000, seed: int = 0) -> tuple[float, float, float]:
    """Mean over runs of mean(grpo - bc), and its 95% interval from a two-level percentile bootstrap: each replicate
    draws k runs with replacement and, independently for each draw, that run's episodes with replacement."""
    diffs = [r.grpo - r.bc for r in runs]
    k = len(diffs)
    rng = np.random.default_rng(seed)
    # column b*k + j: the j-th draw of replicate b, an episode resample of every run (the drawn run's is used)
    episode_means = np.stack([d[rng.integers(0, d.size, size=(n * k, d.size))].mean(axis=1) for d in diffs])
    chosen = rng.integers(0, k, size=(n, k))
    replicates = episode_means[chosen, np.arange(n * k).reshape(n, k)].mean(axis=1)
    estimate = float(np.mean([d.mean() for d in diffs]))
    return estimate, float(np.percentile(replicates, 2.5)), float(np.percentile(replicates, 97.5))


def runs_table(runs: list[LearnRun]) -> str:
    import pandas as pd

    pct = lambda xs: f"{100 * xs.mean():.0f}%"  # noqa: E731
    count = lambda overran: "-" if overran is None else overran[0]  # noqa: E731
    rows = [{"run": r.name + (" (reuse)" if r.config.get("reuse") else "") + (" (resumed)" if r.resumed else ""),
             "minutes": f"{r.minutes:.1f}",
             "episodes": len(r.grpo), "base": pct(r.base) if len(r.base) else "-", "bc": pct(r.bc),
             "grpo": pct(r.grpo), "wins": r.wins, "losses": r.losses,
             "95% CI grpo-bc": f"[{100 * r.ci[0]:.0f}, {100 * r.ci[1]:.0f}]",
             "out of steps held-out/training": f"{count(r.overran)}/{count(r.training_overran)}",
             "REAL bc/grpo": f"{sum(r.real.get('bc', []))}/{sum(r.real.get('grpo', []))} of "
                             f"{len(r.real.get('tasks', []))}"} for r in runs]
    return pd.DataFrame(rows).to_string(index=False)


def summary_line(runs: list[LearnRun], estimate: float, lo: float, hi: float) -> str:
    above = sum(r.ci[0] > 0 for r in runs)
    return (f"learn runs: grpo-bc {100 * estimate:+.0f} points over {len(runs)} runs "
            f"({sum(len(r.grpo) for r in runs)} paired episodes; 95% CI: [{100 * lo:.0f}, {100 * hi:.0f}]); "
            f"{above} of {len(runs)} single-run intervals above 0")


def run_learn_runs(paths: list[Path], say=print) -> str:
    """Read, check and summarise the runs in ``paths``; says the table and returns the summary line."""
    if not paths:
        raise HaloError("name at least one learn-bench run folder (results/learn_bench/<time>)")
    runs = [load_run(p) for p in paths]
    check_same_config(runs)
    say(runs_table(runs))
    unrecorded = [r.name for r in runs if not r.training]
    if unrecorded and len(unrecorded) < len(runs):
        say(f"note: {', '.join(unrecorded)} recorded no GRPO settings of their own (made before {TRAINING_DIR}/): only "
            "their learn-bench settings were compared")
    return summary_line(runs, *pooled_difference(runs))
