#!/usr/bin/env bash
# Writes the promotion report FROM -> TO (cdktf.out/promotion-FROM-to-TO.md) from the synthesized stacks; exits 1 on
# unexpected drift. Offline. When a terraform CLI and AWS credentials for TO are present, it also plans TO
# (scripts/plan.sh) and attaches the summary; otherwise the report says why the plan was skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
from="${1:-}"; to="${2:-}"
known=$(ls environments/*.json | xargs -n1 basename | sed 's/\.json$//' | tr '\n' ' ')
if [[ -z "$from" || -z "$to" ]]; then
  echo "error: give both environments. Fix: make promote FROM=<env> TO=<env>, e.g. make promote FROM=dev TO=staging (known: $known)." >&2
  exit 2
fi
promo="dotnet tools/Promotion/bin/Release/net10.0/FraudTf.Promotion.dll"
plan_args=()
if why=$(scripts/preflight.sh "$to" 2>&1 >/dev/null); then
  if scripts/plan.sh "$to"; then
    plan_args=(--plan-summary "plans/$to/summary.md")
  else
    plan_args=(--plan-skipped "the plan of $to failed; see plans/$to/plan.txt and plans/$to/init.log.")
  fi
else
  reason=$(tr -s ' \n' '  ' <<<"$why" | sed -e 's/^error: //' -e 's/ *$//')
  echo "promote: plan of $to skipped: $reason"
  plan_args=(--plan-skipped "$reason")
fi
# The cost difference of the two stacks (tools/Cost writes cdktf.out/cost-FROM-to-TO.md, the report's cost section);
# with BASE=<rev>, also what this change costs in TO (scripts/cost-change.sh).
cost_section="cdktf.out/cost-$from-to-$to.md"
dotnet tools/Cost/bin/Release/net10.0/FraudTf.Cost.dll diff "$from" "$to" >/dev/null
if [[ -n "${BASE:-}" ]]; then
  scripts/cost-change.sh "$to" "$BASE" "cdktf.out/cost-change-$to.md" >/dev/null
  { echo; echo "#### This change in $to"; echo; cat "cdktf.out/cost-change-$to.md"; } >>"$cost_section"
fi
$promo promote --from "$from" --to "$to" "${plan_args[@]}"
