"""The agent's step loop: who chooses each action, and one episode from reset to verdict.

Each step the first of these that has something to do chooses the action:

1. **cache**: a verified plan for this (site, start page, goal) is being replayed;
2. **macro**: a macro the policy called (``search('pot')``) still has actions to play;
3. **recovery**: a blocking notice is open and gets closed;
4. **policy**: the model's reply -- unless recovery sees it would repeat itself into a loop, in which case the
   policy is asked to re-plan (with a hint) or a deterministic fallback runs instead.

Errors stay inside their episode: a malformed reply is passed on and becomes an action error the model sees next
step (the environment does that); an exception from the policy ends that episode as ``error`` with the reason.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from halo_lib.actions import Action
from halo_lib.agent.axtree import ElementNotFound, parse_axtree, state_signature
from halo_lib.agent.cache import CachedPlan, VerifiedActionCache
from halo_lib.agent.grounding import GroundedAction, ground, reground
from halo_lib.agent.macros import MacroRun, parse_macro_call
from halo_lib.agent.recovery import Recovery, RecoveryConfig
from halo_lib.agent.trajectory import EpisodeLog, Source, TrajectoryWriter, new_episode_id
from halo_lib.env.environment import Observation
from halo_lib.env.pool import EpisodeResult
from halo_lib.errors import HaloError
from halo_lib.policies.base import Candidate

log = logging.getLogger(__name__)


class PolicyError(HaloError):
    """The policy raised (a dead model server, a bug): the episode ends as ``error``."""


def with_hint(obs: Observation, hint: str | None) -> Observation:
    """The observation with the agent's note for the policy's prompt (``Observation.hint``)."""
    return obs if hint is None else dataclasses.replace(obs, hint=hint)


@dataclass
class Decision:
    """The action for one step, what chose it and why."""

    source: Source
    candidate: Candidate
    """What goes to ``env.step``: the model's reply, or an action the agent wrote itself."""
    note: str | None = None
    policy_s: float = 0.0


@dataclass
class AgentEpisodeResult(EpisodeResult):
    """An :class:`EpisodeResult` plus what the agent did: who chose the actions, whether the cache replayed."""

    episode_id: str = ""
    chosen_by: dict = field(default_factory=dict)
    cache_replayed: bool = False


class Agent:
    """A policy with recovery, a verified action cache and macros around it. Shared by the episodes of a run;
    each episode's memory lives in the :class:`AgentEpisode` that :meth:`start` returns."""

    def __init__(self, policy, *, recovery: RecoveryConfig | None = RecoveryConfig(),
                 cache: VerifiedActionCache | None = None, macros: bool = True):
        self.policy = policy
        self.recovery_config = recovery
        """None turns recovery off (the policy's actions run as they are)."""
        self.cache = cache
        self.macros = macros

    def start(self, task, first_obs: Observation) -> "AgentEpisode":
        if hasattr(self.policy, "reset"):  # stateful policies (a scripted plan) start over
            self.policy.reset()
        return AgentEpisode(self, task, first_obs)


