"""The in-process transformers backend: Qwen3-VL (with a peft adapter when given) or a text causal LM,
batched sampling with per-token log-probs, on CPU or CUDA. It serves CPU runs and the trainer, which
rebuilds a candidate's exact model inputs with :meth:`HFPolicy.model_inputs`.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass

from halo_lib.policies.assets import build_inputs, sample_with_logprobs
from halo_lib.policies.base import Candidate, Modality
from halo_lib.policies.prompts import Prompt, PromptOptions, build_prompt


@dataclass
class SamplingConfig:
    """How an in-process policy samples."""

    temperature: float = 1.0
    """Sampling temperature (> 0). Log-probs are always those of the raw distribution (temperature 1)."""
    max_new_tokens: int = 64
    """Longest completion; an action needs 15-60 tokens."""
    seed: int | None = None
    """Seed for reproducible draws (advanced after every call so draws differ)."""
    prompt: PromptOptions = PromptOptions()
    """How much of the page the prompt shows (compact trees for small CPU models) and how wide the screenshot is
    (``PromptOptions.max_image_width``: the prompt carries the image already downscaled, so this policy, a vLLM
    sampler and the trainer all see the same pixels)."""


class HFPolicy:
    """A Policy over a transformers model held in this process."""

    def __init__(self, model, processor, modality: Modality, name: str = "hf", config: SamplingConfig | None = None,
                 lock: threading.Lock | None = None):
        self.model = model
        self.processor = processor
        self.modality = modality
        self.name = name
        self.config = config or SamplingConfig()
        # one generate at a time: the model is shared by all episodes (and by policies given the same lock)
        self._lock = lock or threading.Lock()
        self._draws = 0

    def model_inputs(self, prompt: Prompt):
        """The exact tensors the model saw for ``prompt`` (the trainer recomputes log-probs on them)."""
        if self.modality == "vision":
            messages, images = prompt.to_hf()  # the pixels the prompt carries, as the sampler saw them
            return build_inputs(self.processor, messages, images, prompt.tools)
        return build_inputs(self.processor, prompt.to_plain(), tools=prompt.tools)

    def _sample(self, prompt: Prompt, n: int):
        with self._lock:
            seed = None if self.config.seed is None else self.config.seed + self._draws
            self._draws += 1
            if self.modality == "vision":
                messages, images = prompt.to_hf()
            else:
                messages, images = prompt.to_plain(), None
            return sample_with_logprobs(self.model, self.processor, messages, images, n=n,
                                        max_new_tokens=self.config.max_new_tokens,
                                        temperature=self.config.temperature, seed=seed, tools=prompt.tools)

    async def sample_actions(self, obs, n: int) -> list[Candidate]:
        prompt = build_prompt(obs, self.modality, options=self.config.prompt)
        samples = await asyncio.to_thread(self._sample, prompt, n)
        return [Candidate.from_text(s.text, prompt.family, token_ids=s.completion_ids, logprobs=s.logprobs,
                                    prompt=prompt) for s in samples]

    async def act(self, obs) -> Candidate:
        return (await self.sample_actions(obs, 1))[0]
