"""GRPO losses as small pure functions: tensors in, tensors out. Each one carries its equation.

Shapes: ``B`` completions (``B = n_groups * G``, the ``G`` completions of a prompt are contiguous), ``T``
completion tokens (right-padded; ``mask`` is 1 on real tokens). Log-probs are of the sampled tokens.

Conventions match TRL 1.16.0 (``trl/trainer/grpo_trainer.py``: advantages in ``_generate_and_score_completions``,
the loss in ``_compute_loss``) with its defaults ``importance_sampling_level="token"``, ``delta=None``,
``use_bias_correction_kl=True``, ``top_entropy_quantile=1.0``, no vLLM importance-sampling correction, and one
gradient-accumulation step; ``tests/test_losses.py`` checks equality against a real ``GRPOTrainer``.

References: GRPO, Shao et al. 2024 (DeepSeekMath, arXiv:2402.03300); Dr. GRPO, Liu et al. 2025
("Understanding R1-Zero-Like Training", arXiv:2503.20783); DAPO, Yu et al. 2025 (arXiv:2503.14476);
k3 KL estimator, Schulman 2020 ("Approximating KL Divergence").
"""

from __future__ import annotations

from typing import Callable, Literal

import torch
from torch import Tensor

from halo_lib.errors import HaloError

RewardScale = Literal["none", "group", "batch"]
LossType = Literal["dr_grpo", "grpo", "dapo"]

#: Added to the std before dividing (TRL 1.16: ``advantages / (std_rewards + 1e-4)``).
STD_EPS = 1e-4


# --------------------------------------------------------------------------------------------------------------
# Advantages
# --------------------------------------------------------------------------------------------------------------


def group_advantages(rewards: Tensor, group_size: int, scale: RewardScale = "none", eps: float = STD_EPS) -> Tensor:
    """Group-relative advantages, one per completion ([B] -> [B]).

    Dr. GRPO (scale="none"):  A_i = r_i - mean(r_group(i))
    GRPO     (scale="group"): A_i = (r_i - mean(r_group(i))) / (std(r_group(i)) + eps)
    TRL      (scale="batch"): A_i = (r_i - mean(r_group(i))) / (std(r_all) + eps)   (group mean, batch std)

    std is TRL's: the UNBIASED (Bessel, n-1) std, and eps = 1e-4 is added to the std (not under the square
    root). With G = 1 there is no spread to measure and TRL uses std = 0 (A_i = 0 / eps = 0).
    """
    if rewards.dim() != 1:
        raise HaloError(f"group_advantages takes a 1-D tensor of rewards, got shape {tuple(rewards.shape)}")
    if group_size < 1 or rewards.numel() % group_size:
        raise HaloError(f"{rewards.numel()} rewards do not split into groups of {group_size}: "
                        "pass group_size = completions per prompt, with each prompt's completions contiguous")
    grouped = rewards.view(-1, group_size)
    advantages = (grouped - grouped.mean(dim=1, keepdim=True)).view(-1)
    if scale == "none":
        return advantages
    if scale == "group":
        std = grouped.std(dim=1, correction=1) if group_size > 1 else torch.zeros(grouped.shape[0])
        std = std.to(rewards).repeat_interleave(group_size)
    elif scale == "batch":
        std = rewards.std(correction=1) if rewards.numel() > 1 else torch.zeros((), dtype=rewards.dtype)
        std = std.expand_as(rewards)
    else:
        raise HaloError(f"unknown reward scale {scale!r}: use 'none' (Dr. GRPO), 'group' (GRPO) or 'batch'")
    return advantages / (std + eps)


# --------------------------------------------------------------------------------------------------------------
# Per-token terms
# --------------------------------------------------------------------------------------------------------------