class AgentEpisode:
    """One episode's decisions: :meth:`decide` before each step, :meth:`after_step`, then :meth:`finish`."""

    def __init__(self, agent: Agent, task, first_obs: Observation):
        self.agent = agent
        self.task = task
        self.recovery = Recovery(agent.recovery_config) if agent.recovery_config is not None else None
        self.start_signature = state_signature(first_obs.url, first_obs.axtree)
        self.executed: list[GroundedAction] = []
        self.chosen_by: Counter[str] = Counter()
        self.hint: str | None = None
        self.macro: MacroRun | None = None
        self.macro_failure: str | None = None
        self.plan: CachedPlan | None = None
        self.replay: deque[GroundedAction] = deque()
        if agent.cache is not None:
            self.plan = agent.cache.lookup(task.site, self.start_signature, task.goal)
            if self.plan is not None:
                self.replay = deque(self.plan.actions())

    # ---- choosing --------------------------------------------------------------------------------
    async def decide(self, obs: Observation) -> Decision:
        nodes = parse_axtree(obs.axtree)
        if self.replay:
            action = reground(self.replay[0], nodes)
            if action is not None:
                self.replay.popleft()
                return self._own("cache", action, f"cached plan, {len(self.replay)} actions left")
            self._abandon_replay(f"{self.replay[0].target.describe()} is not on the page")
        if self.macro is not None:
            decision = self._macro_step(obs)
            if decision is not None:
                return decision
        if self.recovery is not None:
            intervention = self.recovery.before_policy(obs)
            if intervention is not None:
                self.hint = intervention.hint
                return self._own("recovery", intervention.action, intervention.reason)
        return await self._policy_decision(obs)

    async def _policy_decision(self, obs: Observation) -> Decision:
        candidate, seconds = await self._ask_policy(obs, self.hint)
        self.hint = None
        nodes = parse_axtree(obs.axtree)
        while True:
            macro = parse_macro_call(candidate.text) if self.agent.macros and candidate.action is None else None
            if macro is not None:
                self.macro = MacroRun(macro)
                decision = self._macro_step(obs, started=True)
                if decision is not None:  # keep the model's own text (and log-probs) on the step that called it
                    decision.candidate = dataclasses.replace(candidate, action=decision.candidate.action, error=None)
                    decision.policy_s = seconds
                    return decision
                # the macro has nothing to do here: its failure reaches the model as this step's action error
                return Decision("policy", Candidate(candidate.text, None, self.macro_failure), policy_s=seconds)
            intervention = None
            if self.recovery is not None and candidate.action is not None:
                intervention = self.recovery.review(obs, ground(candidate.action, nodes))
            if intervention is None:
                return Decision("policy", candidate, policy_s=seconds)
            if intervention.kind == "act":
                return self._own("recovery", intervention.action, intervention.reason, policy_s=seconds)
            candidate, more = await self._ask_policy(obs, intervention.hint)  # re-plan, then review again
            seconds += more

    async def _ask_policy(self, obs: Observation, hint: str | None) -> tuple[Candidate, float]:
        start = time.perf_counter()
        try:
            candidate = await self.agent.policy.act(with_hint(obs, hint))
        except (asyncio.CancelledError, KeyboardInterrupt):
            raise
        except Exception as err:
            raise PolicyError(f"{type(err).__name__}: {err}") from err
        return candidate, time.perf_counter() - start

    def _macro_step(self, obs: Observation, started: bool = False) -> Decision | None:
        """The running macro's next action; None when it is done or cannot go on (the reason becomes a hint)."""
        run = self.macro
        try:
            action = run.next_action(obs)
        except ElementNotFound as err:
            self.macro = None
            self.macro_failure = f"the macro {run.macro.describe()} cannot continue: {err}"
            self.hint = None if started else self.macro_failure
            return None
        if action is None:
            self.macro = None
            self.macro_failure = f"the macro {run.macro.describe()} has nothing to do on this page"
            return None
        return self._own("macro", action, run.macro.describe())

    def _own(self, source: Source, action: Action, note: str | None, policy_s: float = 0.0) -> Decision:
        return Decision(source, Candidate(action.to_text(), action), note, policy_s)

    def _abandon_replay(self, why: str) -> None:
        log.info("cached plan for %s abandoned: %s", self.task.id, why)
        self.replay.clear()
        if self.plan is not None:
            self.agent.cache.record_failure(self.plan.site, self.plan.start_signature, self.plan.goal)
            self.plan = None

    # ---- learning from the outcome ---------------------------------------------------------------
    def after_step(self, obs: Observation, decision: Decision, next_obs: Observation) -> None:
        """Book-keeping once the environment ran the decision."""
        self.chosen_by[decision.source] += 1
        action = decision.candidate.action
        if action is None:
            return
        grounded = ground(action, parse_axtree(obs.axtree))
        self.executed.append(grounded)
        if self.recovery is not None:
            self.recovery.record(obs, grounded)
        if next_obs.last_action_error:
            if decision.source == "cache":
                self._abandon_replay(next_obs.last_action_error)
            elif decision.source == "macro" and self.macro is not None:
                self.hint = f"the macro {self.macro.macro.describe()} stopped: {next_obs.last_action_error}"
                self.macro = None

    def finish(self, status: str) -> None:
        """Update the cache: a successful episode is a verified plan; a replay that did not succeed is dropped."""
        cache = self.agent.cache
        if cache is None or status == "error":
            return
        if self.plan is not None and status != "success":
            self._abandon_replay(f"the replay ended as {status}")
        elif status == "success":
            cache.record_success(self.task.site, self.start_signature, self.task.goal, self.executed)

    @property
    def cache_replayed(self) -> bool:
        return self.chosen_by["cache"] > 0


