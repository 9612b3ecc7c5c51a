#!/usr/bin/env bash
# Benchmark of the cost and capacity report (issue 9): the report of every environment from the synthesized stacks
# (`FraudTf.Cost.dll report`, all three environments in one process), and the report of one environment. Baseline
# measured in the same run: the tool's own process start (`FraudTf.Cost.dll --help`). Prints the median of RUNS runs
# and the peak RSS (GNU time). The stacks are synthesized once before (not timed).
# Usage: bench/cost.sh [RUNS=5]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
REPORT_WIDTH=46
. bench/lib.sh
DLL=tools/Cost/bin/Release/net10.0/FraudTf.Cost.dll

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(lscpu | sed -n 's/Model name: *//p' | head -1); load: $(cut -d' ' -f1-3 /proc/loadavg)"
make -s synth >/dev/null
make -s "$DLL" >/dev/null
for i in $(seq "$RUNS"); do measure baseline dotnet "$DLL" --help; done
for i in $(seq "$RUNS"); do measure all dotnet "$DLL" report; done
for i in $(seq "$RUNS"); do measure prod dotnet "$DLL" report prod; done

report all "report, all environments (one process)"
report prod "report, prod only"
report baseline "baseline: tool start (--help)"
