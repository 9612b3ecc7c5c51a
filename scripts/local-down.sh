#!/usr/bin/env bash
# Stops the processes a local run started (engines and function hosts), from the pid files make local keeps in .local/.
# A run stops them itself on exit and on Ctrl-C; this is for a run that was killed (kill -9, a closed terminal).
set -uo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
stopped=0
for file in .local/*.pids; do
  while read -r pid; do
    [[ "$pid" =~ ^[0-9]+$ ]] || continue
    # Alive and not a zombie (an exited child nobody reaped yet holds its pid until then).
    if kill -0 "$pid" 2>/dev/null && [[ "$(ps -o stat= -p "$pid" 2>/dev/null)" != Z* ]]; then
      pkill -TERM -P "$pid" 2>/dev/null
      kill -TERM "$pid" 2>/dev/null && stopped=$((stopped + 1))
    fi
  done < "$file"
  sleep 1
  while read -r pid; do
    [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  done < "$file"
  rm -f "$file"
done
echo "local-down: stopped $stopped process(es); nothing of a local run is left running"
