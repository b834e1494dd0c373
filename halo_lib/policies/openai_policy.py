"""The ``gpt4o_baseline`` mode: a worker model acts every step; a manager model advises when the worker is stuck.

Stuck rules (checked on every observation, first match wins; all are about the worker's own recent steps):

1. **repeat**: the last ``repeat`` actions (default 2) are the same action text, taken on the current URL.
2. **errors**: the last ``errors`` actions (default 2) all failed (parse or execution errors).
3. **no progress**: the last ``no_progress`` actions (default 6) were all taken on the current URL, i.e. the
   page address has not changed for that many steps.

An :class:`Observation` carries the action history but not the URL each action was taken on, so the policy
remembers the URL it saw before each action (keyed by task goal + action history, so parallel episodes do not
mix). Actions it did not see (a policy swapped in mid-episode) count as taken on the current URL for rule 1 and
as unknown (not stuck) for rule 3.

When a rule fires, the manager (default gpt-4o) reads the same observation with the worker's instructions and
writes a few sentences of advice; the worker's prompt for that step gets it via ``build_prompt(...,
extra_hint=...)``. The worker (default gpt-4o-mini) sees the screenshot by default (``modality="vision"``, the
computer_use actions) or the accessibility tree (``"text"``, element-id actions).

The API key comes from ``api_key=`` or ``OPENAI_API_KEY`` and never appears in reprs, logs or error messages;
the endpoint from ``base_url=``, ``OPENAI_BASE_URL`` or OpenAI's. Any OpenAI-compatible server works (the
tests use a local vLLM).
"""

from __future__ import annotations

import logging
import os
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from halo_lib.errors import HaloError
from halo_lib.policies.base import Candidate, Modality
from halo_lib.policies.prompts import Prompt, build_prompt, system_prompt
from halo_lib.policies.vllm_client import Endpoint, candidates_from, chat_completion

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.openai.com/v1"

MANAGER_SYSTEM = """You supervise a web agent that seems to be stuck. You see what the agent sees: its task, \
its previous actions (with their errors), the current page, and why it looks stuck. In at most three \
sentences, tell the agent what to do next and why (name the element or the exact action when you can). \
Do not reply with an action call yourself.

For reference, these are the agent's instructions:
---
{worker_system}
---"""

MANAGER_HINT = "NOTE FOR THE SUPERVISOR: the agent looks stuck ({reason}). What should it do next?"
WORKER_HINT = "Advice from your manager (you look stuck: {reason}):\n{advice}"


@dataclass
class StuckRules:
    """When the manager is consulted (see the module docstring); 0 switches a rule off."""

    repeat: int = 2
    errors: int = 2
    no_progress: int = 6


class _Secret:
    """Holds the API key; its str/repr never show it."""

    __slots__ = ("value",)

    def __init__(self, value: str):
        self.value = value

    def __repr__(self) -> str:
        return "'***'"

    __str__ = __repr__