def selected_token_logps(logits: Tensor, token_ids: Tensor, temperature: float = 1.0) -> Tensor:
    """Log-probs of the given tokens: log softmax(logits / T)[token]  ([B, T, V], [B, T] -> [B, T]).

    ``logits[:, t]`` must be the logits that PREDICT ``token_ids[:, t]`` (i.e. already shifted by one).
    TRL divides by the sampling temperature the same way before scoring."""
    logps = torch.log_softmax(logits.float() / temperature, dim=-1)
    return logps.gather(-1, token_ids.unsqueeze(-1)).squeeze(-1)


def kl_k3(logp: Tensor, ref_logp: Tensor) -> Tensor:
    """Schulman's k3 estimator of KL(pi || pi_ref), per token, always >= 0:

    k3 = exp(ref - logp) - (ref - logp) - 1
    """
    delta = ref_logp - logp
    return torch.exp(delta) - delta - 1


def per_token_loss(
    logp: Tensor,
    old_logp: Tensor | None,
    advantages: Tensor,
    eps_low: float,
    eps_high: float,
    ref_logp: Tensor | None = None,
    beta: float = 0.0,
    kl_bias_correction: bool = True,
) -> Tensor:
    """The clipped surrogate (PPO/GRPO) plus the KL penalty, per token ([B, T]; not yet masked).

    r_t    = exp(logp_t - old_logp_t)
    loss_t = -min(r_t * A, clip(r_t, 1 - eps_low, 1 + eps_high) * A)  +  beta * k3_t * r_t

    ``advantages`` is [B] (one per completion, broadcast over its tokens) or [B, T]. ``old_logp=None`` means
    on-policy (old = logp.detach(), so r = 1 with the gradient of r), as TRL does when it skips recomputing them.
    The KL term is multiplied by r when ``kl_bias_correction`` (TRL 1.16's default ``use_bias_correction_kl=True``,
    DeepSeek-V3.2's unbiased reverse-KL gradient): it changes the gradient even on-policy, where r == 1.
    Only ``logp`` carries gradient; ``old_logp``, ``advantages`` and ``ref_logp`` are constants.
    """
    advantages = advantages.detach()
    if advantages.dim() == 1:
        advantages = advantages.unsqueeze(1)
    old_logp = logp.detach() if old_logp is None else old_logp.detach()
    ratio = torch.exp(logp - old_logp)
    clipped_ratio = torch.clamp(ratio, 1 - eps_low, 1 + eps_high)
    loss = -torch.min(ratio * advantages, clipped_ratio * advantages)
    if beta != 0.0:
        if ref_logp is None:
            raise HaloError("beta != 0 needs ref_logp (the reference policy's log-probs of the same tokens)")
        kl = kl_k3(logp, ref_logp.detach())
        if kl_bias_correction:
            kl = kl * ratio
        loss = loss + beta * kl
    return loss


def truncated_importance_weights(trainer_logp: Tensor, sampler_logp: Tensor, cap: float) -> Tensor:
    """Per-token weights that correct for sampling with another policy than the trainer's (an older adapter, or
    the sampler's own numerics), truncated so a rare token cannot blow the update up (TIS; AReaL's decoupled PPO
    loss weights its surrogate the same way, with the trainer's pre-update policy as the proximal one):

    w_t = min(pi_trainer(y_t) / pi_sampler(y_t), C) = min(exp(trainer_logp_t - sampler_logp_t), C)

    No gradient flows through w. ``trainer_logp``: the trainer's log-probs before the update (the surrogate's old
    ones); ``sampler_logp``: the sampler's, of the same tokens."""
    return torch.exp(trainer_logp.detach() - sampler_logp.detach()).clamp(max=cap)


# --------------------------------------------------------------------------------------------------------------
# Aggregation over tokens and sequences
# --------------------------------------------------------------------------------------------------------------


