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
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    echo "stopped $name (pid $pid)"
    stopped=$((stopped + 1))
  fi
  rm -f "$f"
done
[ "$stopped" -eq 0 ] && echo "nothing to stop"
exit 0
