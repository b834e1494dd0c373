"""GRPO losses: equal to TRL 1.16's GRPOTrainer on the same tensors, plus the properties the papers rely on."""

from __future__ import annotations

import pytest
import torch

from halo_lib.config import from_dict
from halo_lib.errors import HaloError
from halo_lib.rl import GRPOConfig, LANGUAGE_LORA_TARGETS, PolicyConfig, TrainConfig
from halo_lib.rl.losses import (clip_fractions, dapo_loss, dr_grpo_loss, group_advantages, grpo_loss, kl_k3,
                                loss_fn, mean_kl_k3, per_token_loss)

EPS_LOW, EPS_HIGH, L_MAX = 0.2, 0.28, 16


# ----------------------------------------------------------------------------------------------------------------
# (a) against a real trl.GRPOTrainer
# ----------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_lm_dir(tmp_path_factory):
    from halo_lib.rl.trl_reference import save_tiny_causal_lm

    return save_tiny_causal_lm(tmp_path_factory.mktemp("tiny_lm"))


@pytest.fixture(scope="module")
def trl_trainers(tiny_lm_dir, tmp_path_factory):
    """One real GRPOTrainer per (loss_type, beta), built lazily and kept for the module."""
    from halo_lib.rl.trl_reference import build_trl_grpo_trainer, load_tiny_causal_lm

    cache = {}

    def get(loss_type: str, beta: float):
        if (loss_type, beta) not in cache:
            cache[loss_type, beta] = build_trl_grpo_trainer(
                load_tiny_causal_lm(tiny_lm_dir), output_dir=tmp_path_factory.mktemp("trl"), loss_type=loss_type,
                beta=beta, epsilon_low=EPS_LOW, epsilon_high=EPS_HIGH, max_completion_length=L_MAX)
        return cache[loss_type, beta]

    return get


@pytest.mark.parametrize("beta", [0.0, 0.04])
@pytest.mark.parametrize("loss_type", ["dr_grpo", "grpo", "dapo"])
@pytest.mark.parametrize("on_policy", [False, True])
def test_loss_and_grad_equal_trl(trl_trainers, loss_type, beta, on_policy):
    from halo_lib.rl.trl_reference import feed_exact_logps, random_grpo_batch

    trainer = trl_trainers(loss_type, beta)
    batch = random_grpo_batch(n_groups=2, group_size=4, completion_length=12, seed=3)
    mask = batch.completion_mask
    noise = torch.randn(batch.old_logps.shape, generator=torch.Generator().manual_seed(7))
    logp_trl = (batch.old_logps + 0.3 * noise).requires_grad_()
    logp_halo = logp_trl.detach().clone().requires_grad_()
    if on_policy:  # TRL then uses logp.detach() as the old log-probs
        batch.old_logps = None
    if not on_policy:  # the clip must bite on both sides for the comparison to mean something
        fractions = clip_fractions(logp_halo, batch.old_logps, batch.advantages, mask, EPS_LOW, EPS_HIGH)
        assert fractions["low"] > 0 and fractions["high"] > 0

    feed_exact_logps(trainer, logp_trl)
    theirs = trainer._compute_loss(trainer.model, batch.trl_inputs())
    per_token = per_token_loss(logp_halo, batch.old_logps, batch.advantages, EPS_LOW, EPS_HIGH,
                               ref_logp=batch.ref_logps, beta=beta)
    ours = loss_fn(loss_type)(per_token, mask, L_MAX)

    assert abs(ours.item() - theirs.item()) <= 1e-6, (ours.item(), theirs.item())
    ours.backward()
    theirs.backward()
    assert torch.count_nonzero(logp_halo.grad) > 0  # (on-policy GRPO with beta 0 has loss -mean(A) = 0, not grad 0)
    assert torch.allclose(logp_halo.grad, logp_trl.grad, atol=1e-6, rtol=0)
    if not on_policy:
        region = clip_fractions(logp_halo, batch.old_logps, batch.advantages, mask, EPS_LOW, EPS_HIGH)["region"]
        assert region.item() == pytest.approx(trainer._metrics["train"]["clip_ratio/region_mean"][-1], abs=1e-7)
    if beta:
        kl = (kl_k3(logp_halo, batch.ref_logps) * torch.exp(logp_halo - logp_halo.detach() if on_policy
                                                           else logp_halo - batch.old_logps))
        assert (kl * mask).sum().item() / mask.sum().item() == pytest.approx(
            trainer._metrics["train"]["kl"][-1], abs=1e-6)


