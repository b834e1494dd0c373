"""``halo bench env``: the same scripted actions through four drivers, measured side by side.

(a) a bare Playwright loop (action + screenshot + accessibility snapshot): the floor;
(b) the HALO environment (parse, execute, wait for the app, axtree with ids, screenshot);
(c) agisdk's BrowserEnv as shipped (BrowserGym action code, its observation extraction);
(d) the HALO pool, 4 contexts in parallel on one browser.

Then whole episodes (reset: a fresh context and page; then scripted steps) of the HALO env on Chromium's headless
shell and on full Chromium's headless mode, one after the other.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
import os
import time
from dataclasses import dataclass
from unittest import mock

from halo_lib.actions import Action, execute, parse_action
from halo_lib.config import EnvConfig
from halo_lib.env.browser import VIEWPORT, chromium_path, launch_browser
from halo_lib.env.environment import BrowserEnv, BrowserHost
from halo_lib.errors import HaloError
from halo_lib.tasks import Task, get_task
# Playwright, gymnasium and agisdk (with halo_lib.env.agisdk_adapter) are imported lazily, in the drivers that use
# them (agisdk's in its spawned child): importing this module loads none of them.

BENCH_TASK = "v2.omnizon-13"
# Coordinates in Qwen3-VL's 0-1000 frame; the sequence need not solve anything, only be the same for all.
SCRIPT = [
    '{"name": "computer_use", "arguments": {"action": "left_click", "coordinate": [400, 45]}}',
    '{"name": "computer_use", "arguments": {"action": "type", "text": "pot"}}',
    '{"name": "computer_use", "arguments": {"action": "key", "keys": ["Enter"]}}',
    '{"name": "computer_use", "arguments": {"action": "scroll", "coordinate": [500, 500], "pixels": -300}}',
    '{"name": "computer_use", "arguments": {"action": "scroll", "coordinate": [500, 500], "pixels": 300}}',
    '{"name": "computer_use", "arguments": {"action": "mouse_move", "coordinate": [600, 400]}}',
]


@dataclass
class Measure:
    name: str
    steps: int
    seconds: float
    unit: str = "steps"

    @property
    def steps_per_s(self) -> float:
        return self.steps / self.seconds if self.seconds > 0 else float("nan")


def script(steps: int) -> list[Action]:
    return [parse_action(SCRIPT[i % len(SCRIPT)]) for i in range(steps)]


async def bench_playwright(task: Task, steps: int) -> Measure:
    """The floor: our executor on a raw page, then a screenshot and Playwright's aria snapshot."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await launch_browser(pw)
        context = await browser.new_context(viewport=VIEWPORT)
        page = await context.new_page()
        base = task.url()
        await page.goto(f"{base}/config?run_id=bench&task_id={task.id}")
        await page.goto(f"{base}/")
        start = time.perf_counter()
        for action in script(steps):
            await execute(action, page, viewport=VIEWPORT, allowed_origin=base)
            await page.screenshot(type="png")
            await page.locator("body").aria_snapshot()
        elapsed = time.perf_counter() - start
        await browser.close()
    return Measure("playwright loop", steps, elapsed)


async def bench_halo(task: Task, steps: int, contexts: int = 1) -> Measure:
    config = EnvConfig(max_steps=steps + 1)
    host = BrowserHost()
    envs = [BrowserEnv(host, config) for _ in range(contexts)]
    try:
        await asyncio.gather(*(env.reset(task, run_id=f"bench{i}") for i, env in enumerate(envs)))
        actions = script(steps)

        async def drive(env: BrowserEnv) -> None:
            for action in actions:
                await env.step(action)

        start = time.perf_counter()
        await asyncio.gather(*(drive(env) for env in envs))
        elapsed = time.perf_counter() - start
    finally:
        for env in envs:
            await env.close()
        await host.close()
    name = "halo env" if contexts == 1 else f"halo pool x{contexts}"
    return Measure(name, steps * contexts, elapsed)


