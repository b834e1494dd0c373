"""Trajectories on disk: one JSONL file per episode, one line per step, then one summary line.

Layout under a run's ``trajectories/`` folder::

    <episode_id>.jsonl            {"kind": "step", ...} per step, then {"kind": "summary", ...}
    <episode_id>/step_000.png     the screenshot the agent saw before choosing step 0's action

A step line is (observation, action, outcome): the observation summary and screenshot are of the page the action
was chosen on. Each line is written with one ``write`` and flushed, and its screenshot is written before it, so a
crash leaves only whole lines whose screenshots exist. :func:`load_trajectories` and :func:`load_episodes` read a
folder straight into pandas (nested dicts become ``obs.url``, ``reward.env``, ``timing.policy_s`` ... columns).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from pathlib import Path
from typing import Literal

import pandas as pd

from halo_lib.actions import Action
from halo_lib.agent.axtree import state_signature

log = logging.getLogger(__name__)
Source = Literal["policy", "recovery", "cache", "macro"]
"""Which part of the agent chose an action."""
_PNG_MAGIC = b"\x89PNG"


def new_episode_id(task_id: str) -> str:
    return f"{task_id}-{uuid.uuid4().hex[:8]}"


class EpisodeLog:
    """The open JSONL file of one episode. Use :meth:`TrajectoryWriter.episode` to make one."""

    def __init__(self, directory: Path, task_id: str, episode_id: str):
        self.task_id = task_id
        self.episode_id = episode_id
        self.directory = directory
        self.path = directory / f"{episode_id}.jsonl"
        self._file = self.path.open("a", encoding="utf-8")

    def _write(self, record: dict) -> None:
        line = json.dumps({"task_id": self.task_id, "episode_id": self.episode_id, **record}, ensure_ascii=False,
                          default=str)
        self._file.write(line + "\n")  # one write per line: a crash cannot interleave two half lines
        self._file.flush()

    def _save_screenshot(self, name: str, image: bytes | None) -> str | None:
        """Write the image next to the JSONL; returns its path relative to the trajectory folder."""
        if not image:
            return None
        suffix = ".png" if image.startswith(_PNG_MAGIC) else ".jpg"  # JPEG when the env captures JPEG
        relative = Path(self.episode_id) / f"{name}{suffix}"
        (self.directory / relative).parent.mkdir(exist_ok=True)
        (self.directory / relative).write_bytes(image)
        return relative.as_posix()

    def observation_summary(self, obs, name: str) -> dict:
        return {"url": obs.url, "signature": state_signature(obs.url, obs.axtree),
                "axtree_chars": len(obs.axtree) if obs.axtree is not None else None,
                "screenshot": self._save_screenshot(name, obs.screenshot)}

    def step(self, *, step: int, obs, source: Source, model_text: str | None, action: Action | None,
             parse_error: str | None, exec_error: str | None, reward: dict, policy_s: float, env_s: float,
             note: str | None = None) -> None:
        """One step: the observation acted on, what chose the action and why, the action and how it went."""
        self._write({
            "kind": "step", "step": step, "obs": self.observation_summary(obs, f"step_{step:03d}"),
            "source": source, "note": note, "model_text": model_text,
            "action": action.to_dict() if action is not None else None,
            "parse_error": parse_error, "exec_error": exec_error, "reward": reward,
            "timing": {"policy_s": round(policy_s, 4), "env_s": round(env_s, 4)}, "time": time.time(),
        })

    def summary(self, *, status: str, success: bool, steps: int, final_obs=None, **extra) -> None:
        """The episode's last line: its verdict, and the page it ended on."""
        final = self.observation_summary(final_obs, "final") if final_obs is not None and final_obs.url else None
        self._write({"kind": "summary", "status": status, "success": success, "steps": steps, "final_obs": final,
                     "time": time.time(), **extra})

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> "EpisodeLog":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class TrajectoryWriter:
    """Writes every episode of a run into one folder."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def episode(self, task_id: str, episode_id: str | None = None) -> EpisodeLog:
        return EpisodeLog(self.directory, task_id, episode_id or new_episode_id(task_id))


def _read_records(directory: Path, kind: str) -> list[dict]:
    records = []
    for path in sorted(Path(directory).glob("*.jsonl")):
        with path.open(encoding="utf-8") as file:
            for number, line in enumerate(file, 1):
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:  # a line cut by a crash: skip it, keep the rest
                    log.warning("%s:%d is not valid JSON; skipped", path, number)
                    continue
                if record.get("kind") == kind:
                    records.append(record)
    return records


def _absolute(directory: Path, frame: pd.DataFrame, column: str) -> None:
    if column in frame:
        frame[column] = [str(directory / p) if isinstance(p, str) else None for p in frame[column]]


def load_trajectories(directory: str | Path) -> pd.DataFrame:
    """Every step of every episode in the folder, one row per step (screenshot paths made absolute)."""
    directory = Path(directory)
    records = _read_records(directory, "step")
    frame = pd.json_normalize(records, max_level=1)
    if records:  # besides the columns action.name, action.args: the action as one dict (what the filmstrip draws)
        frame["action"] = [r.get("action") for r in records]
    _absolute(directory, frame, "obs.screenshot")
    if not frame.empty:
        frame = frame.sort_values(["episode_id", "step"], ignore_index=True)
    return frame


def load_episodes(directory: str | Path) -> pd.DataFrame:
    """One row per finished episode (its summary line)."""
    directory = Path(directory)
    frame = pd.json_normalize(_read_records(directory, "summary"), max_level=1)
    _absolute(directory, frame, "final_obs.screenshot")
    return frame
