"""``halo smoke --gpu``: the GPU training and serving chain, end to end, in minutes, on a small model.

Two halves, each through the project's own code paths (nothing here re-implements them):

trainer  a small Qwen3-VL built locally whose attention heads match Qwen3-VL-8B's (head size 128, grouped-query
         attention, M-RoPE [24, 20, 20]: ``assets.small_qwen3vl_dir``), LoRA on the language model through the
         trainer's own ``rl.model.with_lora`` (``PolicyConfig``'s rank, alpha and dropout) with activation
         checkpointing, as ``load_policy_model`` sets Qwen3-VL up on CUDA without Unsloth; a 1280x720 PNG
         screenshot turned into a prompt by ``prompts.build_prompt`` with ``PromptOptions(max_image_width=1280)``
         (``prepare_screenshot``: the pixels the sampler sends) and into tensors by
         ``HFPolicy.model_inputs`` (what the trainer re-scores), the image grid checked against 1280x720; one GRPO
         update (``trainer.grpo_update`` on two ``TrainSample`` completions with advantages +1 / -1), after which
         every LoRA B matrix must have changed and every other parameter and buffer be bit-identical; a checkpoint
         round trip (``checkpoint.save_checkpoint`` / ``load_checkpoint`` into scrambled LoRA weights and a fresh
         optimizer: LoRA weights and optimizer state come back equal, base weights untouched); peak GPU memory
         (``torch.cuda.max_memory_allocated``). bf16 on CUDA; fp32 on CPU (same code).
vllm     where ``vllm`` is installed and CUDA is there: ``vllm_server.policy_server`` on the saved small model (LoRA
         rank 16, bf16, one image and no video per prompt), the adapter synced by ``rl.sync.VLLMSync`` three times
         (a first load, then two hot reloads in place from new folders, the last two with LoRA weights large enough
         to move log-probs visibly), and after each a completion sampled by ``VLLMPolicy``'s request at temperature
         1 with log-probs: vLLM's prompt must have the trainer's token count, its log-probs must equal the
         trainer's ``assets.sequence_logprobs`` of the same prompt and completion within ``LOGPROB_TOL`` nats per
         token (bf16), and the adapter must move the trainer's log-probs by more than twice that (else the check
         could not tell a missing adapter).

The run ends with exactly one line, in this stable format::

    gpu smoke: trainer <ok|FAILED> on <cuda|cpu> (<GPU name|no CUDA|cpu requested>, <bf16|fp32>; <what>); vllm <ok|FAILED|skipped> (<what>)

where the trainer's ``<what>`` is ``update <s> s, peak <GiB> GiB|n/a (cpu), lora-only update, checkpoint round
trip`` when it passed and the first failure otherwise, and vLLM's is ``<k> hot reloads, prompt <n> tokens as the
trainer's, logprob max abs diff <d> < <tol> over <t> tokens`` when it passed, the failure, or why it could not run
(``no vllm installed``, ``no CUDA``, ``trainer ran on cpu``, ``trainer failed``). For example::

    gpu smoke: trainer ok on cuda (NVIDIA H100 80GB HBM3, bf16; update 0.41 s, peak 3.2 GiB, lora-only update, checkpoint round trip); vllm skipped (no vllm installed)

``halo smoke --gpu`` exits 0 only if every half that could run passed (a skipped half does not fail it).
"""

from __future__ import annotations

import asyncio
import importlib.util
import io
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from halo_lib.env.environment import Observation
from halo_lib.errors import HaloError
from halo_lib.policies import assets
from halo_lib.policies.assets import QWEN_TOKEN_IDS, sequence_logprobs
from halo_lib.policies.hf import HFPolicy, SamplingConfig
from halo_lib.policies.prompts import PromptOptions, build_prompt
from halo_lib.policies.vllm_client import START_HINT, Endpoint, candidates_from, chat_completion
from halo_lib.rl.checkpoint import load_checkpoint, save_checkpoint
from halo_lib.rl.config import PolicyConfig, TrainConfig
from halo_lib.rl.credit import TrainSample
from halo_lib.rl.model import with_lora
from halo_lib.rl.sync import VLLMSync
from halo_lib.rl.trainer import grpo_update
# torch, transformers and PIL are imported lazily, in the functions that use them: importing this module stays light.
# policy_server is imported in _vllm_half: tests patch it in halo_lib.policies.vllm_server.

