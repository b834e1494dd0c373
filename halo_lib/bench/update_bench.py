"""``halo bench update``: what the GRPO update shares, each saving against the update without it, side by side in
one run.

A GRPO-shaped batch on SmolLM2 with the CPU recipe's LoRA (rank 16 on the top 15 of 30 layers), prompts and KL
penalty (beta 0.1, reference = the adapter at the start): ``prompts`` observations built by ``build_prompt`` (the
real system prompt and action lines, then a task, its history and a synthetic page), each followed by ``group_size``
completions, one of them repeated (merged before any side runs, as in training). Three sides:
(a) ``grpo_update`` as the trainer runs it: the system prompt once per update, each prompt several samples share once
(``share_prefix``), the frozen layers below LoRA once per sample, in the reference's pass (``share_trunk``);
(b) per-sample passes: sharing of prompts off, every sample's whole prompt forward and backward;
(c) the frozen trunk recomputed: every pass runs the layers below LoRA again.
The learning rate is 0, so every repetition sees the same weights; repetitions alternate the sides so all see the same
machine load; medians are compared. Ends with

    update bench: shared prompts <r>x faster than per-sample passes, grad max rel diff <d> (<n> samples, <p> prompts)
    update bench: frozen trunk <r>x faster than recomputing it, grad max rel diff <d> (<k> of <l> layers frozen)
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass, field
from types import SimpleNamespace

from halo_lib.policies.assets import _tokenizer_of
from halo_lib.policies.hf import HFPolicy
from halo_lib.policies.prompts import build_prompt
from halo_lib.rl.config import GRPOConfig, PolicyConfig
from halo_lib.rl.credit import TrainSample
from halo_lib.rl.frozen_trunk import FrozenTrunk
from halo_lib.rl.model import load_policy_model
from halo_lib.rl.reference import ReferenceWeights
from halo_lib.rl.trainer import grpo_update
# torch and halo_lib.recipe (numpy, scipy) are imported lazily, in the functions that use them: importing this module
# stays light.

ACTIONS = ["click('{a}')", "click('{b}')", "fill('{a}', 'quarterly report')", "select_option('{b}', '2')",
           "send_msg_to_user('done')"]
WORDS = ("inbox starred sent drafts archive delete reply forward meeting budget lunch review invoice team "
         "project update travel calendar event product cart quantity search results price rating").split()


@dataclass
class UpdateBenchResult:
    samples: int
    prompts: int
    prompt_tokens: int
    """Mean prompt length in tokens."""
    frozen_layers: int = 0
    """Decoder layers below the lowest LoRA layer, whose outputs the update's passes share (``FrozenTrunk``)."""
    layers: int = 0
    shared_seconds: list[float] = field(default_factory=list)
    per_sample_seconds: list[float] = field(default_factory=list)
    trunk_recomputed_seconds: list[float] = field(default_factory=list)
    grad_max_rel_diff: float = float("nan")
    """Largest gradient difference between (a) and (b) over every LoRA parameter, relative to that tensor's largest
    gradient entry (fp32 sums in another order: ~1e-6; a wrong gradient: ~1)."""
    trunk_grad_max_rel_diff: float = float("nan")
    """The same between (a) and (c): 0 when the replayed layers give the same numbers bit for bit."""

    @property
    def speedup(self) -> float:
        return statistics.median(self.per_sample_seconds) / statistics.median(self.shared_seconds)

    @property
    def trunk_speedup(self) -> float:
        return statistics.median(self.trunk_recomputed_seconds) / statistics.median(self.shared_seconds)


def _page(rng: random.Random, lines: int) -> str:
    """A synthetic accessibility tree: a list page of links and buttons with numeric ids."""
    rows = ["[1] RootWebArea 'Mail'", "  [2] searchbox 'Search'"]
    for i in range(lines):
        words = " ".join(rng.sample(WORDS, 4))
        rows.append(f"  [{100 + 7 * i}] checkbox 'select {words}'")
        rows.append(f"  [{101 + 7 * i}] link '{words.title()}'")
    return "\n".join(rows)


