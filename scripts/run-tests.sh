#!/usr/bin/env bash
# Runs every NUnit test project under tests/ and prints one closing line: "N passed, N failed, N skipped".
# A failed test is named again (with the start of its message) just above that line, so the tail of a CI log shows it.
set -uo pipefail
cd "$(dirname "$0")/.."
total_passed=0; total_failed=0; total_skipped=0; status=0
failures=$(mktemp)
for project in tests/*/*.csproj; do
  log=$(mktemp)
  dotnet test "$project" -c Release --nologo "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  [[ $rc -ne 0 ]] && status=$rc
  # dotnet test prints "  Failed <test> [time]", "  Error Message:" and its lines, then "  Stack Trace:" (its first line says where).
  awk -v project="$(basename "$project" .csproj)" '
    /^  Failed [^ ]/ { print project ": " substr($0, 3); keep = 8; where = 0; next }
    where == 1 { print "    " $0; where = 0; next }
    /^  Stack Trace:/ { keep = 0; where = 1; next }
    keep > 0 && !/^  Error Message:/ && NF > 0 { print "    " $0; keep-- }' "$log" >> "$failures"
  line=$(grep -E '(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+, +Skipped: +[0-9]+' "$log" | tail -1)
  if [[ -z "$line" ]]; then
    echo "error: $project ran no test (see the output above)" >&2
    echo "$(basename "$project" .csproj): ran no test" >> "$failures"
    status=1
  else
    total_failed=$((total_failed + $(sed -E 's/.*Failed: +([0-9]+).*/\1/' <<<"$line")))
    total_passed=$((total_passed + $(sed -E 's/.*Passed: +([0-9]+).*/\1/' <<<"$line")))
    total_skipped=$((total_skipped + $(sed -E 's/.*Skipped: +([0-9]+).*/\1/' <<<"$line")))
  fi
  rm -f "$log"
done
if [[ -s "$failures" ]]; then
  echo "failed:"
  cat "$failures"
fi
rm -f "$failures"
echo "tests: $total_passed passed, $total_failed failed, $total_skipped skipped"
exit $status
