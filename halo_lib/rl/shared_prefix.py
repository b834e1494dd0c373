"""Prompt tokens that samples of a batch share, run forward and backward once instead of once per sample: the same
gradients, less compute. Two levels: the prefix every sample shares (the system prompt: ~40% of a text policy's
prompt), and whole prompts that several samples share (a group's episodes all start from one state, and take
different actions there; about a fifth of a GRPO update's samples repeat a prompt another sample has).

    L = sum_i l_i(theta, KV(theta))
    dL/dtheta = sum_i dl_i/dtheta |_KV  +  (sum_i dl_i/dKV) . dKV/dtheta

The prefix's keys and values KV are computed once, with grad. Each sample's rest (its own prompt tokens and its
completion) runs on top of detached copies of them (leaves), so backpropagating the samples one at a time (gradient
accumulation, as the GRPO update does) collects sum_i dl_i/dKV in the leaves' ``.grad``; ``backward()`` then sends
that sum through the prefix in one pass. A repeated prompt's own tokens (all but its last, beyond the shared
prefix) are a second such level on top of the first: computed at its first sample, sent back once its last
sample's gradient is in. With LoRA dropout > 0 the samples share the prefix's dropout mask.

Text prompts only (``input_ids`` and an all-ones ``attention_mask``): a vision prompt's image tokens and M-RoPE
positions depend on the whole sequence, so those fall back to one full forward per sample.
"""

from __future__ import annotations

from typing import Any

from halo_lib.policies.assets import sequence_logprobs
from halo_lib.policies.precision import autocast_for
# torch and transformers are imported lazily, in the functions that use them: importing this module stays light.

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


class _Level:
    """Keys and values computed once with grad (``outputs``), and the detached copies later tokens attend to
    (``leaves``, which collect those tokens' gradients)."""

    def __init__(self, layers: list, start: int, grad: bool):
        self.outputs = [t[..., start:, :] for layer in layers for t in (layer.keys, layer.values)]
        self.leaves = [t.detach().requires_grad_(grad and t.requires_grad) for t in self.outputs]

    def backward(self) -> None:
        """Send the gradients the later tokens left on the leaves through the tokens that made them (once)."""
        import torch

        pairs = [(out, leaf.grad) for out, leaf in zip(self.outputs, self.leaves) if leaf.grad is not None]
        if pairs:
            torch.autograd.backward([out for out, _ in pairs], [g for _, g in pairs])
        self.outputs, self.leaves = [], []