#: Largest |vLLM log-prob - trainer log-prob| per completion token accepted in bf16 (nats). In fp32 vLLM and HF agree
#: to ~6e-5 (tests/test_vllm.py, on CPU); on this small model HF in bf16 differs from HF in fp32 by up to ~0.03
#: (measured on CPU, 32-token completions, adapter of ``RELOAD_LORA_STD``).
LOGPROB_TOL = 0.1
#: The screenshot size of the browser environment (``EnvConfig``'s viewport).
SCREEN = (1280, 720)
#: Completion tokens sampled from vLLM per check.
VLLM_MAX_TOKENS = 32
#: LoRA B weights of the reloaded adapters are drawn N(0, this^2): on the small model they move the log-probs of a
#: completion by ~0.5-1 nat, so a server that kept the old adapter, or none, fails the comparison.
RELOAD_LORA_STD = 0.05
#: vLLM start-up on an H100 (weights, profiling, torch.compile and CUDA graphs of a small model): ~1-3 minutes.
VLLM_STARTUP_TIMEOUT_S = 420.0

#: Two actions the policy could reply with (the completions of the GRPO update), in Qwen3-VL's tool-call format.
COMPLETIONS = (
    '<tool_call>\n{"name": "computer_use", "arguments": {"action": "left_click", "coordinate": [512, 430]}}\n'
    "</tool_call><|im_end|>",
    '<tool_call>\n{"name": "computer_use", "arguments": {"action": "type", "text": "cooking pot"}}\n'
    "</tool_call><|im_end|>",
)


@dataclass
class GPUSmokeResult:
    """What ``run_gpu_smoke`` found; ``line`` is the one-line summary it ended with."""

    device: str = "cpu"
    """Where the trainer half ran: ``cuda`` or ``cpu``."""
    device_name: str = ""
    """The GPU's name, ``no CUDA`` or ``cpu requested``."""
    dtype: str = "fp32"
    trainer_ok: bool = False
    trainer_error: str | None = None
    model_dir: str | None = None
    head_dim: int | None = None
    """Head size of the built model's text config (128, as Qwen3-VL-8B)."""
    image_grid: tuple[int, int, int] | None = None
    """The processor's (t, h, w) patch grid of the prompt's screenshot."""
    expected_image_grid: tuple[int, int, int] | None = None
    """The grid of a full 1280x720 screenshot (what vLLM sees)."""
    prompt_tokens: int | None = None
    update_s: float | None = None
    peak_memory_gib: float | None = None
    """``torch.cuda.max_memory_allocated`` of the trainer half in GiB; None on CPU."""
    update_metrics: dict = field(default_factory=dict)
    lora_tensors: int = 0
    """LoRA parameters (A and B matrices) of the policy."""
    lora_changed: list[str] = field(default_factory=list)
    """LoRA parameters that the update changed."""
    lora_b_unchanged: list[str] = field(default_factory=list)
    """LoRA B matrices that the update left unchanged (should be none: each gets a gradient)."""
    other_changed: list[str] = field(default_factory=list)
    """Non-LoRA parameters or buffers that the update changed (must be none)."""
    checkpoint_ok: bool = False
    checkpoint_mismatches: list[str] = field(default_factory=list)
    vllm_status: str = "skipped"
    """``ok``, ``failed`` or ``skipped``."""
    vllm_reason: str = ""
    """Why vLLM was skipped or failed."""
    vllm_reloads: int = 0
    """Hot reloads (in-place loads after the first) that were checked."""
    vllm_prompt_tokens: int | None = None
    vllm_logprob_max_diff: float | None = None
    vllm_tokens_compared: int = 0
    vllm_adapter_effect: float | None = None
    """Smallest, over the reloaded adapters, of the largest change the adapter makes to the trainer's log-probs."""
    seconds: float = 0.0
    line: str = ""

    @property
    def lora_only_update(self) -> bool:
        return bool(self.lora_changed) and not self.lora_b_unchanged and not self.other_changed

    @property
    def ok(self) -> bool:
        """Every half that could run passed."""
        return self.trainer_ok and self.vllm_status != "failed"

    def summary(self) -> str:
        """The one-line summary (format in the module docstring)."""
        where = f"{self.device_name}, {self.dtype}"
        if self.trainer_ok:
            peak = "n/a (cpu)" if self.peak_memory_gib is None else f"{self.peak_memory_gib:.1f} GiB"
            trainer = (f"trainer ok on {self.device} ({where}; update {self.update_s:.2f} s, peak {peak}, "
                       "lora-only update, checkpoint round trip)")
        else:
            trainer = f"trainer FAILED on {self.device} ({where}; {self.trainer_error})"
        if self.vllm_status == "ok":
            vllm = (f"vllm ok ({self.vllm_reloads} hot reloads, prompt {self.vllm_prompt_tokens} tokens as the "
                    f"trainer's, logprob max abs diff {self.vllm_logprob_max_diff:.3f} < {LOGPROB_TOL:g} over "
                    f"{self.vllm_tokens_compared} tokens)")
        elif self.vllm_status == "failed":
            vllm = f"vllm FAILED ({self.vllm_reason})"
        else:
            vllm = f"vllm skipped ({self.vllm_reason})"
        return f"gpu smoke: {trainer}; {vllm}"


