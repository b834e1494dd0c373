"""``halo bench grpo``: HALO's GRPO update step against TRL's GRPOTrainer loss, side by side in one run.

The same tiny causal LM (with the same LoRA adapter), the same fixed batch, the same clip/KL settings:
(a) HALO: one forward, ``selected_token_logps`` + ``per_token_loss`` + the configured aggregation, backward;
(b) TRL 1.16: ``GRPOTrainer._compute_loss`` (its own fused-LM-head forward), backward.
Repetitions alternate (a) and (b) so both see the same machine load; tokens/s uses the median time.
Prints the loss difference, the gradient difference and each side's completion tokens/s, and ends with
``grpo bench: loss max abs diff <d>, halo/trl throughput <r>x``.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import dataclass, field
from typing import Callable

import torch
from torch import Tensor

from halo_lib.rl.config import LANGUAGE_LORA_TARGETS
from halo_lib.rl.losses import clip_fractions, loss_fn, per_token_loss, selected_token_logps
from halo_lib.rl.trl_reference import (build_trl_grpo_trainer, load_tiny_causal_lm, random_grpo_batch,
                                       save_tiny_causal_lm, with_logps_near)
# transformers and peft are imported lazily, in the functions that use them: this module's import needs only torch.


@dataclass
class GRPOBenchResult:
    """What ``run_grpo_bench`` measured."""

    loss_type: str
    beta: float
    tokens_per_step: int
    """Real completion tokens in the batch (sum of the completion mask)."""
    halo_losses: list[float] = field(default_factory=list)
    trl_losses: list[float] = field(default_factory=list)
    halo_seconds: list[float] = field(default_factory=list)
    trl_seconds: list[float] = field(default_factory=list)
    grad_max_abs_diff: float = float("nan")
    """Largest difference between the two sides' gradients over every trainable parameter."""
    clip_fraction: float = float("nan")
    """Share of completion tokens whose gradient the clip removed (shows the clip is exercised)."""

    @property
    def loss_max_abs_diff(self) -> float:
        return max(abs(a - b) for a, b in zip(self.halo_losses, self.trl_losses))

    @property
    def halo_tokens_per_s(self) -> float:
        return self.tokens_per_step / statistics.median(self.halo_seconds)

    @property
    def trl_tokens_per_s(self) -> float:
        return self.tokens_per_step / statistics.median(self.trl_seconds)

    @property
    def throughput_ratio(self) -> float:
        return self.halo_tokens_per_s / self.trl_tokens_per_s


def halo_completion_logps(model, batch, temperature: float) -> Tensor:
    """Log-probs of the completion tokens under ``model``: one forward that keeps only the T + 1 last logits
    (positions P-1 .. P+T-2 predict the T completion tokens)."""
    width = batch.completion_ids.shape[1]
    logits = model(input_ids=batch.input_ids, attention_mask=batch.attention_mask, use_cache=False,
                   logits_to_keep=width + 1).logits[:, :width]
    return selected_token_logps(logits, batch.completion_ids, temperature)


def halo_loss(model, batch, *, loss_type: str, beta: float, epsilon_low: float, epsilon_high: float,
              max_completion_length: int, temperature: float) -> Tensor:
    """HALO's GRPO loss of ``batch`` (differentiable in the model's trainable weights)."""
    logps = halo_completion_logps(model, batch, temperature)
    per_token = per_token_loss(logps, batch.old_logps, batch.advantages, epsilon_low, epsilon_high,
                               ref_logp=batch.ref_logps, beta=beta)
    return loss_fn(loss_type)(per_token, batch.completion_mask, max_completion_length)


def _grads(model) -> list[Tensor]:
    return [p.grad.detach().clone() for p in model.parameters() if p.requires_grad and p.grad is not None]


