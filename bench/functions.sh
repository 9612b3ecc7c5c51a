#!/usr/bin/env bash
# Benchmark of the Lambda packaging (modules/Compute/Build/), for each function project:
#   cold  = no cached zip: dotnet publish (restore + compile, private artifacts folder) + deterministic zip;
#   warm  = zip cached in .build/functions: hash the inputs, read the zip (what every synth after the first does).
# Runs FunctionBuilder.Build in-process (a throwaway console project compiling modules/Compute/Build/*.cs itself, so the app and
# its jsii bindings need not be built) on a copy of functions/ + nuget.config in a temporary folder: the repository's
# own .build/ is not touched. Prints medians, the zip sizes in bytes, and whether every cold build gave the same bytes.
# With --synth it also times `make -s synth` of the repository with and without .build/functions (end to end).
# Usage: bench/functions.sh [RUNS=5] [--synth]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=5
SYNTH=0
for a in "$@"; do
  case $a in
    --synth) SYNTH=1 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) RUNS=$a ;;
  esac
done
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 CHECKPOINT_DISABLE=1
repo=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/Model name: *//p' | head -1); dotnet $(dotnet --version)"

# The repository copy the builds run in (no bin/ obj/ .build/).
mkdir -p "$work/root"
tar -C "$repo" --exclude=bin --exclude=obj -cf - functions nuget.config | tar -C "$work/root" -xf -

# The benchmark driver.
mkdir -p "$work/driver"
cat >"$work/driver/Bench.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <InvariantGlobalization>true</InvariantGlobalization>
    <NoWarn>\$(NoWarn);CS1591</NoWarn>
  </PropertyGroup>
  <ItemGroup>
    <Compile Include="$repo/modules/Compute/Build/*.cs" />
  </ItemGroup>
</Project>
EOF
cat >"$work/driver/Bench.cs" <<'EOF'
using System.Diagnostics;
using FraudTf.Compute.Build;

var root = args[0];
var runs = int.Parse(args[1]);
double Median(List<double> xs) { xs.Sort(); return xs.Count % 2 == 1 ? xs[xs.Count / 2] : (xs[xs.Count / 2 - 1] + xs[xs.Count / 2]) / 2; }
string Range(List<double> xs) => $"n={xs.Count}, min {xs.Min():0.000}, max {xs.Max():0.000}";
foreach (var project in new[] { "functions/StreamProcessor", "functions/AlertHandler" })
{
    var name = Path.GetFileName(project);
    var cold = new List<double>();
    var hashes = new HashSet<string>();
    PackagedFunction? p = null;
    for (var i = 0; i < runs; i++)
    {
        var cache = Path.Combine(root, ".build", "functions", name);
        if (Directory.Exists(cache)) Directory.Delete(cache, recursive: true);
        FunctionBuilder.ResetProcessCache();
        var w = Stopwatch.StartNew();
        p = FunctionBuilder.Build(root, project);
        cold.Add(w.Elapsed.TotalSeconds);
        hashes.Add(p.Sha256);
    }

    var warm = new List<double>();
    for (var i = 0; i < runs; i++)
    {
        FunctionBuilder.ResetProcessCache();
        var w = Stopwatch.StartNew();
        FunctionBuilder.Build(root, project);
        warm.Add(w.Elapsed.TotalSeconds * 1000);
    }

    Console.WriteLine($"{name,-16} cold publish+zip median {Median(cold),6:0.00} s ({Range(cold)})");
    Console.WriteLine($"{name,-16} warm cache hit   median {Median(warm),6:0.00} ms ({Range(warm)})");
    Console.WriteLine($"{name,-16} zip {p!.SizeBytes} bytes, sha256 {p.Sha256[..16]}…, identical across the {runs} cold builds: {(hashes.Count == 1 ? "yes" : "NO")}");
}
EOF
dotnet build "$work/driver/Bench.csproj" -c Release --nologo -v quiet -clp:NoSummary -o "$work/driver/out" >"$work/driver.log" 2>&1 \
  || { cat "$work/driver.log"; exit 1; }
dotnet "$work/driver/out/Bench.dll" "$work/root" "$RUNS"
# Paid once per synth process on top of the warm cache hits (part of the input hash).
s=$(date +%s%N); dotnet --version >/dev/null
echo "dotnet --version (once per process, part of the input hash): $(( ($(date +%s%N) - s) / 1000000 )) ms"

if [[ $SYNTH == 1 ]]; then
  median() { sort -n | awk '{t[NR]=$1} END {print t[int((NR+1)/2)] / 1e9}'; }
  make -s build >/dev/null
  cold=() warm=()
  for i in $(seq "$RUNS"); do
    rm -rf .build/functions
    s=$(date +%s%N); make -s synth >/dev/null; cold+=($(( $(date +%s%N) - s )))
  done
  for i in $(seq "$RUNS"); do
    s=$(date +%s%N); make -s synth >/dev/null; warm+=($(( $(date +%s%N) - s )))
  done
  printf 'make synth without .build/functions: median %.2f s\n' "$(printf '%s\n' "${cold[@]}" | median)"
  printf 'make synth with .build/functions:    median %.2f s\n' "$(printf '%s\n' "${warm[@]}" | median)"
fi