def _one_line(err: BaseException, limit: int = 300) -> str:
    text = (str(err).strip().splitlines() or [type(err).__name__])[0]
    text = text if isinstance(err, HaloError) else f"{type(err).__name__}: {text}"
    return text[:limit]


def _need(ok: bool, message: str) -> None:
    if not ok:
        raise HaloError(message)


# ----------------------------------------------------------------------------------------------------------
# Inputs: a synthetic screenshot, the prompt the policy sees, two completions
# ----------------------------------------------------------------------------------------------------------
def synthetic_screenshot(size: tuple[int, int] = SCREEN) -> bytes:
    """A PNG 'page' (header bar, product cards, a button) of ``size``: content the vision tower has to encode."""
    from PIL import Image, ImageDraw

    width, height = size
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, width, 64], fill=(35, 47, 62))
    draw.text((24, 24), "Omnizon", fill="white")
    draw.rectangle([300, 16, 900, 48], fill="white")
    for i in range(5):
        x = 40 + i * 245
        draw.rectangle([x, 140, x + 215, 400], outline=(120, 120, 120), width=2)
        draw.ellipse([x + 50, 170, x + 165, 285], fill=(60 + 35 * i, 120, 200 - 30 * i))
        draw.text((x + 12, 310), f"Cooking pot {i + 1}", fill="black")
        draw.text((x + 12, 335), f"${19 + 7 * i}.99", fill=(180, 20, 20))
        draw.rectangle([x + 12, 360, x + 150, 390], fill=(255, 216, 20))
        draw.text((x + 22, 368), "Add to Cart", fill="black")
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def _observation(screenshot: bytes):
    return Observation(goal="Add the cheapest cooking pot to the cart", url="http://127.0.0.1:18002/", step=1,
                       screenshot=screenshot, history=[("left_click(512, 32)", None)])


