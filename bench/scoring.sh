#!/usr/bin/env bash
# Benchmark of the scorer (issue 16's goal: above 1,000,000 records/s on one core, in process). RUNS runs, each timing
#   (a) the baseline, measured in the same run: TransactionParser.Parse over the same records' bytes (records/s);
#   (b) FraudScorer.Score over the backtest's pre-parsed transactions (SEED 42, 60,000 records of the default mix, dev's
#       rules) with the profiles and velocity counts they were scored with: generation, parsing and state excluded.
# Prints each run and the medians. The process is pinned to one core (taskset -c 0) when taskset exists.
# Usage: bench/scoring.sh [RUNS=5]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
[[ -d cdktf.out/stacks/fraud-detection-dev ]] || { echo "no synthesized dev stack: run 'make synth' first" >&2; exit 1; }
make -s backtest-tool >/dev/null
pin=()
if command -v taskset >/dev/null; then pin=(taskset -c 0); fi
echo "machine: $(nproc) cores ($(awk -F: '/model name/{print $2; exit}' /proc/cpuinfo | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB; dotnet $(dotnet --version); pinned: ${pin[*]:-no (taskset missing)}"
"${pin[@]}" dotnet tools/Backtest/bin/Release/net10.0/FraudTf.Backtest.dll --bench --runs "$RUNS" --env dev --seed 42
