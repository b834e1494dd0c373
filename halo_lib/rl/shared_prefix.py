"""A prompt prefix that a batch of samples shares (the system prompt: ~40% of a text policy's prompt), run forward
and backward once per batch instead of once per sample: the same gradients, less compute.

    L = sum_i l_i(theta, KV(theta))
    dL/dtheta = sum_i dl_i/dtheta |_KV  +  (sum_i dl_i/dKV) . dKV/dtheta

The prefix's keys and values KV are computed once, with grad. Each sample's rest (its own prompt tokens and its
completion) runs on top of detached copies of them (leaves), so backpropagating the samples one at a time (gradient
accumulation, as the GRPO update does) collects sum_i dl_i/dKV in the leaves' ``.grad``; ``backward()`` then sends
that sum through the prefix in one pass. With LoRA dropout > 0 the samples share the prefix's dropout mask.

Text prompts only (``input_ids`` and an all-ones ``attention_mask``): a vision prompt's image tokens and M-RoPE
positions depend on the whole sequence, so those fall back to one full forward per sample.
"""

from __future__ import annotations

from typing import Any

MIN_SHARED_TOKENS = 32
"""Shorter common prefixes are not worth the bookkeeping: every sample runs in full."""


def common_prefix_length(sequences: list[list[int]]) -> int:
    """Length of the longest token prefix that every sequence starts with."""
    if not sequences:
        return 0
    n = min(len(s) for s in sequences)
    first = sequences[0]
    for i in range(n):
        if any(s[i] != first[i] for s in sequences[1:]):
            return i
    return n


def _text_only(inputs: dict) -> bool:
    import torch

    mask = inputs.get("attention_mask")
    return set(inputs) <= {"input_ids", "attention_mask"} and inputs["input_ids"].shape[0] == 1 and (
        mask is None or bool(torch.all(mask == 1)))


class SharedPrefix:
    """``prefix = SharedPrefix(model, [s.inputs for s in batch])``; per sample ``prefix.logprobs(inputs, ids)``
    (a 1-D tensor of the completion's log-probs, as ``sequence_logprobs``) and its ``backward()``; after the last
    sample ``prefix.backward()``. ``length`` is 0 where nothing is shared (then every call runs in full)."""

    def __init__(self, model, prompts: list[dict], min_tokens: int = MIN_SHARED_TOKENS):
        import torch
        from transformers import DynamicCache

        from halo_lib.policies.precision import autocast_for

        self.model = model
        self.length = 0
        self._outputs: list = []  # the prefix's keys and values, in the autograd graph
        self._leaves: list = []  # their detached copies every sample attends to
        if len(prompts) < 2 or not all(_text_only(p) for p in prompts):
            return
        ids = [p["input_ids"][0].tolist() for p in prompts]
        # every sample keeps at least its last prompt token: its logits predict the completion's first token
        length = min(common_prefix_length(ids), min(len(x) for x in ids) - 1)
        if length < min_tokens:
            return
        cache = DynamicCache()
        prefix = prompts[0]["input_ids"][:, :length].to(model.device)
        with autocast_for(model):
            model(input_ids=prefix, cache=cache, use_cache=True, logits_to_keep=1)
        self._outputs = [t for layer in cache.layers for t in (layer.keys, layer.values)]
        grad = torch.is_grad_enabled()
        self._leaves = [t.detach().requires_grad_(grad and t.requires_grad) for t in self._outputs]
        self.length = length

    def logprobs(self, inputs: dict, completion_ids) -> Any:
        """Log-probs of ``completion_ids`` after the prompt ``inputs`` (fp32 ``log_softmax`` of the raw logits)."""
        import torch
        from transformers import DynamicCache

        from halo_lib.policies.assets import sequence_logprobs
        from halo_lib.policies.precision import autocast_for

        if not self.length:
            return sequence_logprobs(self.model, inputs, completion_ids)
        completion = torch.as_tensor(completion_ids, dtype=torch.long).flatten().to(self.model.device)
        rest = inputs["input_ids"][:, self.length:].to(self.model.device)
        cache = DynamicCache(list(zip(self._leaves[0::2], self._leaves[1::2])))
        width = completion.numel()
        with autocast_for(self.model):
            logits = self.model(input_ids=torch.cat([rest, completion.unsqueeze(0)], dim=1), cache=cache,
                                use_cache=True, logits_to_keep=width + 1).logits[0, :width].float()
        return torch.log_softmax(logits, dim=-1).gather(-1, completion.unsqueeze(-1)).squeeze(-1)

    def backward(self) -> None:
        """Send the gradients the samples left on the shared keys and values through the prefix (once)."""
        import torch

        pairs = [(out, leaf.grad) for out, leaf in zip(self._outputs, self._leaves) if leaf.grad is not None]
        if pairs:
            torch.autograd.backward([out for out, _ in pairs], [g for _, g in pairs])
        self._outputs, self._leaves = [], []
