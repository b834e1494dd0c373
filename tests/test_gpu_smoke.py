"""`halo smoke --gpu` where there is no GPU: the trainer half runs on the CPU (fp32) through the same code, and the
vLLM half says why it could not run. One CPU run (~20-30 s on 2 cores) serves every test of this module."""

import dataclasses
import json
import random
from pathlib import Path
from types import SimpleNamespace

import pytest


from typer.testing import CliRunner  # noqa: E402

from halo_lib import gpu_smoke  # noqa: E402
from halo_lib.cli import app  # noqa: E402
from halo_lib.gpu_smoke import GPUSmokeResult, run_gpu_smoke  # noqa: E402
from halo_lib.policies import assets  # noqa: E402

SKIP_REASONS = ("no vllm installed", "no CUDA", "trainer ran on cpu")


@pytest.fixture(scope="module")
def cpu_run():
    """(result, printed lines) of one CPU run; the trainer half's state is kept for the vLLM-half tests."""
    lines: list[str] = []
    original = gpu_smoke._trainer_half

    def keep_state(*args, **kwargs):
        TRAINER_STATE.append(original(*args, **kwargs))
        return TRAINER_STATE[-1]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(gpu_smoke, "_trainer_half", keep_state)
        result = run_gpu_smoke(device="cpu", say=lines.append)
    return result, lines


TRAINER_STATE: list = []


def test_trainer_half_passes_on_cpu_and_ends_with_one_summary_line(cpu_run):
    result, lines = cpu_run
    assert result.line.startswith("gpu smoke: trainer ok on cpu"), result.line
    assert result.trainer_ok and result.ok, result.line
    assert lines[-1] == result.line and sum(line.startswith("gpu smoke:") for line in lines) == 1
    assert "lora-only update, checkpoint round trip" in result.line and "peak n/a (cpu)" in result.line
    assert result.dtype == "fp32" and result.peak_memory_gib is None and result.update_s > 0


def test_the_line_says_why_vllm_was_skipped(cpu_run):
    result, _ = cpu_run
    assert result.vllm_status == "skipped" and result.vllm_reason in SKIP_REASONS
    assert result.line.endswith(f"; vllm skipped ({result.vllm_reason})"), result.line


def test_the_model_has_qwen3vl_8b_attention_heads(cpu_run):
    result, _ = cpu_run
    assert result.head_dim == 128
    text = json.loads((assets.small_qwen3vl_dir() / "config.json").read_text())["text_config"]
    assert text["head_dim"] == 128 and text["hidden_size"] == text["num_attention_heads"] * 128
    assert text["num_attention_heads"] % text["num_key_value_heads"] == 0 and text["num_key_value_heads"] < \
        text["num_attention_heads"]
    assert text["rope_parameters"]["mrope_section"] == [24, 20, 20]  # Qwen3-VL-8B's, summing to head_dim / 2
    assert text["rope_scaling"]["mrope_section"] == [24, 20, 20]  # also readable by transformers 4.x (vLLM's)
    folder = assets.small_qwen3vl_dir()
    for name in ("model.safetensors", "tokenizer.json", "chat_template.jinja", "preprocessor_config.json",
                 "video_preprocessor_config.json", "generation_config.json"):
        assert (folder / name).is_file(), name


def test_the_update_changed_lora_weights_and_nothing_else(cpu_run):
    result, _ = cpu_run
    assert result.lora_only_update
    assert result.other_changed == [] and result.lora_b_unchanged == []
    # LoRA A and B on q, k, v, o, gate, up, down of both language layers, none in the vision tower
    assert result.lora_tensors == 2 * 7 * 2
    assert result.lora_changed and all("lora_" in n and "visual" not in n for n in result.lora_changed)
    assert result.update_metrics["grad_norm"] > 0 and result.update_metrics["forward_passes"] == 2


def test_the_checkpoint_round_trip_matched(cpu_run):
    result, _ = cpu_run
    assert result.checkpoint_ok and result.checkpoint_mismatches == []


