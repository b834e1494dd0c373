"""``halo bench lora-layers``: the GRPO update with LoRA on the language model's top layers only against LoRA on
every layer, side by side in one run.

Backpropagation stops at the lowest layer that has an adapter: below it nothing is trainable, so autograd keeps no
activations there and runs no backward. Two copies of SmolLM2 with the learn bench's LoRA (rank 16, beta 0.1, the
reference = the adapter at the start): (a) on every layer, (b) on the top ``top_layers`` (``PolicyConfig.
lora_top_layers``). Both run ``grpo_update`` as the trainer does on the same ``update_bench.batch`` at learning
rate 0 (every repetition sees the same weights); repetitions alternate the copies so both see the same machine load;
medians are compared. Ends with

    lora layers bench: top <n> of <m> layers <r>x faster per GRPO update than all <m> (<s> samples, <t> trainable params vs <u>)
"""

from __future__ import annotations

import dataclasses
import statistics
import time
from dataclasses import dataclass, field

from halo_lib.bench.update_bench import batch, lora_as_if_trained
from halo_lib.rl.config import GRPOConfig, PolicyConfig
from halo_lib.rl.model import load_policy_model
from halo_lib.rl.reference import ReferenceWeights
from halo_lib.rl.trainer import grpo_update
# torch is imported lazily, in the bench's function: importing this module stays light.


@dataclass
class LoraLayersBenchResult:
    top_layers: int
    layers: int
    samples: int
    seconds: dict = field(default_factory=dict)
    """"all" / "top" -> the repetitions' update times."""
    trainable: dict = field(default_factory=dict)
    """"all" / "top" -> trainable (LoRA) parameters."""

    @property
    def speedup(self) -> float:
        return statistics.median(self.seconds["all"]) / statistics.median(self.seconds["top"])


def run_lora_layers_bench(top_layers: int = 15, prompts: int = 2, group_size: int = 4, page_lines: int = 40,
                          repetitions: int = 3, say=print) -> LoraLayersBenchResult:
    import torch

    cfg = GRPOConfig(beta=0.1, group_size=group_size, max_completion_length=48)
    base = PolicyConfig(model="smollm2", lora_rank=16, lora_alpha=32, lora_dropout=0.0)
    sides = {"all": base, "top": dataclasses.replace(base, lora_top_layers=top_layers)}
    runs = {}
    for name, policy_cfg in sides.items():
        torch.manual_seed(0)
        policy = load_policy_model(policy_cfg)
        lora_as_if_trained(policy.model)
        params = [p for p in policy.model.parameters() if p.requires_grad]
        runs[name] = (policy, torch.optim.SGD(params, lr=0.0), ReferenceWeights.snapshot(policy.model))
    policy = runs["all"][0]
    samples = batch(policy, prompts, group_size, page_lines)
    layers = policy.model.config.num_hidden_layers
    result = LoraLayersBenchResult(top_layers, layers, len(samples))
    result.trainable = {name: sum(p.numel() for p in run[0].model.parameters() if p.requires_grad)
                        for name, run in runs.items()}
    say(f"batch: {prompts} prompts x {group_size} completions, ~{samples[0].inputs['input_ids'].shape[1]} prompt "
        f"tokens each; SmolLM2 + LoRA r16 on all {layers} layers vs the top {top_layers}, beta {cfg.beta}")
    for rep in range(repetitions + 1):  # the first round warms up, untimed
        for name, (policy, optimizer, reference) in runs.items():
            t0 = time.perf_counter()
            grpo_update(policy, optimizer, samples, cfg, reference)
            seconds = time.perf_counter() - t0
            if rep:
                result.seconds.setdefault(name, []).append(seconds)
                say(f"  rep {rep} {name:<4} {seconds:6.1f} s")
    return result


def summary_line(r: LoraLayersBenchResult) -> str:
    return (f"lora layers bench: top {r.top_layers} of {r.layers} layers {r.speedup:.2f}x faster per GRPO update "
            f"than all {r.layers} ({r.samples} samples, {r.trainable['top']} trainable params vs "
            f"{r.trainable['all']})")
