#!/usr/bin/env bash
# Benchmark of the promotion tooling (issue 8), on already synthesized stacks (make synth first; the tool is built by
# make promotion-tool). Median of RUNS runs of: (a) the offline validation of all stacks (`validate`, schema cached),
# (b) the promotion report dev -> staging (`promote`), (c) the schema derivation from the provider package (cold,
# --force), and, as the baseline measured in the same run, reading and pretty-printing all six cdk.tf.json with jq.
# Usage: bench/promotion.sh [RUNS=5]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
REPORT_WIDTH=52
. bench/lib.sh
[[ -d cdktf.out/stacks ]] || { echo "no cdktf.out/stacks: run 'make synth' first" >&2; exit 1; }
make -s promotion-tool >/dev/null
promo="dotnet tools/Promotion/bin/Release/net10.0/FraudTf.Promotion.dll"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; dotnet $(dotnet --version), node $(node --version)"
echo "stacks: $(ls cdktf.out/stacks | wc -l), $(du -ch cdktf.out/stacks/*/cdk.tf.json | tail -1 | cut -f1) of Terraform JSON"
$promo validate >/dev/null # make sure the schema is cached
for i in $(seq "$RUNS"); do measure baseline bash -c 'for f in cdktf.out/stacks/*/cdk.tf.json; do jq . "$f" >/dev/null; done'; done
for i in $(seq "$RUNS"); do measure validate $promo validate; done
for i in $(seq "$RUNS"); do measure promote $promo promote --from dev --to staging --plan-skipped "benchmark"; done
for i in $(seq "$RUNS"); do measure schema node tools/Promotion/schema/aws-schema.mjs --cdk "${CDK:-cdktf}" --force; done

report baseline "baseline: jq . on all six cdk.tf.json"
report validate "(a) validate all stacks (schema cached)"
report promote "(b) promotion report dev -> staging"
report schema "(c) schema from the CDK's provider package (cold)"
