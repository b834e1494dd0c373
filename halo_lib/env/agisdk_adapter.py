"""Run a HALO policy unchanged inside agisdk's own harness (``REAL.harness``), offline.

Two pieces:
- ``offline_agisdk(sites="local")``: patches, in this process only (site-packages stays untouched),
  what agisdk needs to run without internet: Chromium's path (agisdk launches Playwright's bundled
  browser, which is not installed here), token counting (agisdk downloads a tiktoken encoding at every
  step just to log token counts), and, for ``sites="local"``, the task URLs of the local clones.
- ``HaloAgentArgs``: an agisdk agent whose ``get_action`` builds a HALO ``Observation`` from agisdk's
  observation, asks the HALO policy, and translates the HALO action into BrowserGym's action code.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import dataclasses
import io
import json
import multiprocessing
import os
import shutil
import tempfile
from concurrent.futures.process import BrokenProcessPool
from typing import Iterable, Iterator

from agisdk.REAL import harness
from agisdk.REAL.browsergym.core.action.highlevel import HighLevelActionSet
from agisdk.REAL.browsergym.experiments import loop
from agisdk.REAL.browsergym.experiments.agent import Agent, AgentInfo
from agisdk.REAL.browsergym.experiments.loop import AbstractAgentArgs
from agisdk.REAL.browsergym.utils.obs import flatten_axtree_to_str
from agisdk.REAL.browsergym.webclones import task_config
from PIL import Image
from playwright.sync_api import BrowserType

from halo_lib.actions import Action, parse_action
from halo_lib.env.browser import CHROMIUM_ARGS, VIEWPORT, chromium_path
from halo_lib.env.environment import Observation
from halo_lib.sites import SITE_NAMES, site_url


@contextlib.contextmanager
def offline_agisdk(sites: str = "local") -> Iterator[None]:
    """Patch agisdk for an offline run; everything is restored on exit."""
    original_launch = BrowserType.launch
    original_count = loop.count_tokens
    original_start_url = task_config.TaskConfig.get_start_url

    def launch(self, *args, **kwargs):
        kwargs.setdefault("executable_path", chromium_path(kwargs.get("headless", True)))
        kwargs["args"] = list(dict.fromkeys([*(kwargs.get("args") or []), *CHROMIUM_ARGS]))
        return original_launch(self, *args, **kwargs)

    def count_tokens(text, model="gpt-4"):  # a log statistic only: ~4 characters per token
        return (len(text) + 3) // 4

    def local_start_url(self):
        site = self.task.id.rsplit("-", 1)[0] if hasattr(self, "task") else self.task_name.rsplit("-", 1)[0]
        if site in SITE_NAMES:
            return site_url(site)
        return original_start_url(self)

    BrowserType.launch = launch
    loop.count_tokens = count_tokens
    if sites == "local":
        task_config.TaskConfig.get_start_url = local_start_url
    try:
        yield
    finally:
        BrowserType.launch = original_launch
        loop.count_tokens = original_count
        task_config.TaskConfig.get_start_url = original_start_url


def to_browsergym(action: Action, state: dict) -> str:
    """BrowserGym action code for a HALO action. ``state`` keeps the mouse position between calls."""
    a = action.args
    if action.family == "element":
        return action.to_text()  # same names and arguments as BrowserGym's bid actions
    w, h = VIEWPORT["width"], VIEWPORT["height"]

    def px(coord) -> tuple[float, float]:
        return round(coord[0] / 1000 * w, 1), round(coord[1] / 1000 * h, 1)

    name = action.name
    if name in ("left_click", "right_click", "middle_click", "double_click", "triple_click", "mouse_move"):
        x, y = px(a["coordinate"])
        state["mouse"] = (x, y)
        if name == "mouse_move":
            return f"mouse_move({x}, {y})"
        if name == "double_click":
            return f"mouse_dblclick({x}, {y})"
        if name == "triple_click":
            return "\n".join([f"mouse_click({x}, {y})"] * 3)
        button = {"left_click": "left", "right_click": "right", "middle_click": "middle"}[name]
        return f"mouse_click({x}, {y}, button={button!r})"
    if name == "left_click_drag":
        x, y = px(a["coordinate"])
        fx, fy = state.get("mouse", (x, y))
        state["mouse"] = (x, y)
        return f"mouse_drag_and_drop({fx}, {fy}, {x}, {y})"
    if name == "type":
        return f"keyboard_type({a['text']!r})"
    if name == "key":
        return f"keyboard_press({'+'.join(a['keys'])!r})"
    if name == "scroll":
        return f"scroll(0, {-float(a['pixels'])})"  # Qwen: positive pixels scroll up
    if name == "hscroll":
        return f"scroll({float(a['pixels'])}, 0)"
    if name == "wait":
        return f"noop({float(a.get('time', 1)) * 1000})"
    if name == "answer":
        return f"send_msg_to_user({a.get('text', '')!r})"
    if name == "terminate":
        return f"send_msg_to_user({('done: ' + str(a.get('status', 'success')))!r})"
    raise ValueError(f"no BrowserGym translation for {name}")


def _png(array) -> bytes | None:
    if array is None:
        return None
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format="PNG")
    return buf.getvalue()


def halo_observation(obs: dict, step: int) -> Observation:
    """A HALO Observation from agisdk's raw observation (BrowserGym bids are the element ids)."""
    axtree = obs.get("axtree_object")
    return Observation(
        goal=obs.get("goal") or "",
        url=obs.get("url") or "",
        step=step,
        screenshot=_png(obs.get("screenshot")),
        axtree=flatten_axtree_to_str(axtree) if axtree else None,
        last_action=obs.get("last_action") or None,
        last_action_error=obs.get("last_action_error") or None,
    )


