"""Policies: the models that choose actions.

- ``base``: the ``Policy`` protocol and ``Candidate``; ``prompts``: prompts built from the action definitions;
- backends: ``hf`` (in-process transformers), ``vllm_client`` (+ ``vllm_server``), ``openai_policy`` (the
  GPT-4o worker/manager baseline), ``scripted``; ``modes``: the agent modes by name;
- ``assets``: offline model assets (the real Qwen tokenizer, a tiny Qwen3-VL, SmolLM2), model-name resolution
  and a sampler with per-token log-probs.
"""

from halo_lib.policies.assets import (
    BUILD_COUNTS,
    KNOWN_MODELS,
    QWEN_CHAT_TEMPLATE,
    QWEN_TOKEN_IDS,
    Sample,
    build_inputs,
    build_qwen3vl_processor,
    build_qwen_tokenizer,
    cache_root,
    load_qwen3vl_processor,
    resolve_model,
    sample_with_logprobs,
    sequence_logprobs,
    smollm2,
    smollm2_safetensors_dir,
    tiny_qwen3vl,
    tiny_qwen3vl_dir,
)

from halo_lib.policies.base import Candidate, Policy
from halo_lib.policies.openai_policy import StuckRules, WorkerManagerPolicy
from halo_lib.policies.vllm_client import VLLMConfig, VLLMPolicy
from halo_lib.policies.vllm_server import (VLLMServer, ensure_vllm_venv, list_models, load_adapter, unload_adapter,
                                           vllm_python)

__all__ = [
    "Candidate",
    "Policy",
    "StuckRules",
    "VLLMConfig",
    "VLLMPolicy",
    "VLLMServer",
    "WorkerManagerPolicy",
    "ensure_vllm_venv",
    "list_models",
    "load_adapter",
    "unload_adapter",
    "vllm_python",
    "BUILD_COUNTS",
    "KNOWN_MODELS",
    "QWEN_CHAT_TEMPLATE",
    "QWEN_TOKEN_IDS",
    "Sample",
    "build_inputs",
    "build_qwen3vl_processor",
    "build_qwen_tokenizer",
    "cache_root",
    "load_qwen3vl_processor",
    "resolve_model",
    "sample_with_logprobs",
    "sequence_logprobs",
    "smollm2",
    "smollm2_safetensors_dir",
    "tiny_qwen3vl",
    "tiny_qwen3vl_dir",
]
