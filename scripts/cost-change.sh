#!/usr/bin/env bash
# The cost difference a change makes to one environment: synthesizes ENV at BASE (a git revision, e.g. origin/main
# or the commit last deployed) in a temporary clone and prices both stacks with tools/Cost. Offline: the clone shares
# this checkout's npm packages and bindings (hard links), nothing is downloaded.
# Usage: scripts/cost-change.sh ENV BASE [OUT.md]      (make cost-change ENV=prod BASE=origin/main)
set -euo pipefail
cd "$(dirname "$0")/.."
env="${1:-}"; base="${2:-}"; out="${3:-cdktf.out/cost-change-$env.md}"
if [[ -z "$env" || -z "$base" ]]; then
  echo "error: give the environment and the base revision. Fix: make cost-change ENV=prod BASE=origin/main" >&2
  exit 2
fi
rev=$(git rev-parse --verify --quiet "$base^{commit}") || { echo "error: BASE '$base' is not a commit of this repository. Fix: use a branch, tag or commit id (git log)." >&2; exit 2; }
[[ -f "cdktf.out/stacks/fraud-detection-$env/cdk.tf.json" ]] || { echo "error: cdktf.out has no stack for '$env'. Fix: make synth first." >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/fraudtf-base.XXXXXX")
trap 'rm -rf "$work"' EXIT
git clone --quiet --no-checkout . "$work/repo"
git -C "$work/repo" checkout --quiet "$rev"
cp -al node_modules "$work/repo/node_modules"
cp -al .bindings "$work/repo/.bindings"
touch "$work/repo/node_modules/.fraudtf-installed"
echo "cost-change: synthesizing $env at ${rev:0:12} ..." >&2
make -s -C "$work/repo" synth >"$work/synth.log" 2>&1 || { echo "error: synth of $base failed; see the log below." >&2; tail -20 "$work/synth.log" >&2; exit 1; }

mkdir -p "$(dirname "$out")"
{
  echo "Cost of this change in $env: ${rev:0:12} ($base) → working tree"
  echo
  dotnet tools/Cost/bin/Release/net10.0/FraudTf.Cost.dll diff --env "$env" \
    "$work/repo/cdktf.out/stacks/fraud-detection-$env/cdk.tf.json" "cdktf.out/stacks/fraud-detection-$env/cdk.tf.json"
} >"$out"
cat "$out"