class HaloAgisdkAgent(Agent):
    """Asks a HALO policy each step; HALO actions become BrowserGym action code."""

    action_set = HighLevelActionSet(subsets=["chat", "infeas", "bid", "coord", "nav"])

    def __init__(self, act):
        self.act = act
        self.step = 0
        self.mouse: dict = {}
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)  # async policies get their own loop

    def obs_preprocessor(self, obs: dict) -> dict:
        return obs  # keep the raw observation; get_action converts it

    def get_action(self, obs):
        observation = halo_observation(obs, self.step)
        self.step += 1
        out = self.act(observation)
        if asyncio.iscoroutine(out):
            out = self._pool.submit(asyncio.run, out).result()
        if isinstance(out, str):
            action = parse_action(out)
        elif isinstance(out, Action):
            action = out
        else:  # a Candidate; an unparseable reply becomes a harmless no-op with the error logged
            if out.action is None:
                return "noop(0)", AgentInfo(think=f"unparseable: {out.error}", stats={})
            action = out.action
        return to_browsergym(action, self.mouse), AgentInfo(think=None, stats={})


@dataclasses.dataclass
class HaloAgentArgs(AbstractAgentArgs):
    """agisdk agent arguments for a HALO policy ``act(obs) -> action`` (sync or async; must pickle)."""

    act: object = None
    agent_name: str = "halo"

    def make_agent(self):
        return HaloAgisdkAgent(self.act)


def make_agent_args(act, name: str = "halo") -> HaloAgentArgs:
    return HaloAgentArgs(act=act, agent_name=name)


def finish_state_from_result(result: dict) -> dict | None:
    """The env state agisdk evaluated, from a harness result record (if it kept it)."""
    state = result.get("finish_state") or {}
    info = state.get("env_state") if isinstance(state, dict) else None
    return info if info is not None else (json.loads(state) if isinstance(state, str) else None)


def _harness_child(task_id: str, act, max_steps: int, results_dir: str, sites: str) -> dict:
    with offline_agisdk(sites):
        h = harness(agentargs=make_agent_args(act), task_name=task_id, headless=True, max_steps=max_steps,
                    results_dir=results_dir, use_cache=False)
        result = h.run()[task_id]
    return {k: v for k, v in result.items() if k in ("success", "cum_reward", "n_steps", "err_msg", "finish_state",
                                                     "agent_response", "terminated", "truncated")}


def _prepare_child(log_path: str | None) -> None:
    """Start of a harness child. agisdk writes each state it judges to the temp folder, where some official
    scripts (eval_omnizon_28.py) read every sibling .json: a folder of the child's own keeps other processes'
    files out. With ``log_path``, agisdk's console output (a page per task) goes there instead of the terminal."""
    tempfile.tempdir = tempfile.mkdtemp(prefix="halo_agisdk_")
    atexit.register(shutil.rmtree, tempfile.tempdir, True)
    if log_path:
        log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)


def run_in_agisdk_harness(task_id: str, act, max_steps: int = 25, results_dir: str = "results/agisdk",
                          sites: str = "local") -> dict:
    """Run one task through agisdk's own ``REAL.harness`` with a HALO policy, in a fresh subprocess.

    agisdk keeps a global synchronous Playwright (and its event loop) alive in the thread that used it, after
    which ``asyncio.run`` fails in that thread; a spawned child keeps the caller clean. ``act`` must pickle
    (a module-level function or a bound method of a module-level class)."""
    return next(run_many_in_agisdk_harness([(task_id, act, max_steps)], results_dir, sites))


def run_many_in_agisdk_harness(jobs: Iterable[tuple[str, object, int]], results_dir: str = "results/agisdk",
                               sites: str = "local", log_path: str | None = None) -> Iterator[dict]:
    """``run_in_agisdk_harness`` for many ``(task_id, act, max_steps)`` jobs, one after another in ONE spawned
    child (one Python start and agisdk import for all); yields each result as it finishes, in order.
    ``log_path``: where the child's console output goes (default: this terminal).

    A job that raises, or a child that dies, yields ``{"success": False, "err_msg": ...}`` (a dead child is
    replaced for the jobs after it)."""

    def new_pool():
        return concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                                      initializer=_prepare_child, initargs=(log_path,))

    pool = new_pool()
    try:
        for task_id, act, max_steps in jobs:
            try:
                yield pool.submit(_harness_child, task_id, act, max_steps, results_dir, sites).result()
            except BrokenProcessPool as err:
                pool.shutdown(cancel_futures=True)
                pool = new_pool()
                yield {"success": False, "err_msg": f"the harness child died: {err}"}
            except Exception as err:
                yield {"success": False, "err_msg": f"{type(err).__name__}: {err}"}
    finally:
        pool.shutdown(cancel_futures=True)
