"""The per-step variant of the rollouts: n actions sampled at one state, each tried from that same state in its
own context, scored by its dense step reward; best vs worst becomes a DPO preference pair."""

import asyncio

from halo_lib.config import EnvConfig
from halo_lib.env.pool import EnvPool
from halo_lib.policies.base import Candidate
from halo_lib.rl.dpo import pairs_from_branches
from halo_lib.rl.rewards import RewardConfig
from halo_lib.rl.rollout import branch_at_state
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