def _expected_grid(processor, size: tuple[int, int]) -> tuple[int, int, int]:
    """The (t, h, w) patch grid Qwen3-VL's image processor gives an image of ``size`` (its smart_resize)."""
    try:  # the PIL module: the other one imports torchvision (absent beside the CPU torch)
        from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import smart_resize
    except ImportError:
        from transformers.models.qwen2_vl.image_processing_qwen2_vl import smart_resize

    ip = processor.image_processor
    patch, merge = ip.patch_size, ip.merge_size
    size_cfg = ip.size if isinstance(ip.size, dict) else {}
    h, w = smart_resize(size[1], size[0], factor=patch * merge,
                        min_pixels=size_cfg.get("shortest_edge", 56 * 56),
                        max_pixels=size_cfg.get("longest_edge", 28 * 28 * 1280))
    return (1, h // patch, w // patch)


# ----------------------------------------------------------------------------------------------------------
# The trainer half
# ----------------------------------------------------------------------------------------------------------
def _policy_model(folder: Path, cfg, device, dtype):
    """The small model + a fresh LoRA adapter through the trainer's own ``with_lora``, with activation checkpointing
    as ``load_policy_model`` sets Qwen3-VL up on CUDA without Unsloth. The CPU run keeps the checkpointing too, so
    that it rehearses the CUDA code (its cost here: a second forward per sample)."""
    model, processor = assets.small_qwen3vl(dtype=dtype, device=device)
    return with_lora(model, processor, "vision", cfg, checkpointing=True)


def _snapshot(model) -> dict[str, Any]:
    """A copy of every parameter and buffer (by name)."""
    state = {f"param:{n}": p.detach().clone() for n, p in model.named_parameters()}
    state.update({f"buffer:{n}": b.detach().clone() for n, b in model.named_buffers()})
    return state


def _changed(model, before: dict[str, Any]) -> list[str]:
    import torch

    now = {f"param:{n}": p for n, p in model.named_parameters()}
    now.update({f"buffer:{n}": b for n, b in model.named_buffers()})
    if set(now) != set(before):
        return sorted(set(now) ^ set(before))
    return [n for n, t in now.items() if not torch.equal(t.detach(), before[n])]


def _is_lora(name: str) -> bool:
    return "lora_" in name


def _lora_params(model) -> dict[str, Any]:
    return {n: p for n, p in model.named_parameters() if _is_lora(n)}


def _sync(device) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)


class _Steps:
    """Prints a line per step (``  ok    <step> (<s>)``) and times it."""

    def __init__(self, say: Callable[[str], Any]):
        self.say = say

    def __call__(self, name: str, fn: Callable[[], Any], slow: str = "") -> Any:
        if slow:  # say what is going on before a step that takes minutes
            self.say(f"  ...   {name} ({slow})")
        start = time.perf_counter()
        try:
            value = fn()
        except Exception as err:
            self.say(f"  FAIL  {name}: {_one_line(err)}")
            raise
        self.say(f"  ok    {name} ({time.perf_counter() - start:.1f}s)")
        return value


@dataclass
class _TrainerState:
    """What the vLLM half needs from the trainer half."""

    folder: Path
    policy: Any
    hf_policy: Any
    prompt: Any
    inputs: Any
    options: Any
    cfg: Any
    work: Path


