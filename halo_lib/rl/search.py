"""Monte Carlo tree search over a task's states on a local site (Agent Q, Putta et al. 2024, arXiv 2408.07199).

A node is the state an action prefix reaches from the task's start. The local sites are deterministic, so a node is
re-entered by resetting a browser context and replaying its prefix. One simulation:

1. **select**: from the root, descend by UCB1 on the node's mixed value while the node has children,
       U(s, a) = V(s, a) + c * sqrt(ln N(s) / (1 + N(s, a))),   V(s, a) = alpha * Q(s, a) + (1 - alpha) * C(s, a)
   where Q is the mean return of the simulations through (s, a) and C the critic's score of a in s (Agent Q mixes
   the search's returns with the critic's ranking the same way); a child never visited is taken first, the critic's
   favourite first;
2. **expand** a leaf: replay its prefix, sample ``samples`` replies from the policy, keep the ``branching`` distinct
   actions the critic scores highest;
3. **simulate**: play the chosen child's action, then the policy to the episode's end;
4. **back up**: every node on the path gets the return from its own action on (dense step rewards, then the
   task's own verdict as the success bonus, as in GRPO's episodes).

The budget counts environment steps, the replays included: what the search costs a hosted site. ``preference_pairs``
turns the tree into Agent Q's node-level DPO pairs (sibling actions whose values differ); ``search_episode`` plays an
episode with a search before every step (search at inference).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from halo_lib.config import config_dataclass
from halo_lib.env.pool import EpisodeResult
from halo_lib.errors import HaloError
from halo_lib.policies.base import Candidate
from halo_lib.rl.dpo import PreferencePair
from halo_lib.rl.rewards import EpisodeRewarder, RewardConfig, state_signature
from halo_lib.rl.rollout import EnvironmentFailed, action_text, checked, merge_pieces, replay_prefix

__all__ = ["EnvironmentFailed", "LikelihoodCritic", "Node", "SearchConfig", "SearchResult", "SearchedEpisode",
           "TreeSearch", "preference_pairs", "search_episode", "searched_player"]


@config_dataclass
class SearchConfig:
    """The tree search's settings."""

    budget_steps: int = 24
    """Environment steps one search may spend, replays of prefixes included (a simulation that starts within the budget
    is played to its end)."""
    branching: int = 3
    """Distinct actions kept at an expanded state (k)."""
    samples: int = 6
    """Replies sampled from the policy at an expanded state to find the ``branching`` distinct actions."""
    exploration: float = 1.0
    """UCB1's exploration constant c."""
    critic_weight: float = 0.5
    """Weight 1 - alpha of the critic's score in a node's mixed value (0: the search's returns alone)."""
    pair_margin: float = 0.1
    """Smallest difference of mixed values between two sibling actions that makes them a DPO pair."""

    def __post_init__(self) -> None:
        for name in ("budget_steps", "branching", "samples"):
            if getattr(self, name) < 1:
                raise HaloError(f"SearchConfig.{name} must be >= 1, got {getattr(self, name)}")
        if self.samples < self.branching:
            raise HaloError(f"SearchConfig.samples must be >= branching ({self.branching}), got {self.samples}")
        if not 0.0 <= self.critic_weight <= 1.0:
            raise HaloError(f"SearchConfig.critic_weight must be in [0, 1], got {self.critic_weight}")
        if not (math.isfinite(self.exploration) and self.exploration >= 0):
            raise HaloError(f"SearchConfig.exploration must be a finite number >= 0, got {self.exploration}")


IDLE_SIMULATIONS = 100
"""A search stops after this many simulations in a row that only revisit ends already played (the tree is known)."""


class LikelihoodCritic:
    """Scores a state's candidate actions by the policy's own preference: a softmax over their mean token
    log-probabilities (candidates without log-probs score alike). The cheapest critic; Agent Q prompts the model
    to rank the actions instead, which a 135M-parameter policy cannot do."""

    async def score(self, obs, candidates: list[Candidate]) -> list[float]:
        means = [sum(c.logprobs) / len(c.logprobs) if c.logprobs else 0.0 for c in candidates]
        top = max(means)
        weights = [math.exp(m - top) for m in means]
        return [w / sum(weights) for w in weights]


