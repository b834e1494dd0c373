"""Credit: which steps of a group's episodes are trained, with which advantage.

Dr. GRPO gives every step of an episode its episode's advantage A = R - mean(R_group); these rules withhold the
positive part where a step cannot have earned it (a reply that did not parse, steps after the episode's last reward,
steps between the task's completion and the answer), and a group with an errored episode trains nothing.

GiGPO (Feng et al. 2025, "Group-in-Group Policy Optimization") adds a step-level term. The group's episodes start
from one state and often pass through the same pages; the steps that acted on the same page (an anchor state s) form
a step-level group, and each is compared with the others by its discounted return from there:

    R_t^i     = sum_{k >= t} gamma^(k - t) r_k^i                        (the episode's rewards from step t on)
    A^S(i, t) = R_t^i - mean{ R_u^j : s_u^j = s_t^i }                   (0 for a page no other step acted on)
    A(i, t)   = A^E(i) + w * A^S(i, t)                                  (A^E: the episode's advantage above)

(Dr. GRPO's form, without dividing by the standard deviation, as the episode-level advantage here.)

Every step is one sample of the update, so an episode's share of it grows with its length. With
``step_weighting: episode`` each step's advantage is scaled so that the episodes of a group weigh the same:

    A(i, t) <- A(i, t) * mean_j(n_j) / n_i                              (n_i: the steps of episode i in its group)
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Callable

from halo_lib.rl.config import GRPOConfig
from halo_lib.rl.rollout import EpisodeRollout
# torch and halo_lib.rl.losses (torch) are imported lazily, in training_samples: importing this module stays light.


@dataclass
class TrainSample:
    inputs: object  # the exact prompt tensors the policy saw
    completion_ids: list[int]
    advantage: float
    sampler_logprobs: list[float]


def step_advantage(episode_advantage: float, parsed: bool, rewarded_from_here: bool, cfg: GRPOConfig,
                   dawdled: bool = False) -> float:
    """The advantage a step's completion is trained with: its episode's, capped at min(A, 0) for a reply that did
    not parse (it changed nothing on the page) unless ``cfg.credit_unparsed``, for a step from which on nothing
    was rewarded (``rewarded_from_here`` False: it and every later step of the episode earned no positive reward)
    unless ``cfg.credit_after_last_reward``, and for a step taken on a page that already satisfied the task, other
    than the episode's last (``dawdled``: only the answer could still earn anything) unless ``cfg.credit_after_done``.
    None of them can have earned the episode's return."""
    if ((not parsed and not cfg.credit_unparsed) or (not rewarded_from_here and not cfg.credit_after_last_reward)
            or (dawdled and not cfg.credit_after_done)):
        return min(episode_advantage, 0.0)
    return episode_advantage


def rewarded_from(episode: EpisodeRollout) -> list[bool]:
    """Per step: whether it or a later step of the episode earned a positive reward."""
    out, later = [], False
    for s in reversed(episode.steps):
        later = later or s.reward.total > 0
        out.append(later)
    return out[::-1]


def dawdled(episode: EpisodeRollout) -> list[bool]:
    """Per step: whether it was taken on a page that already satisfied the task and is not the answer that ended the
    episode (an episode the agent ends with its answer succeeds: what came between the task's completion and the
    answer did not help; an episode that ran out of steps ended with no answer)."""
    answer = len(episode.steps) - 1 if episode.status != "max_steps" else len(episode.steps)
    return [s.after_done and i != answer for i, s in enumerate(episode.steps)]


def discounted_returns(episode: EpisodeRollout, discount: float) -> list[float]:
    """Per step t: sum_{k >= t} discount^(k - t) r_k, the episode's rewards from that step on."""
    out, later = [], 0.0
    for s in reversed(episode.steps):
        later = s.reward.total + discount * later
        out.append(later)
    return out[::-1]


def anchor_advantages(group: list[EpisodeRollout], discount: float) -> list[list[float]]:
    """GiGPO's step-level advantages A^S of one group's episodes, per episode per step: a step's discounted return
    minus the mean of those of every step of the group that acted on the same page (itself included); 0 where no
    other step did, or where the page is unknown (a step with no recorded state)."""
    returns = [discounted_returns(ep, discount) for ep in group]
    anchors: dict[str, list[float]] = defaultdict(list)
    for ep, rets in zip(group, returns):
        for step, ret in zip(ep.steps, rets):
            if step.state:
                anchors[step.state].append(ret)
    return [[ret - sum(anchors[step.state]) / len(anchors[step.state])
             if step.state and len(anchors[step.state]) > 1 else 0.0
             for step, ret in zip(ep.steps, rets)] for ep, rets in zip(group, returns)]


