"""The per-step variant of the rollouts: n actions sampled at one state, each tried from that same state in its
own context, scored by its dense step reward; best vs worst becomes a DPO preference pair."""

import asyncio

import pytest

from halo_lib.config import EnvConfig
from halo_lib.env.pool import EnvPool
from halo_lib.policies.base import Candidate
from halo_lib.rl.dpo import pairs_from_branches
from halo_lib.rl.rewards import RewardConfig
from halo_lib.rl.rollout import branch_at_state
from halo_lib.rl.credit import dawdled as dawdled_steps
from halo_lib.sites.server import SitesInThread
from halo_lib.tasks import resolve_tasks


class TwoMinds:
    """Samples two different replies at every state: search for the product, or do nothing useful."""

    async def sample_actions(self, obs, n):
        box = next(l for l in obs.axtree.splitlines() if "searchbox" in l).split("]")[0].strip().lstrip("[")
        good = Candidate.from_text(f"fill('{box}', 'pot')", "element", token_ids=[1, 2], logprobs=[-1.0, -1.0])
        idle = Candidate.from_text("scroll(0, 0)", "element", token_ids=[3], logprobs=[-1.0])
        return [good if i % 2 == 0 else idle for i in range(n)]


def test_branches_from_the_same_state_are_scored_and_paired():
    task = resolve_tasks("gen:omnizon:train:1")[0]

    async def main():
        async with EnvPool(4, EnvConfig(max_steps=5, use_screenshot=False)) as pool:
            prefix = ["scroll(0, 0)"]  # replayed in every context before branching
            return await branch_at_state(pool, task, prefix, TwoMinds(), 4, RewardConfig())

    with SitesInThread(["omnizon"]):
        branches = asyncio.run(main())
    assert len(branches) == 4 and not any(b.done for b in branches)
    filled = [b.reward.total for b in branches if b.candidate.text.startswith("fill")]
    idle = [b.reward.total for b in branches if b.candidate.text.startswith("scroll")]
    assert min(filled) > max(idle)  # typing in the search box changes the page (novelty); scrolling does not
    assert len(set(filled)) == 1 and len(set(idle)) == 1  # the same action from the same state scores the same
    pair = pairs_from_branches(branches)[0]
    assert pair.chosen.text.startswith("fill") and pair.rejected.text.startswith("scroll") and pair.margin > 0


class Stopper:
    """Ends the episode at once with a final answer (what the policy must do once the task is done)."""

    async def act(self, obs):
        self.seen = obs
        return Candidate.from_text("send_msg_to_user('done')", "element", token_ids=[1], logprobs=[-1.0])


class Dawdler:
    """Types into the search box once (the cart does not change), then answers."""

    def __init__(self):
        self.acted = 0

    async def act(self, obs):
        import re

        self.acted += 1
        box = re.search(r"\[(\d+)\] searchbox", obs.axtree).group(1)
        text = f"fill('{box}', 'pillow')" if self.acted % 2 else "send_msg_to_user('done')"
        return Candidate.from_text(text, "element", token_ids=[1], logprobs=[-1.0])


class Typist:
    """Types into the search box on every step and never answers."""

    async def act(self, obs):
        import re

        box = re.search(r"\[(\d+)\] searchbox", obs.axtree).group(1)
        return Candidate.from_text(f"fill('{box}', 'pillow')", "element", token_ids=[1], logprobs=[-1.0])


def test_an_episode_that_runs_out_of_steps_pays_the_penalty_on_its_last_step():
    from halo_lib.rl.rollout import collect_group

    task = resolve_tasks("gen:omnizon/cart:train:1")[0]

    async def main():
        async with EnvPool(2, EnvConfig(max_steps=3, use_screenshot=False)) as pool:
            timed_out = await collect_group(pool, task, Typist(), 1, RewardConfig(out_of_steps=-1.0))
            unpenalised = await collect_group(pool, task, Typist(), 1, RewardConfig())
            answered = await collect_group(pool, task, Stopper(), 1, RewardConfig(out_of_steps=-1.0))
            return timed_out[0], unpenalised[0], answered[0]

    with SitesInThread(["omnizon"]):
        timed_out, unpenalised, answered = asyncio.run(main())
    assert timed_out.status == unpenalised.status == "max_steps" and len(timed_out.steps) == 3
    assert [s.reward.out_of_steps for s in timed_out.steps] == [0.0, 0.0, -1.0]
    # the same episode's dense terms stay; only the penalty comes on top
    assert timed_out.ret == pytest.approx(unpenalised.ret - 1.0)
    assert timed_out.ret == pytest.approx(sum(s.reward.total for s in timed_out.steps))
    assert answered.status == "failure" and answered.ret == 0.0 and answered.steps[-1].reward.out_of_steps == 0.0


def test_a_group_started_along_the_oracle_solution_continues_from_its_state():
    """Backplay: after all of the task's oracle actions the policy only has to stop, and stopping succeeds; after
    all but the last it does not. The prefix's milestones are not the policy's: they never pay."""
    from halo_lib.errors import HaloError
    from halo_lib.rl.rollout import Start, collect_group
    from halo_lib.tasks.generator import oracle_steps

    task = resolve_tasks("gen:omnizon/cart:train:1")[0]
    n = len(oracle_steps(task))
    rewards = RewardConfig()

    async def main():
        async with EnvPool(2, EnvConfig(max_steps=8, use_screenshot=False)) as pool:
            policy = Stopper()
            done = await collect_group(pool, Start(task, n), policy, 2, rewards)
            seen_after_all = policy.seen
            short = await collect_group(pool, Start(task, n - 1), policy, 2, rewards)
            dawdled = await collect_group(pool, Start(task, n), Dawdler(), 1, rewards)
            refused = []
            for start, max_steps in ((Start(task, n + 1), 8), (Start(task, n), n)):  # past the plan; no step left
                pool.config.max_steps = max_steps  # (the pool's contexts share its config)
                try:
                    await collect_group(pool, start, policy, 2, rewards)
                except HaloError as err:
                    refused.append(str(err))
            return done, seen_after_all, short, dawdled, refused

    with SitesInThread(["omnizon"]):
        done, seen, short, dawdled, refused = asyncio.run(main())
    assert all(ep.success and ep.start_step == n and len(ep.steps) == 1 for ep in done)
    assert [ep.ret for ep in done] == [rewards.success] * 2  # no milestone of the prefix paid again
    assert seen.step == n and len(seen.history) == n and "Cart, 1 item" in seen.axtree
    assert not any(ep.success for ep in short) and all(ep.ret == 0.0 for ep in short)
    assert f"oracle_steps must be in 1..{n}" in refused[0] and "leaves the policy no step" in refused[1]
    # the task's own check, read from the site before each step: after the whole plan the page already satisfies it
    assert all(ep.steps[0].after_done for ep in done) and not any(s.after_done for ep in short for s in ep.steps)
    (idle,) = dawdled
    assert idle.success and [s.after_done for s in idle.steps] == [True, True]
    assert dawdled_steps(idle) == [True, False]  # the typing could not help; the answer ends the episode
