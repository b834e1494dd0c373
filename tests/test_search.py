"""Agent Q's tree search over a local site's states: it finds the scripted solution that a policy's favourite
actions miss, stays within its step budget, turns the tree into node-level DPO pairs, and plays an episode with a
search before every step."""

import asyncio
import json

import pytest

from halo_lib.config import EnvConfig
from halo_lib.env.pool import EnvPool
from halo_lib.errors import HaloError
from halo_lib.policies.base import Candidate
from halo_lib.policies.scripted import ScriptedPolicy
from halo_lib.rl.rewards import RewardConfig
from halo_lib.rl.search import SearchConfig, TreeSearch, preference_pairs, search_episode
from halo_lib.sites.server import SitesInThread
from halo_lib.tasks import resolve_tasks
from halo_lib.tasks.generator import oracle_steps

ANSWER, IDLE = "send_msg_to_user('done')", "scroll(0, 0)"


class Proposer:
    """At every state proposes the scripted solution's next action, an idle scroll and the final answer; it likes
    the solution least (the lowest log-probs: the critic ranks it last). Its rollouts answer at once, so a simulation
    succeeds only where the page already satisfies the task."""

    name, modality = "proposer", "text"

    def __init__(self, task):
        self.plan = oracle_steps(task)

    async def sample_actions(self, obs, n):
        done = sum(1 for text, _ in obs.history if text not in (ANSWER, IDLE))
        script = ScriptedPolicy(self.plan[done:])
        solution = (await script.act(obs)).text
        replies = [(IDLE, -0.1), (ANSWER, -0.5), (solution, -3.0)]
        return [Candidate.from_text(text, "element", token_ids=[i], logprobs=[lp])
                for i, (text, lp) in (list(enumerate(replies)) * n)[:n]]

    async def act(self, obs):
        return Candidate.from_text(ANSWER, "element", token_ids=[9], logprobs=[-0.1])



@pytest.fixture(scope="module")
def star_task():
    return resolve_tasks("gen:gomail/archive+delete+star:train:1")[0]  # star an email: 3 clicks, then the answer


def test_search_finds_the_solution_the_policys_favourites_miss_within_its_budget(star_task):
    """With a cost per step, the shortest successful path has the highest return: the solution, then the answer."""
    config = SearchConfig(budget_steps=80, branching=3, samples=3, critic_weight=0.2)

    async def main():
        async with EnvPool(1, EnvConfig(max_steps=6, use_screenshot=False)) as pool:
            search = TreeSearch(pool.envs[0], star_task, Proposer(star_task), RewardConfig(step_cost=0.05), config)
            return await search.run()

    with SitesInThread(["gomail"]):
        result = asyncio.run(main())
    path = result.best_path()
    texts = [node.action.text for node in path]
    assert texts[-1] == ANSWER and path[-1].done and path[-1].success
    assert [t.split("(")[0] for t in texts[:-1]] == [s.action for s in oracle_steps(star_task)]
    # a simulation that starts within the budget is played to its end (at most the episode's 6 steps)
    assert result.steps < config.budget_steps + 6
    # the root's children: the critic's favourite (idle) tried, yet the solution's first click is the most visited
    assert result.best_child().action.text.startswith("click(") and len(result.root.children) == 3
    pairs = preference_pairs(result.root, config.critic_weight, config.pair_margin)
    at_root = [p for p in pairs if p.chosen is result.best_child().action]
    assert at_root and {p.rejected.text for p in at_root} <= {IDLE, ANSWER} and all(p.margin > 0 for p in pairs)


def test_search_at_inference_plays_the_solution_step_by_step(star_task):
    config = SearchConfig(budget_steps=30, branching=3, samples=3, critic_weight=0.2)

    async def main():
        async with EnvPool(1, EnvConfig(max_steps=6, use_screenshot=False)) as pool:
            return await search_episode(pool.envs[0], star_task, Proposer(star_task), RewardConfig(step_cost=0.05),
                                        config)

    with SitesInThread(["gomail"]):
        episode = asyncio.run(main())
    assert episode.success and [c.text.split("(")[0] for c in episode.actions] == ["click"] * 3 + ["send_msg_to_user"]
    assert episode.steps > len(episode.actions)  # the searches' steps, replays included, are counted
    assert len(episode.searches) == 4 and sum(s.steps for s in episode.searches) == episode.steps