def anchored_steps(group: list[EpisodeRollout]) -> int:
    """How many steps of a group acted on a page another step of the group also acted on (GiGPO's step groups)."""
    counts = Counter(step.state for ep in group for step in ep.steps if step.state)
    return sum(n for n in counts.values() if n > 1)


def credited_steps(episode: EpisodeRollout, advantage: float, cfg: GRPOConfig,
                   anchor: list[float] | None = None) -> list[tuple]:
    """(step, the advantage its completion is trained with) for every step of an episode: its episode's plus
    ``cfg.anchor_weight`` times its anchor-state advantage (``anchor``, GiGPO's), then ``step_advantage``'s caps."""
    anchor = anchor or [0.0] * len(episode.steps)
    return [(s, step_advantage(advantage + cfg.anchor_weight * a, s.candidate.action is not None, later, cfg, idle))
            for s, a, later, idle in zip(episode.steps, anchor, rewarded_from(episode), dawdled(episode))]


def episode_weights(group: list[EpisodeRollout], weighting: str) -> list[float]:
    """Per episode of a group, the factor its steps' advantages are scaled by: 1 (``step``: each step weighs the
    same), or the group's mean episode length over the episode's (``episode``: each episode weighs the same)."""
    if weighting == "step":
        return [1.0] * len(group)
    lengths = [max(len(ep.steps), 1) for ep in group]
    mean = sum(lengths) / len(lengths)
    return [mean / n for n in lengths]


def capped_credit(episodes: list[EpisodeRollout], advantages: list[float], cfg: GRPOConfig) -> int:
    """How many steps ``step_advantage`` denied their episode's positive advantage (logged per iteration)."""
    return sum(step_adv != adv for ep, adv in zip(episodes, advantages) for _, step_adv in credited_steps(ep, adv, cfg))


def training_samples(groups: list[list[EpisodeRollout]], policy_inputs: Callable, cfg: GRPOConfig,
                     keep_zero: bool = False) -> tuple[list, list]:
    """Every step's completion with its episode's advantage (Dr. GRPO: A = R - mean(R_group)), plus
    ``cfg.anchor_weight`` times its anchor-state advantage (GiGPO, ``anchor_advantages``); a reply that did not
    parse, a step after the episode's last positive reward and one between the task's completion and the answer get
    min(A, 0) (``step_advantage``); then scaled by its episode's weight (``episode_weights``, ``cfg.step_weighting``).
    Returns (samples, the episodes' advantages).
    Zero-advantage samples are dropped unless ``keep_zero``: without a KL term they carry no gradient (``train``
    keeps them when beta > 0, where the KL still acts on them, and in a dry run, which exercises them).
    A group with an episode that ended with an error (the sampling server died mid-episode) trains nothing: that
    episode's return was cut short, not earned, so every advantage of the group would be mismeasured (all 0)."""
    import torch

    from halo_lib.rl.losses import group_advantages

    returns = torch.tensor([ep.ret for group in groups for ep in group], dtype=torch.float32)
    advantages = group_advantages(returns, cfg.group_size, cfg.scale_rewards).tolist()
    errored = [any(ep.status == "error" for ep in group) for group in groups for _ in group]
    advantages = [0.0 if bad else adv for adv, bad in zip(advantages, errored)]
    samples = []
    episodes = [ep for group in groups for ep in group]
    anchors = [a for group in groups for a in (anchor_advantages(group, cfg.anchor_discount) if cfg.anchor_weight
                                                  else [None] * len(group))]
    weights = [w for group in groups for w in episode_weights(group, cfg.step_weighting)]
    for ep, adv, anchor, weight, bad in zip(episodes, advantages, anchors, weights, errored):
        if bad:
            continue
        for step, step_adv in credited_steps(ep, adv, cfg, anchor):
            step_adv *= weight
            c = step.candidate
            if not c.token_ids or c.prompt is None or (step_adv == 0.0 and not keep_zero):
                continue  # nothing to learn: no tokens (policy failure) or no signal (a zero advantage)
            ids = c.token_ids[: cfg.max_completion_length]
            samples.append(TrainSample(policy_inputs(c.prompt), ids, step_adv, c.logprobs[: len(ids)]))
    return samples, advantages