def test_the_trainer_sees_the_full_screenshot_as_the_sampler_sends_it(cpu_run):
    result, _ = cpu_run
    # 1280x720 -> smart_resize 1280x704 -> 80x44 patches of 16 px (880 image tokens after the 2x2 merge)
    assert result.image_grid == result.expected_image_grid == (1, 44, 80)
    assert result.prompt_tokens > 880


def test_small_config_scales_mrope_with_the_head_size():
    for head_dim, section in ((128, [24, 20, 20]), (64, [12, 10, 10]), (16, [4, 2, 2])):
        config = assets.small_qwen3vl_config(head_dim=head_dim)
        assert config.text_config.rope_parameters["mrope_section"] == section
        assert sum(section) == head_dim // 2
    with pytest.raises(Exception, match="multiple of num_kv_heads"):
        assets.small_qwen3vl_config(num_heads=4, num_kv_heads=3)


def _result(**kw) -> GPUSmokeResult:
    base = dict(device="cuda", device_name="NVIDIA H100 80GB HBM3", dtype="bf16", trainer_ok=True, update_s=0.41,
                peak_memory_gib=3.2, vllm_status="skipped", vllm_reason="no vllm installed")
    return GPUSmokeResult(**{**base, **kw})


def test_summary_line_format():
    assert _result().summary() == (
        "gpu smoke: trainer ok on cuda (NVIDIA H100 80GB HBM3, bf16; update 0.41 s, peak 3.2 GiB, lora-only update, "
        "checkpoint round trip); vllm skipped (no vllm installed)")
    ok = _result(vllm_status="ok", vllm_reloads=2, vllm_prompt_tokens=2456, vllm_logprob_max_diff=0.0312,
                 vllm_tokens_compared=96)
    assert ok.summary().endswith("; vllm ok (2 hot reloads, prompt 2456 tokens as the trainer's, logprob max abs "
                                 "diff 0.031 < 0.1 over 96 tokens)") and ok.ok
    failed = _result(vllm_status="failed", vllm_reason="vLLM's log-probs differ")
    assert failed.summary().endswith("; vllm FAILED (vLLM's log-probs differ)") and not failed.ok
    trainer = _result(trainer_ok=False, trainer_error="HaloError: boom", vllm_reason="trainer failed")
    assert trainer.summary().startswith("gpu smoke: trainer FAILED on cuda (NVIDIA H100 80GB HBM3, bf16; "
                                        "HaloError: boom)") and not trainer.ok


@pytest.mark.parametrize("result, code", [(_result(), 0), (_result(vllm_status="failed", vllm_reason="x"), 1),
                                          (_result(trainer_ok=False, trainer_error="boom"), 1)])
def test_cli_smoke_gpu_exits_0_only_when_every_half_that_ran_passed(monkeypatch, result, code):
    def fake(device=None, say=print):
        result.line = result.summary()
        say("  ok    a step")
        say(result.line)
        return result

    monkeypatch.setattr(gpu_smoke, "run_gpu_smoke", fake)
    out = CliRunner().invoke(app, ["smoke", "--gpu"])
    assert out.exit_code == code, out.output
    assert out.output.strip().splitlines()[-1] == result.line


