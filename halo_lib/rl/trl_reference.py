"""TRL's GRPOTrainer as a reference, built offline on CPU: the ONE place the test and ``halo bench grpo`` share.

A tiny random ``LlamaForCausalLM`` (saved to a folder, so TRL can rebuild its reference model from the config's
name when beta != 0), a WordLevel tokenizer built in memory, a 1-row prompt dataset and a constant reward give a
real ``trl.GRPOTrainer`` without internet or GPU. Its loss is ``trainer._compute_loss(model, inputs)``;
``feed_exact_logps`` makes that call score given log-probs instead of running the model, so a test can compare
the loss arithmetic alone. ``trl`` is a dev dependency: it is imported only inside these functions.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from halo_lib.errors import HaloError
from halo_lib.rl.losses import group_advantages
# transformers, tokenizers, datasets and trl are imported lazily, in the functions that use them: this module's import
# needs only torch, and trl is a dev dependency.

#: Small enough for a CPU forward + backward in milliseconds, a real architecture (RMSNorm, RoPE, GQA, SwiGLU).
TINY_VOCAB = 96
TINY_LM_CONFIG: dict[str, Any] = dict(
    vocab_size=TINY_VOCAB, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
    num_key_value_heads=2, max_position_embeddings=256, pad_token_id=0, bos_token_id=1, eos_token_id=2,
    tie_word_embeddings=False,
)


def _require_trl():
    try:
        import trl
    except ImportError:
        raise HaloError("TRL is not installed: pip install trl (the dev extra), it keeps the CPU torch") from None
    return trl


def offline_tokenizer(vocab_size: int = TINY_VOCAB):
    """A ``PreTrainedTokenizerFast`` over words ``[PAD] [BOS] [EOS] [UNK] w4 .. w{V-1}``, built in memory."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"[PAD]": 0, "[BOS]": 1, "[EOS]": 2, "[UNK]": 3, **{f"w{i}": i for i in range(4, vocab_size)}}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return PreTrainedTokenizerFast(tokenizer_object=backend, pad_token="[PAD]", bos_token="[BOS]",
                                   eos_token="[EOS]", unk_token="[UNK]", padding_side="left")


def save_tiny_causal_lm(folder: str | os.PathLike, seed: int = 0) -> Path:
    """Write a tiny random ``LlamaForCausalLM`` (fp32) and its tokenizer to ``folder``; the same seed gives the
    same weights."""
    from transformers import LlamaConfig, LlamaForCausalLM

    folder = Path(folder)
    torch.manual_seed(seed)
    model = LlamaForCausalLM(LlamaConfig(**TINY_LM_CONFIG))
    model.save_pretrained(folder)
    offline_tokenizer().save_pretrained(folder)
    return folder


def load_tiny_causal_lm(folder: str | os.PathLike):
    """The model written by ``save_tiny_causal_lm``, in train mode (fp32, no dropout in Llama)."""
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32, local_files_only=True)
    return model.train()


def build_trl_grpo_trainer(model, *, output_dir: str | os.PathLike, loss_type: str = "dr_grpo", beta: float = 0.0,
                           epsilon_low: float = 0.2, epsilon_high: float = 0.28, max_completion_length: int = 16,
                           num_generations: int = 4, temperature: float = 1.0, scale_rewards: str = "none",
                           peft_config=None):
    """A real ``trl.GRPOTrainer`` around ``model`` (loaded from a folder: with beta != 0 and no LoRA, TRL rebuilds
    the reference model from that folder), on CPU, fp32, without vLLM, activation checkpointing or reporting.

    Ready for ``trainer._compute_loss(trainer.model, inputs)`` outside the training loop (one accumulation step).
    ``peft_config`` (a ``peft.LoraConfig``) makes TRL wrap the model in LoRA itself."""
    _require_trl()
    from datasets import Dataset
    from trl import GRPOConfig as TRLGRPOConfig
    from trl import GRPOTrainer

    args = TRLGRPOConfig(
        output_dir=str(output_dir), use_vllm=False, use_cpu=True, bf16=False, fp16=False, report_to="none",
        loss_type=loss_type, beta=beta, epsilon=epsilon_low, epsilon_high=epsilon_high,
        max_completion_length=max_completion_length, num_generations=num_generations, temperature=temperature,
        scale_rewards=scale_rewards, per_device_train_batch_size=num_generations, gradient_accumulation_steps=1,
        activation_checkpointing=False, disable_dropout=True, logging_steps=1, save_strategy="no", seed=0,
    )
    dataset = Dataset.from_dict({"prompt": ["w4 w5 w6"] * num_generations})
    tokenizer = offline_tokenizer(model.config.vocab_size)
    trainer = GRPOTrainer(model=model, reward_funcs=lambda completions, **kw: [0.0] * len(completions), args=args,
                          train_dataset=dataset, processing_class=tokenizer, peft_config=peft_config)
    trainer.current_gradient_accumulation_steps = 1
    trainer.model.train()
    return trainer