def bench_agisdk(task: Task, steps: int) -> Measure:
    """agisdk's own BrowserEnv (gym), as shipped, on the same local site; in a spawned child, because agisdk
    leaves a global sync Playwright running in the thread that used it."""
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_bench_agisdk_child, task.id, steps).result()


def _bench_agisdk_child(task_id: str, steps: int) -> Measure:
    import gymnasium as gym
    from agisdk.REAL.browsergym.core.action.highlevel import HighLevelActionSet
    from agisdk.REAL.browsergym.experiments.loop import _get_env_name

    from halo_lib.env.agisdk_adapter import offline_agisdk, to_browsergym

    task = get_task(task_id)
    action_set = HighLevelActionSet(subsets=["chat", "bid", "coord", "nav"])
    with offline_agisdk("local"):
        env = gym.make(_get_env_name(task.id), disable_env_checker=True, headless=True, viewport=VIEWPORT,
                       action_mapping=action_set.to_python_code, max_episode_steps=steps + 1)
        try:
            env.reset(seed=0)
            mouse: dict = {}
            start = time.perf_counter()
            for action in script(steps):
                env.step(to_browsergym(action, mouse))
            elapsed = time.perf_counter() - start
        finally:
            env.close()
    return Measure("agisdk BrowserEnv", steps, elapsed)


def run_env_bench(steps: int = 24, agisdk_steps: int = 6, contexts: int = 4) -> list[Measure]:
    """All four, one after the other, on the same local site and task."""
    task = get_task(BENCH_TASK)
    return [
        asyncio.run(bench_playwright(task, steps)),
        asyncio.run(bench_halo(task, steps)),
        bench_agisdk(task, agisdk_steps),
        asyncio.run(bench_halo(task, steps, contexts=contexts)),
    ]


def summary_line(measures: list[Measure]) -> str:
    pw, halo, agisdk, pool = measures
    return (f"env bench: halo/agisdk speedup {halo.steps_per_s / agisdk.steps_per_s:.1f}x, "
            f"halo/playwright overhead {pw.steps_per_s / halo.steps_per_s:.2f}x, "
            f"{pool.name.rsplit('x', 1)[1]}-context scaling {pool.steps_per_s / halo.steps_per_s:.2f}x")


async def bench_episodes(task: Task, episodes: int, steps: int, binary: str, name: str) -> Measure:
    """``episodes`` HALO episodes on one browser binary, each a reset (a fresh context and page, the task's start)
    and ``steps`` scripted steps; the browser is launched before the clock starts."""
    with mock.patch.dict(os.environ, {"HALO_CHROMIUM": binary}):
        host = BrowserHost()
        env = BrowserEnv(host, EnvConfig(max_steps=steps + 1))
        try:
            await env.reset(task, run_id="warm-up")
            actions = script(steps)
            start = time.perf_counter()
            for i in range(episodes):
                await env.reset(task, run_id=f"bench{i}")
                for action in actions:
                    await env.step(action)
            elapsed = time.perf_counter() - start
        finally:
            await env.close()
            await host.close()
    return Measure(name, episodes, elapsed, unit="episodes")


def run_browser_bench(episodes: int = 8, steps: int = 3) -> list[Measure]:
    """The same episodes on Chromium's headless shell (what headless browsers use) and on full Chromium."""
    shell, full = chromium_path(headless=True), chromium_path(headless=False)
    if shell == full:
        raise HaloError(f"both sides would run {shell}: install Debian's chromium-headless-shell (./launch.sh setup) "
                        f"and unset HALO_CHROMIUM")
    task = get_task(BENCH_TASK)
    return [asyncio.run(bench_episodes(task, episodes, steps, shell, "headless shell")),
            asyncio.run(bench_episodes(task, episodes, steps, full, "full chromium"))]


def browser_line(measures: list[Measure], steps: int) -> str:
    shell, full = measures
    return (f"env bench: headless shell/full chromium {shell.steps_per_s / full.steps_per_s:.2f}x episodes per s "
            f"({shell.steps} episodes of a reset and {steps} steps each)")