def batch(policy, prompts: int, group_size: int, page_lines: int, seed: int = 0):
    """``prompts`` x ``group_size`` training samples with advantages; the first two completions of a prompt equal."""
    from halo_lib.recipe import RecipeConfig

    rng = random.Random(seed)
    options = RecipeConfig().prompt  # the CPU recipe's prompts
    tokenizer = _tokenizer_of(policy.processor)
    inputs_of = HFPolicy(policy.model, policy.processor, policy.modality).model_inputs
    samples = []
    for p in range(prompts):
        obs = SimpleNamespace(goal=f"Archive the email about {' '.join(rng.sample(WORDS, 3))}.",
                              url="http://127.0.0.1:18001/", step=p % 3, history=[("click('100')", None)] * (p % 3),
                              last_action_error=None, hint=None, axtree=_page(rng, page_lines))
        inputs = inputs_of(build_prompt(obs, "text", options=options))
        for g in range(group_size):
            text = rng.choice(ACTIONS).format(a=100 + 7 * rng.randrange(page_lines), b=101 + 7 * rng.randrange(
                page_lines))
            ids = tokenizer(text, add_special_tokens=False)["input_ids"]
            if g == 1:
                ids = samples[-1].completion_ids  # a confident policy repeats itself: merged, on both sides
            samples.append(TrainSample(inputs, list(ids), rng.uniform(-1, 1), []))
    return samples


def lora_as_if_trained(model, std: float = 0.02) -> None:
    """Random LoRA B matrices: at peft's init (B = 0) the gradients of A vanish, which no trained adapter has."""
    import torch

    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, std)


def run_update_bench(prompts: int = 4, group_size: int = 4, page_lines: int = 40, repetitions: int = 3,
                     lora_top_layers: int = 15, say=print) -> UpdateBenchResult:
    import torch

    cfg = GRPOConfig(beta=0.1, group_size=group_size, max_completion_length=48)
    policy = load_policy_model(PolicyConfig(model="smollm2", lora_rank=16, lora_alpha=32, lora_dropout=0.0,
                                            lora_top_layers=lora_top_layers))
    lora_as_if_trained(policy.model)
    reference = ReferenceWeights.snapshot(policy.model)
    samples = batch(policy, prompts, group_size, page_lines)
    params = {n: p for n, p in policy.model.named_parameters() if p.requires_grad}
    optimizer = torch.optim.SGD(list(params.values()), lr=0.0)
    result = UpdateBenchResult(len(samples), prompts,
                               round(statistics.mean(s.inputs["input_ids"].shape[1] for s in samples)),
                               frozen_layers=FrozenTrunk(policy.model).frozen,
                               layers=policy.model.config.num_hidden_layers)
    say(f"batch: {prompts} prompts x {group_size} completions, ~{result.prompt_tokens} prompt tokens each; "
        f"SmolLM2 + LoRA r16 on the top {lora_top_layers or result.layers} of {result.layers} layers, beta {cfg.beta}")
    # name: (share_prefix, share_trunk, the list its times go to)
    sides = {"shared": (True, True, result.shared_seconds),
             "per-sample": (False, True, result.per_sample_seconds),
             "trunk off": (True, False, result.trunk_recomputed_seconds)}
    grads = {}
    for rep in range(repetitions):
        for name, (share_prefix, share_trunk, times) in sides.items():
            t0 = time.perf_counter()
            metrics = grpo_update(policy, optimizer, samples, cfg, reference, share_prefix=share_prefix,
                                  share_trunk=share_trunk)
            times.append(time.perf_counter() - t0)
            grads[name] = {n: p.grad.detach().clone() for n, p in params.items() if p.grad is not None}
            say(f"  rep {rep + 1} {name:<10} {times[-1]:6.1f} s  ({metrics['forward_passes']} passes, "
                f"{metrics['shared_prefix_tokens']} prefix tokens and {metrics['shared_prompts']} prompts shared, "
                f"{metrics['shared_trunk_layers']} frozen layers replayed)")

    def max_rel_diff(other: str) -> float:
        return max(float((grads["shared"][n] - g).abs().max() / g.abs().max().clamp_min(1e-30))
                   for n, g in grads[other].items())

    result.grad_max_rel_diff = max_rel_diff("per-sample")
    result.trunk_grad_max_rel_diff = max_rel_diff("trunk off")
    return result


def summary_lines(r: UpdateBenchResult) -> str:
    return (f"update bench: shared prompts {r.speedup:.2f}x faster than per-sample passes, grad max rel diff "
            f"{r.grad_max_rel_diff:.1e} ({r.samples} samples, {r.prompts} prompts)\n"
            f"update bench: frozen trunk {r.trunk_speedup:.2f}x faster than recomputing it, grad max rel diff "
            f"{r.trunk_grad_max_rel_diff:.1e} ({r.frozen_layers} of {r.layers} layers frozen)")