def feed_exact_logps(trainer, logps: Tensor, entropies: Tensor | None = None) -> None:
    """Make ``trainer._compute_loss`` use ``logps`` ([B, T], the tensor itself, so its gradient reaches the
    caller) instead of a forward pass. Overrides ``_get_per_token_logps_and_entropies`` on this instance only."""
    entropies = torch.zeros_like(logps) if entropies is None else entropies

    def _exact(*args, **kwargs):
        return logps, entropies, None

    trainer._get_per_token_logps_and_entropies = _exact


# --------------------------------------------------------------------------------------------------------------
# One fixed batch, the same for HALO and TRL
# --------------------------------------------------------------------------------------------------------------


@dataclass
class GRPOBatch:
    """A right-padded GRPO batch: B completions of up to T tokens after prompts of P tokens (left-padded)."""

    prompt_ids: Tensor
    """[B, P] prompt token ids, left-padded."""
    prompt_mask: Tensor
    """[B, P] 1 on prompt tokens, 0 on padding."""
    completion_ids: Tensor
    """[B, T] completion token ids, right-padded."""
    completion_mask: Tensor
    """[B, T] 1 on completion tokens, 0 after the end."""
    advantages: Tensor
    """[B] one advantage per completion."""
    old_logps: Tensor | None
    """[B, T] log-probs of the completion tokens under the policy that sampled them (None: on-policy)."""
    ref_logps: Tensor
    """[B, T] log-probs of the completion tokens under the reference policy."""

    def trl_inputs(self) -> dict[str, Tensor]:
        """The dict ``GRPOTrainer._compute_loss(trainer.model, inputs)`` reads (``num_items_in_batch``: dapo's
        normaliser, the batch's completion-token count)."""
        return {"prompt_ids": self.prompt_ids, "prompt_mask": self.prompt_mask,
                "completion_ids": self.completion_ids, "completion_mask": self.completion_mask,
                "advantages": self.advantages, "ref_per_token_logps": self.ref_logps,
                "num_items_in_batch": self.completion_mask.sum(),
                **({} if self.old_logps is None else {"old_per_token_logps": self.old_logps})}

    @property
    def input_ids(self) -> Tensor:
        return torch.cat([self.prompt_ids, self.completion_ids], dim=1)

    @property
    def attention_mask(self) -> Tensor:
        return torch.cat([self.prompt_mask, self.completion_mask], dim=1)


def random_grpo_batch(n_groups: int = 2, group_size: int = 4, prompt_length: int = 6, completion_length: int = 12,
                      vocab_size: int = TINY_VOCAB, seed: int = 0, logp_noise: float = 0.3) -> GRPOBatch:
    """A random batch with ragged lengths, Dr. GRPO advantages of 0/1 rewards, and old/ref log-probs drawn so
    that the ratio exp(logp - old) of log-probs near ``old`` falls outside [0.8, 1.28] on some tokens.

    ``old_logps`` / ``ref_logps`` are random negatives here; ``with_logps_near`` re-centres them on a model's own
    log-probs (the bench), so the clip still bites on some tokens."""
    g = torch.Generator().manual_seed(seed)
    b = n_groups * group_size
    prompt_ids = torch.randint(4, vocab_size, (b, prompt_length), generator=g)
    prompt_lengths = torch.randint(prompt_length // 2, prompt_length + 1, (b,), generator=g)
    prompt_mask = (torch.arange(prompt_length) >= prompt_length - prompt_lengths.unsqueeze(1)).long()
    prompt_ids = prompt_ids * prompt_mask  # pad id 0 on the left
    completion_ids = torch.randint(4, vocab_size, (b, completion_length), generator=g)
    lengths = torch.randint(1, completion_length + 1, (b,), generator=g)
    lengths[0] = completion_length
    completion_mask = (torch.arange(completion_length) < lengths.unsqueeze(1)).long()
    completion_ids = completion_ids * completion_mask
    rewards = torch.randint(0, 2, (b,), generator=g).float()
    rewards[0], rewards[1] = 1.0, 0.0  # a group with spread, so some advantages are non-zero
    advantages = group_advantages(rewards, group_size, "none")
    base = -torch.rand(b, completion_length, generator=g) * 4 - 0.1
    old_logps = base + logp_noise * torch.randn(b, completion_length, generator=g)
    ref_logps = base + logp_noise * torch.randn(b, completion_length, generator=g)
    return GRPOBatch(prompt_ids, prompt_mask, completion_ids, completion_mask, advantages, old_logps, ref_logps)


def with_logps_near(batch: GRPOBatch, logps: Tensor, seed: int = 1, noise: float = 0.3) -> GRPOBatch:
    """``batch`` with old/ref log-probs = ``logps`` + N(0, noise^2): a policy a few updates old."""
    g = torch.Generator().manual_seed(seed)
    logps = logps.detach()
    return GRPOBatch(batch.prompt_ids, batch.prompt_mask, batch.completion_ids, batch.completion_mask,
                     batch.advantages, logps + noise * torch.randn(logps.shape, generator=g),
                     logps + noise * torch.randn(logps.shape, generator=g))