# ---- one episode --------------------------------------------------------------------------------


async def run_agent_episode(env, task, agent: Agent, writer: TrajectoryWriter | None = None, *,
                            run_id: str = "halo", episode_id: str | None = None) -> AgentEpisodeResult:
    """reset -> (agent decides -> env.step -> record)* -> verdict, written step by step to ``writer``.

    Never raises for a problem of this episode (failed reset, policy exception, environment failure): the
    result says ``status="error"`` and why."""
    start = time.perf_counter()
    episode_id = episode_id or new_episode_id(task.id)
    trajectory: EpisodeLog | None = writer.episode(task.id, episode_id) if writer else None
    result = AgentEpisodeResult(task.id, "error", False, 0, episode_id=episode_id)
    obs = episode = None
    try:
        obs = await env.reset(task, run_id=run_id)
        episode = agent.start(task, obs)
        result.status = "running"
        done = False
        while not done:
            decision = await episode.decide(obs)
            env_start = time.perf_counter()
            next_obs, reward, done, info = await env.step(decision.candidate)
            env_s = time.perf_counter() - env_start
            action = decision.candidate.action
            if trajectory is not None:
                trajectory.step(step=obs.step, obs=obs, source=decision.source, note=decision.note,
                                model_text=decision.candidate.text, action=action,
                                parse_error=decision.candidate.error,
                                exec_error=next_obs.last_action_error if action is not None else None,
                                reward={"env": reward}, policy_s=decision.policy_s, env_s=env_s)
            episode.after_step(obs, decision, next_obs)
            result.actions.append(next_obs.history[-1][0] if next_obs.history else decision.candidate.text[:200])
            result.action_errors += next_obs.last_action_error is not None
            obs = next_obs
        result.status, result.success, result.steps = info["status"], info["success"], info["step"]
        result.answer, result.error = info.get("answer"), info.get("error")
    except (asyncio.CancelledError, KeyboardInterrupt):
        raise
    except Exception as err:  # this episode is over; the run goes on
        where = ("reset failed" if episode is None else "policy failed" if isinstance(err, PolicyError)
                 else "episode failed")
        result.status, result.success = "error", False
        result.error = f"{where}: {err}" if isinstance(err, PolicyError) else f"{where}: {type(err).__name__}: {err}"
        result.steps = len(result.actions)
        log.warning("episode %s of %s ended with an error: %s", episode_id, task.id, result.error)
    if episode is not None:
        episode.finish(result.status)
        result.chosen_by, result.cache_replayed = dict(episode.chosen_by), episode.cache_replayed
    result.seconds = time.perf_counter() - start
    if trajectory is not None:
        with trajectory:
            trajectory.summary(status=result.status, success=result.success, steps=result.steps, final_obs=obs,
                               answer=result.answer, error=result.error, seconds=round(result.seconds, 3),
                               chosen_by=result.chosen_by, cache_replayed=result.cache_replayed)
    return result


async def run_agent_episodes(envs: Sequence, jobs: Sequence[tuple[object, Agent]],
                             writer: TrajectoryWriter | None = None, run_id: str = "halo") -> list[AgentEpisodeResult]:
    """Every (task, agent) job on the given environments (e.g. ``EnvPool.envs``), results in the jobs' order."""
    free: asyncio.Queue = asyncio.Queue()
    for env in envs:
        free.put_nowait(env)

    async def one(task, agent: Agent) -> AgentEpisodeResult:
        env = await free.get()
        try:
            return await run_agent_episode(env, task, agent, writer, run_id=run_id)
        finally:
            free.put_nowait(env)

    return list(await asyncio.gather(*(one(task, agent) for task, agent in jobs)))
