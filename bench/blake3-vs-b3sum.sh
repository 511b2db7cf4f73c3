#!/usr/bin/env bash
# Compares our BLAKE3 with b3sum --num-threads 1 on the same file in the same run.
# Usage: bench/blake3-vs-b3sum.sh [FILE]   (env: SIZE_MIB=256 RUNS=5)
# Prints MiB/s for both, by wall time and by CPU time (user+sys; the right measure on a shared machine), and the ratios.
set -euo pipefail
SIZE_MIB=${SIZE_MIB:-256}
RUNS=${RUNS:-5}
FILE=${1:-/tmp/blake3-bench-${SIZE_MIB}MiB.bin}
ROOT=$(cd "$(dirname "$0")/.." && pwd)

command -v b3sum >/dev/null || { echo "b3sum is not installed (apt-get install -y b3sum)" >&2; exit 1; }
if [ ! -f "$FILE" ]; then
  head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$FILE"
fi
BYTES=$(stat -c %s "$FILE")
MIB=$(awk -v b="$BYTES" 'BEGIN { printf "%.3f", b / 1048576 }')
cat "$FILE" > /dev/null # page cache

dotnet build -c Release -nologo -v q "$ROOT/bench/Aster.Bench.Micro" >/dev/null
DLL="$ROOT/bench/Aster.Bench.Micro/bin/Release/net10.0/Aster.Bench.Micro.dll"

# Times b3sum RUNS times; prints "best_wall best_cpu median_wall median_cpu" in MiB/s.
time_b3sum() {
  local walls=() cpus=() i t
  for ((i = 0; i < RUNS; i++)); do
    t=$( { TIMEFORMAT='%R %U %S'; time b3sum --num-threads 1 "$FILE" > /tmp/b3sum.out; } 2>&1 )
    walls+=("$(awk -v m="$MIB" -v r="${t%% *}" 'BEGIN { printf "%.1f", m / r }')")
    cpus+=("$(echo "$t" | awk -v m="$MIB" '{ printf "%.1f", m / ($2 + $3) }')")
  done
  printf '%s\n' "${walls[@]}" | sort -g | awk '{ a[NR] = $1 } END { printf "%s %s ", a[NR], a[int((NR + 1) / 2)] }'
  printf '%s\n' "${cpus[@]}" | sort -g | awk '{ a[NR] = $1 } END { printf "%s %s\n", a[NR], a[int((NR + 1) / 2)] }'
}

echo "file: $FILE ($MIB MiB), runs: $RUNS, load: $(cut -d' ' -f1-3 /proc/loadavg)"
read -r B1_WALL_BEST B1_WALL_MED B1_CPU_BEST B1_CPU_MED < <(time_b3sum)
OURS=$(dotnet "$DLL" --b3sum-compare "$FILE" "$RUNS")
read -r B2_WALL_BEST B2_WALL_MED B2_CPU_BEST B2_CPU_MED < <(time_b3sum)
echo "$OURS" | grep -v "^cpu_ns"
echo "CPU time per hash, best of 5 (ns; ratio to SHA-256 in the same run):"
echo "$OURS" | awk '$1 == "cpu_ns" { printf "  %8s B  %-17s %14.1f ns  %6.3fx sha256  %9.1f MiB/s\n", $2, $3, $4, $6, $2 / $4 * 1e9 / 1048576 }'

B3SUM_HASH=$(cut -d' ' -f1 /tmp/b3sum.out)
OUR_HASH=$(echo "$OURS" | awk '/^hash / { print $2 }')
[ "$B3SUM_HASH" = "$OUR_HASH" ] && echo "hashes agree: $OUR_HASH" || { echo "HASH MISMATCH: b3sum $B3SUM_HASH, ours $OUR_HASH" >&2; exit 2; }

field() { echo "$OURS" | awk -v k="$1" -v f="$2" '$1 == k { print $f }'; }
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b ? a : b) }'; }
B_WALL=$(best "$B1_WALL_BEST" "$B2_WALL_BEST")
B_CPU=$(best "$B1_CPU_BEST" "$B2_CPU_BEST")
echo "b3sum --num-threads 1: wall best $B_WALL MiB/s (medians $B1_WALL_MED, $B2_WALL_MED); cpu best $B_CPU MiB/s (medians $B1_CPU_MED, $B2_CPU_MED)"
for kind in mapped memory stream; do
  W=$(field "${kind}_wall_mibps" 3)
  C=$(field "${kind}_cpu_mibps" 3)
  awk -v k="$kind" -v w="$W" -v c="$C" -v bw="$B_WALL" -v bc="$B_CPU" \
    'BEGIN { printf "ours (%s): wall best %.1f MiB/s = %.2fx b3sum; cpu best %.1f MiB/s = %.2fx b3sum\n", k, w, w / bw, c, c / bc }'
done
