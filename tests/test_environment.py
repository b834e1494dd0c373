"""The browser environment on a real local site in headless Chromium."""

import asyncio
import io

import pytest
from PIL import Image

from halo_lib.config import EnvConfig
from halo_lib.env.environment import BrowserEnv, BrowserHost
from halo_lib.env.pool import EnvPool
from halo_lib.errors import HaloError
from halo_lib.sites.server import SitesInThread
from halo_lib.tasks import get_task

TASK = get_task("v2.omnizon-13")
ANSWER = '<tool_call>{"name": "computer_use", "arguments": {"action": "answer", "text": "done"}}</tool_call>'


@pytest.fixture(scope="module", autouse=True)
def omnizon():
    with SitesInThread(["omnizon"]):
        yield


def run(coro):
    return asyncio.run(coro)


async def with_env(fn, **config):
    host = BrowserHost()
    env = BrowserEnv(host, EnvConfig(**config))
    try:
        return await fn(env, host)
    finally:
        await env.close()
        await host.close()


def test_reset_observation_has_screenshot_axtree_url_goal_and_no_html():
    async def body(env, host):
        return await env.reset(TASK)

    obs = run(with_env(body))
    image = Image.open(io.BytesIO(obs.screenshot))
    assert image.size == (1280, 720) and image.format == "PNG"
    assert "[1]" in obs.axtree and "<div" not in obs.axtree
    assert obs.url.startswith(TASK.url()) and obs.goal == TASK.goal and obs.step == 0
    assert obs.last_action_error is None


def test_headless_episodes_run_in_chromiums_headless_shell_and_headed_ones_in_chromium(monkeypatch):
    """Set-up installs Debian's chromium-headless-shell: every headless browser is it (full Chromium's headless mode
    cost several times the browser CPU per page). A HALO_CHROMIUM that does not exist is refused by name."""
    import psutil

    from halo_lib.env.browser import chromium_path

    async def body(env, host):
        await env.reset(TASK)
        return [" ".join(p.cmdline()[:1]) for p in psutil.Process().children(recursive=True)
                if p.name().startswith("chrom") and not any(a.startswith("--type=") for a in p.cmdline())]

    browsers = run(with_env(body))
    assert browsers and all(b.endswith("chromium-headless-shell") for b in browsers), browsers
    assert "headless-shell" not in chromium_path(headless=False)
    monkeypatch.setenv("HALO_CHROMIUM", "/nowhere/chrome")
    with pytest.raises(HaloError, match="HALO_CHROMIUM=/nowhere/chrome does not exist"):
        chromium_path()


def test_bad_actions_become_errors_in_the_next_observation():
    async def body(env, host):
        await env.reset(TASK)
        garbage = await env.step("I think I should click somewhere")
        outside = await env.step("goto('https://www.amazon.com/')")
        missing = await env.step("click('99999')")
        return garbage, outside, missing

    (g_obs, _, g_done, _), (o_obs, _, o_done, _), (m_obs, _, m_done, _) = run(with_env(body))
    assert not (g_done or o_done or m_done)
    assert "no action found" in g_obs.last_action_error and "left_click" in g_obs.last_action_error
    assert "amazon.com" in o_obs.last_action_error and TASK.url() in o_obs.last_action_error
    assert "99999" in m_obs.last_action_error
    assert o_obs.url.startswith(TASK.url())  # still on the task's site


def test_answer_ends_the_episode_and_the_official_script_judges_it():
    async def body(env, host):
        await env.reset(TASK)
        obs, reward, done, info = await env.step(ANSWER)
        with pytest.raises(HaloError, match="reset first"):
            await env.step(ANSWER)
        return reward, done, info

    reward, done, info = run(with_env(body))
    assert done and reward == 0.0 and info["status"] == "failure"  # nothing was ordered
    assert info["eval_outputs"] == ["FAILURE"] and info["answer"] == "done"
    assert "initialfinaldiff" in info["final_state"]


