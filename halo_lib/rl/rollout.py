"""Rollouts for GRPO.

- ``collect_group``: G episodes of the same task from the same start state (the sites are deterministic),
  in parallel browser contexts; every step's completion is later trained with its episode's advantage. The start
  state is the task's own start, or (``Start.oracle_steps``) the state its scripted solution reaches after its
  first k steps: backplay, a start-state curriculum along a demonstration (Salimans & Chen 2018), so the policy
  practises late decisions (stop after "Add to Cart") that its own episodes rarely reach.
- ``branch_at_state``: the per-step variant of the original HALO design: at one state, sample n actions,
  try each from that same state in its own context (reset and replay the prefix), and score each by its
  dense step reward.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

from halo_lib.env.environment import BrowserEnv
from halo_lib.env.evaluation import evaluate_task
from halo_lib.env.pool import EnvPool
from halo_lib.policies.base import Candidate
from halo_lib.errors import HaloError, first_line
from halo_lib.policies.scripted import ScriptedPolicy
from halo_lib.rl.rewards import EpisodeRewarder, RewardConfig, RewardPieces, state_signature
from halo_lib.tasks import Task
from halo_lib.tasks.generator import GeneratedTask, oracle_steps

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Start:
    """Where the episodes of a group begin."""

    task: Task
    oracle_steps: int = 0
    """Steps of the task's scripted solution (``halo_lib.tasks.generator.oracle_steps``) played before the policy
    takes over; 0 starts at the task's start. They count towards the step budget and show in the policy's
    "previous actions", as in an episode that got there itself, but are not trained on."""

    @property
    def label(self) -> str:
        return f"{self.task.id}@{self.oracle_steps}" if self.oracle_steps else self.task.id


@dataclass
class StepSample:
    """One decision of an episode: what the policy sampled and what it earned."""

    candidate: Candidate
    reward: RewardPieces
    error: str | None = None
    after_done: bool = False
    """The page already satisfied the task's own check when this step was taken: only the final answer could still
    earn anything (``task_done``)."""
    state: str = ""
    """The page this step acted on, as the rewarder knows it (``state_signature``): steps of a group's episodes that
    acted on the same page share an anchor state (GiGPO's step-level groups, ``halo_lib.rl.credit``)."""


def task_done(task: Task, state: dict | None) -> bool:
    """Whether a ``/finish`` state already satisfies the task's own check, which for a generated task reads the state
    alone (its answer is unused). False for a task without one (a REAL task's scripts may need the answer), for a
    state that could not be read, and where the check fails with an error (``evaluate_task`` reports it so)."""
    return getattr(task, "check", None) is not None and bool(state) and evaluate_task(task, state).success


@dataclass
class EpisodeRollout:
    """One episode of a group."""

    task_id: str
    steps: list[StepSample] = field(default_factory=list)
    start_step: int = 0
    """Oracle steps played before the policy's first (``Start.oracle_steps``)."""
    success: bool = False
    status: str = "running"
    seconds: float = 0.0
    error: str | None = None
    """Why the episode ended with an error (status ``error``): the browser, the site or the sampler failed."""

    @property
    def ret(self) -> float:
        """The episode's return: every dense reward plus the success bonus (the last step carries it)."""
        return sum(s.reward.total for s in self.steps)

    @property
    def milestones(self) -> list[str]:
        return [m for s in self.steps for m in s.reward.milestones]

    def to_dict(self) -> dict:
        """What the episode did and earned, step by step (the model's reply, its parse or execution error, the reward
        term by term): a JSON line of the run's ``rollouts.jsonl``."""
        return {"task_id": self.task_id, "start_step": self.start_step, "success": self.success,
                "status": self.status, "error": self.error, "return": self.ret, "seconds": round(self.seconds, 3),
                "milestones": self.milestones,
                "steps": [{"text": s.candidate.text, "parse_error": s.candidate.error, "error": s.error,
                           "after_done": s.after_done, "state": s.state, "reward": s.reward.to_dict()}
                          for s in self.steps]}


def merge_pieces(a: RewardPieces, b: RewardPieces) -> RewardPieces:
    """The rewards of one step from two sources (its dense terms and the episode's verdict), term by term."""
    return RewardPieces(progress=a.progress + b.progress, novelty=a.novelty + b.novelty, loop=a.loop + b.loop,
                        success=a.success + b.success, step_cost=a.step_cost + b.step_cost,
                        out_of_steps=a.out_of_steps + b.out_of_steps,
                        milestones=a.milestones + b.milestones)


class PrefixReplayFailed(HaloError):
    """A step of a scripted prefix failed while it was replayed (on busy cores a click can time out)."""


async def play_oracle_prefix(env: BrowserEnv, task: Task, obs, n_steps: int):
    """Play the first ``n_steps`` steps of ``task``'s scripted solution in ``env`` (just reset to ``obs``); returns the
    observation they reach. Raises HaloError if the plan has no more steps than that, PrefixReplayFailed if a step
    fails on the way."""
    if not isinstance(task, GeneratedTask):
        raise HaloError(f"{task.id}: only generated tasks have a scripted solution to start along (oracle_steps=0)")
    plan = ScriptedPolicy(oracle_steps(task))
    if not 0 < n_steps <= len(plan.steps):
        raise HaloError(f"{task.id}: oracle_steps must be in 1..{len(plan.steps)} (its solution's actions; the "
                        f"final answer is left to the policy), got {n_steps}")
    if n_steps >= env.config.max_steps:
        raise HaloError(f"{task.id}: oracle_steps={n_steps} leaves the policy no step of the budget "
                        f"(EnvConfig.max_steps={env.config.max_steps}): start earlier or raise max_steps")
    while plan.played < n_steps:  # a missing target costs a harmless waiting step, as in demonstrations
        try:
            obs, _, done, info = await env.step(await plan.act(obs))
        except Exception as err:  # the browser or the site went down mid-replay
            raise PrefixReplayFailed(f"{task.id}: step {plan.played} of its scripted solution raised: "
                                     f"{first_line(err, 300)}") from err
        if done or obs.last_action_error:
            raise PrefixReplayFailed(f"{task.id}: its scripted solution failed at step {plan.played} while "
                                     f"replaying the first {n_steps}: "
                                     f"{info.get('error') or obs.last_action_error or info.get('status')}")
    return obs


async def rollout_episode(env: BrowserEnv, task: Task, policy, rewards: RewardConfig, run_id: str = "grpo",
                          oracle_steps: int = 0) -> EpisodeRollout:
    """reset -> [oracle prefix] -> (sample -> step -> dense reward)* -> success bonus. The policy's errors end the
    episode, never the run; so do the browser's and the site's. A prefix whose replay fails is tried once more from a
    fresh reset (the plans are checked; under load a click can time out), then ends the episode as an error; a prefix
    the plan cannot give (too long, no step left) raises: the setup is wrong, not the policy.
    Milestones the prefix reached never pay; its states are not novel."""
    start = time.perf_counter()
    episode = EpisodeRollout(task.id, start_step=oracle_steps)
    rewarder = EpisodeRewarder(task, rewards)

    def failed(what: str, err: Exception) -> EpisodeRollout:
        # the browser, the site or the sampler failed: this episode ends as an error (its group trains nothing)
        episode.status, episode.error = "error", f"{what} failed: {first_line(err, 300)}"
        episode.seconds = time.perf_counter() - start
        return episode

    for attempt in (1, 2):
        try:
            obs = await env.reset(task, run_id=run_id)
        except Exception as err:  # a crashed browser, a site that is down or hung
            return failed("reset", err)
        if not oracle_steps:
            break
        try:
            obs = await play_oracle_prefix(env, task, obs, oracle_steps)
            break
        except PrefixReplayFailed as err:
            log.warning("replaying %s's prefix failed (try %d of 2): %s", task.id, attempt, first_line(err))
            if attempt == 2:
                return failed("replaying the scripted prefix", err)
    try:
        state = await env.read_state()
    except Exception as err:
        return failed("reading the site's state", err)
    here = state_signature(obs)
    rewarder.reset(here, state)
    done = False
    while not done:
        was_done, acted_on = task_done(task, state), here
        try:
            candidate = await policy.act(obs)
        except Exception as err:  # e.g. the sampling server died: this episode ends as an error
            episode.steps.append(StepSample(Candidate(text=""), RewardPieces(), f"policy failed: {err}"))
            failed("the policy", err)
            break
        obs, _, done, info = await env.step(candidate)
        try:
            state = info["final_state"] if done else await env.read_state()
        except Exception as err:
            failed("reading the site's state", err)
            break
        here = state_signature(obs)
        pieces = rewarder.step(state, here, candidate.text)
        if done:
            episode.success, episode.status = info["success"], info["status"]
            episode.error = info.get("error") if info["status"] == "error" else None
            pieces = merge_pieces(pieces, rewarder.finish(info["success"], info["status"]))
        episode.steps.append(StepSample(candidate, pieces, obs.last_action_error, after_done=was_done,
                                        state=acted_on))
    episode.seconds = time.perf_counter() - start
    return episode


async def collect_group(pool: EnvPool, start: Start | Task, policy, group_size: int, rewards: RewardConfig,
                        first_env: int = 0) -> list[EpisodeRollout]:
    """``group_size`` episodes of one task from one start state in parallel, in the pool's contexts ``first_env``
    onwards (so several groups can run at once in one pool)."""
    start = start if isinstance(start, Start) else Start(start)
    if len(pool.envs) < first_env + group_size:
        raise ValueError(f"the pool has {len(pool.envs)} contexts, the group needs {group_size} from #{first_env}")
    # A policy may give each episode its own view (e.g. its own sampling seed), so a group is reproducible
    # whatever order the episodes' steps interleave in.
    views = [policy.for_episode(i) if hasattr(policy, "for_episode") else policy for i in range(group_size)]
    return list(await asyncio.gather(*(rollout_episode(env, start.task, view, rewards, run_id=f"grpo-{i}",
                                                       oracle_steps=start.oracle_steps)
                                       for i, (env, view) in enumerate(zip(pool.envs[first_env:], views)))))


@dataclass
class Branch:
    """One sampled action tried from the shared state, with its dense step reward."""

    candidate: Candidate
    reward: RewardPieces
    done: bool
    success: bool


class EnvironmentFailed(HaloError):
    """A step ended with the environment's error (a crashed browser, a site that did not answer): not the policy's
    doing, so nothing may be learned from it."""


def checked(task: Task, info: dict) -> dict:
    """A step's ``info``; EnvironmentFailed if the environment, not the policy, ended it."""
    if info.get("status") == "error":
        raise EnvironmentFailed(f"{task.id}: the environment failed: {info.get('error')}")
    return info


def action_text(action) -> str:
    """What the rewarder compares of an action: a reply's text, an Action's compact form, or the string itself."""
    if isinstance(action, Candidate):
        return action.text
    return action.to_text(compact=True) if hasattr(action, "to_text") else str(action)


async def replay_prefix(env: BrowserEnv, task: Task, prefix: list, rewarder: EpisodeRewarder, run_id: str = "branch"):
    """Reset ``env`` to ``task`` and play ``prefix`` (actions, replies or their text), the rewarder following; the
    observation it reaches. A prefix that ends the episode, or a step the environment fails, raises."""
    obs = await env.reset(task, run_id=run_id)
    rewarder.reset(state_signature(obs), await env.read_state())
    for i, action in enumerate(prefix):
        obs, _, done, info = await env.step(action)
        checked(task, info)
        rewarder.step(info["final_state"] if done else await env.read_state(), state_signature(obs),
                      action_text(action))
        if done:
            raise HaloError(f"{task.id}: replaying a prefix ended the episode at step {i + 1} (branch before its "
                            "last action; a site that is not deterministic, or a step budget too small, does this)")
    return obs


async def branch_at_state(pool: EnvPool, task: Task, prefix: list, policy, n: int, rewards: RewardConfig
                          ) -> list[Branch]:
    """At the state reached by ``prefix`` (a list of actions), sample ``n`` actions once and try each in its own
    context from that same state (reset + replay), scoring it by the dense reward of that one step."""
    if len(pool.envs) < n:
        raise ValueError(f"the pool has {len(pool.envs)} contexts, branching needs {n}")
    first = pool.envs[0]
    obs = await replay_prefix(first, task, prefix, EpisodeRewarder(task, rewards))
    candidates = await policy.sample_actions(obs, n)

    async def try_one(env: BrowserEnv, candidate: Candidate) -> Branch:
        rewarder = EpisodeRewarder(task, rewards)
        await replay_prefix(env, task, prefix, rewarder)
        obs, _, done, info = await env.step(candidate)
        pieces = rewarder.step(info["final_state"] if done else await env.read_state(), state_signature(obs),
                               candidate.text)
        if done:
            pieces = merge_pieces(pieces, rewarder.finish(info["success"], info["status"]))
        return Branch(candidate, pieces, done, bool(done and info["success"]))

    return list(await asyncio.gather(*(try_one(env, c) for env, c in zip(pool.envs, candidates))))
