#!/usr/bin/env bash
# Benchmark of the promotion tooling (issue 8), on already synthesized stacks (make synth first; the tool is built by
# make promotion-tool). Median of RUNS runs of: (a) the offline validation of all stacks (`validate`, schema cached),
# (b) the promotion report dev -> staging (`promote`), (c) the schema derivation from the provider package (cold,
# --force), and, as the baseline measured in the same run, reading and pretty-printing all six cdk.tf.json with jq.
# Usage: bench/promotion.sh [RUNS=5]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
TIME=/usr/bin/time
[[ -x $TIME ]] || { echo "bench needs GNU time (apt-get install time)" >&2; exit 1; }
[[ -d cdktf.out/stacks ]] || { echo "no cdktf.out/stacks: run 'make synth' first" >&2; exit 1; }
make -s promotion-tool >/dev/null
promo="dotnet tools/Promotion/bin/Release/net10.0/FraudTf.Promotion.dll"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

measure() { # label, command...
  local label=$1; shift
  $TIME -f "%e %M" -o "$work/one" "$@" >"$work/out.log" 2>&1 || { cat "$work/out.log"; exit 1; }
  cat "$work/one" >>"$work/$label"
}
report() {
  sort -n "$work/$1" | awk -v d="$2" '{t[NR]=$1; m[NR]=$2} END {
    mid=int((NR+1)/2); maxm=0; for(i=1;i<=NR;i++) if(m[i]>maxm) maxm=m[i];
    printf "%-52s median %6.2f s  (n=%d, min %.2f, max %.2f)  peak RSS %4d MiB\n", d, t[mid], NR, t[1], t[NR], maxm/1024 }'
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; dotnet $(dotnet --version), node $(node --version)"
echo "stacks: $(ls cdktf.out/stacks | wc -l), $(du -ch cdktf.out/stacks/*/cdk.tf.json | tail -1 | cut -f1) of Terraform JSON"
$promo validate >/dev/null # make sure the schema is cached
for i in $(seq "$RUNS"); do measure baseline bash -c 'for f in cdktf.out/stacks/*/cdk.tf.json; do jq . "$f" >/dev/null; done'; done
for i in $(seq "$RUNS"); do measure validate $promo validate; done
for i in $(seq "$RUNS"); do measure promote $promo promote --from dev --to staging --plan-skipped "benchmark"; done
for i in $(seq "$RUNS"); do measure schema node tools/Promotion/schema/aws-schema.mjs --force; done

report baseline "baseline: jq . on all six cdk.tf.json"
report validate "(a) validate all stacks (schema cached)"
report promote "(b) promotion report dev -> staging"
report schema "(c) schema from @cdktf/provider-aws (cold)"
