#!/usr/bin/env bash
# Saves the plan of one environment and a readable summary: terraform init + plan -out in the synthesized stack,
# `terraform show -json`, then the summary (creates, updates, replaces, destroys; stateful replaces and destroys
# first). Needs a terraform CLI and AWS credentials (scripts/preflight.sh checks both first); `make plan ENV=x`
# synthesizes before calling this. Output in plans/<env>/ (outside git and outside cdktf.out, which synth rebuilds):
# plan.tfplan (what `make deploy` applies), plan.json, plan.txt (terraform's own output), summary.md.
set -euo pipefail
cd "$(dirname "$0")/.."
env_name="${1:?usage: scripts/plan.sh ENV}"
tf="${TERRAFORM_BINARY_NAME:-terraform}"
promo="dotnet tools/Promotion/bin/Release/net10.0/FraudTf.Promotion.dll"
stack_dir="cdktf.out/stacks/fraud-detection-$env_name"
plan_dir="plans/$env_name"
[[ -f "$stack_dir/cdk.tf.json" ]] || { echo "error: $stack_dir/cdk.tf.json does not exist. Fix: run 'make synth' (make plan does)." >&2; exit 2; }
mkdir -p "$plan_dir"
rm -f "$plan_dir"/plan.tfplan "$plan_dir"/plan.json "$plan_dir"/summary.md

# One provider lock file for every environment, kept in git: init in each stack starts from it, so dev, staging and
# prod plan with the same hashicorp/aws version (the one `required_providers` admits and the first init chose).
lock_file=".terraform.lock.hcl"
[[ -f "$lock_file" ]] && cp "$lock_file" "$stack_dir/.terraform.lock.hcl"
echo "plan: $tf init ($stack_dir)"
if ! "$tf" -chdir="$stack_dir" init -input=false -no-color >"$plan_dir/init.log" 2>&1; then
  tail -20 "$plan_dir/init.log" >&2
  echo "error: '$tf init' failed for $env_name (full log: $plan_dir/init.log). Fix: check access to registry.terraform.io" \
       "and to the state bucket in environments/$env_name.json (created once per account by 'make bootstrap ENV=$env_name')." >&2
  exit 1
fi
if [[ -f "$stack_dir/.terraform.lock.hcl" ]] && ! cmp -s "$stack_dir/.terraform.lock.hcl" "$lock_file"; then
  cp "$stack_dir/.terraform.lock.hcl" "$lock_file"
  aws_version="$(grep -A1 'registry.terraform.io/hashicorp/aws' "$lock_file" | sed -nE 's/.*version *= *"([^"]+)".*/\1/p' | head -1)"
  echo "plan: $lock_file now records hashicorp/aws ${aws_version:-?}: commit it, so every environment plans with this provider"
fi
echo "plan: $tf plan -out $plan_dir/plan.tfplan"
if ! "$tf" -chdir="$stack_dir" plan -input=false -no-color -lock-timeout=5m -out="$PWD/$plan_dir/plan.tfplan" >"$plan_dir/plan.txt" 2>&1; then
  tail -30 "$plan_dir/plan.txt" >&2
  echo "error: '$tf plan' failed for $env_name (full output: $plan_dir/plan.txt)." >&2
  exit 1
fi
"$tf" -chdir="$stack_dir" show -json "$PWD/$plan_dir/plan.tfplan" >"$plan_dir/plan.json"
$promo plan-summary --env "$env_name" --plan-json "$plan_dir/plan.json" --out "$plan_dir/summary.md"