def test_an_evaluation_with_search_records_the_searched_episode_and_its_cost(star_task, tmp_path):
    """``run_eval``'s ``play``, as ``halo eval --mode qwen3vl_mcts`` uses it: the episodes table holds the verdict,
    the actions played and the environment steps the searches spent; the same policy played alone answers at once
    and fails."""
    import pandas as pd

    from halo_lib.agent.evaluate import run_eval
    from halo_lib.rl.search import searched_player

    config = SearchConfig(budget_steps=30, branching=3, samples=3, critic_weight=0.2)
    env = EnvConfig(max_steps=6, use_screenshot=False)
    play = searched_player(Proposer(star_task), RewardConfig(step_cost=0.05), config)
    with SitesInThread(["gomail"]):
        searched = run_eval([star_task], Proposer(star_task), tmp_path / "s", "qwen3vl_mcts", env_config=env,
                            progress=False, play=play)
        single = run_eval([star_task], Proposer(star_task), tmp_path / "g", "text", env_config=env, progress=False)
    row = searched.iloc[0]
    assert row["success"] and row["status"] == "success" and row["steps"] == 4 and row["env_steps"] > 4
    assert not single.iloc[0]["success"] and single.iloc[0]["env_steps"] == single.iloc[0]["steps"] == 1
    played = json.loads((tmp_path / "s" / "actions.jsonl").read_text())["actions"]
    assert [a.split("(")[0] for a in played] == ["click"] * 3 + ["send_msg_to_user"]
    assert pd.read_csv(tmp_path / "s" / "episodes.csv").iloc[0]["env_steps"] == row["env_steps"]


def test_a_searched_episode_the_environment_fails_is_an_error_row_not_a_crash(star_task):
    from halo_lib.rl.search import searched_player

    play = searched_player(Proposer(star_task), RewardConfig(), SearchConfig(budget_steps=5))
    result = asyncio.run(play(FailingEnv(), star_task))
    assert result.status == "error" and not result.success and "EnvironmentFailed" in result.error


@pytest.mark.parametrize("field, value, message", [("budget_steps", 0, "budget_steps must be >= 1"),
                                                   ("samples", 2, "samples must be >= branching"),
                                                   ("critic_weight", 1.5, r"critic_weight must be in \[0, 1\]")])
def test_bad_search_settings_name_the_field(field, value, message):
    with pytest.raises(HaloError, match=f"SearchConfig.{message}"):
        SearchConfig(**{field: value})


class FailingEnv:
    """Resets fine; its first step fails as a crashed browser does (status error)."""

    config = EnvConfig(max_steps=6)

    async def reset(self, task, run_id=""):
        from halo_lib.env.environment import Observation

        return Observation(goal=task.goal, url="http://127.0.0.1:1/", step=0, axtree="[1] RootWebArea 'Mail'")

    async def read_state(self):
        return {}

    async def step(self, action):
        return None, 0.0, True, {"status": "error", "error": "browser disconnected", "success": False,
                                 "final_state": None}


def test_an_environment_failure_stops_the_search_instead_of_scoring_the_action(star_task):
    """A step that ended with the environment's error is not the policy's failure: no value may be learned from it."""
    from halo_lib.rl.search import EnvironmentFailed

    search = TreeSearch(FailingEnv(), star_task, Proposer(star_task), RewardConfig(), SearchConfig(budget_steps=5))
    with pytest.raises(EnvironmentFailed, match="the environment failed: browser disconnected"):
        asyncio.run(search.run())
    assert all(child.visits == 0 for child in search.root.children)
