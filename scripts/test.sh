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

# Skips are never silent: list each skip reason with its count and, for the two a fresh clone most often lacks (the
# shared specs and vectors, Node), say how to run those tests too.
if [ "$skipped" -ne 0 ]; then
  reasons="$({ cat "$results"/*.trx 2>/dev/null || true; } | tr -d '\r' | awk '
    /<UnitTestResult .*outcome="NotExecuted"/ { s = 1 }
    /<UnitTestResult .*\/>/ { s = 0 }
    s && match($0, /<(StdOut|Message)>[^<]*/) {
      m = substr($0, RSTART, RLENGTH); sub(/^<[A-Za-z]*>/, "", m)
      gsub(/&apos;/, "\047", m); gsub(/&quot;/, "\"", m); gsub(/&lt;/, "<", m); gsub(/&gt;/, ">", m); gsub(/&amp;/, "\\&", m)
      print m; s = 0
    }
    /<\/UnitTestResult>/ { s = 0 }' | sort | uniq -c | sort -rn)"
  echo "Skipped tests by reason:"
  echo "${reasons:-      (the results record no reasons)}"
  shared="${ASTER_SHARED_DIR:-$root/../shared}"
  if [ ! -d "$shared/vectors" ]; then
    echo "NOTE: golden-vector tests were skipped: $shared/vectors was not found."
    echo "      Put the shared folder beside this repository (../shared) or set ASTER_SHARED_DIR=/path/to/shared, then rerun."
  fi
  if ! command -v node >/dev/null 2>&1; then
    echo "NOTE: interop tests against a real iroh peer were skipped: node is not on PATH."
    echo "      Install Node.js 20 or newer with npm (Debian: apt-get install nodejs npm), then rerun."
  elif [ ! -d tests/Aster.Interop.Tests/peer/node_modules/@aster-rpc/transport ]; then
    echo "NOTE: interop tests against a real iroh peer were skipped: the peer's npm packages are not installed."
    echo "      Install npm (Debian: apt-get install npm) or run 'npm ci' in tests/Aster.Interop.Tests/peer, then rerun."
  fi
fi
echo "Tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
