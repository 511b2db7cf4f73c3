#!/usr/bin/env bash
# Builds Release and runs the end-to-end and transport load benchmarks (bench/Aster.Bench.Load) with their same-run
# baselines: iroh (Node, @aster-rpc/transport) for `transport`, Kestrel HTTP/2 + TLS + System.Text.Json for `e2e`.
# Traffic stays on 127.0.0.1. Results: artifacts/load/{transport,e2e}.{md,jsonl}; the .md tables are ready to paste
# into docs/benchmarks.md. Extra arguments go to both runs (e.g. --rounds 5, --smoke, --no-iroh).
# Default run time on the project's 2-core machine: about 3-4 minutes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

peer=bench/Aster.Bench.Load/peer
if command -v npm >/dev/null 2>&1; then
  if [ ! -d "$peer/node_modules" ]; then
    (cd "$peer" && npm ci --no-audit --no-fund --loglevel=error)
  fi
else
  echo "npm not found: the iroh rows will be skipped."
fi

dotnet build bench/Aster.Bench.Load -c Release -nologo -v q | tail -n 3
bin=bench/Aster.Bench.Load/bin/Release/net10.0/Aster.Bench.Load.dll
out=artifacts/load
mkdir -p "$out"
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "commit $commit, $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"

# Each subcommand starts its own server process (and the Node iroh peer) and stops them at the end; timeouts bound
# every run even if something hangs.
timeout 600 dotnet "$bin" transport --out "$out" "$@"
timeout 600 dotnet "$bin" e2e --out "$out" "$@"

echo
echo "Tables: $out/transport.md and $out/e2e.md (commit $commit); raw rows: $out/*.jsonl"
