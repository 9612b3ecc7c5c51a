#!/usr/bin/env bash
# Deploys one environment with its guardrails (`make deploy ENV=x` synthesizes and runs preflight first):
#  1. production tier only (prod): it must ship what the environment promoting to it received (staging:
#     deployments/staging.json), same Lambda artifacts and no unexpected difference; FORCE_REASON="..." overrides, and
#     the reason is printed and recorded in the receipt;
#  2. plan (scripts/plan.sh), then refuse a plan that replaces or destroys a stateful resource;
#     ALLOW_DESTROY="..." overrides, printed and recorded;
#  3. apply exactly the saved plan that passed the guards;
#  4. write deployments/<env>.json (the receipt) to commit: the next environment's deploy checks against it.
set -euo pipefail
cd "$(dirname "$0")/.."
env_name="${1:?usage: scripts/deploy.sh ENV}"
tf="${TERRAFORM_BINARY_NAME:-terraform}"
promo="dotnet tools/Promotion/bin/Release/net10.0/FraudTf.Promotion.dll"
commit="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git status --porcelain -- . ':!deployments' ':!plans' 2>/dev/null)" ]]; then
  commit="$commit-dirty"
  echo "warning: the working tree has uncommitted changes; the receipt records commit $commit." >&2
fi

echo "deploy $env_name: promotion guard"
$promo guard-promotion --env "$env_name"
scripts/plan.sh "$env_name"
echo "deploy $env_name: stateful-resource guard"
$promo guard-plan --env "$env_name" --plan-json "plans/$env_name/plan.json"
[[ -n "${FORCE_REASON:-}" ]] && echo "deploy $env_name: FORCE_REASON=\"$FORCE_REASON\""
[[ -n "${ALLOW_DESTROY:-}" ]] && echo "deploy $env_name: ALLOW_DESTROY=\"$ALLOW_DESTROY\""

echo "deploy $env_name: $tf apply plans/$env_name/plan.tfplan"
"$tf" -chdir="cdktf.out/stacks/fraud-detection-$env_name" apply -input=false -lock-timeout=5m "$PWD/plans/$env_name/plan.tfplan"
$promo receipt --env "$env_name" --commit "$commit"
