#!/usr/bin/env bash
# Runs every test in the solution and prints one closing line: "Tests: N passed, N failed, N skipped".
# Installs what the tests need first (the npm packages of the interop peer, when Node is present).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if command -v npm >/dev/null 2>&1; then
  for dir in tests/*/peer; do
    if [ -f "$dir/package-lock.json" ] && [ ! -d "$dir/node_modules" ]; then
      echo "Installing the interop peer's npm packages in $dir"
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
  done
else
  echo "npm not found: interop tests against a real iroh peer will skip, saying so."
fi

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
status=0
dotnet build Aster.slnx -c Release -nologo -v q | tail -n 3 || exit 1
dotnet test Aster.slnx -c Release --no-build -nologo --logger "trx" --results-directory "$results" "$@" || status=$?

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters"); e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
done
echo "Tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
