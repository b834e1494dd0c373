"""The frozen bottom layers of a policy whose LoRA sits on its top layers only, run once for the KL reference and the
policy instead of once each.

GRPO's update runs every sample twice: a no-grad forward with the reference weights (the KL penalty's log-probs),
then the policy's forward and backward. With LoRA on the top N layers only (``GRPOConfig.lora_top_layers``), the
layers below the first adapted one have the same weights and the same inputs in both passes, so they compute the same
hidden states and keys and values, bit for bit. ``FrozenTrunk`` records what those layers produce during the
reference pass and, during the policy pass, hands it back instead of computing it again: each bottom layer only
writes its recorded keys and values into the cache, and the last one returns its recorded output. The top layers
run as usual in both passes.

Each model call of the policy pass must match the reference pass's call of the same rank (the same input embeddings,
checked): the two passes make their calls in the same order (``SharedPrefix`` does). A policy with LoRA on every
layer has no frozen trunk; then both contexts do nothing.
"""

from __future__ import annotations

import contextlib
from typing import Any

from halo_lib.errors import HaloError


def decoder_layers(model) -> list | None:
    """The language model's decoder layers (a ``ModuleList`` named ``layers``), or None where there is none."""
    import torch

    for name, module in model.named_modules():
        if name.endswith("layers") and isinstance(module, torch.nn.ModuleList) and len(module) and \
                not name.endswith("visual.blocks"):
            return list(module)
    return None


def first_trained_layer(layers: list) -> int:
    """Index of the first layer with a trainable parameter (0 where every layer trains or none does)."""
    for i, layer in enumerate(layers):
        if any(p.requires_grad for p in layer.parameters()):
            return i
    return 0


class _Call:
    """What the frozen layers produced in one model call: the first layer's input (to check the replay's call is the
    same), each frozen layer's new keys and values, the last frozen layer's output."""

    def __init__(self, first_input):
        self.first_input = first_input
        self.kv: list[tuple[Any, Any] | None] = []
        self.output = None


class FrozenTrunk:
    """``trunk = FrozenTrunk(model)``; ``with trunk.record(): <reference pass>``, then ``with trunk.replay():
    <policy pass>`` (as often as there are update passes); ``trunk.clear()`` frees the records. ``frozen`` is the
    number of layers shared (0, where both contexts do nothing: no model, LoRA on every layer, or frozen layers with
    dropout, whose training-mode outputs differ)."""

    def __init__(self, model):
        self.layers = (decoder_layers(model) or []) if model is not None else []
        frozen = first_trained_layer(self.layers)
        # a frozen layer with dropout computes other numbers in the policy's (training) pass: nothing to share
        self.frozen = 0 if any(_drops(layer) for layer in self.layers[:frozen]) else frozen
        self.calls: list[_Call] = []
        self._next = 0

    @contextlib.contextmanager
    def record(self):
        self.calls = []
        with self._patched(self._recording):
            yield self

    @contextlib.contextmanager
    def replay(self):
        self._next = 0
        with self._patched(self._replaying):
            yield self
        if self.frozen and self._next != len(self.calls):
            raise HaloError(f"frozen trunk: the replayed pass made {self._next} model calls, the recorded one "
                            f"{len(self.calls)}: the two passes must run the same inputs in the same order")

    def clear(self) -> None:
        self.calls = []

    @contextlib.contextmanager
    def _patched(self, make):
        if not self.frozen:
            yield
            return
        layers = self.layers[:self.frozen]
        own = [vars(layer).get("forward") for layer in layers]  # a hook's forward (accelerate's) stays under ours
        for i, layer in enumerate(layers):
            layer.forward = make(i, layer.forward)
        try:
            yield
        finally:
            for layer, forward in zip(layers, own):
                if forward is None:
                    del layer.forward
                else:
                    layer.forward = forward

    def _recording(self, index: int, forward):
        last = self.frozen - 1

        def run(hidden_states, *args, **kwargs):
            if index == 0:
                self.calls.append(_Call(hidden_states.detach()))
            call = self.calls[-1]
            out = forward(hidden_states, *args, **kwargs)
            cache = _cache_of(kwargs)
            if cache is not None:
                n = hidden_states.shape[-2]
                layer = cache.layers[index]
                call.kv.append((layer.keys[..., -n:, :].detach(), layer.values[..., -n:, :].detach()))
            else:
                call.kv.append(None)
            if index == last:
                call.output = (out[0] if isinstance(out, tuple) else out).detach()
            return out

        return run

    def _replaying(self, index: int, forward):
        last = self.frozen - 1

        def run(hidden_states, *args, **kwargs):
            if index == 0:
                if self._next >= len(self.calls) or not _same(self.calls[self._next].first_input, hidden_states):
                    raise HaloError(f"frozen trunk: model call {self._next + 1} of the replayed pass is not the "
                                    "recorded pass's: the two passes must run the same inputs in the same order")
                self._next += 1
            call = self.calls[self._next - 1]
            cache = _cache_of(kwargs)
            if (cache is None) != (call.kv[index] is None):
                raise HaloError("frozen trunk: the replayed pass uses the key-value cache differently from the "
                                "recorded one")
            if cache is not None:
                cache.update(*call.kv[index], index)
            return call.output if index == last else hidden_states

        return run


def _cache_of(kwargs: dict):
    return kwargs.get("cache", kwargs.get("past_key_values"))


def _drops(layer) -> bool:
    """Whether the layer drops anything out in training mode (a dropout module, or attention dropout)."""
    import torch

    attention_dropout = [getattr(m, "attention_dropout", 0.0) for m in layer.modules()]
    return any(isinstance(m, torch.nn.Dropout) and m.p > 0 for m in layer.modules()) or any(
        isinstance(p, float) and p > 0 for p in attention_dropout)


def _same(a, b) -> bool:
    import torch

    return a.shape == b.shape and a.dtype == b.dtype and bool(torch.equal(a, b.detach()))
