#!/usr/bin/env bash
# Benchmark of make local (issue 15): the whole data path of the dev stack on this machine. RUNS runs each of
#   (a) the baseline, measured in the same run: DynamoDB Local alone taking TransactWriteItems of the stream processor's
#       shape from 4 writers (FraudTf.Local.dll --baseline), the engine the path depends on most;
#   (b) sustained throughput: traffic above what the path can take (RATE_HIGH records/s for DURATION s), valid records
#       decided per second from the first put to the last decision, and its ratio to (a);
#   (c) latency at a rate the path keeps up with (RATE_LOW): PutRecords -> decision and -> alert handled, p50 and p95.
# Prints medians (and min/max). Needs the stacks (make synth) and the emulators (make emulators).
# Usage: bench/local.sh [RUNS=3] [DURATION=30] [RATE_HIGH=150] [RATE_LOW=20]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}; DURATION=${2:-30}; RATE_HIGH=${3:-150}; RATE_LOW=${4:-20}
[[ -d cdktf.out/stacks/fraud-detection-dev ]] || { echo "no synthesized dev stack: run 'make synth' first" >&2; exit 1; }
make -s local-tool emulators >/dev/null
tool="dotnet tools/Local/bin/Release/net10.0/FraudTf.Local.dll"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/out" && cp -r cdktf.out/stacks "$work/out/"

median() { sort -g | awk '{v[NR]=$1} END {printf "%.1f (min %.1f, max %.1f, n=%d)", v[int((NR+1)/2)], v[1], v[NR], NR}'; }
field() { node -e "const r=require('$work/out/local-dev.json'); console.log(r['$1'])"; }

echo "machine: $(nproc) cores ($(awk -F: '/model name/{print $2; exit}' /proc/cpuinfo | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB; dotnet $(dotnet --version), java $(java -version 2>&1 | awk -F'"' '/version/{print $2}')"
for i in $(seq "$RUNS"); do
  $tool --baseline --out "$work/out" | awk '/^baseline:/{print $2}' >>"$work/baseline"
  $tool --duration "$DURATION" --rate "$RATE_HIGH" --seed "$i" --out "$work/out" >"$work/high.log" 2>&1 || { tail -20 "$work/high.log"; exit 1; }
  [[ "$(field lost)" == 0 ]] || { echo "run $i lost records" >&2; exit 1; }
  field throughput >>"$work/throughput"
  $tool --duration "$DURATION" --rate "$RATE_LOW" --seed "$i" --out "$work/out" >"$work/low.log" 2>&1 || { tail -20 "$work/low.log"; exit 1; }
  for f in decisionLatencyP50 decisionLatencyP95 alertLatencyP50 alertLatencyP95; do field $f >>"$work/$f"; done
  field throughput >>"$work/throughput-low"
done
b=$(sort -g "$work/baseline" | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
t=$(sort -g "$work/throughput" | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
echo "(a) baseline, DynamoDB Local alone (TransactWriteItems, 4 writers): $(median <"$work/baseline") records/s"
echo "(b) sustained throughput at $RATE_HIGH records/s offered:          $(median <"$work/throughput") valid records/s; ratio to (a): $(awk -v t="$t" -v b="$b" 'BEGIN{printf "%.2f", t/b}')"
echo "(c) at $RATE_LOW records/s: throughput $(median <"$work/throughput-low") records/s"
echo "    PutRecords -> decision p50 $(median <"$work/decisionLatencyP50") ms, p95 $(median <"$work/decisionLatencyP95") ms"
echo "    PutRecords -> alert    p50 $(median <"$work/alertLatencyP50") ms, p95 $(median <"$work/alertLatencyP95") ms"
