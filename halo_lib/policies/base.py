"""The one interface every policy implements, and what a sampled action carries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from halo_lib.actions import Action, parse_action
from halo_lib.errors import ActionParseError

Modality = Literal["vision", "text"]


@dataclass
class Candidate:
    """One sampled reply: the raw text, its parsed action (or why it did not parse), and its token log-probs."""

    text: str
    action: Action | None = None
    error: str | None = None
    """The parse error a model can learn from, when ``action`` is None."""
    token_ids: list[int] = field(default_factory=list)
    """Completion token ids (empty for backends that do not expose them, e.g. hosted OpenAI models)."""
    logprobs: list[float] = field(default_factory=list)
    """Log-probability of each completion token under the sampler (same length as ``token_ids``)."""
    prompt: object | None = None
    """The :class:`~halo_lib.policies.prompts.Prompt` it answered (the trainer re-scores it)."""

    @classmethod
    def from_text(cls, text: str, family: str | None = None, **kw) -> "Candidate":
        try:
            return cls(text, parse_action(text, family), None, **kw)
        except ActionParseError as err:
            return cls(text, None, str(err), **kw)

    @property
    def logprob(self) -> float:
        return float(sum(self.logprobs))


@runtime_checkable
class Policy(Protocol):
    """``act`` picks the action for an observation; ``sample_actions`` draws ``n`` candidates (GRPO groups)."""

    name: str
    modality: Modality

    async def act(self, obs) -> Candidate: ...

    async def sample_actions(self, obs, n: int) -> list[Candidate]: ...


class SearchingPolicy:
    """What the search asks of a policy, from two samplers of the same weights: proposals sampled at temperature
    1 (``sample_actions``: distinct actions to branch on) and the rollouts' actions (``act``: greedy by default)."""

    def __init__(self, proposer, actor):
        self.proposer, self.actor = proposer, actor
        self.name, self.modality = actor.name, actor.modality

    async def sample_actions(self, obs, n: int) -> list[Candidate]:
        return await self.proposer.sample_actions(obs, n)

    async def act(self, obs) -> Candidate:
        return await self.actor.act(obs)
