"""The policy model: base weights frozen, LoRA on the language model only (peft; Unsloth with gradient checkpointing
on CUDA), the same for every phase (BC, GRPO, DPO) and for ``halo smoke --gpu``."""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass

from halo_lib.errors import HaloError
from halo_lib.policies import assets
from halo_lib.policies.precision import enable_cpu_bf16
from halo_lib.rl.config import PolicyConfig
# torch, transformers, peft and unsloth are imported lazily, in the functions that use them: importing this module
# stays light, and _unsloth_available finds out whether unsloth imports at all.

log = logging.getLogger(__name__)


@dataclass
class PolicyModel:
    model: object  # a peft model
    processor: object
    modality: str


def load_policy_model(cfg: PolicyConfig, seed: int = 0) -> PolicyModel:
    """Base model (tiny Qwen3-VL, SmolLM2, or Qwen3-VL-8B from $HALO_MODEL) + a fresh LoRA adapter, initialised from
    ``seed``.

    On CUDA with Unsloth installed, Qwen3-VL goes through Unsloth's FastVisionModel (fast LoRA kernels); on
    CPU plain transformers + peft."""
    import torch

    torch.manual_seed(seed)
    if cfg.model == "tiny-qwen3vl":
        model, processor = assets.tiny_qwen3vl()
        modality = "vision"
    elif cfg.model == "smollm2":
        model, processor = assets.smollm2()
        modality = "text"
    else:
        path = assets.resolve_model(cfg.model)
        # Unsloth's LoRA covers every language layer: lora_top_layers goes through peft
        if torch.cuda.is_available() and not cfg.lora_top_layers and _unsloth_available():
            return _load_with_unsloth(path, cfg, seed)
        from transformers import Qwen3VLForConditionalGeneration

        model = Qwen3VLForConditionalGeneration.from_pretrained(path, torch_dtype=torch.bfloat16,
                                                                device_map="auto")
        processor, modality = assets.load_qwen3vl_processor(path), "vision"
        # peft without Unsloth on CUDA: an 8B policy's activations over a ~3k-token screenshot prompt do not fit
        # beside vLLM unless the backward pass recomputes them
        return with_lora(model, processor, modality, cfg, checkpointing=torch.cuda.is_available())
    return with_lora(model, processor, modality, cfg)


def with_lora(model, processor, modality: str, cfg: PolicyConfig, checkpointing: bool = False) -> PolicyModel:
    """A base model + a fresh peft LoRA adapter on its language layers (``cfg``'s rank, alpha, dropout, targets, top
    layers), optionally with activation checkpointing; what every policy model trains (``halo smoke --gpu`` too)."""
    from peft import LoraConfig, get_peft_model

    if checkpointing:
        if hasattr(model, "activation_checkpointing_enable"):  # transformers >= 5.2x names it so
            model.activation_checkpointing_enable({"use_reentrant": False})
        else:
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        # the frozen embeddings' output must require grad for checkpointed layers to pass gradients to the LoRA
        model.enable_input_require_grads()
    lora = LoraConfig(r=cfg.lora_rank, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                      target_modules=_language_only(model, cfg.lora_target_modules),
                      layers_to_transform=_top_layers(model, cfg.lora_top_layers), task_type="CAUSAL_LM")
    peft_model = get_peft_model(model, lora)
    if cfg.cpu_bf16:
        enable_cpu_bf16(peft_model)
    return PolicyModel(peft_model, processor, modality)


def _language_only(model, names: list[str]) -> list[str]:
    """LoRA targets on the language model only (vLLM serves LoRA there only). A text model keeps the short names
    (what vLLM's adapter loader expects); a vision-language model gets the full paths outside its vision tower."""
    wanted = set(names)
    modules = [n for n, _ in model.named_modules() if n.rsplit(".", 1)[-1] in wanted]
    language = [n for n in modules if "visual" not in n]
    if not language:
        raise HaloError(f"no module named {sorted(wanted)} in the model's language layers: fix lora_target_modules")
    return sorted(wanted & {n.rsplit(".", 1)[-1] for n in language}) if language == modules else language


def _top_layers(model, n: int) -> list[int] | None:
    """The indices of the language model's last ``n`` decoder layers (None for every layer, ``n`` = 0)."""
    if n == 0:
        return None
    config = getattr(model.config, "text_config", model.config)
    total = config.num_hidden_layers
    if n > total:
        raise HaloError(f"lora_top_layers={n}, but the language model has {total} layers: use 1-{total}, or 0 for all")
    return list(range(total - n, total))


_UNSLOTH_WARNED = False


def _unsloth_available() -> bool:
    """Whether Qwen3-VL trains through Unsloth (CUDA only; asked by ``load_policy_model``).

    Not installed: False, with a warning (once) that plain peft + gradient checkpointing is used. Installed but
    not importable (a broken install, e.g. without ``unsloth_zoo`` or against another torch): a HaloError naming
    the import error, never a silent fall back to a slower, memory-hungrier path."""
    global _UNSLOTH_WARNED
    try:
        installed = importlib.util.find_spec("unsloth") is not None
    except (ImportError, ValueError):  # a half-imported module in sys.modules
        installed = True
    if not installed:
        if not _UNSLOTH_WARNED:
            log.warning("Unsloth is not installed: training Qwen3-VL with plain peft and gradient checkpointing "
                        "(slower; install the gpu extra: pip install unsloth unsloth_zoo)")
            _UNSLOTH_WARNED = True
        return False
    try:
        import unsloth  # noqa: F401
    except Exception as err:  # noqa: BLE001 - any failure of the import is reported, with its cause
        raise HaloError(f"Unsloth is installed but does not import ({type(err).__name__}: {err}); fix the install "
                        "with `pip install --upgrade unsloth unsloth_zoo` (the gpu extra), or uninstall unsloth to "
                        "train with plain peft") from err
    return True


def _load_with_unsloth(path: str, cfg: PolicyConfig, seed: int) -> PolicyModel:  # pragma: no cover - CUDA only
    from unsloth import FastVisionModel

    model, processor = FastVisionModel.from_pretrained(path, load_in_4bit=False)
    model = FastVisionModel.get_peft_model(model, finetune_vision_layers=False, finetune_language_layers=True,
                                           r=cfg.lora_rank, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                                           random_state=seed, use_gradient_checkpointing="unsloth")
    return PolicyModel(model, processor, "vision")