@dataclass
class Node:
    """The state ``prefix`` reaches; ``action`` (the prefix's last) led here from ``parent``."""

    prefix: list[Candidate]
    action: Candidate | None = None
    critic: float = 0.0
    """The critic's score of ``action`` among its siblings."""
    reward: float = 0.0
    """Dense reward of ``action`` (its success bonus included when it ended the episode)."""
    done: bool = False
    success: bool = False
    status: str = ""
    """The environment's status when ``action`` ended the episode (success, failure, max_steps, ...)."""
    children: list["Node"] = field(default_factory=list)
    visits: int = 0
    return_sum: float = 0.0
    """Sum over the simulations through this node of the return from ``action`` on."""

    @property
    def q(self) -> float:
        return self.return_sum / self.visits if self.visits else 0.0

    def value(self, critic_weight: float) -> float:
        return (1 - critic_weight) * self.q + critic_weight * self.critic


@dataclass
class SearchResult:
    root: Node
    steps: int
    """Environment steps spent, replays included."""
    simulations: int

    def best_child(self) -> Node:
        """The root's most visited action (ties: the higher mean return); what search at inference plays."""
        if not self.root.children:
            raise HaloError("the search expanded nothing: its budget is smaller than one simulation")
        return max(self.root.children, key=lambda n: (n.visits, n.q))

    def best_path(self) -> list[Node]:
        path, node = [], self.root
        while node.children:
            node = max(node.children, key=lambda n: (n.visits, n.q))
            if not node.visits:
                break
            path.append(node)
        return path


def _key(candidate: Candidate) -> str:
    """Replies that parse to the same action are the same branch."""
    if candidate.action is not None and hasattr(candidate.action, "to_text"):
        return candidate.action.to_text(compact=True)
    return candidate.text.strip()


class TreeSearch:
    """One search from the state ``prefix`` reaches in ``task``: ``await TreeSearch(...).run()``."""

    def __init__(self, env, task, policy, rewards: RewardConfig, config: SearchConfig, prefix: list | None = None,
                 critic=None):
        self.env, self.task, self.policy, self.rewards, self.cfg = env, task, policy, rewards, config
        self.critic = critic or LikelihoodCritic()
        self.root = Node(list(prefix or []))
        self.steps = 0
        self.simulations = 0

    async def run(self) -> SearchResult:
        idle = 0  # simulations in a row that only revisited known ends (no step spent)
        while self.steps < self.cfg.budget_steps and idle < IDLE_SIMULATIONS:
            before = self.steps
            await self.simulate()
            idle = idle + 1 if self.steps == before else 0
        return SearchResult(self.root, self.steps, self.simulations)

    # ---- one simulation: select -> expand -> simulate -> back up -----------------------------------------------

    async def simulate(self) -> None:
        path, node = [], self.root
        while node.children:  # select
            node = self._ucb_pick(node)
            path.append(node)
            if node.visits == 0 or node.done:
                break
        self.simulations += 1
        if node.done:  # an end played before: the path's rewards are known, no step needed
            self._back_up(path, 0.0)
            return
        if path and node.visits == 0:  # a child not played yet: replay its parent's prefix, play it
            obs, rewarder = await self._enter(node, play_last=True)
        else:  # a leaf played before (or the root): expand it, play its favourite action
            obs, rewarder = await self._enter(node, play_last=False)
            await self._expand(node, obs)
            node = self._ucb_pick(node)
            path.append(node)
            obs = await self._play(node, rewarder)
        tail = 0.0 if node.done else await self._roll_out(obs, rewarder)
        self._back_up(path, tail)

    def _ucb_pick(self, node: Node) -> Node:
        unvisited = [c for c in node.children if c.visits == 0]
        if unvisited:
            return max(unvisited, key=lambda c: c.critic)
        log_n = math.log(max(node.visits, 1))
        return max(node.children, key=lambda c: c.value(self.cfg.critic_weight)
                   + self.cfg.exploration * math.sqrt(log_n / (1 + c.visits)))

    async def _enter(self, node: Node, play_last: bool):
        """Reset and replay ``node``'s prefix; with ``play_last`` its own action is played as a new step (its reward
        recorded)."""
        rewarder = EpisodeRewarder(self.task, self.rewards)
        replayed = node.prefix[:-1] if play_last else node.prefix
        obs = await replay_prefix(self.env, self.task, replayed, rewarder, run_id="search")
        self.steps += len(replayed)
        if play_last:
            obs = await self._play(node, rewarder)
        return obs, rewarder

    async def _expand(self, node: Node, obs) -> None:
        sampled = await self.policy.sample_actions(obs, self.cfg.samples)
        distinct: dict[str, Candidate] = {}
        for candidate in sampled:
            distinct.setdefault(_key(candidate), candidate)
        candidates = list(distinct.values())
        scores = await self.critic.score(obs, candidates)
        ranked = sorted(zip(scores, range(len(candidates))), reverse=True)[: self.cfg.branching]
        node.children = [Node(node.prefix + [candidates[i]], candidates[i], critic=s) for s, i in ranked]

    async def _step(self, action: Candidate, rewarder: EpisodeRewarder):
        """One step of the episode being simulated: (observation, done, info, its reward, the verdict's included)."""
        obs, _, done, info = await self.env.step(action)
        checked(self.task, info)
        self.steps += 1
        state = info["final_state"] if done else await self.env.read_state()
        pieces = rewarder.step(state, state_signature(obs), action_text(action))
        if done:
            pieces = merge_pieces(pieces, rewarder.finish(info["success"], info["status"]))
        return obs, done, info, pieces.total

    async def _play(self, node: Node, rewarder: EpisodeRewarder):
        """Play ``node.action`` in the env (positioned at its parent): its reward, and whether it ended the episode."""
        obs, done, info, node.reward = await self._step(node.action, rewarder)
        if done:
            node.done, node.success, node.status = True, bool(info["success"]), info["status"]
        return obs

    async def _roll_out(self, obs, rewarder: EpisodeRewarder) -> float:
        """The policy to the episode's end; the return of the steps after the simulated node."""
        total, done = 0.0, False
        while not done:
            obs, done, _, reward = await self._step(await self.policy.act(obs), rewarder)
            total += reward
        return total

    def _back_up(self, path: list[Node], tail: float) -> None:
        ret = tail
        for node in reversed(path):
            ret += node.reward
            node.visits += 1
            node.return_sum += ret
        self.root.visits += 1


