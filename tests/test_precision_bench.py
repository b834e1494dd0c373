"""``halo bench precision`` at toy size, and what ``enable_cpu_bf16`` does to the model."""

import re

import pytest
import torch
from typer.testing import CliRunner

from halo_lib.cli import app
from halo_lib.policies import precision
from halo_lib.rl.config import PolicyConfig
from halo_lib.rl.model import load_policy_model


def test_cpu_bf16_stores_frozen_linears_in_bf16_and_keeps_lora_head_and_logits_fp32(monkeypatch):
    monkeypatch.setattr(precision, "cpu_has_native_bf16", lambda: True)
    policy = load_policy_model(PolicyConfig(model="smollm2", lora_rank=4, lora_alpha=8, lora_dropout=0.0,
                                            cpu_bf16=True))
    model = policy.model
    head = model.get_output_embeddings()
    frozen = [m for m in model.modules() if isinstance(m, torch.nn.Linear) and m is not head
              and not m.weight.requires_grad]
    assert frozen and all(m.weight.dtype == torch.bfloat16 for m in frozen)
    assert all(p.dtype == torch.float32 for p in model.parameters() if p.requires_grad)  # LoRA: trained in fp32
    assert head.weight.dtype == model.get_input_embeddings().weight.dtype == torch.float32  # tied: lookups stay fp32
    ids = torch.tensor([[1, 2, 3, 4]])
    with precision.autocast_for(model), torch.no_grad():
        assert model(input_ids=ids).logits.dtype == torch.float32  # the head runs outside autocast


def test_precision_bench_refuses_to_compare_without_native_bf16(monkeypatch):
    monkeypatch.setattr(precision, "cpu_has_native_bf16", lambda: False)
    result = CliRunner().invoke(app, ["bench", "precision", "--repetitions", "1"])
    assert result.exit_code != 0 and "no native bfloat16" in result.output


@pytest.mark.skipif(not precision.cpu_has_native_bf16(), reason="the comparison needs a CPU with native bf16 "
                    "(avx512_bf16 or amx_bf16), as the CI machine has; elsewhere the bench refuses (test above)")
def test_precision_bench_compares_the_three_modes():
    result = CliRunner().invoke(app, ["bench", "precision", "--page-lines", "2", "--repetitions", "1",
                                      "--decode-tokens", "2"])
    assert result.exit_code == 0, result.output
    reps = re.search(r"rep 1: fp32 [\d.]+ / ([\d.]+) s, [\d.]+ ms/token; autocast alone [\d.]+ / ([\d.]+) s, "
                     r"[\d.]+ ms/token; cpu_bf16 [\d.]+ / ([\d.]+) s", result.output)
    assert reps, result.output
    last = result.output.strip().splitlines()[-1]
    match = re.fullmatch(r"precision bench: cpu_bf16 ([\d.]+)x faster than autocast alone, ([\d.]+)x than fp32 "
                         r"\(forward\+backward\); logprob max abs diff vs fp32 ([\d.]+) \(autocast alone ([\d.]+)\)",
                         last)
    assert match, last
    fp32, autocast, bf16 = (float(x) for x in reps.groups())
    # the ratios are the measured forward+backward times' (one repetition: the medians are those times), up to the
    # printed rounding (times to 0.01 s, ratios to 0.01)
    for ratio, slower in ((float(match[1]), autocast), (float(match[2]), fp32)):
        assert (slower - 0.005) / (bf16 + 0.005) - 0.005 <= ratio <= (slower + 0.005) / max(bf16 - 0.005, 1e-9) + 0.005
    assert 0 < float(match[3]) < 0.5 and 0 < float(match[4]) < 0.5  # bf16 engaged, rounding-sized
