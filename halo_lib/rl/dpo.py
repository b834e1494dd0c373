"""DPO on pairs of better and worse actions from the same state (e.g. the branches of ``branch_at_state``),
a baseline beside online GRPO. Rafailov et al. 2023, "Direct Preference Optimization":

    L_DPO = - log sigmoid( beta * [ (log pi(y_w|x) - log pi_ref(y_w|x)) - (log pi(y_l|x) - log pi_ref(y_l|x)) ] )

The reference policy is the policy DPO starts from (its adapter then, e.g. behaviour cloning's: DPO's reference is
the SFT model), frozen (``ReferenceWeights``).
"""

from __future__ import annotations

from dataclasses import dataclass

from halo_lib.policies.assets import sequence_logprobs
from halo_lib.policies.base import Candidate
from halo_lib.policies.hf import HFPolicy
from halo_lib.rl.reference import ReferenceWeights
# torch is imported lazily, in the functions that use it: importing this module stays light.


def dpo_loss(logp_chosen, logp_rejected, ref_chosen, ref_rejected, beta: float):
    """Per-pair DPO loss from summed sequence log-probs (tensors of shape [P])."""
    import torch.nn.functional as F

    margin = (logp_chosen - ref_chosen) - (logp_rejected - ref_rejected)
    return -F.logsigmoid(beta * margin)


@dataclass
class PreferencePair:
    """Two replies to the same prompt, the first judged better (a higher dense step reward)."""

    chosen: Candidate
    rejected: Candidate
    margin: float


def pairs_from_branches(branches, min_margin: float = 1e-6) -> list[PreferencePair]:
    """Best vs worst branch of one state, when their rewards differ (ties teach nothing)."""
    ranked = sorted(branches, key=lambda b: b.reward.total, reverse=True)
    if len(ranked) < 2:
        return []
    best, worst = ranked[0], ranked[-1]
    margin = best.reward.total - worst.reward.total
    if margin < min_margin or not best.candidate.token_ids or not worst.candidate.token_ids:
        return []
    return [PreferencePair(best.candidate, worst.candidate, margin)]


def dpo_train(policy, pairs: list[PreferencePair], beta: float = 0.1, epochs: int = 1, learning_rate: float = 1e-4,
              grad_clip: float = 1.0) -> list[dict]:
    """Optimise the LoRA weights of ``policy.model`` on the pairs; returns per-epoch loss and accuracy."""
    import torch

    inputs_of = HFPolicy(policy.model, policy.processor, policy.modality).model_inputs
    params = [p for p in policy.model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=learning_rate)
    prepared = []
    with ReferenceWeights.snapshot(policy.model).active():
        for pair in pairs:
            inputs = inputs_of(pair.chosen.prompt)
            ref = sequence_logprobs(policy.model, inputs, [pair.chosen.token_ids, pair.rejected.token_ids])
            prepared.append((inputs, pair, float(ref[0].sum()), float(ref[1].sum())))
    history = []
    policy.model.train()
    for epoch in range(epochs):
        total, correct = 0.0, 0
        for inputs, pair, ref_w, ref_l in prepared:
            logp = sequence_logprobs(policy.model, inputs, [pair.chosen.token_ids, pair.rejected.token_ids])
            loss = dpo_loss(logp[0].sum(), logp[1].sum(), torch.tensor(ref_w), torch.tensor(ref_l), beta)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if grad_clip > 0:
                torch.nn.utils.clip_grad_norm_(params, grad_clip)
            optimizer.step()
            total += float(loss.detach())
            correct += bool((logp[0].sum() - ref_w) > (logp[1].sum() - ref_l))
        history.append({"epoch": epoch + 1, "loss": total / max(len(prepared), 1),
                        "accuracy": correct / max(len(prepared), 1), "pairs": len(prepared)})
    policy.model.eval()
    return history
