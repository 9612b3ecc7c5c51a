#!/usr/bin/env bash
# Benchmark of the foundation (issue 2): (a) cold setup, from a fresh clone with an empty NuGet package cache, an
# empty jsii runtime cache and no generated bindings, to the first complete `make synth`; (b) warm synth of all
# stacks. Prints the median of RUNS runs and the peak RSS (largest single process, from GNU time) of each.
# Baseline measured in the same run: the app's own process start without jsii (`FraudTf.dll --help`).
# Usage: bench/synth.sh [COLD_RUNS=2] [WARM_RUNS=5]
set -euo pipefail
cd "$(dirname "$0")/.."
COLD_RUNS=${1:-2}
WARM_RUNS=${2:-5}
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 CHECKPOINT_DISABLE=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
REPORT_WIDTH=44
SECONDS_WIDTH=7
. bench/lib.sh
median() { sort -n "$work/$1" | awk '{t[NR]=$1} END {print t[int((NR+1)/2)]}'; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(lscpu | sed -n 's/Model name: *//p' | head -1)"
echo "dotnet $(dotnet --version), node $(node --version)"

for i in $(seq "$COLD_RUNS"); do
  clone="$work/clone$i"
  git clone -q . "$clone"
  rm -rf "$work/nuget$i" "$work/jsii$i"
  ( cd "$clone" && measure cold env NUGET_PACKAGES="$work/nuget$i" JSII_RUNTIME_PACKAGE_CACHE_ROOT="$work/jsii$i" make -s synth )
  rm -rf "$clone" "$work/nuget$i" "$work/jsii$i"
done

make -s build >/dev/null
for i in $(seq "$WARM_RUNS"); do measure baseline dotnet bin/Release/net10.0/FraudTf.dll --help; done
for i in $(seq "$WARM_RUNS"); do measure warm_app dotnet bin/Release/net10.0/FraudTf.dll; done
for i in $(seq "$WARM_RUNS"); do measure warm_make make -s synth; done

report cold "(a) cold setup: fresh clone -> make synth"
report warm_make "(b) warm make synth (all stacks)"
report warm_app "(b') warm app synth only (dotnet FraudTf.dll)"
report baseline "baseline: app start without jsii (--help)"
awk -v a="$(median warm_app)" -v b="$(median baseline)" 'BEGIN {printf "ratio warm app synth / baseline: %.1fx\n", a/b}'
