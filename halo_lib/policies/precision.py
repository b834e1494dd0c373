"""bfloat16 autocast for CPU forward and backward passes.

On CPUs with AVX512-BF16 the matmuls of a small model run about 3x faster in bfloat16 than in fp32 (measured on
SmolLM2-135M, 900-token prompt: forward 1.21 s -> 0.37 s, forward+backward 5.4 s -> 1.8 s). The weights, LoRA
parameters, optimizer state and the log-probs (``log_softmax`` of fp32 logits) stay fp32; only the matmuls
round to bf16. A model opts in once (``enable_cpu_bf16``); every forward of ``halo_lib`` goes through
``autocast_for(model)``. Autocast is thread-local, so it is entered where the compute runs, not by the caller.
"""

from __future__ import annotations

import contextlib

_FLAG = "_halo_cpu_bf16"


def enable_cpu_bf16(model) -> None:
    """Run this model's CPU forwards (sampling, log-probs, training) under bfloat16 autocast."""
    object.__setattr__(model, _FLAG, True)


def uses_cpu_bf16(model) -> bool:
    return bool(getattr(model, _FLAG, False))


def autocast_for(model):
    """The context a forward of ``model`` runs in: bf16 autocast on CPU when enabled, otherwise nothing."""
    import torch

    if uses_cpu_bf16(model) and model.device.type == "cpu":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()