def _trainer_half(result: GPUSmokeResult, device, dtype, work: Path, step: _Steps) -> _TrainerState:
    import torch

    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    folder = step("small Qwen3-VL folder (head size 128, GQA 4/2, M-RoPE [24, 20, 20])", assets.small_qwen3vl_dir)
    result.model_dir = str(folder)
    # what `halo train` would run with on an H100 (full-resolution screenshots), the rest TrainConfig's defaults
    cfg = TrainConfig(policy=PolicyConfig(model=str(folder)), prompt=PromptOptions(max_image_width=SCREEN[0]), seed=0)
    torch.manual_seed(cfg.seed)
    policy = step(f"load on {device.type} in {result.dtype} + LoRA r={cfg.policy.lora_rank} on the language model",
                  lambda: _policy_model(folder, cfg.policy, device, dtype))
    model = policy.model
    result.head_dim = int(model.config.text_config.head_dim)
    _need(result.head_dim == 128, f"the small model's head size is {result.head_dim}, not Qwen3-VL-8B's 128")

    options = cfg.prompt
    hf_policy = HFPolicy(model, policy.processor, "vision", name="gpu-smoke", config=SamplingConfig(prompt=options))

    def prompt_and_inputs():
        prompt = build_prompt(_observation(synthetic_screenshot()), "vision", options=options)
        inputs = hf_policy.model_inputs(prompt)
        grid = tuple(int(x) for x in inputs["image_grid_thw"][0].tolist())
        result.image_grid, result.expected_image_grid = grid, _expected_grid(policy.processor, SCREEN)
        result.prompt_tokens = int(inputs["input_ids"].shape[1])
        _need(grid == result.expected_image_grid,
              f"the trainer's image grid {grid} is not that of a full {SCREEN[0]}x{SCREEN[1]} screenshot "
              f"{result.expected_image_grid}: the prompt's screenshot was resized differently from the sampler's")
        return prompt, inputs

    prompt, inputs = step(f"prompt from a {SCREEN[0]}x{SCREEN[1]} screenshot (build_prompt + HFPolicy.model_inputs)",
                          prompt_and_inputs)
    tokenizer = policy.processor.tokenizer
    completions = [tokenizer.encode(text, add_special_tokens=False) for text in COMPLETIONS]
    samples = [TrainSample(inputs, ids, advantage, []) for ids, advantage in zip(completions, (1.0, -1.0))]
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=cfg.grpo.learning_rate)
    before = _snapshot(model)

    def update():
        _sync(device)
        start = time.perf_counter()
        metrics = grpo_update(policy, optimizer, samples, cfg.grpo)
        _sync(device)
        result.update_s = time.perf_counter() - start
        result.update_metrics = metrics
        _need(all(map(_finite, (metrics["loss"], metrics["grad_norm"]))),
              f"the update's loss or gradient norm is not finite ({metrics['loss']}, {metrics['grad_norm']})")
        _need(metrics["grad_norm"] > 0, "the update's gradient norm is 0: LoRA got no gradient")
        return metrics

    step(f"one GRPO update ({cfg.grpo.loss_type}, {len(samples)} completions, forward and backward in {result.dtype})",
         update)
    if device.type == "cuda":
        result.peak_memory_gib = torch.cuda.max_memory_allocated(device) / 2**30

    def lora_only():
        changed = _changed(model, before)
        lora = [n for n in before if _is_lora(n)]
        result.lora_tensors = len(lora)
        result.lora_changed = [n for n in changed if _is_lora(n)]
        result.other_changed = [n for n in changed if not _is_lora(n)]
        result.lora_b_unchanged = [n for n in lora if "lora_B" in n and n not in set(changed)]
        _need(not result.other_changed, f"the update changed {len(result.other_changed)} non-LoRA tensors, e.g. "
                                        f"{result.other_changed[:3]}")
        _need(bool(result.lora_changed) and not result.lora_b_unchanged,
              f"the update left {len(result.lora_b_unchanged)} LoRA B matrices unchanged, e.g. "
              f"{result.lora_b_unchanged[:3]}")

    step("only LoRA weights changed (every other parameter and buffer bit-identical)", lora_only)
    after = _snapshot(model)

    def round_trip():
        import torch

        run_dir = work / "run"
        saved_lora = {n: p.detach().clone() for n, p in _lora_params(model).items()}
        saved_optimizer = optimizer.state_dict()
        save_checkpoint(run_dir, 1, model, optimizer, extra={"gpu_smoke": True})
        with torch.no_grad():  # scramble the LoRA weights: the load must bring them back
            for p in _lora_params(model).values():
                p.add_(1.0)
        fresh = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=cfg.grpo.learning_rate)
        resumed = load_checkpoint(run_dir, model, fresh)
        mismatches = [] if resumed.step == 1 else [f"step {resumed.step} != 1"]
        mismatches += [n for n, p in _lora_params(model).items() if not torch.equal(p.detach(), saved_lora[n])]
        mismatches += [f"base {n}" for n in _changed(model, after) if not _is_lora(n)]
        mismatches += _optimizer_mismatches(saved_optimizer, fresh.state_dict())
        result.checkpoint_mismatches = mismatches
        _need(not mismatches, f"the checkpoint round trip changed {len(mismatches)} things, e.g. {mismatches[:3]}")
        result.checkpoint_ok = True

    step("checkpoint round trip (LoRA weights and optimizer state equal, base weights untouched)", round_trip)
    result.trainer_ok = True
    return _TrainerState(folder, policy, hf_policy, prompt, inputs, options, cfg, work)


def _finite(x: float) -> bool:
    return x == x and abs(x) != float("inf")


def _optimizer_mismatches(saved: dict, loaded: dict) -> list[str]:
    import torch

    out = []
    if saved["param_groups"] != loaded["param_groups"]:
        out.append("optimizer param_groups")
    if set(saved["state"]) != set(loaded["state"]):
        return out + ["optimizer state keys"]
    for key, state in saved["state"].items():
        for name, value in state.items():
            other = loaded["state"][key].get(name)
            same = torch.equal(value.cpu(), other.cpu()) if isinstance(value, torch.Tensor) else value == other
            if not same:
                out.append(f"optimizer state {key}.{name}")
    return out


