#!/usr/bin/env bash
# Benchmark of the cost and capacity report (issue 9): the report of every environment from the synthesized stacks
# (`FraudTf.Cost.dll report`, all three environments in one process), and the report of one environment. Baseline
# measured in the same run: the tool's own process start (`FraudTf.Cost.dll --help`). Prints the median of RUNS runs
# and the peak RSS (GNU time). The stacks are synthesized once before (not timed).
# Usage: bench/cost.sh [RUNS=5]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
TIME=/usr/bin/time
[[ -x $TIME ]] || { echo "bench needs GNU time (apt-get install time)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
DLL=tools/Cost/bin/Release/net10.0/FraudTf.Cost.dll

measure() { # label, command... -> appends "seconds kib" to $work/<label>
  local label=$1; shift
  $TIME -f "%e %M" -o "$work/one" "$@" >"$work/out.log" 2>&1 || { cat "$work/out.log"; exit 1; }
  cat "$work/one" >>"$work/$label"
}
report() { # label, description
  sort -n "$work/$1" | awk -v d="$2" '{t[NR]=$1; m[NR]=$2} END {
    mid=int((NR+1)/2); maxm=0; for(i=1;i<=NR;i++) if(m[i]>maxm) maxm=m[i];
    printf "%-46s median %6.2f s  (n=%d, min %.2f, max %.2f)  peak RSS %4d MiB\n", d, t[mid], NR, t[1], t[NR], maxm/1024 }'
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(lscpu | sed -n 's/Model name: *//p' | head -1); load: $(cut -d' ' -f1-3 /proc/loadavg)"
make -s synth >/dev/null
make -s "$DLL" >/dev/null
for i in $(seq "$RUNS"); do measure baseline dotnet "$DLL" --help; done
for i in $(seq "$RUNS"); do measure all dotnet "$DLL" report; done
for i in $(seq "$RUNS"); do measure prod dotnet "$DLL" report prod; done

report all "report, all environments (one process)"
report prod "report, prod only"
report baseline "baseline: tool start (--help)"
