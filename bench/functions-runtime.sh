#!/usr/bin/env bash
# Benchmark of the Lambda code (issue 5): scoring throughput on one thread (baseline: parse+validate), a 100-record
# batch end to end on DynamoDB Local (baseline: a 1-record batch), cold start of a new process to its first handled
# event, and the functions' zip sizes. Usage: bench/functions-runtime.sh [RUNS=5]
set -euo pipefail
cd "$(dirname "$0")/.."
make -s emulators synth >/dev/null
dotnet build bench/FunctionsBench -c Release --nologo -v quiet >/dev/null
dotnet bench/FunctionsBench/bin/Release/net10.0/FunctionsBench.dll "$(pwd)" "${1:-5}"
