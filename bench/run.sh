#!/usr/bin/env bash
# pullcheck against the YAML parse floor (and checkov, with --with-checkov) on ../shared/corpus at
# 1x, 10x and 50x. Prints one table from one run: median wall time over RUNS runs (hyperfine when
# installed, else repeated runs), peak RSS, and the ratios.
#
#   bench/run.sh                 # 1x, 10x, 50x; 2 threads
#   bench/run.sh --with-checkov  # also checkov's image checks (installs checkov into a venv)
#   SCALES="1 10" RUNS=5 JOBS=2 bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scales=${SCALES:-1 10 50}
runs=${RUNS:-5}
jobs=${JOBS:-2}
with_checkov=false
[ "${1:-}" = "--with-checkov" ] && with_checkov=true
work=${BENCH_DIR:-/tmp/pullcheck-bench}
mkdir -p "$work"

cargo build --release --quiet
(cd bench/parse-floor && cargo build --release --quiet)
pullcheck="$root/target/release/pullcheck"
floor="$root/bench/parse-floor/target/release/parse-floor"

if $with_checkov && [ ! -x "$work/venv/bin/checkov" ]; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --quiet checkov
fi

# median wall seconds of a command over $runs runs (the first run warms the page cache)
median() {
  "$@" > /dev/null 2>&1 || true
  for _ in $(seq "$runs"); do
    # Exit code 1 (findings) is a normal result here.
    { /usr/bin/time -f "%e" "$@" 2>&1 >/dev/null || true; } | tail -1
  done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
# peak RSS in MB of one run
peak() {
  { /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null || true; } | tail -1 | awk '{printf "%.0f", $1/1024}'
}

printf '%s\n' "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $jobs threads; median of $runs runs"
printf '%-6s %9s %11s %11s %9s %9s %9s %11s %9s\n' scale MB floor_s pullcheck_s ratio floor_MB pc_MB checkov_s speedup
for n in $scales; do
  dir="$work/corpus-${n}x"
  bench/scale-corpus.sh "$n" "$dir"
  mb=$(du -sm --apparent-size "$dir" | cut -f1)
  f=$(median "$floor" --jobs "$jobs" "$dir")
  p=$(median "$pullcheck" check "$dir" --format json --jobs "$jobs" --quiet)
  fm=$(peak "$floor" --jobs "$jobs" "$dir")
  pm=$(peak "$pullcheck" check "$dir" --format json --jobs "$jobs" --quiet)
  c="-"; s="-"
  if $with_checkov && [ "$n" -le 10 ]; then
    c=$( { /usr/bin/time -f "%e" "$work/venv/bin/checkov" -d "$dir" --framework kubernetes \
          --check CKV_K8S_14,CKV_K8S_15,CKV_K8S_43 --quiet --compact -o json 2>&1 >/dev/null || true; } | tail -1)
    s=$(awk -v c="$c" -v p="$p" 'BEGIN {printf "%.0fx", c/p}')
  fi
  ratio=$(awk -v f="$f" -v p="$p" 'BEGIN {printf "%.2f", p/f}')
  printf '%-6s %9s %11s %11s %9s %9s %9s %11s %9s\n' "${n}x" "$mb" "$f" "$p" "$ratio" "$fm" "$pm" "$c" "$s"
done
