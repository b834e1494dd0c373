"""The frozen trunk: with LoRA on the top layers only, the GRPO update's passes replay the layers below from the
reference's pass and get the very numbers (gradients, loss, KL) that running them again gives; a pass that strays
from the recorded calls is refused; models with nothing frozen, or frozen layers with dropout, share nothing."""

import dataclasses

import pytest
import torch

from halo_lib.bench.update_bench import batch
from halo_lib.errors import HaloError
from halo_lib.policies.assets import sequence_logprobs
from halo_lib.rl.config import GRPOConfig
from halo_lib.rl.frozen_trunk import FrozenTrunk
from halo_lib.rl.model import load_policy_model
from halo_lib.rl.reference import ReferenceWeights
from halo_lib.rl.trainer import grpo_update

CFG = GRPOConfig(model="smollm2", lora_rank=4, lora_alpha=8, lora_dropout=0.0, lora_top_layers=3, beta=0.1)


@pytest.fixture(scope="module")
def top3():
    """SmolLM2 with LoRA on its top 3 layers, a reference adapter, then the adapter moved away from it (KL > 0)."""
    policy = load_policy_model(CFG)
    with torch.no_grad():
        for name, p in policy.model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.02)
        reference = ReferenceWeights.snapshot(policy.model)
        for name, p in policy.model.named_parameters():
            if p.requires_grad:
                p.add_(torch.randn_like(p) * 0.02)
    return policy, reference, batch(policy, prompts=2, group_size=2, page_lines=3)


def update(policy, reference, samples, cfg, share_trunk):
    """One ``grpo_update`` at learning rate 0 (the weights stay); returns its metrics and the LoRA gradients."""
    optimizer = torch.optim.SGD([p for p in policy.model.parameters() if p.requires_grad], lr=0.0)
    metrics = grpo_update(policy, optimizer, samples, cfg, reference, share_trunk=share_trunk)
    return metrics, {n: p.grad.clone() for n, p in policy.model.named_parameters() if p.grad is not None}


@pytest.mark.parametrize("updates_per_batch", [1, 2])
def test_replayed_trunk_gives_the_same_update_bit_for_bit(top3, updates_per_batch):
    policy, reference, samples = top3
    cfg = dataclasses.replace(CFG, updates_per_batch=updates_per_batch)
    shared, shared_grads = update(policy, reference, samples, cfg, share_trunk=True)
    full, full_grads = update(policy, reference, samples, cfg, share_trunk=False)
    assert shared["replayed_layers"] == 27 and full["replayed_layers"] == 0  # SmolLM2 has 30 layers
    assert shared["kl"] > 0 and shared["kl"] == full["kl"] and shared["loss"] == full["loss"]
    assert shared_grads.keys() == full_grads.keys() and len(full_grads) == 3 * 7 * 2  # 7 projections, A and B
    for name, grad in full_grads.items():
        assert torch.equal(shared_grads[name], grad), name


def test_a_replay_that_strays_from_the_recorded_calls_is_refused(top3):
    policy, _, samples = top3
    trunk = FrozenTrunk(policy.model)
    with torch.no_grad():
        with trunk.record():
            sequence_logprobs(policy.model, samples[0].inputs, samples[0].completion_ids)
        other = next(s for s in samples if not torch.equal(s.inputs["input_ids"], samples[0].inputs["input_ids"]))
        with pytest.raises(HaloError, match="model call 1 of the replayed pass is not the recorded pass's"):
            with trunk.replay():
                sequence_logprobs(policy.model, other.inputs, other.completion_ids)
        with pytest.raises(HaloError, match="made 0 model calls, the recorded one 1"):
            with trunk.replay():
                pass
        with trunk.replay():  # the recorded call itself replays, to the same log-probs as running it
            replayed = sequence_logprobs(policy.model, samples[0].inputs, samples[0].completion_ids)
        assert torch.equal(replayed, sequence_logprobs(policy.model, samples[0].inputs, samples[0].completion_ids))
    assert not any("forward" in vars(layer) for layer in trunk.layers)  # the layers are as they were


def test_nothing_is_shared_without_frozen_layers_or_with_dropout_in_them(top3):
    policy, _, _ = top3
    all_layers = load_policy_model(dataclasses.replace(CFG, lora_top_layers=0))
    assert FrozenTrunk(all_layers.model).frozen == 0
    assert FrozenTrunk(None).frozen == 0
    assert FrozenTrunk(policy.model).frozen == 27
    attention = policy.model.get_base_model().model.layers[5].self_attn
    attention.attention_dropout = 0.1
    try:
        assert FrozenTrunk(policy.model).frozen == 0
    finally:
        attention.attention_dropout = 0.0