def run_grpo_bench(*, loss_type: str = "dr_grpo", beta: float = 0.04, repetitions: int = 15, n_groups: int = 2,
                   group_size: int = 4, prompt_length: int = 32, completion_length: int = 64,
                   epsilon_low: float = 0.2, epsilon_high: float = 0.28, temperature: float = 0.9,
                   lora: bool = True, seed: int = 0, num_threads: int | None = 1,
                   print_fn: Callable[[str], None] = print) -> GRPOBenchResult:
    """Measure both update steps on one tiny model and one fixed batch; print per-side lines and the summary.

    ``lora``: train a rank-8 LoRA on the language projections (as HALO does) instead of every weight; dropout 0
    so both sides compute the same function. ``num_threads``: torch intra-op threads while measuring (1 by
    default: steadier on a shared machine; None leaves torch's setting). Needs ``trl`` (the dev extra)."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    settings = dict(loss_type=loss_type, beta=beta, epsilon_low=epsilon_low, epsilon_high=epsilon_high,
                    max_completion_length=completion_length, temperature=temperature)
    threads_before = torch.get_num_threads()
    if num_threads:
        torch.set_num_threads(num_threads)
    try:
        result = _measure(settings, repetitions=repetitions, n_groups=n_groups, group_size=group_size,
                          prompt_length=prompt_length, lora=lora, seed=seed)
    finally:
        torch.set_num_threads(threads_before)

    print_fn(f"batch: {n_groups * group_size} completions x {completion_length} tokens ({result.tokens_per_step} "
             f"real) after {prompt_length}-token prompts; loss {loss_type}, beta {beta}, clip "
             f"[{1 - epsilon_low:.2f}, {1 + epsilon_high:.2f}] (clipped tokens {result.clip_fraction:.1%}), "
             f"temperature {temperature}, {'LoRA r=8' if lora else 'full weights'}; {repetitions} repetitions, "
             f"alternating, {torch.get_num_threads() if not num_threads else num_threads} thread(s)")
    for side, losses, seconds, tokens_per_s in (
            ("halo", result.halo_losses, result.halo_seconds, result.halo_tokens_per_s),
            ("trl ", result.trl_losses, result.trl_seconds, result.trl_tokens_per_s)):
        print_fn(f"  {side}: loss {losses[0]:+.9f}, median {statistics.median(seconds) * 1e3:.2f} ms, "
                 f"{tokens_per_s:,.0f} tokens/s")
    print_fn(f"  gradient max abs diff {result.grad_max_abs_diff:.2e}")
    print_fn(grpo_bench_summary(result))
    return result


def _measure(settings: dict, *, repetitions: int, n_groups: int, group_size: int, prompt_length: int, lora: bool,
             seed: int) -> GRPOBenchResult:
    completion_length, temperature = settings["max_completion_length"], settings["temperature"]
    with tempfile.TemporaryDirectory(prefix="halo-grpo-bench-") as tmp:
        model = load_tiny_causal_lm(save_tiny_causal_lm(f"{tmp}/model", seed=seed))
        peft_config = None
        if lora:
            from peft import LoraConfig

            peft_config = LoraConfig(r=8, lora_alpha=16, lora_dropout=0.0, target_modules=list(LANGUAGE_LORA_TARGETS),
                                     task_type="CAUSAL_LM")
        trainer = build_trl_grpo_trainer(model, output_dir=f"{tmp}/trl", num_generations=group_size,
                                         scale_rewards="none", peft_config=peft_config, **settings)
        model = trainer.model  # the same object for both sides (LoRA-wrapped by TRL when lora=True)
        if lora:  # non-zero LoRA B so the adapter changes the function and its gradients are not trivial
            torch.manual_seed(seed + 1)
            with torch.no_grad():
                for name, p in model.named_parameters():
                    if "lora_B" in name:
                        p.normal_(0, 0.02)
        batch = random_grpo_batch(n_groups=n_groups, group_size=group_size, prompt_length=prompt_length,
                                  completion_length=completion_length, vocab_size=model.config.vocab_size, seed=seed)
        with torch.no_grad():
            logps = halo_completion_logps(model, batch, temperature)
            batch = with_logps_near(batch, logps, seed=seed + 2)
        result = GRPOBenchResult(settings["loss_type"], settings["beta"], int(batch.completion_mask.sum()))
        result.clip_fraction = clip_fractions(logps, batch.old_logps, batch.advantages, batch.completion_mask,
                                              settings["epsilon_low"], settings["epsilon_high"])["region"].item()
        trl_inputs = batch.trl_inputs()

        def halo_step() -> float:
            model.zero_grad(set_to_none=True)
            loss = halo_loss(model, batch, **settings)
            loss.backward()
            return loss.item()

        def trl_step() -> float:
            model.zero_grad(set_to_none=True)
            loss = trainer._compute_loss(model, trl_inputs)
            loss.backward()
            return loss.item()

        halo_step()  # warm-up, and the gradients to compare
        halo_grads = _grads(model)
        trl_step()
        trl_grads = _grads(model)
        result.grad_max_abs_diff = max((a - b).abs().max().item() for a, b in zip(halo_grads, trl_grads))
        for _ in range(repetitions):
            for step, losses, seconds in ((halo_step, result.halo_losses, result.halo_seconds),
                                          (trl_step, result.trl_losses, result.trl_seconds)):
                start = time.perf_counter()
                losses.append(step())
                seconds.append(time.perf_counter() - start)
        model.zero_grad(set_to_none=True)
    return result


def grpo_bench_summary(result: GRPOBenchResult) -> str:
    """The closing line: ``grpo bench: loss max abs diff <d>, halo/trl throughput <r>x``."""
    return (f"grpo bench: loss max abs diff {result.loss_max_abs_diff:.2e}, "
            f"halo/trl throughput {result.throughput_ratio:.2f}x")
