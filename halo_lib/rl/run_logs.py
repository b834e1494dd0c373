"""A training run's folder: its per-iteration logs, what a resume checks before loading anything, and the log lines
a resume drops (those after the checkpoint it starts from)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from halo_lib.atomic import write_text_atomic
from halo_lib.errors import HaloError
from halo_lib.rl.config import TrainConfig
from halo_lib.rl.rollout import Start

log = logging.getLogger(__name__)


def check_resumable(run_dir: Path, cfg: TrainConfig, starts: list[Start]) -> None:
    """A resume must bring the run's own model and tasks (a different one silently switched task sets, or failed
    with a torch traceback on another model's weights): one line names the difference."""
    path = run_dir / "config.json"
    if not path.is_file():
        raise HaloError(f"{run_dir} holds no run to resume (no config.json): start it without --resume")
    saved = json.loads(path.read_text())
    # (runs made before TrainConfig had a policy section recorded the model among GRPO's settings)
    trained = saved.get("policy", saved.get("grpo", {})).get("model")
    if trained != cfg.policy.model:
        raise HaloError(f"--resume {run_dir}: that run trained model {trained!r}, this one asks for "
                        f"{cfg.policy.model!r}: resume with the run's model")
    labels = [s.label for s in starts]
    n = min(len(labels), len(saved.get("tasks", labels)))  # more iterations may add starts, not change them
    if "tasks" in saved and saved["tasks"][:n] != labels[:n]:
        raise HaloError(f"--resume {run_dir}: that run trained on {len(saved['tasks'])} other tasks (first "
                        f"{saved['tasks'][:2]}), this one names {labels[:2]}...: resume with the run's tasks")


LOGS = ("metrics.jsonl", "rollouts.jsonl")
"""A run's per-iteration logs, one JSON object per line, each with its ``iteration``."""


def drop_logged_after(run_dir: Path, iteration: int) -> None:
    """Remove the log lines of iterations after ``iteration`` (the checkpoint a resumed run starts from), and a line
    torn by a kill mid-write: a run stopped between logging an iteration and checkpointing it logs that iteration
    again when it resumes."""

    def before_checkpoint(line: str) -> bool:
        try:
            return json.loads(line)["iteration"] <= iteration
        except ValueError:
            return False  # torn

    for name in LOGS:
        path = run_dir / name
        if path.is_file():
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
            kept = [line for line in lines if before_checkpoint(line)]
            if len(kept) < len(lines):
                write_text_atomic(path, "".join(kept))
                log.info("%s: dropped %d lines logged after the checkpoint at iteration %d", path,
                         len(lines) - len(kept), iteration)