@pytest.mark.parametrize("scale", ["none", "group", "batch"])
def test_group_advantages_match_trl_std_convention(scale):
    from trl.trainer.utils import nanstd

    rewards = torch.tensor([1.0, 0.0, 0.0, 1.0, 0.5, 0.5, 0.2, 0.9, 0.0, 0.0, 0.0, 0.0])
    g = 4
    group_mean = rewards.view(-1, g).mean(1).repeat_interleave(g)
    expected = rewards - group_mean  # TRL 1.16, _generate_and_score_completions
    if scale == "group":
        expected = expected / (nanstd(rewards.view(-1, g), dim=1).repeat_interleave(g) + 1e-4)
    elif scale == "batch":
        expected = expected / (nanstd(rewards).expand_as(rewards) + 1e-4)
    assert torch.allclose(group_advantages(rewards, g, scale), expected, atol=1e-7)


# ----------------------------------------------------------------------------------------------------------------
# (b) properties
# ----------------------------------------------------------------------------------------------------------------


def _random(b=4, t=10, seed=0):
    g = torch.Generator().manual_seed(seed)
    old = -torch.rand(b, t, generator=g) * 3
    logp = (old + 0.4 * torch.randn(b, t, generator=g)).requires_grad_()
    ref = old + 0.4 * torch.randn(b, t, generator=g)
    mask = (torch.arange(t) < torch.tensor([t, 3, 7, 1])[:b].unsqueeze(1)).float()
    return logp, old, ref, mask


@pytest.mark.parametrize("loss_type", ["dr_grpo", "grpo", "dapo"])
def test_zero_advantages_give_zero_loss_and_grad(loss_type):
    logp, old, _, mask = _random()
    per_token = per_token_loss(logp, old, torch.zeros(4), EPS_LOW, EPS_HIGH)
    loss = loss_fn(loss_type)(per_token, mask, 10)
    loss.backward()
    assert loss.item() == 0.0
    assert torch.count_nonzero(logp.grad) == 0


def test_dr_grpo_normaliser_ignores_lengths():
    """Same per-token values, different masks: Dr. GRPO divides by B * L_max every time, so each real token has
    weight 1 / (B * L_max) whatever its sequence's length; GRPO's per-sequence mean weights short ones more."""
    per_token = torch.rand(4, 10, generator=torch.Generator().manual_seed(1))
    for lengths in ([10, 10, 10, 10], [10, 3, 7, 1], [1, 1, 1, 1]):
        mask = (torch.arange(10) < torch.tensor(lengths).unsqueeze(1)).float()
        leaf = per_token.clone().requires_grad_()
        loss = dr_grpo_loss(leaf, mask, max_completion_length=12)
        assert loss.item() == pytest.approx((per_token * mask).sum().item() / (4 * 12), rel=1e-6)
        loss.backward()
        assert torch.allclose(leaf.grad, mask / (4 * 12))
    mask = (torch.arange(10) < torch.tensor([10, 1, 10, 1]).unsqueeze(1)).float()
    leaf = per_token.clone().requires_grad_()
    grpo_loss(leaf, mask).backward()
    assert leaf.grad[1, 0] == pytest.approx(10 * leaf.grad[0, 0].item())  # the length bias Dr. GRPO removes
    leaf.grad = None
    dapo_loss(leaf, mask).backward()
    assert leaf.grad[1, 0] == pytest.approx(leaf.grad[0, 0].item())  # token mean: no bias either


def test_dr_grpo_refuses_completions_longer_than_l_max():
    with pytest.raises(HaloError, match="max_completion_length"):
        dr_grpo_loss(torch.zeros(2, 9), torch.ones(2, 9), max_completion_length=8)


def test_gradients_flow_only_through_logp():
    logp, old, ref, mask = _random()
    old, ref = old.clone().requires_grad_(), ref.clone().requires_grad_()
    advantages = torch.tensor([1.0, -1.0, 0.5, -0.5], requires_grad=True)
    loss = dr_grpo_loss(per_token_loss(logp, old, advantages, EPS_LOW, EPS_HIGH, ref, beta=0.1), mask, 10)
    loss.backward()
    assert logp.grad is not None and torch.count_nonzero(logp.grad) > 0
    assert old.grad is None and ref.grad is None and advantages.grad is None


