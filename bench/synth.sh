#!/usr/bin/env bash
# Benchmark of the synth (issues 2 and 18): (a) cold setup, from a fresh clone with an empty NuGet package cache, an
# empty jsii runtime cache and no generated bindings, to the first complete `make synth`; (b) warm synths of all
# stacks: full (FULL=1, nothing reused), nothing changed (every stack reused from .build/synth), one environment file
# changed (that environment's platform stack synthesized: the edit leaves its bootstrap stack's values alone); (c) the floor and the per-construct cost, from
# bench/SynthBench: an empty CDKTF app with one AWS provider block, and the same with N CloudWatch alarms.
# Prints the median of RUNS runs and the peak RSS (largest single process, from GNU time) of each; the warm and
# micro-benchmark runs are interleaved round by round, so a change of the machine's load hits them alike.
# After the runs, the phases of one more one-environment synth (FRAUDTF_SYNTH_TIMING=1: wall and CPU per phase).
# Baseline measured in the same run: the app's own process start without jsii (`FraudTf.dll --help`).
# BASE_DLL=<FraudTf.dll of another revision, built in its own checkout: <checkout>/bin/Release/net10.0/FraudTf.dll> adds
# that revision's full synth, run in its checkout (its own environments, functions and bindings) into a temporary
# folder, in the same rounds: "a full synth no slower than before" and one environment against the full synth before.
# Usage: bench/synth.sh [COLD_RUNS=2] [WARM_RUNS=5]
set -euo pipefail
# BASE_DLL as the caller gave it (relative to the caller's folder), checked before anything runs.
if [[ -n "${BASE_DLL:-}" ]]; then
  [[ -f "$BASE_DLL" ]] || { echo "BASE_DLL=$BASE_DLL: no such file" >&2; exit 2; }
  BASE_DLL=$(realpath "$BASE_DLL")
  base_root=$(dirname "$(dirname "$(dirname "$(dirname "$BASE_DLL")")")")
  [[ -f "$base_root/cdktf.json" ]] || { echo "BASE_DLL must be <checkout>/bin/Release/net10.0/FraudTf.dll (no cdktf.json in $base_root)" >&2; exit 2; }
fi
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
dotnet build bench/SynthBench -c Release --nologo -v quiet -clp:NoSummary >/dev/null
BENCH=bench/SynthBench/bin/Release/net10.0/SynthBench.dll
# The warm runs synthesize into a temporary folder (the app reads CDKTF_OUTDIR as the CLI passes it): cdktf.out stays as it is.
export CDKTF_OUTDIR="$work/cdktf.out"
env_file=environments/dev.json
cp "$env_file" "$work/env.json"
trap 'cp "$work/env.json" "$env_file"; rm -rf "$work"' EXIT
make -s synth >/dev/null # the store holds the current inputs' outputs
# The revision before builds its functions on its first synth: once before the rounds.
[[ -z "${BASE_DLL:-}" ]] || env -C "$base_root" CDKTF_OUTDIR="$work/out-base" dotnet "$BASE_DLL" >/dev/null
for i in $(seq "$WARM_RUNS"); do
  measure baseline dotnet bin/Release/net10.0/FraudTf.dll --help
  measure warm_app env FRAUDTF_FULL_SYNTH=1 dotnet bin/Release/net10.0/FraudTf.dll
  measure warm_make make -s synth FULL=1
  [[ -z "${BASE_DLL:-}" ]] || measure base_app env -C "$base_root" CDKTF_OUTDIR="$work/out-base" FRAUDTF_FULL_SYNTH=1 dotnet "$BASE_DLL"
  measure nochange make -s synth
  # A change no run has seen before (trailing blanks: the same config, another file hash), then back.
  { cat "$work/env.json"; printf '%*s\n' "$i" ''; } >"$env_file"
  measure onechange make -s synth
  cp "$work/env.json" "$env_file"
  make -s synth >/dev/null
  measure empty dotnet "$BENCH" empty "$work/out-empty"
  measure alarms100 dotnet "$BENCH" alarms 100 "$work/out-100"
  measure alarms400 dotnet "$BENCH" alarms 400 "$work/out-400"
done

# Where a one-environment synth's time goes (main.cs prints each phase under FRAUDTF_SYNTH_TIMING=1).
{ cat "$work/env.json"; printf '%*s\n' "$((WARM_RUNS + 1))" ''; } >"$env_file"
echo "phases of one more one-environment synth:"
FRAUDTF_SYNTH_TIMING=1 make -s synth 2>&1 >/dev/null | sed 's/^timing: /  /'
cp "$work/env.json" "$env_file"
make -s synth >/dev/null

report cold "(a) cold setup: fresh clone -> make synth"
report warm_make "(b) full: make synth FULL=1 (all stacks)"
report warm_app "(b') full app synth only (dotnet FraudTf.dll)"
report base_app "(b) full app synth of BASE_DLL (before)"
report nochange "(b'') make synth, nothing changed"
report onechange "(b''') make synth, environments/dev.json changed"
report empty "(c) empty app: one provider block"
report alarms100 "(c') empty app + 100 alarms"
report alarms400 "(c'') empty app + 400 alarms"
report baseline "baseline: app start without jsii (--help)"
awk -v a="$(median warm_app)" -v b="$(median baseline)" 'BEGIN {printf "ratio full app synth / baseline: %.1fx\n", a/b}'
awk -v f="$(median warm_make)" -v e="$(median empty)" -v n="$(median nochange)" -v o="$(median onechange)" 'BEGIN {
  printf "ratio full make synth / empty app: %.1fx\n", f/e
  printf "nothing changed: %.2f s (goal <= 1.0 s), %.2f of the full synth\n", n, n/f
  printf "one environment changed / full: %.2f (goal <= 0.45)\n", o/f }'
[[ ! -s "$work/base_app" ]] || awk -v a="$(median warm_app)" -v b="$(median base_app)" -v o="$(median onechange)" 'BEGIN {
  printf "full app synth / BASE_DLL full app synth: %.2f (goal: no slower, <= 1)\n", a/b
  printf "one environment changed / BASE_DLL full app synth: %.2f\n", o/b }'
awk -v e="$(median empty)" -v a="$(median alarms100)" -v b="$(median alarms400)" 'BEGIN {
  printf "per construct (400 alarms - 100 alarms, / 300): %.1f ms; 100 alarms over the empty app: %.2f s\n", (b-a)/300*1000, a-e }'
