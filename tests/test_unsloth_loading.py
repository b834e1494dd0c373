"""How the trainer loads Qwen3-VL on CUDA: through Unsloth when it is installed and imports; plain peft with gradient
checkpointing (and a warning, once) when it is not installed; a clear error when it is installed but broken, never a
silent fall back. CUDA is simulated (``torch.cuda.is_available``) on the tiny Qwen3-VL; Unsloth by import machinery.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import sys

import pytest
import torch

from halo_lib.errors import HaloError
from halo_lib.policies.assets import tiny_qwen3vl_dir
from halo_lib.rl import model
from halo_lib.rl.config import PolicyConfig


@pytest.fixture
def no_unsloth(monkeypatch):
    """Unsloth not installed (whatever this machine has)."""
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "unsloth" else real(name, *a))
    monkeypatch.delitem(sys.modules, "unsloth", raising=False)
    monkeypatch.setattr(model, "_UNSLOTH_WARNED", False)


@pytest.fixture(params=["ImportError(\"No module named 'unsloth_zoo'\")",
                        "RuntimeError('Unsloth: torch 2.13 is not supported by this xformers')"])
def broken_unsloth(request, tmp_path, monkeypatch):
    """An installed ``unsloth`` whose import raises (a missing unsloth_zoo, a torch it was not built for)."""
    package = tmp_path / "site" / "unsloth"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(f"raise {request.param}\n")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.delitem(sys.modules, "unsloth", raising=False)
    importlib.invalidate_caches()
    return request.param.split("(")[0]


@pytest.fixture
def on_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setenv("HALO_MODEL", str(tiny_qwen3vl_dir()))  # qwen3vl-8b's loading path, on the tiny weights


def test_missing_unsloth_means_peft_and_one_warning(no_unsloth, caplog):
    with caplog.at_level(logging.WARNING, logger="halo_lib.rl.model"):
        assert model._unsloth_available() is False
        assert model._unsloth_available() is False
    warnings = [r for r in caplog.records if "Unsloth is not installed" in r.getMessage()]
    assert len(warnings) == 1 and "gradient checkpointing" in warnings[0].getMessage()


def test_an_unsloth_that_does_not_import_is_a_clear_error(broken_unsloth):
    with pytest.raises(HaloError, match=rf"installed but does not import \({broken_unsloth}: .*pip install "
                                        r"--upgrade unsloth unsloth_zoo"):
        model._unsloth_available()


def test_loading_on_cuda_with_a_broken_unsloth_stops_before_any_weights(broken_unsloth, on_cuda, monkeypatch):
    def no_load(*a, **k):
        raise AssertionError("weights loaded although Unsloth is broken")

    monkeypatch.setattr("transformers.Qwen3VLForConditionalGeneration.from_pretrained", no_load)
    with pytest.raises(HaloError, match="does not import"):
        model.load_policy_model(PolicyConfig(model="qwen3vl-8b", lora_rank=8, lora_alpha=16))


def test_without_unsloth_cuda_training_checkpoints_activations_and_still_trains_lora(no_unsloth, on_cuda):
    from halo_lib.policies.assets import build_inputs, sequence_logprobs

    policy = model.load_policy_model(PolicyConfig(model="qwen3vl-8b", lora_rank=8, lora_alpha=16, lora_dropout=0.0))
    base = policy.model.get_base_model()
    assert any(getattr(m, "gradient_checkpointing", False) for m in base.modules())  # its decoder layers
    # the checkpointed layers still pass gradients to the LoRA weights (inputs require grad: frozen embeddings)
    from PIL import Image

    messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Click Go."}]}]
    inputs = build_inputs(policy.processor, messages, [Image.new("RGB", (64, 64), "white")])
    policy.model.train()
    sequence_logprobs(policy.model, inputs, [151645, 198]).float().sum().backward()
    grads = [p.grad for n, p in policy.model.named_parameters() if p.requires_grad and "lora_" in n]
    assert grads and all(g is not None for g in grads) and any(float(g.abs().sum()) > 0 for g in grads)