def dr_grpo_loss(per_token: Tensor, mask: Tensor, max_completion_length: int) -> Tensor:
    """Dr. GRPO: one constant normaliser, so a token weighs the same in a short or a long completion.

    L = sum_i sum_t mask_it * loss_it / (B * L_max)
    """
    if per_token.shape[-1] > max_completion_length:
        raise HaloError(f"completions of {per_token.shape[-1]} tokens exceed max_completion_length "
                        f"{max_completion_length}: truncate them or raise max_completion_length")
    return (per_token * mask).sum() / (per_token.size(0) * max_completion_length)


def grpo_loss(per_token: Tensor, mask: Tensor) -> Tensor:
    """GRPO (DeepSeekMath): each sequence's token mean, then the mean over sequences (length-biased).

    L = 1/B * sum_i [ sum_t mask_it * loss_it / max(1, sum_t mask_it) ]
    """
    return ((per_token * mask).sum(-1) / mask.sum(-1).clamp(min=1.0)).mean()


def dapo_loss(per_token: Tensor, mask: Tensor) -> Tensor:
    """DAPO: token-level mean over the whole batch.

    L = sum_i sum_t mask_it * loss_it / max(1, sum_i sum_t mask_it)

    (TRL's "dapo" divides by the token count of the whole generation batch; with one process, one
    accumulation step and ``steps_per_generation = 1`` that is this batch's count.)
    """
    return (per_token * mask).sum() / mask.sum().clamp(min=1.0)


LossFn = Callable[[Tensor, Tensor, int], Tensor]

#: Every aggregation behind one signature ``(per_token, mask, max_completion_length) -> loss``.
LOSSES: dict[str, LossFn] = {
    "dr_grpo": dr_grpo_loss,
    "grpo": lambda per_token, mask, max_completion_length: grpo_loss(per_token, mask),
    "dapo": lambda per_token, mask, max_completion_length: dapo_loss(per_token, mask),
}


def loss_fn(name: str) -> LossFn:
    """The aggregation called ``name``, as ``fn(per_token, mask, max_completion_length) -> scalar loss``."""
    try:
        return LOSSES[name]
    except KeyError:
        raise HaloError(f"unknown loss_type {name!r}: use one of {', '.join(LOSSES)}") from None


# --------------------------------------------------------------------------------------------------------------
# Metrics (no gradient)
# --------------------------------------------------------------------------------------------------------------


def masked_mean(values: Tensor, mask: Tensor) -> Tensor:
    """sum(values * mask) / max(1, sum(mask)) over every token of the batch."""
    return (values * mask).sum() / mask.sum().clamp(min=1.0)


@torch.no_grad()
def clip_fractions(logp: Tensor, old_logp: Tensor, advantages: Tensor, mask: Tensor,
                   eps_low: float, eps_high: float) -> dict[str, Tensor]:
    """Share of tokens whose gradient the clip removed (TRL's clip_ratio/{low,high,region}_mean):

    low    = r < 1 - eps_low  and A < 0
    high   = r > 1 + eps_high and A > 0
    region = low or high
    """
    if advantages.dim() == 1:
        advantages = advantages.unsqueeze(1)
    ratio = torch.exp(logp - old_logp)
    low = (ratio < 1 - eps_low) & (advantages < 0)
    high = (ratio > 1 + eps_high) & (advantages > 0)
    return {"low": masked_mean(low.float(), mask), "high": masked_mean(high.float(), mask),
            "region": masked_mean((low | high).float(), mask)}


@torch.no_grad()
def mean_kl_k3(logp: Tensor, ref_logp: Tensor, mask: Tensor) -> Tensor:
    """Token mean of k3 = exp(ref - logp) - (ref - logp) - 1 (TRL logs this times r; equal on-policy)."""
    return masked_mean(kl_k3(logp, ref_logp), mask)


@torch.no_grad()
def mean_entropy(entropies: Tensor, mask: Tensor) -> Tensor:
    """Token mean of the policy's entropy, passed through from the forward pass (TRL's ``entropy`` metric)."""
    return masked_mean(entropies, mask)