# ----------------------------------------------------------------------------------------------------------
# The vLLM half's checks, against a fake server that serves the adapter folders it is told to load
# ----------------------------------------------------------------------------------------------------------
class FakeVLLM:
    """Stands in for ``policy_server``'s server, ``load_adapter`` and one chat request: it scores a completion with
    the LoRA weights of the adapter folder it last loaded (``stale``: of the first one, as a server that ignored
    the hot reloads would), on the trainer's model and prompt. Its completions hold an ``<|image_pad|>`` token after
    12 plain ones (the check must stop comparing there)."""

    base_url = "http://127.0.0.1:9/v1"

    def __init__(self, state, stale: bool = False):
        self.state, self.stale = state, stale
        self.loads: list[tuple[str, Path, bool]] = []
        self.stopped = False
        self.rng = random.Random(0)

    def policy_server(self, model, *, lora_rank, log_path=None, max_loras=2, port=None):
        assert Path(model) == self.state.folder and lora_rank == 16
        return self

    def start(self):
        return self

    def stop(self):
        self.stopped = True

    def load_adapter(self, url, name, path, replace=False):
        self.loads.append((name, Path(path), replace))

    async def ask(self, params, base_url, hint, chat_completion):
        import torch
        from peft import get_peft_model_state_dict, set_peft_model_state_dict
        from peft.utils import load_peft_weights

        assert params["model"] == self.loads[-1][0] and params["temperature"] == 1.0 and params["logprobs"]
        assert any(part.get("type") == "image_url" for m in params["messages"] if isinstance(m["content"], list)
                   for part in m["content"])
        model = self.state.policy.model
        current = {k: v.clone() for k, v in get_peft_model_state_dict(model).items()}
        set_peft_model_state_dict(model, load_peft_weights(str(self.loads[0 if self.stale else -1][1]), device="cpu"))
        plain = [self.rng.randrange(151643) for _ in range(12)]
        with torch.no_grad():
            logprobs = assets.sequence_logprobs(model, self.state.inputs, plain).tolist()
        set_peft_model_state_dict(model, current)
        ids = plain + [assets.QWEN_TOKEN_IDS["<|image_pad|>"]] + [self.rng.randrange(151643) for _ in range(3)]
        logprobs += [-12.0] * 4
        content = [SimpleNamespace(token=f"token_id:{i}", logprob=lp) for i, lp in zip(ids, logprobs)]
        choice = SimpleNamespace(index=0, message=SimpleNamespace(content="..."),
                                 logprobs=SimpleNamespace(content=content))
        return SimpleNamespace(choices=[choice],
                               usage=SimpleNamespace(prompt_tokens=int(self.state.inputs["input_ids"].shape[1])))


def _run_vllm_half(cpu_run, monkeypatch, tmp_path, stale: bool):
    import halo_lib.policies.vllm_server as vllm_server
    import halo_lib.rl.sync as sync

    result, _ = cpu_run
    assert TRAINER_STATE, "the CPU run kept no trainer state"
    fake = FakeVLLM(dataclasses.replace(TRAINER_STATE[-1], work=tmp_path), stale=stale)
    monkeypatch.setattr(vllm_server, "policy_server", fake.policy_server)
    monkeypatch.setattr(sync, "load_adapter", fake.load_adapter)
    monkeypatch.setattr(sync, "list_models", lambda url: ["small", *{name for name, _, _ in fake.loads}])
    monkeypatch.setattr(gpu_smoke, "_ask", fake.ask)
    half = GPUSmokeResult(device="cuda", device_name="fake", dtype="fp32", trainer_ok=True, update_s=1.0,
                          prompt_tokens=result.prompt_tokens)
    lines: list[str] = []
    error = None
    try:
        gpu_smoke._vllm_half(half, fake.state, gpu_smoke._Steps(lines.append))
    except Exception as err:  # noqa: BLE001 - the test looks at it
        error = err
    return half, fake, error


def test_vllm_half_passes_against_a_server_that_serves_each_reloaded_adapter(cpu_run, monkeypatch, tmp_path):
    half, fake, error = _run_vllm_half(cpu_run, monkeypatch, tmp_path, stale=False)
    assert error is None, error
    assert half.vllm_status == "ok" and half.vllm_reloads == 2 and fake.stopped
    # one load, then two in-place reloads, each from a new folder (VLLMSync)
    assert [r for _, _, r in fake.loads] == [False, True, True] and len({p for _, p, _ in fake.loads}) == 3
    assert half.vllm_tokens_compared == 3 * 12  # up to the <|image_pad|> of each completion
    assert half.vllm_logprob_max_diff < 1e-4 and half.vllm_adapter_effect > 2 * gpu_smoke.LOGPROB_TOL
    assert "; vllm ok (2 hot reloads, prompt" in half.summary()


def test_vllm_half_fails_when_the_server_keeps_serving_the_old_adapter(cpu_run, monkeypatch, tmp_path):
    half, fake, error = _run_vllm_half(cpu_run, monkeypatch, tmp_path, stale=True)
    assert error is not None and "after hot reload 1" in str(error) and "differ from the trainer's" in str(error)
    assert half.vllm_status != "ok" and fake.stopped