def test_clip_is_one_sided_by_sign_of_advantage():
    """r = [1.5, 0.5]: with A > 0 only r > 1 + eps_high loses its gradient; with A < 0 only r < 1 - eps_low."""
    old = torch.zeros(2, 2)
    logp = torch.log(torch.tensor([[1.5, 0.5], [1.5, 0.5]])).requires_grad_()
    advantages = torch.tensor([1.0, -1.0])
    per_token = per_token_loss(logp, old, advantages, EPS_LOW, EPS_HIGH)
    per_token.sum().backward()
    grad = logp.grad
    assert grad[0, 0] == 0 and grad[0, 1] != 0  # A > 0: high side clipped, low side kept (pessimistic bound)
    assert grad[1, 1] == 0 and grad[1, 0] != 0  # A < 0: low side clipped, high side kept
    assert torch.allclose(per_token.detach(), torch.tensor([[-(1 + EPS_HIGH), -0.5], [1.5, 1 - EPS_LOW]]))
    fractions = clip_fractions(logp, old, advantages, torch.ones(2, 2), EPS_LOW, EPS_HIGH)
    assert (fractions["low"].item(), fractions["high"].item(), fractions["region"].item()) == (0.25, 0.25, 0.5)


def test_kl_term_and_its_ratio_factor():
    logp, old, ref, mask = _random()
    assert torch.all(kl_k3(logp, ref) >= 0) and torch.all(kl_k3(ref, ref) == 0)
    zero_a = torch.zeros(4)
    with_r = per_token_loss(logp, old, zero_a, EPS_LOW, EPS_HIGH, ref, beta=0.5)
    without_r = per_token_loss(logp, old, zero_a, EPS_LOW, EPS_HIGH, ref, beta=0.5, kl_bias_correction=False)
    assert torch.allclose(with_r, without_r * torch.exp(logp - old))
    assert mean_kl_k3(logp, ref, mask) > 0
    with pytest.raises(HaloError, match="ref_logp"):
        per_token_loss(logp, old, zero_a, EPS_LOW, EPS_HIGH, beta=0.5)


def test_group_advantages_shapes_and_errors():
    rewards = torch.tensor([1.0, 0.0, 0.0, 0.0, 1.0, 1.0])
    advantages = group_advantages(rewards, 3)
    assert torch.allclose(advantages, torch.tensor([2 / 3, -1 / 3, -1 / 3, -2 / 3, 1 / 3, 1 / 3]))
    assert torch.allclose(advantages.view(2, 3).sum(1), torch.zeros(2), atol=1e-7)
    assert torch.all(group_advantages(torch.ones(4), 2, "group") == 0)  # no spread, no signal (and no NaN)
    with pytest.raises(HaloError, match="groups of 4"):
        group_advantages(rewards, 4)
    with pytest.raises(HaloError, match="unknown reward scale"):
        group_advantages(rewards, 3, "std")  # type: ignore[arg-type]


def test_loss_fn_lookup():
    assert loss_fn("dr_grpo") is dr_grpo_loss
    with pytest.raises(HaloError, match="dr_grpo, grpo, dapo"):
        loss_fn("ppo")


# ----------------------------------------------------------------------------------------------------------------
# GRPOConfig, PolicyConfig, TrainConfig
# ----------------------------------------------------------------------------------------------------------------


def test_grpo_config_loads_from_dict_and_validates():
    config = from_dict(GRPOConfig, {"group_size": 4, "learning_rate": 1, "loss_type": "grpo", "beta": 0.04})
    assert config.learning_rate == 1.0 and config.episodes_per_iteration == 4
    assert GRPOConfig().loss_type == "dr_grpo" and GRPOConfig().scale_rewards == "none"
    assert PolicyConfig().lora_target_modules == list(LANGUAGE_LORA_TARGETS)
    with pytest.raises(HaloError, match="group_size must be >= 2"):
        from_dict(GRPOConfig, {"group_size": 1})
    with pytest.raises(HaloError, match="loss_type must be one of"):
        from_dict(GRPOConfig, {"loss_type": "ppo"})
    with pytest.raises(HaloError, match="policy_backend must be one of"):
        from_dict(TrainConfig, {"policy_backend": "sglang"})
    with pytest.raises(HaloError, match="lora_target_modules"):
        from_dict(PolicyConfig, {"lora_target_modules": "q_proj"})
    with pytest.raises(HaloError, match="PolicyConfig.lora_rank must be >= 1"):
        from_dict(PolicyConfig, {"lora_rank": 0})
    with pytest.raises(HaloError, match="unknown GRPOConfig field.*'model'"):  # the policy's, not the algorithm's
        from_dict(GRPOConfig, {"model": "smollm2"})
    with pytest.raises(HaloError, match="unknown GRPOConfig field"):
        from_dict(GRPOConfig, {"epsilon": 0.2})


def test_every_training_config_field_is_documented():
    import ast
    import inspect

    import halo_lib.rl.config as module

    tree = ast.parse(inspect.getsource(module))
    for name in ("PolicyConfig", "GRPOConfig", "TrainConfig"):
        body = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name).body
        for node, following in zip(body, body[1:]):
            if isinstance(node, ast.AnnAssign):
                assert isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant), node.target.id
