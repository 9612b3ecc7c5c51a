#!/usr/bin/env bash
# make terrain-check: proves the CDK Terrain build next to the default (issue 19, docs/cdk-terrain.md). Installs and
# builds CDK Terrain's bindings when missing, synthesizes every stack with CDK=terrain into .build/terrain-out (never
# into cdktf.out), validates those stacks offline against the AWS provider schema of terrain's bindings (6.66) and the
# deployability gate, then compares them file by file with the default's cdktf.out: any difference that
# bindings/terrain/accepted-differences.json does not list fails, naming the file, the JSON path and both values.
# Ends with the default build in place (.build/cdk says cdktf), so the next make call rebuilds nothing.
# Usage: scripts/terrain-check.sh (make terrain-check)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=.build/terrain-out
ACCEPTED=bindings/terrain/accepted-differences.json
PROMO="dotnet tools/Promotion/bin/Release/net10.0/FraudTf.Promotion.dll"
start=$SECONDS
step() { echo "terrain-check: $* [$((SECONDS - start)) s]"; }

step "the default's stacks (cdktf.out; reused when up to date)"
make -s synth CDK=cdktf
make -s promotion-tool

# From here on the app is built against CDK Terrain: put the default build back however this ends.
restore_default() {
  local status=$?
  step "rebuilding the default app (CDK=cdktf)"
  make -s build CDK=cdktf >/dev/null || status=1
  exit "$status"
}
trap restore_default EXIT
step "CDK Terrain: bindings, app, synth into $OUT"
rm -rf "$OUT/stacks" "$OUT/manifest.json"
mkdir -p "$OUT"
CDKTF_OUTDIR="$OUT" make -s synth CDK=terrain

step "validating $OUT against the AWS provider schema of CDK Terrain's bindings"
$PROMO validate --out "$OUT" --cdk terrain

step "comparing $OUT with cdktf.out (accepted: $ACCEPTED)"
$PROMO cdk-diff --expected cdktf.out --actual "$OUT" --accepted "$ACCEPTED"
step "passed"