def preference_pairs(root: Node, critic_weight: float, margin: float) -> list[PreferencePair]:
    """Agent Q's node-level pairs: at every expanded state, each visited sibling against every visited sibling whose
    mixed value is lower, by at least ``margin`` (replies without token ids, e.g. a hosted model's, give none)."""
    pairs, stack = [], [root]
    while stack:
        node = stack.pop()
        seen = [c for c in node.children if c.visits and c.action.token_ids]
        for better in seen:
            for worse in seen:
                gap = better.value(critic_weight) - worse.value(critic_weight)
                if gap > 0 and gap >= margin:
                    pairs.append(PreferencePair(better.action, worse.action, gap))
        stack.extend(node.children)
    return pairs


@dataclass
class SearchedEpisode:
    actions: list[Candidate]
    """The actions played, each the root's most visited of its search."""
    success: bool
    steps: int
    """Environment steps the searches spent, replays and rollouts included."""
    searches: list[SearchResult]
    """Each step's search, its tree kept (``preference_pairs`` reads it)."""
    status: str = "max_steps"
    """The environment's status at the episode's end."""


async def search_episode(env, task, policy, rewards: RewardConfig, config: SearchConfig, critic=None,
                         max_steps: int | None = None) -> SearchedEpisode:
    """Search at inference: before every step, a search of ``config.budget_steps`` from the steps played so far
    chooses the action (the root's most visited)."""
    episode = SearchedEpisode([], False, 0, [])
    limit = max_steps or env.config.max_steps
    while len(episode.actions) < limit:
        result = await TreeSearch(env, task, policy, rewards, config, prefix=episode.actions, critic=critic).run()
        episode.searches.append(result)
        episode.steps += result.steps
        best = result.best_child()
        episode.actions.append(best.action)
        if best.done:
            episode.success, episode.status = best.success, best.status
            break
    return episode


def searched_player(policy, rewards: RewardConfig, config: SearchConfig):
    """``play(env, task, run_id)`` for evaluations (``agent.evaluate.run_eval``'s ``play``): an episode with a search
    before every step, as an :class:`EpisodeResult` whose ``env_steps`` is what the searches spent. Like the agent's
    episodes it never raises for a problem of the episode: a failing browser or site ends it as an ``error``."""

    async def play(env, task, run_id: str = "search") -> EpisodeResult:
        start = time.perf_counter()
        try:
            episode = await search_episode(env, task, policy, rewards, config)
        except Exception as err:  # noqa: BLE001 - the episode's error, recorded; the evaluation goes on
            return EpisodeResult(task.id, "error", False, 0, error=f"{type(err).__name__}: {err}",
                                 seconds=time.perf_counter() - start)
        return EpisodeResult(task.id, episode.status, episode.success, len(episode.actions),
                             seconds=time.perf_counter() - start, actions=[_key(a) for a in episode.actions],
                             action_errors=sum(a.action is None for a in episode.actions), env_steps=episode.steps)

    return play
