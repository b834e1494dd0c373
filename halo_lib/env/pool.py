"""Episodes, one at a time or N in parallel: separate browser contexts on one Chromium per process."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Sequence

from halo_lib.config import EnvConfig
from halo_lib.env.environment import BrowserEnv, BrowserHost, Observation
from halo_lib.tasks import Task

ActFn = Callable[[Observation], Awaitable[object]]
"""A policy as the environment sees it: observation in, action out (text, an Action or a Candidate)."""


@dataclass
class EpisodeResult:
    """One finished episode."""

    task_id: str
    status: str
    success: bool
    steps: int
    answer: str | None = None
    error: str | None = None
    seconds: float = 0.0
    actions: list[str] = field(default_factory=list)
    action_errors: int = 0
    env_steps: int | None = None
    """Environment steps the episode cost where that is more than it played (a search's replays and rollouts)."""


async def run_episode(env: BrowserEnv, task: Task, act: ActFn, run_id: str = "halo") -> EpisodeResult:
    """reset -> (act -> step)* -> verdict. A failed reset is an ``error`` episode, not a crash."""
    start = time.perf_counter()
    actions: list[str] = []
    errors = 0
    try:
        obs = await env.reset(task, run_id=run_id)
    except Exception as err:
        return EpisodeResult(task.id, "error", False, 0, error=f"reset failed: {err}",
                             seconds=time.perf_counter() - start)
    info: dict = {}
    done = False
    while not done:
        action = await act(obs)
        obs, _, done, info = await env.step(action)
        actions.append(obs.history[-1][0] if obs.history else str(action))
        errors += obs.last_action_error is not None
    return EpisodeResult(task.id, info["status"], info["success"], info["step"], info.get("answer"),
                         info.get("error"), time.perf_counter() - start, actions, errors)


class EnvPool:
    """``size`` environments sharing one browser; ``run`` spreads episodes over them."""

    def __init__(self, size: int = 4, config: EnvConfig | None = None):
        if size < 1:
            raise ValueError("an EnvPool needs size >= 1")
        self.config = config or EnvConfig()
        self.host = BrowserHost(headless=self.config.headless)
        self.envs = [BrowserEnv(self.host, self.config) for _ in range(size)]

    async def __aenter__(self) -> "EnvPool":
        await self.host.browser()
        return self

    async def __aexit__(self, *exc) -> None:
        for env in self.envs:
            await env.close()
        await self.host.close()

    async def run(self, jobs: Sequence[tuple[Task, ActFn]], run_id: str = "halo") -> list[EpisodeResult]:
        """Run every (task, policy) job; results come back in the jobs' order."""
        free: asyncio.Queue[BrowserEnv] = asyncio.Queue()
        for env in self.envs:
            free.put_nowait(env)

        async def one(task: Task, act: ActFn) -> EpisodeResult:
            env = await free.get()
            try:
                return await run_episode(env, task, act, run_id)
            finally:
                free.put_nowait(env)

        return list(await asyncio.gather(*(one(t, a) for t, a in jobs)))