# ----------------------------------------------------------------------------------------------------------
# The vLLM half
# ----------------------------------------------------------------------------------------------------------
def vllm_unavailable(device) -> str | None:
    """Why the vLLM half cannot run here (None when it can)."""
    import torch

    if importlib.util.find_spec("vllm") is None:
        return "no vllm installed"
    if not torch.cuda.is_available():
        return "no CUDA"
    if device.type != "cuda":
        return "trainer ran on cpu"
    return None


def _comparable(ids: list[int]) -> int:
    """How many leading tokens of a sampled completion both engines score as plain text: up to the first vision
    token (a random-weight model can sample ``<|vision_start|>`` or ``<|image_pad|>``, which an engine would treat
    as the start of an image)."""
    vision = {QWEN_TOKEN_IDS[t] for t in ("<|vision_start|>", "<|vision_end|>", "<|vision_pad|>", "<|image_pad|>",
                                          "<|video_pad|>")}
    return next((i for i, t in enumerate(ids) if t in vision), len(ids))


def _vllm_half(result: GPUSmokeResult, state: _TrainerState, step: _Steps) -> None:
    import torch

    from halo_lib.policies.vllm_server import policy_server

    model = state.policy.model
    model.eval()
    torch.cuda.empty_cache()  # vLLM checks the GPU's free memory against its share when it starts
    server = policy_server(str(state.folder), lora_rank=state.cfg.policy.lora_rank, log_path=state.work / "vllm.log",
                           max_loras=1)
    server.dtype = "bfloat16"
    server.python = sys.executable
    server.startup_timeout = VLLM_STARTUP_TIMEOUT_S
    try:
        step("vLLM server on the small model (LoRA, bf16, one image per prompt)", server.start,
             slow="start-up takes 1-3 minutes")
        sync = VLLMSync(server.base_url, "vision", adapter_name="halo-gpu-smoke", temperature=1.0,
                        max_tokens=VLLM_MAX_TOKENS, seed=0, prompt=state.options)
        client_policy = sync.policy_for(state.hf_policy)
        diffs: list[float] = []
        effects: list[float] = []
        for version in range(3):
            if version:  # a new adapter whose effect on the log-probs is large enough to see
                generator = torch.Generator().manual_seed(version)
                with torch.no_grad():
                    for name, p in _lora_params(model).items():
                        if "lora_B" in name:
                            p.copy_(torch.randn(p.shape, generator=generator) * RELOAD_LORA_STD)
            what = "load the adapter (VLLMSync)" if version == 0 else f"hot reload {version} in place (VLLMSync)"

            def check(version=version, what=what):
                sync.sync(model, state.work / "run")
                params = client_policy.request(state.prompt, 1)
                response = asyncio.run(_ask(params, client_policy.base_url, START_HINT, chat_completion))
                candidate = candidates_from(response, state.prompt)[0]
                prompt_tokens = getattr(getattr(response, "usage", None), "prompt_tokens", None)
                result.vllm_prompt_tokens = prompt_tokens
                _need(prompt_tokens == result.prompt_tokens,
                      f"vLLM's prompt has {prompt_tokens} tokens, the trainer's {result.prompt_tokens}: the chat "
                      "template or the image's grid differs")
                n = _comparable(candidate.token_ids)
                _need(n > 0 and len(candidate.logprobs) == len(candidate.token_ids),
                      f"vLLM returned no comparable completion tokens ({len(candidate.token_ids)} ids, "
                      f"{len(candidate.logprobs)} log-probs)")
                ids = candidate.token_ids[:n]
                with torch.no_grad():
                    trainer = sequence_logprobs(model, state.inputs, ids).float().cpu()
                served = torch.tensor(candidate.logprobs[:n])
                diff = float((served - trainer).abs().max())
                diffs.append(diff)
                result.vllm_tokens_compared += n
                _need(diff < LOGPROB_TOL, f"after {what}: vLLM's log-probs differ from the trainer's by up to "
                                          f"{diff:.3f} nats (tolerance {LOGPROB_TOL:g}) over {n} tokens")
                if version:
                    with torch.no_grad(), model.disable_adapter():
                        base = sequence_logprobs(model, state.inputs, ids).float().cpu()
                    effect = float((trainer - base).abs().max())
                    effects.append(effect)
                    _need(effect > 2 * LOGPROB_TOL,
                          f"the reloaded adapter moves the trainer's log-probs by only {effect:.3f} nats: the "
                          "comparison could not tell it from no adapter")
                    result.vllm_reloads = version
                return diff

            step(what + ", sample at temperature 1, compare log-probs", check)
        result.vllm_logprob_max_diff = max(diffs)
        result.vllm_adapter_effect = min(effects)
        result.vllm_status = "ok"
    finally:
        server.stop()


