"""The browser environment: ``reset(task) -> obs`` and ``step(action) -> obs, reward, done, info``.

One environment is one Playwright browser context (its own cookies, so its own site session) on a
shared Chromium owned by a ``BrowserHost``. Observations carry no HTML, as in the benchmark
(``use_html=False``): the screenshot, the accessibility tree with element ids, the URL, the goal, the
step index and the last action's error. An episode ends on the agent's final answer / terminate, on
``max_steps`` or on an unrecoverable error (crashed browser, hung page), and is then judged by the
task's official evaluator.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from halo_lib.actions import Action, parse_action
from halo_lib.actions import execute as execute_action
from halo_lib.config import EnvConfig
from halo_lib.env.browser import launch_browser
from halo_lib.env.evaluation import EvalResult, evaluate_task, read_finish_state, wait_site_idle
from halo_lib.env.observation import mark_and_read_axtree, screenshot
from halo_lib.errors import ActionExecutionError, ActionParseError, HaloError, first_line
from halo_lib.tasks import Task
# Playwright is imported lazily, where the browser is first launched: importing this module stays light.

log = logging.getLogger(__name__)
Status = Literal["running", "success", "failure", "max_steps", "error"]


@dataclass
class Observation:
    """What a policy sees at one step."""

    goal: str
    url: str
    step: int
    screenshot: bytes | None = None
    """PNG or JPEG bytes of the viewport (None when ``use_screenshot`` is off)."""
    axtree: str | None = None
    """Accessibility tree with ``[id]`` element ids (None when ``use_axtree`` is off)."""
    last_action: str | None = None
    """Canonical text of the previous action."""
    last_action_error: str | None = None
    """Why the previous action failed (parse error, execution error, blocked navigation), or None."""
    history: list[tuple[str, str | None]] = field(default_factory=list)
    """Every earlier step of the episode as (action text, its error or None), oldest first."""
    hint: str | None = None
    """A note from the agent around the policy (recovery: "you are repeating yourself, re-plan"); prompts show it."""


@dataclass
class EpisodeState:
    """Book-keeping of the running episode (also what ``info`` reports at the end)."""

    task: Task
    step: int = 0
    status: Status = "running"
    answer: str | None = None
    error: str | None = None
    eval: EvalResult | None = None
    final_state: dict | None = None
    blocked: list[str] = field(default_factory=list)
    unparsed_in_a_row: int = 0
    history: list[tuple[str, str | None]] = field(default_factory=list)


class BrowserHost:
    """Owns Playwright and one Chromium; relaunches it when it has crashed."""

    def __init__(self, headless: bool = True):
        self.headless = headless
        self._pw = None
        self._browser = None
        self._lock = asyncio.Lock()
        self.launches = 0

    async def browser(self):
        async with self._lock:
            if self._browser is None or not self._browser.is_connected():
                if self._pw is None:
                    from playwright.async_api import async_playwright

                    self._pw = await async_playwright().start()
                if self._browser is not None:
                    log.warning("browser disconnected: relaunching Chromium")
                self._browser = await launch_browser(self._pw, headless=self.headless)
                self.launches += 1
            return self._browser

    async def close(self) -> None:
        if self._browser is not None:
            try:
                await self._browser.close()
            except Exception:  # already gone
                pass
            self._browser = None
        if self._pw is not None:
            await self._pw.stop()
            self._pw = None


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class BrowserEnv:
    """A Gymnasium-style environment over one browser context."""

    def __init__(self, host: BrowserHost, config: EnvConfig | None = None):
        self.host = host
        self.config = config or EnvConfig()
        self.context = None
        self.page = None
        self.episode: EpisodeState | None = None
        self._origin = ""

    @property
    def viewport(self) -> dict[str, int]:
        return {"width": self.config.viewport_width, "height": self.config.viewport_height}

    # ---- reset ---------------------------------------------------------------------------------
    async def reset(self, task: Task, run_id: str = "halo") -> Observation:
        """Fresh context, the task's initial data through ``/config``, then the site's home page."""
        await self._close_context()
        self.episode = EpisodeState(task)
        base = task.url(self.config.sites)
        self._origin = origin_of(base)
        try:
            await asyncio.wait_for(self._open(base, task, run_id), timeout=self.config.reset_timeout_s)
        except asyncio.TimeoutError:
            raise HaloError(f"reset of {task.id} took over {self.config.reset_timeout_s:.0f} s: is {base} up? "
                            f"(start it with `halo sites serve`)") from None
        except Exception as err:
            if "ERR_CONNECTION_REFUSED" in str(err) or "ECONNREFUSED" in str(err):
                raise HaloError(f"{base} refused the connection: start the local sites with `halo sites serve`"
                                ) from None
            raise
        return await self._observe()

    async def _open(self, base: str, task: Task, run_id: str) -> None:
        browser = await self.host.browser()
        self.context = await browser.new_context(viewport=self.viewport)
        self.context.set_default_timeout(self.config.action_timeout_s * 1000)
        await self.context.route("**/*", self._guard)
        self.page = await self.context.new_page()
        self.context.on("page", self._on_new_page)  # after our own page exists, or it would count as a pop-up
        nav_ms = self.config.reset_timeout_s * 1000
        # /config through the context's own request client (it shares the context's cookies): the page's history
        # then starts at the site's home, so go_back can neither replay /config (wiping the episode) nor leave the site
        resp = await self.context.request.get(f"{base}/config?run_id={run_id}&task_id={task.id}&latency=0",
                                              timeout=nav_ms)
        if not resp.ok:
            raise HaloError(f"{base}/config refused task {task.id}: HTTP {resp.status}")
        await self.page.goto(f"{base}/", timeout=nav_ms)
        await wait_site_idle(self.page, timeout_ms=int(nav_ms))

    async def _guard(self, route) -> None:
        """Keep the agent on the task's own site: every other origin is blocked (and reported)."""
        url = route.request.url
        if url.startswith(("data:", "about:", "blob:")) or origin_of(url) == self._origin:
            await route.continue_()
            return
        if route.request.is_navigation_request() and self.episode is not None:
            self.episode.blocked.append(url)
        await route.abort("blockedbyclient")

    async def _on_new_page(self, page) -> None:
        # One tab per episode: a pop-up or target=_blank link is followed in the main tab instead.
        if page is self.page:
            return
        try:
            await page.wait_for_load_state("commit", timeout=2000)
            url = page.url
            await page.close()
            if url and url != "about:blank" and origin_of(url) == self._origin:
                await self.page.goto(url)
        except Exception:
            pass

    # ---- step ----------------------------------------------------------------------------------
    async def step(self, action) -> tuple[Observation, float, bool, dict]:
        """Take an action (text, an ``Action``, or a policy ``Candidate``): parse if needed, execute, observe.

        A parse or execution error does not end the episode; it becomes ``last_action_error``."""
        ep = self._running_episode()
        ep.step += 1
        timing: dict[str, float] = {}
        t0 = time.perf_counter()
        error: str | None = None
        parsed: Action | None = None
        if isinstance(action, Action):
            parsed = action
        elif isinstance(action, str):
            try:
                parsed = parse_action(action)
            except ActionParseError as err:
                error = f"could not parse the action: {err}"
        else:  # a policy's Candidate: already parsed, or carrying its parse error (env never imports policies)
            parsed = action.action
            if parsed is None:
                error = f"could not parse the action: {action.error}"
        if parsed is not None:
            try:
                result = await asyncio.wait_for(self._act(parsed), timeout=self.config.step_timeout_s)
                if result.done:
                    ep.status = "failure"  # the verdict comes from the evaluator below
                    ep.answer = result.answer
            except ActionExecutionError as err:
                error = str(err)
            except (asyncio.TimeoutError, Exception) as err:
                return await self._fail(f"{type(err).__name__}: {first_line(err, 300)}", parsed, timing)
        timing["action"] = time.perf_counter() - t0
        if ep.blocked:
            error = (f"navigation to {ep.blocked[-1]} was blocked: stay on the task's site {self._origin}"
                     + (f" ({error})" if error else ""))
            ep.blocked.clear()
        ep.history.append((parsed.to_text(compact=True) if parsed is not None else _clip(getattr(action, 'text', action)), error))
        ep.unparsed_in_a_row = ep.unparsed_in_a_row + 1 if parsed is None else 0
        limit = self.config.max_unparsed_replies
        if ep.status == "running" and limit and ep.unparsed_in_a_row >= limit:
            ep.status, ep.error = "failure", f"{limit} replies in a row had no action (EnvConfig.max_unparsed_replies)"
        if ep.status == "running" and ep.step >= self.config.max_steps:
            ep.status = "max_steps"
        done = ep.status != "running"
        t1 = time.perf_counter()
        try:
            obs = await asyncio.wait_for(self._observe(parsed, error), timeout=self.config.step_timeout_s)
        except (asyncio.TimeoutError, Exception) as err:
            return await self._fail(f"observation failed, {type(err).__name__}: {first_line(err, 300)}", parsed, timing)
        timing["observe"] = time.perf_counter() - t1
        reward = 0.0
        if done:
            await self._judge()
            reward = 1.0 if ep.status == "success" else 0.0
        return obs, reward, done, self._info(timing)

    async def _act(self, action: Action):
        result = await execute_action(action, self.page, viewport=self.viewport, allowed_origin=self._origin,
                                      timeout_ms=int(self.config.action_timeout_s * 1000))
        try:  # let the app persist its state before anyone reads /finish
            await wait_site_idle(self.page, timeout_ms=int(self.config.action_timeout_s * 1000))
        except Exception:
            pass
        return result

    async def _observe(self, action: Action | None = None, error: str | None = None) -> Observation:
        ep = self._running_episode(allow_done=True)
        obs = Observation(goal=ep.task.goal, url=self.page.url, step=ep.step,
                          last_action=action.to_text() if action is not None else None, last_action_error=error,
                          history=list(ep.history))
        if self.config.use_axtree:
            obs.axtree = await mark_and_read_axtree(self.page)
        if self.config.use_screenshot:
            obs.screenshot = await screenshot(self.page, fmt=self.config.screenshot_format)
        return obs

    async def read_state(self) -> dict:
        """The site's ``/finish`` state of this episode right now (dense rewards read milestones from it)."""
        if self.context is None or self.episode is None:
            raise HaloError("call reset(task) before read_state()")
        return await read_finish_state(self.context, self.episode.task.url(self.config.sites))

    async def _judge(self) -> None:
        """The official verdict. Only an episode the agent ended itself can succeed (as in agisdk)."""
        ep = self.episode
        try:
            ep.final_state = await read_finish_state(self.context, ep.task.url(self.config.sites))
            ep.eval = await asyncio.to_thread(evaluate_task, ep.task, ep.final_state, ep.answer or "")
        except Exception as err:
            ep.status, ep.error = "error", f"evaluation failed: {first_line(err, 300)}"
            return
        if ep.status == "failure" and ep.eval.success:
            ep.status = "success"

    async def _fail(self, reason: str, action: Action | None, timing: dict) -> tuple[Observation, float, bool, dict]:
        """A crashed browser or hung page ends the episode as ``error``; the host relaunches on next reset."""
        ep = self.episode
        ep.status, ep.error = "error", reason
        log.warning("episode %s ended with an error: %s", ep.task.id, reason)
        await self._close_context()
        obs = Observation(goal=ep.task.goal, url="", step=ep.step,
                          last_action=action.to_text() if action is not None else None, last_action_error=reason)
        return obs, 0.0, True, self._info(timing)

    def _info(self, timing: dict) -> dict:
        ep = self.episode
        return {"status": ep.status, "success": ep.status == "success", "answer": ep.answer, "error": ep.error,
                "task_id": ep.task.id, "step": ep.step, "timing": timing,
                "eval_outputs": ep.eval.outputs if ep.eval else None, "final_state": ep.final_state}

    def _running_episode(self, allow_done: bool = False) -> EpisodeState:
        if self.episode is None:
            raise HaloError("call reset(task) before step()")
        if self.episode.status != "running" and not allow_done:
            raise HaloError(f"the episode of {self.episode.task.id} is over ({self.episode.status}): reset first")
        return self.episode

    async def _close_context(self) -> None:
        if self.context is not None:
            try:
                await self.context.close()
            except Exception:
                pass
        self.context = self.page = None

    async def close(self) -> None:
        await self._close_context()


def _clip(action: object, limit: int = 200) -> str:
    text = str(action)
    return text if len(text) <= limit else text[:limit] + "..."
