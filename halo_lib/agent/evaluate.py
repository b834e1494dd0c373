"""Evaluation runs: k episodes of each task with one agent, a results table and the trajectories.

Layout of ``results/<run>/``: ``config.json`` (mode, tasks, seeds, git revision), ``episodes.csv`` (one row
per episode: task, site, benchmark or generated, success, status, steps, action errors, seconds),
``summary.json`` (success per site) and ``trajectories/`` (JSONL + screenshots, see ``trajectory.py``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from halo_lib.agent.loop import Agent, run_agent_episode
from halo_lib.agent.trajectory import TrajectoryWriter
from halo_lib.config import EnvConfig
from halo_lib.env.pool import EnvPool, EpisodeResult
from halo_lib.provenance import git_revision
from halo_lib.atomic import write_text_atomic
from halo_lib.tasks import Task

EPISODE_COLUMNS = ["task_id", "site", "benchmark", "episode", "mode", "success", "status", "steps", "action_errors",
                   "seconds", "answer", "error", "env_steps"]
"""``steps``: the actions the episode played; ``env_steps``: the environment steps it cost (the same, except for
searched episodes, whose searches replay prefixes and roll out)."""


def run_eval(tasks: list[Task], policy, run_dir: str | Path, mode: str, episodes: int = 1, concurrency: int = 2,
             env_config: EnvConfig | None = None, progress: bool = True, extra_config: dict | None = None,
             play: Callable[..., Awaitable[EpisodeResult]] | None = None) -> pd.DataFrame:
    """Run ``episodes`` episodes of every task and write ``run_dir``; returns the episodes table.

    Episodes are the agent's (``policy`` with recovery, cache and macros, each step written to ``trajectories/``)
    unless ``play(env, task, run_id=...)`` plays them (``rl.search.searched_player``: search at inference; no
    trajectories, the actions played go to ``actions.jsonl``)."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    env_config = env_config or EnvConfig()
    write_text_atomic(run_dir / "config.json", json.dumps(
        {"mode": mode, "policy": getattr(policy, "name", mode), "tasks": [t.id for t in tasks], "episodes": episodes,
         "env": asdict(env_config), "git_revision": git_revision(), **(extra_config or {})}, indent=2, default=str))
    agent = Agent(policy)
    writer = TrajectoryWriter(run_dir / "trajectories")
    jobs = [(task, k) for task in tasks for k in range(episodes)]
    bar = tqdm(total=len(jobs), desc=f"eval {mode}", disable=not progress, unit="ep")
    rows: list[dict] = []
    played: list[str] = []

    async def main() -> None:
        async with EnvPool(min(concurrency, len(jobs)) or 1, env_config) as pool:
            free: asyncio.Queue = asyncio.Queue()
            for env in pool.envs:
                free.put_nowait(env)

            async def one(task: Task, k: int) -> None:
                env = await free.get()
                try:
                    if play is None:
                        r = await run_agent_episode(env, task, agent, writer, run_id=f"{mode}-{k}")
                    else:
                        r = await play(env, task, run_id=f"{mode}-{k}")
                        played.append(json.dumps({"task_id": task.id, "episode": k, "actions": r.actions}))
                finally:
                    free.put_nowait(env)
                rows.append({"task_id": task.id, "site": task.site, "benchmark": task.version != "gen", "episode": k,
                             "mode": mode, "success": bool(r.success), "status": r.status, "steps": r.steps,
                             "action_errors": r.action_errors, "seconds": round(r.seconds, 2),
                             "answer": r.answer, "error": r.error,
                             "env_steps": r.steps if r.env_steps is None else r.env_steps})
                bar.update(1)
                bar.set_postfix(success=f"{sum(x['success'] for x in rows)}/{len(rows)}")

            await asyncio.gather(*(one(t, k) for t, k in jobs))

    try:
        asyncio.run(main())
    finally:
        bar.close()
    if play is not None:
        write_text_atomic(run_dir / "actions.jsonl", "".join(line + "\n" for line in sorted(played)))
    frame = pd.DataFrame(rows, columns=EPISODE_COLUMNS)
    return write_episodes(run_dir, frame, mode)


def write_episodes(run_dir: str | Path, frame: pd.DataFrame, mode: str) -> pd.DataFrame:
    """Write an evaluation's table (``episodes.csv``, sorted by task and episode) and its ``summary.json``."""
    run_dir = Path(run_dir)
    frame = frame.sort_values(["task_id", "episode"], ignore_index=True)
    write_text_atomic(run_dir / "episodes.csv", frame.to_csv(index=False))
    summary = {"mode": mode, "episodes": len(frame), "errors": int((frame["status"] == "error").sum()),
               "success_rate": float(frame["success"].mean()) if len(frame) else 0.0,
               "per_site": frame.groupby("site")["success"].mean().round(4).to_dict() if len(frame) else {}}
    write_text_atomic(run_dir / "summary.json", json.dumps(summary, indent=2))
    return frame
