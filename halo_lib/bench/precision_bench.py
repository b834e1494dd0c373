"""``halo bench precision``: the CPU precision modes of the trainer's model, side by side in one run.

Three copies of SmolLM2 with the learn bench's LoRA (rank 16) on one learn-bench-shaped prompt (``update_bench.batch``):
(a) fp32; (b) bfloat16 autocast alone (every frozen weight re-cast at every forward, the tied output head run in bf16);
(c) what ``cpu_bf16`` does (``enable_cpu_bf16``: autocast, frozen Linear weights stored in bf16, the output head in
fp32). Each is timed on the completion log-probs without grad (the reference's and the old policy's pass), with
grad and backward (the update's), and on in-process decoding; repetitions take the copies in turn, so all three see
the same machine load; medians are compared. Log-probs are compared with fp32's. Ends with

    precision bench: cpu_bf16 <a>x faster than autocast alone, <b>x than fp32 (forward+backward); logprob max abs diff vs fp32 <d> (autocast alone <e>)
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field

from halo_lib.bench.update_bench import batch
from halo_lib.errors import HaloError
from halo_lib.policies import precision
from halo_lib.policies.assets import sample_with_logprobs, sequence_logprobs
from halo_lib.rl.config import PolicyConfig
from halo_lib.rl.model import load_policy_model
# torch is imported lazily, in the bench's function: importing this module stays light. cpu_has_native_bf16 is imported
# where it is called: tests patch it in halo_lib.policies.precision.

MODES = ("fp32", "autocast alone", "cpu_bf16")


@dataclass
class PrecisionBenchResult:
    prompt_tokens: int
    seconds: dict = field(default_factory=dict)
    """mode -> measure ("forward", "forward+backward", "decode per token") -> timings of the repetitions."""
    logprob_diff: dict = field(default_factory=dict)
    """mode -> the largest |log-prob - fp32's| over the completion's tokens."""

    def median(self, mode: str, measure: str) -> float:
        return statistics.median(self.seconds[mode][measure])

    def speedup(self, over: str, measure: str = "forward+backward") -> float:
        return self.median(over, measure) / self.median("cpu_bf16", measure)


def _policy(mode: str):
    policy = load_policy_model(PolicyConfig(model="smollm2", lora_rank=16, lora_alpha=32, lora_dropout=0.0))
    if mode != "fp32":
        precision.enable_cpu_bf16(policy.model, store_bf16=mode == "cpu_bf16")
    return policy


def run_precision_bench(page_lines: int = 40, repetitions: int = 3, decode_tokens: int = 16,
                        say=print) -> PrecisionBenchResult:
    import torch

    from halo_lib.policies.precision import cpu_has_native_bf16

    if not cpu_has_native_bf16():
        raise HaloError("this CPU has no native bfloat16 (avx512_bf16 or amx_bf16 in /proc/cpuinfo): cpu_bf16 stays "
                        "fp32 here, so there is nothing to compare; run the bench on a CPU that has it")
    torch.manual_seed(0)
    policies = {mode: _policy(mode) for mode in MODES}
    with torch.no_grad():  # one adapter for all three, trained-looking (at peft's init B = 0 and LoRA does nothing)
        lora = {n: torch.randn_like(p) * 0.02 for n, p in policies["fp32"].model.named_parameters() if p.requires_grad}
        for policy in policies.values():
            for n, p in policy.model.named_parameters():
                if n in lora:
                    p.copy_(lora[n])
    sample = batch(policies["fp32"], prompts=1, group_size=1, page_lines=page_lines)[0]
    messages = [{"role": "user", "content": "Archive the email about the quarterly budget review. " * 40}]
    result = PrecisionBenchResult(int(sample.inputs["input_ids"].shape[1]))
    say(f"SmolLM2 + LoRA r16, a {result.prompt_tokens}-token prompt, {len(sample.completion_ids)}-token completion; "
        f"decoding {decode_tokens} tokens after a ~{len(messages[0]['content']) // 4}-token prompt")
    reference = None
    for rep in range(repetitions + 1):  # the first round warms up, untimed
        for mode, policy in policies.items():
            model, times = policy.model, result.seconds.setdefault(mode, {})
            model.eval()
            t0 = time.perf_counter()
            with torch.no_grad():
                logp = sequence_logprobs(model, sample.inputs, sample.completion_ids)
            t1 = time.perf_counter()
            model.train()
            sequence_logprobs(model, sample.inputs, sample.completion_ids).sum().backward()
            model.zero_grad(set_to_none=True)
            t2 = time.perf_counter()
            model.eval()
            out = sample_with_logprobs(model, policy.processor, messages, max_new_tokens=decode_tokens,
                                       temperature=1.0, seed=rep)[0]
            t3 = time.perf_counter()
            if mode == "fp32":
                reference = logp
            result.logprob_diff[mode] = float((logp - reference).abs().max())
            if rep:
                times.setdefault("forward", []).append(t1 - t0)
                times.setdefault("forward+backward", []).append(t2 - t1)
                times.setdefault("decode per token", []).append((t3 - t2) / max(len(out.completion_ids), 1))
        if rep:
            say(f"  rep {rep}: " + "; ".join(
                f"{mode} {result.seconds[mode]['forward'][-1]:.2f} / {result.seconds[mode]['forward+backward'][-1]:.2f}"
                f" s, {1e3 * result.seconds[mode]['decode per token'][-1]:.0f} ms/token" for mode in MODES))
    for mode in MODES:
        say(f"  {mode:<15} median forward {result.median(mode, 'forward'):.2f} s, forward+backward "
            f"{result.median(mode, 'forward+backward'):.2f} s, decode {1e3 * result.median(mode, 'decode per token'):.0f}"
            f" ms/token; logprob max abs diff vs fp32 {result.logprob_diff[mode]:.3f}")
    return result


def summary_line(r: PrecisionBenchResult) -> str:
    return (f"precision bench: cpu_bf16 {r.speedup('autocast alone'):.2f}x faster than autocast alone, "
            f"{r.speedup('fp32'):.2f}x than fp32 (forward+backward); logprob max abs diff vs fp32 "
            f"{r.logprob_diff['cpu_bf16']:.3f} (autocast alone {r.logprob_diff['autocast alone']:.3f})")
