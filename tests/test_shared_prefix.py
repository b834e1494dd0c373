"""The shared prompt prefix: one forward-backward of the prefix (and of each prompt several samples share) gives the
log-probs and the LoRA gradients that one full forward-backward per sample gives; prompts that share too little, or
carry images, run in full."""

import pytest
import torch

from halo_lib.policies.assets import sequence_logprobs
from halo_lib.rl.config import PolicyConfig
from halo_lib.rl.shared_prefix import SharedPrefix, common_prefix_length
from halo_lib.rl.model import load_policy_model

SYSTEM = ("You are a web agent. Reply with exactly one action, written as a Python call: click(bid), "
          "fill(bid, value), press(bid, key). ") * 2


@pytest.fixture(scope="module")
def smol():
    policy = load_policy_model(PolicyConfig(model="smollm2", lora_rank=4, lora_alpha=8, lora_dropout=0.0))
    with torch.no_grad():  # a trained-looking adapter (B = 0 at init would make the LoRA gradients of A vanish)
        for name, p in policy.model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.02)
    return policy


def prompts(tok, tasks):
    return [tok([SYSTEM + f"Task: {t}\nPage: [12] button 'Go'\n"], return_tensors="pt") for t in tasks]


def lora_grads(model):
    return {n: p.grad.clone() for n, p in model.named_parameters() if p.requires_grad and p.grad is not None}


def grad_tolerance(expected):
    """fp32 sums in another order: equal up to rounding, relative to the tensor's scale (an absolute 1e-7 failed on a
    CI machine at an element of 2e-4, where the other summation order's rounding was 5e-7)."""
    return dict(rtol=1e-3, atol=1e-4 * float(expected.abs().max()))


def assert_grads_close(got, expected):
    assert got.keys() == expected.keys()
    for name in expected:
        torch.testing.assert_close(got[name], expected[name], **grad_tolerance(expected[name]))


def test_common_prefix_length():
    assert common_prefix_length([[1, 2, 3], [1, 2, 4], [1, 2]]) == 2
    assert common_prefix_length([[5, 1], [6, 1]]) == 0 and common_prefix_length([[1, 2]]) == 2


def test_shared_prefix_gives_the_full_forward_logprobs_and_gradients(smol):
    model, tok = smol.model, smol.processor
    inputs = prompts(tok, ["archive the email from Ana", "star the email from Bo", "delete the lunch event"])
    completions = [tok(c)["input_ids"] for c in (" click('12')", " fill('3', 'hi')", " press('12', 'Enter')")]
    weights = [0.5, -1.0, 0.25]
    model.train()

    model.zero_grad(set_to_none=True)
    full = []
    for x, c, w in zip(inputs, completions, weights):
        logp = sequence_logprobs(model, x, c)
        (w * logp.sum()).backward()
        full.append(logp.detach())
    expected = lora_grads(model)

    model.zero_grad(set_to_none=True)
    prefix = SharedPrefix(model, inputs)
    assert prefix.length >= 32 and prefix.length < min(x["input_ids"].shape[1] for x in inputs)
    shared = []
    for x, c, w in zip(inputs, completions, weights):
        logp = prefix.logprobs(x, c)
        (w * logp.sum()).backward()
        shared.append(logp.detach())
    before_prefix = lora_grads(model)
    prefix.backward()
    got = lora_grads(model)

    for a, b in zip(full, shared):
        torch.testing.assert_close(b, a, rtol=1e-4, atol=1e-5)
    assert_grads_close(got, expected)
    # the prefix's own share of the gradient is real: without prefix.backward() the first layers' grads differ
    layer0 = next(n for n in expected if ".layers.0." in n and "lora_A" in n)
    assert not torch.allclose(before_prefix.get(layer0, torch.zeros_like(expected[layer0])), expected[layer0],
                              **grad_tolerance(expected[layer0]))


def full_and_shared(model, inputs, completions, weights, min_tokens=32):
    """(log-probs, LoRA grads) of one full forward-backward per sample, then of ``SharedPrefix``."""
    model.train()
    runs = []
    for shared in (False, True):
        model.zero_grad(set_to_none=True)
        prefix = SharedPrefix(model, inputs, min_tokens) if shared else None
        logps = []
        for x, c, w in zip(inputs, completions, weights):
            logp = prefix.logprobs(x, c) if prefix else sequence_logprobs(model, x, c)
            (w * logp.sum()).backward()
            logps.append(logp.detach())
        if prefix:
            prefix.backward()
        runs.append((logps, lora_grads(model), prefix))
    return runs


@pytest.mark.parametrize("min_tokens", [32, 10_000])  # with and without a common prefix under the shared prompts
def test_prompts_several_samples_share_run_once_with_the_same_logprobs_and_gradients(smol, min_tokens):
    model, tok = smol.model, smol.processor
    a, b, c = prompts(tok, ["archive the email from Ana", "star the email from Bo", "delete the lunch event"])
    # a group's episodes share their first state; here one of its samples comes after another prompt's
    inputs = [a, a, b, c, a, c]
    completions = [tok(x)["input_ids"] for x in (" click('12')", " fill('3', 'hi')", " click('12')",
                                                  " press('12', 'Enter')", " click('7')", " click('12')")]
    weights = [0.5, -1.0, 0.25, 0.75, -0.5, 1.5]
    (full, expected, _), (shared, got, prefix) = full_and_shared(model, inputs, completions, weights, min_tokens)
    assert prefix.shared_prompts == 2 and (prefix.length >= 32) == (min_tokens == 32)
    for x, y in zip(full, shared):
        torch.testing.assert_close(y, x, rtol=1e-4, atol=1e-5)
    assert_grads_close(got, expected)


def test_shared_prompts_without_grad_give_the_same_logprobs(smol):
    model, tok = smol.model, smol.processor
    a, b = prompts(tok, ["archive the email from Ana", "star the email from Bo"])
    completions = [tok(x)["input_ids"] for x in (" click('12')", " fill('3', 'hi')", " click('5')")]
    with torch.no_grad():
        prefix = SharedPrefix(model, [a, a, b])
        got = [prefix.logprobs(x, y) for x, y in zip([a, a, b], completions)]
        prefix.backward()
        expected = [sequence_logprobs(model, x, y) for x, y in zip([a, a, b], completions)]
    assert prefix.shared_prompts == 1
    for x, y in zip(expected, got):
        torch.testing.assert_close(y, x, rtol=1e-4, atol=1e-5)


def test_too_little_shared_or_one_prompt_runs_in_full(smol):
    tok = smol.processor
    different = [tok([f"{word} click the Go button please"], return_tensors="pt") for word in ("Now", "Then")]
    assert SharedPrefix(smol.model, different).length == 0
    assert SharedPrefix(smol.model, prompts(tok, ["one task"])).length == 0
    with_pixels = prompts(tok, ["a", "b"])
    for x in with_pixels:
        x["pixel_values"] = torch.zeros(1, 3)
    assert SharedPrefix(smol.model, with_pixels).length == 0
