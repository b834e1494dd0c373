"""The frozen trunk: with LoRA on the top layers only, the layers below run once per input; GRPO's update (reference
pass, then policy pass) and BC's epochs get the very numbers (gradients, loss, KL) that running them again gives;
calls are known by their content; models with nothing frozen, or frozen layers with dropout, share nothing."""

import dataclasses
from types import SimpleNamespace

import pytest
import torch

from halo_lib.bench.update_bench import batch
from halo_lib.policies.assets import sequence_logprobs
from halo_lib.policies.prompts import build_prompt
from halo_lib.recipe import RecipeConfig
from halo_lib.rl.config import GRPOConfig, PolicyConfig
from halo_lib.rl import frozen_trunk
from halo_lib.rl.bc import BCConfig, Demonstration, bc_train
from halo_lib.rl.frozen_trunk import FrozenTrunk
from halo_lib.rl.model import load_policy_model
from halo_lib.rl.reference import ReferenceWeights
from halo_lib.rl.trainer import grpo_update

TOP3 = PolicyConfig(model="smollm2", lora_rank=4, lora_alpha=8, lora_dropout=0.0, lora_top_layers=3)
CFG = GRPOConfig(beta=0.1)


@pytest.fixture(scope="module")
def top3():
    """SmolLM2 with LoRA on its top 3 layers, a reference adapter, then the adapter moved away from it (KL > 0)."""
    policy = load_policy_model(TOP3)
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


@pytest.mark.parametrize("updates_per_batch, beta", [(1, 0.1), (2, 0.1), (2, 0.0)])
def test_grpo_update_with_the_shared_trunk_is_the_same_bit_for_bit(top3, updates_per_batch, beta):
    """The trunk computed in the reference's pass (or in the first of several update passes, without a reference)
    serves the later passes."""
    policy, reference, samples = top3
    cfg = dataclasses.replace(CFG, updates_per_batch=updates_per_batch, beta=beta)
    shared, shared_grads = update(policy, reference, samples, cfg, share_trunk=True)
    full, full_grads = update(policy, reference, samples, cfg, share_trunk=False)
    assert shared["shared_trunk_layers"] == 27 and full["shared_trunk_layers"] == 0  # SmolLM2 has 30 layers
    assert shared["loss"] == full["loss"] and shared.get("kl") == full.get("kl")
    assert (shared["kl"] > 0) if beta else "kl" not in shared
    assert shared_grads.keys() == full_grads.keys() and len(full_grads) == 3 * 7 * 2  # 7 projections, A and B
    for name, grad in full_grads.items():
        assert torch.equal(shared_grads[name], grad), name


def test_a_single_pass_without_a_reference_keeps_nothing(top3, monkeypatch):
    """beta 0 and one update pass: no later pass would reuse the trunk, so no call is hashed, copied or kept."""
    from halo_lib.rl import trainer

    policy, reference, samples = top3
    made = []
    monkeypatch.setattr(trainer, "FrozenTrunk", lambda model: made.append(FrozenTrunk(model)) or made[-1])
    update(policy, reference, samples, dataclasses.replace(CFG, beta=0.0), share_trunk=True)
    assert [(t.frozen, t.calls) for t in made] == [(0, {})]
    update(policy, reference, samples, CFG, share_trunk=True)
    assert made[-1].frozen == 27 and made[-1].calls


def test_bc_with_the_shared_trunk_is_the_same_bit_for_bit(top3, monkeypatch):
    """Two epochs of two batches: the second batch reuses the first's prefix call, the second epoch every call of the
    first (2 prefixes, 4 demonstrations' rests), and BC ends where it ends without."""
    policy, _, _ = top3
    prompts = [build_prompt(SimpleNamespace(goal=f"Archive the email about {topic}.", url="http://127.0.0.1:18001/",
                                            step=0, history=[], last_action_error=None, hint=None,
                                            axtree=f"[1] RootWebArea 'Mail'\n  [12] link '{topic}'"),
                            "text", options=RecipeConfig().prompt)
               for topic in ("the budget", "lunch", "the team's travel", "an invoice")]
    demos = [Demonstration(f"t{i}", 0, prompt, "click('12')") for i, prompt in enumerate(prompts)]
    lora = {n: p for n, p in policy.model.named_parameters() if p.requires_grad}
    start = {n: p.detach().clone() for n, p in lora.items()}
    config = BCConfig(epochs=2, batch_size=2)
    shared = bc_train(policy, demos, config)
    trained = {n: p.detach().clone() for n, p in lora.items()}
    with torch.no_grad():
        for n, p in lora.items():
            p.copy_(start[n])
    monkeypatch.setattr(frozen_trunk, "first_trained_layer", lambda layers: 0)  # nothing frozen: every call in full
    full = bc_train(policy, demos, config)
    assert [e["nll"] for e in shared] == [e["nll"] for e in full]
    assert shared[0]["trunk_reused_calls"] == 1 and shared[1]["trunk_reused_calls"] == 2 + len(demos)
    assert full[1]["trunk_reused_calls"] == 0
    for n, p in lora.items():
        assert torch.equal(p, trained[n]), n
    with torch.no_grad():
        for n, p in lora.items():
            p.copy_(start[n])


def test_calls_are_known_by_their_tokens_and_the_tokens_before(top3):
    policy, _, samples = top3
    trunk = FrozenTrunk(policy.model)
    one, other = samples[0], next(s for s in samples if not torch.equal(s.inputs["input_ids"], samples[0].inputs[
        "input_ids"]))
    with torch.no_grad(), trunk.shared():
        first = sequence_logprobs(policy.model, one.inputs, one.completion_ids)
        assert (trunk.hits, len(trunk.calls)) == (0, 1)
        sequence_logprobs(policy.model, other.inputs, other.completion_ids)  # other tokens: run, and kept
        assert (trunk.hits, len(trunk.calls)) == (0, 2)
        again = sequence_logprobs(policy.model, one.inputs, one.completion_ids)
        assert (trunk.hits, len(trunk.calls)) == (1, 2)
    assert torch.equal(first, again)
    assert not any("forward" in vars(layer) for layer in trunk.layers)  # the layers are as they were
    limited = FrozenTrunk(policy.model, max_bytes=1.5 * trunk.kept_bytes / 2)  # room for one call of the two
    with torch.no_grad(), limited.shared():
        for s in (one, other, other):
            sequence_logprobs(policy.model, s.inputs, s.completion_ids)
    assert (limited.hits, len(limited.calls)) == (0, 1) and limited.kept_bytes <= limited.max_bytes  # one kept


def test_nothing_is_shared_without_frozen_layers_or_with_dropout_in_them(top3):
    policy, _, _ = top3
    all_layers = load_policy_model(dataclasses.replace(TOP3, lora_top_layers=0))
    assert FrozenTrunk(all_layers.model).frozen == 0
    assert FrozenTrunk(None).frozen == 0
    assert FrozenTrunk(policy.model).frozen == 27
    attention = policy.model.get_base_model().model.layers[5].self_attn
    attention.attention_dropout = 0.1
    try:
        assert FrozenTrunk(policy.model).frozen == 0
    finally:
        attention.attention_dropout = 0.0