class WorkerManagerPolicy:
    """``gpt4o_baseline``: worker acts, manager advises when stuck. ``act`` and ``sample_actions`` follow the
    :class:`~halo_lib.policies.base.Policy` protocol; ``manager_calls`` counts consultations, ``last_advice``
    keeps the latest advice."""

    def __init__(self, worker_model: str = "gpt-4o-mini", manager_model: str = "gpt-4o",
                 modality: Modality = "vision", *, api_key: str | None = None, base_url: str | None = None,
                 temperature: float = 0.0, sample_temperature: float = 1.0, max_tokens: int = 512,
                 manager_max_tokens: int = 256, stuck: StuckRules | None = None, timeout_s: float = 120.0,
                 max_retries: int = 3, name: str = "gpt4o_baseline", remember: int = 10_000):
        if modality not in ("vision", "text"):
            raise HaloError(f"modality must be 'vision' or 'text' (got {modality!r})")
        key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY", "")
        if not key.strip():
            raise HaloError("OPENAI_API_KEY is not set: export OPENAI_API_KEY=<your key> (or pass api_key=) to "
                            "use the gpt4o_baseline policy")
        self._key = _Secret(key.strip())
        self.base_url = (base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        self.worker_model = worker_model
        self.manager_model = manager_model
        self.modality: Modality = modality
        self.name = name
        self.temperature = temperature
        self.sample_temperature = sample_temperature
        self.max_tokens = max_tokens
        self.manager_max_tokens = manager_max_tokens
        self.stuck = stuck or StuckRules()
        self.manager_calls = 0
        self.last_advice: str | None = None
        self._urls: OrderedDict[tuple, str] = OrderedDict()
        self._remember = remember
        self._endpoint = Endpoint(base_url=self.base_url, api_key=self._key.value, timeout=timeout_s,
                                  max_retries=max_retries)

    def __repr__(self) -> str:
        return (f"WorkerManagerPolicy(worker={self.worker_model!r}, manager={self.manager_model!r}, "
                f"modality={self.modality!r}, base_url={self.base_url!r})")

    # ---- stuck detection -------------------------------------------------------------------------------------

    def _remember_url(self, obs) -> None:
        key = (obs.goal, tuple(a for a, _ in obs.history))
        self._urls[key] = obs.url
        self._urls.move_to_end(key)
        while len(self._urls) > self._remember:
            self._urls.popitem(last=False)

    def _url_before(self, obs, i: int) -> str | None:
        """The URL the policy saw before the episode's action ``i`` (None if it did not see that step)."""
        return self._urls.get((obs.goal, tuple(a for a, _ in obs.history[:i])))

    def stuck_reason(self, obs) -> str | None:
        """Why the worker looks stuck at this observation (a short phrase), or None."""
        hist, rules = obs.history, self.stuck
        n = len(hist)
        if rules.repeat and n >= rules.repeat:
            last = [a for a, _ in hist[-rules.repeat:]]
            urls = [self._url_before(obs, i) for i in range(n - rules.repeat, n)]
            if len(set(last)) == 1 and all(u in (None, obs.url) for u in urls):
                return f"the same action {last[0]} {rules.repeat} times in a row on {obs.url}"
        if rules.errors and n >= rules.errors and all(err for _, err in hist[-rules.errors:]):
            return f"the last {rules.errors} actions failed (latest error: {hist[-1][1]})"
        if rules.no_progress and n >= rules.no_progress:
            urls = [self._url_before(obs, i) for i in range(n - rules.no_progress, n)]
            if all(u == obs.url for u in urls):
                return f"no progress: still on {obs.url} after {rules.no_progress} actions"
        return None

    # ---- requests --------------------------------------------------------------------------------------------

    async def _chat(self, model: str, messages: list[dict], **params: Any):
        async with self._endpoint.client() as client:
            return await chat_completion(
                client, url=f"OpenAI-compatible API at {self.base_url}", model=model, messages=messages,
                down_hint="check the network, OPENAI_BASE_URL and that the service is up", scrub=self._key.value,
                **params)

    async def advise(self, obs, reason: str) -> str:
        """Ask the manager what the stuck worker should do next."""
        prompt = build_prompt(obs, self.modality, extra_hint=MANAGER_HINT.format(reason=reason))
        messages = prompt.to_openai()
        messages[0] = {"role": "system", "content": MANAGER_SYSTEM.format(worker_system=system_prompt(prompt.family))}
        response = await self._chat(self.manager_model, messages, temperature=0.0,
                                    max_tokens=self.manager_max_tokens)
        advice = (response.choices[0].message.content or "").strip()
        self.manager_calls += 1
        self.last_advice = advice
        log.info("step %d: worker stuck (%s); manager %s advises: %s", obs.step + 1, reason, self.manager_model,
                 advice[:300])
        return advice

    async def worker_prompt(self, obs) -> Prompt:
        """The worker's prompt, with the manager's advice when the worker is stuck."""
        self._remember_url(obs)
        reason = self.stuck_reason(obs)
        hint = None
        if reason:
            advice = await self.advise(obs, reason)
            if advice:
                hint = WORKER_HINT.format(reason=reason, advice=advice)
        return build_prompt(obs, self.modality, extra_hint=hint)

    async def sample_actions(self, obs, n: int) -> list[Candidate]:
        if n < 1:
            raise HaloError(f"n must be >= 1 (got {n})")
        prompt = await self.worker_prompt(obs)
        response = await self._chat(self.worker_model, prompt.to_openai(inline_tools=True), n=n,
                                    max_tokens=self.max_tokens,
                                    temperature=self.temperature if n == 1 else self.sample_temperature)
        return candidates_from(response, prompt)

    async def act(self, obs) -> Candidate:
        return (await self.sample_actions(obs, 1))[0]
