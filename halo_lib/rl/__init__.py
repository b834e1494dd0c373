"""Online RL for the browser agent: GRPO losses (``losses``), its config (``config``), and TRL as a reference
(``trl_reference``, dev only).

Import-light: importing ``halo_lib.rl`` loads neither torch nor TRL. The configs are imported eagerly (plain
dataclasses); the loss functions load torch on first access.
"""

from halo_lib.rl.config import LANGUAGE_LORA_TARGETS, GRPOConfig, PolicyConfig, TrainConfig

#: Public names served lazily from ``halo_lib.rl.losses`` (torch).
_LOSS_NAMES = (
    "group_advantages", "selected_token_logps", "kl_k3", "per_token_loss", "dr_grpo_loss", "grpo_loss",
    "dapo_loss", "loss_fn", "LOSSES", "masked_mean", "clip_fractions", "mean_kl_k3", "mean_entropy",
)

__all__ = ["GRPOConfig", "PolicyConfig", "TrainConfig", "LANGUAGE_LORA_TARGETS", *_LOSS_NAMES]


def __getattr__(name: str):
    if name in _LOSS_NAMES:
        from halo_lib.rl import losses

        return getattr(losses, name)
    raise AttributeError(f"module 'halo_lib.rl' has no attribute {name!r}")
