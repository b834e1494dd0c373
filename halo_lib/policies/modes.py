"""Agent modes by name: what ``halo eval --mode <mode>`` and the notebooks run.

| mode            | policy                                                                                 |
|-----------------|----------------------------------------------------------------------------------------|
| gpt4o_baseline  | worker gpt-4o-mini acting every step + manager gpt-4o when stuck (OPENAI_API_KEY)       |
| qwen3vl_base    | Qwen3-VL (vision, computer_use actions): vLLM server if ``--server``, else in-process    |
| qwen3vl_grpo    | qwen3vl_base + a trained LoRA adapter (``--adapter``)                                    |
| text            | a text policy over the accessibility tree (SmolLM2-135M by default; ``--adapter`` too)  |
| qwen3vl_mcts    | search at inference (``rl.search``, Agent Q's MCTS) with the Qwen3-VL policy (or       |
|                 | ``--model smollm2``: the text policy), ``--adapter`` optional                           |

``model`` picks the weights for the Qwen modes: ``qwen3vl-8b`` (``$HALO_MODEL``, the default) or
``tiny-qwen3vl`` (random weights, CPU checks of the vision path). Everything is checked before heavy work.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from halo_lib.errors import HaloError
from halo_lib.policies import assets
from halo_lib.policies.assets import KNOWN_MODELS
from halo_lib.policies.base import SearchingPolicy
from halo_lib.policies.hf import HFPolicy, SamplingConfig
from halo_lib.policies.openai_policy import WorkerManagerPolicy
from halo_lib.policies.vllm_client import VLLMPolicy
# transformers and peft are imported lazily, in build_policy: importing this module stays light.

MODES = ("gpt4o_baseline", "qwen3vl_base", "qwen3vl_grpo", "text", "qwen3vl_mcts")


@dataclass
class ModeSpec:
    """What a mode needs, resolved and validated (cheap: no model is loaded here)."""

    mode: str
    model: str
    modality: str
    adapter: Path | None = None
    server: str | None = None
    """An OpenAI-compatible vLLM base URL (``http://127.0.0.1:8000/v1``) to sample from instead of in-process."""


def resolve_mode(mode: str, model: str | None = None, adapter: str | None = None, server: str | None = None) -> ModeSpec:
    """Validate a mode and its options; a clear error names what to set."""
    if mode not in MODES:
        raise HaloError(f"unknown mode {mode!r}; modes: {', '.join(MODES)}")
    if mode == "gpt4o_baseline":
        if not os.environ.get("OPENAI_API_KEY", "").strip():
            raise HaloError("mode gpt4o_baseline needs OPENAI_API_KEY (and OPENAI_BASE_URL for a non-OpenAI server)")
        return ModeSpec(mode, model or "gpt-4o-mini", "vision", server=server)
    if mode == "qwen3vl_grpo" and not adapter:
        raise HaloError("mode qwen3vl_grpo needs --adapter <folder of a trained LoRA adapter> "
                        "(results/grpo_training/<run>/checkpoints/step-N/adapter)")
    adapter_path = None
    if adapter:
        adapter_path = Path(adapter)
        if not (adapter_path / "adapter_config.json").exists():
            raise HaloError(f"no LoRA adapter at {adapter_path} (adapter_config.json missing)")
    if mode == "text" or mode == "qwen3vl_mcts" and model == "smollm2":
        return ModeSpec(mode, model or "smollm2", "text", adapter_path, server)
    model = model or "qwen3vl-8b"
    if model not in KNOWN_MODELS and not Path(model).exists():
        raise HaloError(f"unknown model {model!r}: use one of {', '.join(KNOWN_MODELS)} or a local folder")
    if model == "qwen3vl-8b" and not server and not os.environ.get("HALO_MODEL"):
        raise HaloError("no Qwen3-VL-8B found: set HALO_MODEL to a local Qwen3-VL path or hub id, pass --server "
                        "<vLLM URL>, or use --model tiny-qwen3vl for a CPU check of the vision path")
    return ModeSpec(mode, model, "vision", adapter_path, server)


def build_policy(spec: ModeSpec, temperature: float = 0.0, max_new_tokens: int = 128, seed: int = 0):
    """The policy of a resolved mode (loads the model for in-process modes). ``qwen3vl_mcts``'s is a
    :class:`SearchingPolicy`: proposals sampled at temperature 1 from the same weights that play the rollouts at
    ``temperature``."""
    if spec.mode == "gpt4o_baseline":
        return WorkerManagerPolicy(modality=spec.modality, base_url=spec.server)
    if spec.server:
        served = spec.adapter.name if spec.adapter else spec.model
        at = lambda t: VLLMPolicy(spec.server, served, spec.modality, temperature=max(t, 1e-5),  # noqa: E731
                                  max_tokens=max_new_tokens, seed=seed, name=spec.mode)
    else:
        model, processor = _load(spec)
        lock = threading.Lock()  # one generate at a time, whichever of the mode's policies asks

        def at(t: float) -> HFPolicy:
            config = SamplingConfig(temperature=t if t > 0 else 1e-3, max_new_tokens=max_new_tokens, seed=seed)
            return HFPolicy(model, processor, spec.modality, name=spec.mode, config=config, lock=lock)
    if spec.mode == "qwen3vl_mcts":
        return SearchingPolicy(proposer=at(1.0), actor=at(temperature))
    return at(temperature)


def _load(spec: ModeSpec):
    """The model (with its adapter) and processor of an in-process mode."""
    if spec.model == "tiny-qwen3vl":
        model, processor = assets.tiny_qwen3vl()
    elif spec.model == "smollm2":
        model, processor = assets.smollm2()
    else:
        from transformers import Qwen3VLForConditionalGeneration

        path = assets.resolve_model(spec.model)
        model = Qwen3VLForConditionalGeneration.from_pretrained(path, torch_dtype="auto", device_map="auto")
        processor = assets.load_qwen3vl_processor(path)
    if spec.adapter:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(spec.adapter))
    return model, processor