def test_max_steps_ends_the_episode():
    async def body(env, host):
        await env.reset(TASK)
        results = [await env.step('{"name": "computer_use", "arguments": {"action": "wait", "time": 0}}')
                   for _ in range(3)]
        return results

    results = run(with_env(body, max_steps=3))
    assert [r[2] for r in results] == [False, False, True]
    assert results[-1][3]["status"] == "max_steps" and results[-1][1] == 0.0


def test_replies_without_an_action_end_the_episode_after_the_limit_and_a_valid_one_resets_the_count():
    wait = '{"name": "computer_use", "arguments": {"action": "wait", "time": 0}}'

    async def body(env, host):
        await env.reset(TASK)
        steps = [await env.step(text) for text in ("prose", wait, "prose", "more prose")]
        return steps

    steps = run(with_env(body, max_steps=10, max_unparsed_replies=2))
    assert [s[2] for s in steps] == [False, False, False, True]  # the wait in between resets the count
    assert steps[-1][3]["status"] == "failure" and "max_unparsed_replies" in steps[-1][3]["error"]
    assert steps[-1][3]["eval_outputs"] == ["FAILURE"]  # judged by the evaluator as usual

def test_a_crashed_browser_ends_the_episode_as_error_and_is_relaunched():
    async def body(env, host):
        await env.reset(TASK)
        await (await host.browser()).close()  # the browser dies mid-episode
        obs, reward, done, info = await env.step(ANSWER)
        again = await env.reset(TASK)  # the host relaunches Chromium
        return info, done, again, host.launches

    info, done, again, launches = run(with_env(body))
    assert done and info["status"] == "error" and info["error"]
    assert again.screenshot and launches == 2


def test_a_hung_page_times_out_instead_of_hanging():
    async def body(env, host):
        await env.reset(TASK)
        await env.page.evaluate("setTimeout(() => { while (true) {} }, 0)")  # the page's JS never yields
        return await env.step('{"name": "computer_use", "arguments": {"action": "left_click", "coordinate": [500, 500]}}')

    obs, reward, done, info = run(asyncio.wait_for(with_env(body, step_timeout_s=3, action_timeout_s=1), 60))
    assert done and info["status"] == "error"


def test_unreachable_site_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("HALO_SITES_PORT_BASE", "1")  # nothing listens on ports 2-4

    async def body(env, host):
        await env.reset(TASK)

    with pytest.raises(HaloError, match="halo sites serve"):
        run(with_env(body))


def test_pool_runs_parallel_episodes_in_separate_contexts():
    async def lazy(obs):
        return ANSWER

    async def main():
        async with EnvPool(size=3, config=EnvConfig(max_steps=5)) as pool:
            return await pool.run([(TASK, lazy)] * 5), pool.host.launches

    results, launches = run(main())
    assert launches == 1 and len(results) == 5
    assert all(r.status == "failure" and r.steps == 1 for r in results)


def test_the_tasks_start_is_not_in_history_and_its_routes_are_refused():
    """go_back() used to replay /config (wiping the episode's progress without a word), then land on about:blank;
    goto('/config?...') let the agent restart its own task."""
    async def body(env, host):
        obs = await env.reset(TASK)
        search = next(line for line in obs.axtree.splitlines() if "searchbox" in line or "textbox" in line)
        bid = search.split("]")[0].lstrip(" [")
        await env.step(f"fill('{bid}', 'mouse')")
        filled = await env.step(f"press('{bid}', 'Enter')")
        back = await env.step("go_back()")
        first = await env.step("go_back()")  # at the episode's first page
        restart = await env.step(f"goto('/config?run_id=x&task_id={TASK.id}')")
        finish = await env.step("goto('/finish')")
        return filled, back, first, restart, finish, env.page.url

    filled, back, first, restart, finish, url = run(with_env(body, use_screenshot=False))
    assert filled[0].url != back[0].url and back[0].last_action_error is None  # a real step back, on the site
    assert "there is no previous page" in first[0].last_action_error and not first[2]
    assert "/config is not a page of the site" in restart[0].last_action_error
    assert "/finish is not a page of the site" in finish[0].last_action_error
    assert url.startswith(TASK.url())
