#!/usr/bin/env bash
# Stop exactly what ./launch.sh started (by the pids it recorded in .halo/pids); results and reports stay.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PIDS="$ROOT/.halo/pids"
shopt -s nullglob
stopped=0
for f in "$PIDS"/*.pid; do
  pid="$(cat "$f")"
  name="$(basename "$f" .pid)"
  if kill -0 "$pid" 2>/dev/null; then
    # A process launch.sh started in its own group (the vLLM server, via setsid): stop the group it leads.
    target="$pid"
    [ "$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')" = "$pid" ] && target="-$pid"
    kill -TERM -- "$target" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL -- "$target" 2>/dev/null
    echo "stopped $name (pid $pid)"
    stopped=$((stopped + 1))
  fi
  rm -f "$f"
done
rm -f "$ROOT/.halo/lab.url"  # it holds the JupyterLab token
[ "$stopped" -eq 0 ] && echo "nothing to stop"
exit 0