class SharedPrefix:
    """``prefix = SharedPrefix(model, [s.inputs for s in batch])``; per sample ``prefix.logprobs(inputs, ids)``
    (a 1-D tensor of the completion's log-probs, as ``sequence_logprobs``) and its ``backward()`` before the next
    sample's ``logprobs``; after the last sample ``prefix.backward()``. ``length`` is the common prefix's length (0
    where it is under ``min_tokens``); ``shared_prompts`` counts the prompts several samples share (run once each).
    Samples of one prompt are best taken in a row: a repeated prompt's graph lives until its last sample is done.
    ``max_tokens`` caps the shared prefix (BC cuts every batch's at the prefix all its demonstrations share, so the same
    tokens make the same model calls in every epoch)."""

    def __init__(self, model, prompts: list[dict], min_tokens: int = MIN_SHARED_TOKENS, max_tokens: int | None = None):
        import torch
        from transformers import DynamicCache

        self.model = model
        self.length = 0
        self.shared_prompts = 0
        self._grad = torch.is_grad_enabled()
        self._prefix: _Level | None = None  # the common prefix
        self._remaining: dict[tuple, int] = {}  # repeated prompt -> its samples not yet run
        self._prompts: dict[tuple, _Level] = {}  # repeated prompt -> its tokens beyond the prefix, but the last
        self._done: list[_Level] = []  # repeated prompts whose last sample ran: sent back at the next call
        if len(prompts) < 2 or not all(_text_only(p) for p in prompts):
            return
        ids = [p["input_ids"][0].tolist() for p in prompts]
        # every sample keeps at least its last prompt token: its logits predict the completion's first token
        length = min(common_prefix_length(ids), min(len(x) for x in ids) - 1, max_tokens or len(ids[0]))
        if length >= min_tokens:
            cache = DynamicCache()
            prefix = prompts[0]["input_ids"][:, :length].to(model.device)
            with autocast_for(model):
                model(input_ids=prefix, cache=cache, use_cache=True, logits_to_keep=1)
            self._prefix = _Level(cache.layers, 0, self._grad)
            self.length = length
        for x in ids:
            if len(x) - 1 > self.length:  # a prompt with tokens of its own beyond the prefix, besides the last
                self._remaining[tuple(x)] = self._remaining.get(tuple(x), 0) + 1
        self._remaining = {k: n for k, n in self._remaining.items() if n > 1}
        self.shared_prompts = len(self._remaining)

    def logprobs(self, inputs: dict, completion_ids) -> Any:
        """Log-probs of ``completion_ids`` after the prompt ``inputs`` (fp32 ``log_softmax`` of the raw logits)."""
        import torch
        from transformers import DynamicCache

        self._send_back_done()
        ids = inputs["input_ids"] if _text_only(inputs) else None
        key = tuple(ids[0].tolist()) if ids is not None else None
        if key not in self._remaining:
            if not self.length:
                return sequence_logprobs(self.model, inputs, completion_ids)
            return self._run(self._prefix.leaves, ids[:, self.length:], completion_ids)
        if key not in self._prompts:  # its first sample: run the prompt's own tokens but the last, once
            cache = DynamicCache(_pairs(self._prefix.leaves) if self._prefix else None)
            with autocast_for(self.model):
                self.model(input_ids=ids[:, self.length:-1].to(self.model.device), cache=cache, use_cache=True,
                           logits_to_keep=1)
            self._prompts[key] = _Level(cache.layers, self.length, self._grad)
        level = self._prompts[key]
        leaves = level.leaves if not self._prefix else [
            torch.cat([a, b], dim=-2) for a, b in zip(self._prefix.leaves, level.leaves)]
        logp = self._run(leaves, ids[:, -1:], completion_ids)
        self._remaining[key] -= 1
        if not self._remaining[key]:
            self._done.append(self._prompts.pop(key))
            del self._remaining[key]
        return logp

    def _run(self, past: list, rest, completion_ids) -> Any:
        """The completion's log-probs from ``rest`` (the prompt's last tokens) and the completion on top of ``past``."""
        import torch
        from transformers import DynamicCache

        completion = torch.as_tensor(completion_ids, dtype=torch.long).flatten().to(self.model.device)
        cache = DynamicCache(_pairs(past))
        width = completion.numel()
        with autocast_for(self.model):
            logits = self.model(input_ids=torch.cat([rest.to(self.model.device), completion.unsqueeze(0)], dim=1),
                                cache=cache, use_cache=True, logits_to_keep=width + 1).logits[0, :width].float()
        return torch.log_softmax(logits, dim=-1).gather(-1, completion.unsqueeze(-1)).squeeze(-1)

    def _send_back_done(self) -> None:
        for level in self._done:
            level.backward()
        self._done = []

    def backward(self) -> None:
        """Send the gradients the samples left on the shared keys and values back through the shared tokens (once):
        the repeated prompts' own tokens first (their gradients reach the prefix), then the prefix."""
        self._send_back_done()
        for level in self._prompts.values():  # prompts some of whose samples never ran
            level.backward()
        self._prompts, self._remaining = {}, {}
        if self._prefix is not None:
            self._prefix.backward()
            self._prefix = None


def _pairs(flat: list) -> list[tuple]:
    """[k0, v0, k1, v1, ...] as DynamicCache's [(k0, v0), (k1, v1), ...]."""
    return list(zip(flat[0::2], flat[1::2]))