async def _ask(params: dict, base_url: str, hint: str, chat_completion):
    """One chat completion with ``VLLMPolicy.request``'s parameters (``VLLMPolicy.sample_prompt`` without dropping the
    response: its ``usage`` says how many prompt tokens vLLM saw)."""
    async with Endpoint(base_url=base_url, api_key="EMPTY", timeout=300.0, max_retries=1).client() as client:
        return await chat_completion(client, url=f"vLLM server at {base_url}", down_hint=hint, **params)


# ----------------------------------------------------------------------------------------------------------
# The entry point
# ----------------------------------------------------------------------------------------------------------
def run_gpu_smoke(device: str | None = None, say: Callable[[str], Any] = print) -> GPUSmokeResult:
    """Run both halves (see the module docstring) and ``say`` a line per step, then the one summary line.

    ``device``: ``cuda`` / ``cuda:N`` / ``cpu``; None picks CUDA when available, else the CPU (bf16 on CUDA,
    fp32 on the CPU). Never raises for a failed check: the result says what failed (``result.ok``)."""
    import torch

    started = time.perf_counter()
    result = GPUSmokeResult()
    try:
        dev = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        if dev.type == "cuda" and not torch.cuda.is_available():
            raise HaloError("device cuda was asked for, but torch sees no CUDA device")
        if dev.type not in ("cuda", "cpu"):
            raise HaloError(f"device must be cuda or cpu, got {device!r}")
    except Exception as err:  # noqa: BLE001 - reported in the summary line
        result.trainer_error = _one_line(err)
        result.vllm_reason = "trainer failed"
        result.device, result.device_name = str(device), "not usable"
        result.line = result.summary()
        say(result.line)
        return result
    result.device = dev.type
    if dev.type == "cuda":
        result.device_name = torch.cuda.get_device_name(dev)
        result.dtype, dtype = "bf16", torch.bfloat16
    else:
        result.device_name = "cpu requested" if torch.cuda.is_available() else "no CUDA"
        result.dtype, dtype = "fp32", torch.float32
    step = _Steps(say)
    say(f"gpu smoke on {dev.type} ({result.device_name}, {result.dtype})")
    work = Path(tempfile.mkdtemp(prefix="halo-gpu-smoke-"))
    keep_work = False
    state = None
    try:
        try:
            state = _trainer_half(result, dev, dtype, work, step)
        except Exception as err:  # noqa: BLE001 - reported in the summary line
            result.trainer_error = _one_line(err)
        reason = vllm_unavailable(dev)
        if reason is None and state is None:
            reason = "trainer failed"
        if reason is not None:
            result.vllm_status, result.vllm_reason = "skipped", reason
        else:
            try:
                _vllm_half(result, state, step)
            except Exception as err:  # noqa: BLE001 - reported in the summary line
                result.vllm_status = "failed"
                result.vllm_reason = _one_line(err)
                if (work / "vllm.log").is_file():
                    result.vllm_reason += f" (server log: {work / 'vllm.log'})"
                    keep_work = True
    finally:
        if not keep_work:
            shutil.rmtree(work, ignore_errors=True)
    result.seconds = time.perf_counter() - started
    say(f"  took {result.seconds:.0f}s")
    result.line = result.summary()
    say(result.line)
    return result

