#!/usr/bin/env bash
# pullcheck against the YAML parse floor (and checkov, with --with-checkov) on ../shared/corpus at
# 1x, 10x and 50x, and the start-up time of `pullcheck check` on one small file. Prints, from one
# run: the start-up line (median of STARTUP_RUNS runs, hyperfine when installed), then one table
# with the median wall time of the parse floor and of pullcheck over RUNS alternating pairs of runs,
# the median of the pairs' ratios, their peak RSS, and checkov's wall time, peak RSS and how much
# slower it is than pullcheck.
#
#   bench/run.sh                 # 1x, 10x, 50x; 2 threads
#   bench/run.sh --with-checkov  # also checkov's image checks (installs checkov into a venv)
#   SCALES="1 10" RUNS=5 JOBS=2 STARTUP_RUNS=200 bench/run.sh
#   CHECKOV_TIMEOUT=300 CHECKOV_MEM_MB=8192 CHECKOV_VERSION=3.3.30 bench/run.sh --with-checkov
#
# checkov runs once per scale, under a wall-time limit (CHECKOV_TIMEOUT seconds) and a memory
# limit (CHECKOV_MEM_MB, on the summed RSS of its whole process tree, sampled twice a second); when
# it is stopped, its time is printed as ">LIMIT" and the speedup as a lower bound (">Nx").
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
root=$(pwd)
scales=${SCALES:-1 10 50}
runs=${RUNS:-5}
jobs=${JOBS:-2}
startup_runs=${STARTUP_RUNS:-200}
checkov_timeout=${CHECKOV_TIMEOUT:-300}
checkov_mem_mb=${CHECKOV_MEM_MB:-8192}
with_checkov=false
[ "${1:-}" = "--with-checkov" ] && with_checkov=true
work=${BENCH_DIR:-/tmp/pullcheck-bench}
mkdir -p "$work"

cargo build --release --quiet
(cd bench/parse-floor && cargo build --release --quiet)
pullcheck="$root/target/release/pullcheck"
floor="$root/bench/parse-floor/target/release/parse-floor"
checkov="$work/venv/bin/checkov"

if $with_checkov && [ ! -x "$checkov" ]; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --quiet "checkov${CHECKOV_VERSION:+==$CHECKOV_VERSION}"
fi

# microseconds since the epoch, without forking
now_us() {
  local t=$EPOCHREALTIME
  echo "${t/[.,]/}"
}

# wall seconds of one run of a command, to the millisecond (exit code 1, findings, is a normal
# result here)
wall() {
  local t0 t1
  t0=$(now_us)
  "$@" > /dev/null 2>&1 || true
  t1=$(now_us)
  awk -v t=$((t1 - t0)) 'BEGIN {printf "%.3f\n", t / 1e6}'
}

# Times the parse floor and pullcheck on directory $1 in $runs alternating pairs, after one
# unmeasured run of each (it warms the page cache), so that a change in the machine's load hits
# both alike. Sets f and p (median wall seconds) and ratio (median of the pairs' ratios).
paired() {
  local dir=$1 i ft pt
  local floor_cmd=("$floor" --jobs "$jobs" "$dir")
  local pc_cmd=("$pullcheck" check "$dir" --format json --jobs "$jobs" --quiet)
  wall "${floor_cmd[@]}" > /dev/null
  wall "${pc_cmd[@]}" > /dev/null
  for i in $(seq "$runs"); do
    ft=$(wall "${floor_cmd[@]}")
    pt=$(wall "${pc_cmd[@]}")
    echo "$ft $pt"
  done > "$work/pairs"
  f=$(awk '{print $1}' "$work/pairs" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  p=$(awk '{print $2}' "$work/pairs" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  ratio=$(awk '{printf "%.4f\n", $2 / $1}' "$work/pairs" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]}')
}

# peak RSS in MB of one run
peak() {
  { /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null || true; } | tail -1 | awk '{printf "%.0f", $1/1024}'
}

# median wall milliseconds of a short command over $startup_runs runs, after 10 warm-up runs
startup_ms() {
  if command -v hyperfine > /dev/null; then
    # -N: no intermediate shell; -i: exit code 1 (findings) is a normal result.
    hyperfine -N -i --style none --warmup 10 --runs "$startup_runs" \
      --export-csv "$work/startup.csv" -- "$(printf '%q ' "$@")" > /dev/null 2>&1
    # command,mean,stddev,median,user,system,min,max
    awk -F, 'NR == 2 {printf "%.2f", $4 * 1000}' "$work/startup.csv"
  else
    local t0 t1
    for _ in $(seq 10); do "$@" > /dev/null 2>&1 || true; done
    for _ in $(seq "$startup_runs"); do
      t0=$(now_us)
      "$@" > /dev/null 2>&1 || true
      t1=$(now_us)
      echo $((t1 - t0))
    done | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)] / 1000}'
  fi
}

# "summed VmRSS, largest VmHWM" in kB over the processes of session $1 (checkov and its workers)
session_mem() {
  local pid
  for pid in $(ps -e -o pid=,sid= | awk -v s="$1" '$2 == s {print $1}'); do
    cat "/proc/$pid/status" 2> /dev/null || true
  done | awk '/^VmRSS:/ {r += $2} /^VmHWM:/ && $2 > h {h = $2} END {print r + 0, h + 0}'
}

# Samples session $1 (started at $2 µs) twice a second while it runs, printing "rss_kB hwm_kB";
# stops it at the time or memory limit, printing "stop time|memory SECONDS".
watchdog() {
  local leader=$1 t0=$2 rss hwm elapsed stopped=false
  while kill -0 "$leader" 2> /dev/null; do
    read -r rss hwm < <(session_mem "$leader")
    echo "$rss $hwm"
    elapsed=$((($(now_us) - t0) / 1000000))
    if ! $stopped; then
      if [ "$rss" -gt $((checkov_mem_mb * 1024)) ]; then
        echo "stop memory $elapsed"
        stopped=true
      elif [ "$elapsed" -ge "$checkov_timeout" ]; then
        echo "stop time $elapsed"
        stopped=true
      fi
      if $stopped; then
        kill -TERM -- "-$leader" 2> /dev/null || true
        (sleep 10 && kill -KILL -- "-$leader" 2> /dev/null) &
      fi
    fi
    sleep 0.5
  done
}

# Runs checkov's image checks on $1, its JSON report to $2, under the limits. Sets ck_s (seconds,
# or ">N" when stopped), ck_mb (peak RSS of its largest process), ck_stop (empty, time or memory)
# and ck_elapsed (whole seconds).
checkov_leader=""
trap 'if [ -n "$checkov_leader" ]; then kill -KILL -- "-$checkov_leader" 2> /dev/null || true; fi' EXIT
run_checkov() {
  local dir=$1 json=$2 t0 t1 wd
  t0=$(now_us)
  # Its own session and process group, so that the limits stop its workers too.
  setsid "$checkov" -d "$dir" --framework kubernetes --check CKV_K8S_14,CKV_K8S_15,CKV_K8S_43 \
    --skip-download --quiet --compact -o json > "$json" 2> "${json%.json}.log" &
  checkov_leader=$!
  watchdog "$checkov_leader" "$t0" > "${json%.json}.watch" &
  wd=$!
  wait "$checkov_leader" || true
  t1=$(now_us)
  wait "$wd" || true
  kill -KILL -- "-$checkov_leader" 2> /dev/null || true
  checkov_leader=""
  ck_stop=$(awk '$1 == "stop" {print $2}' "${json%.json}.watch")
  ck_mb=$(awk '$1 != "stop" && $2 > h {h = $2} END {printf "%.0f", h / 1024}' "${json%.json}.watch")
  ck_elapsed=$(((t1 - t0) / 1000000))
  case $ck_stop in
    time) ck_s=">$checkov_timeout" ;;
    memory) ck_s=">$ck_elapsed" ck_mb=">$checkov_mem_mb" ;;
    *) ck_s=$(awk -v t=$((t1 - t0)) 'BEGIN {printf "%.1f", t / 1e6}') ;;
  esac
}

# "N failed checks (ID n, ...) in M resources" from checkov's JSON report
checkov_findings() {
  "$work/venv/bin/python" - "$1" << 'EOF'
import collections, json, sys
report = json.load(open(sys.argv[1]))
reports = report if isinstance(report, list) else [report]
failed = [c for r in reports for c in r.get("results", {}).get("failed_checks", [])]
resources = sum(r.get("summary", {}).get("resource_count", 0) for r in reports)
by_id = collections.Counter(c["check_id"] for c in failed)
ids = ", ".join(f"{k} {v}" for k, v in sorted(by_id.items()))
print(f"{len(failed)} failed checks ({ids}) in {resources} resources")
EOF
}

# "N findings" from pullcheck's JSON report
pullcheck_findings() {
  "$work/venv/bin/python" -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["diagnostics"]), "findings")' "$1"
}

# Start-up: one small, clean Deployment, checked the way pre-commit and editors check a file.
startup_file="$work/startup/deployment.yaml"
mkdir -p "$work/startup"
cat > "$startup_file" << 'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: registry.k8s.io/e2e-test-images/agnhost:2.47
          ports:
            - containerPort: 8080
EOF
tool=$(command -v hyperfine > /dev/null && echo hyperfine || echo "a shell loop")
su=$(startup_ms "$pullcheck" check "$startup_file")
sf=$(startup_ms "$floor" "$startup_file")
printf '%s\n' "start-up, one small file (median of $startup_runs runs, $tool): pullcheck check ${su} ms; parse floor ${sf} ms"

printf '%s\n' "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $jobs threads; median of $runs alternating pairs of runs; checkov: one run"
printf '%-6s %9s %9s %11s %7s %9s %7s %10s %10s %8s\n' \
  scale MB floor_s pullcheck_s ratio floor_MB pc_MB checkov_s checkov_MB speedup
notes=()
for n in $scales; do
  dir="$work/corpus-${n}x"
  bench/scale-corpus.sh "$n" "$dir"
  mb=$(du -sm --apparent-size "$dir" | cut -f1)
  paired "$dir"
  fm=$(peak "$floor" --jobs "$jobs" "$dir")
  pm=$(peak "$pullcheck" check "$dir" --format json --jobs "$jobs" --quiet)
  c="-" cm="-" s="-"
  if $with_checkov; then
    json="$work/checkov-${n}x.json"
    run_checkov "$dir" "$json"
    c=$ck_s cm=$ck_mb
    if [ -n "$ck_stop" ]; then
      s=$(awk -v c="$ck_elapsed" -v p="$p" 'BEGIN {printf ">%dx", c / p}')
      notes+=("checkov ${n}x: stopped by the $ck_stop limit after ${ck_elapsed} s")
    else
      s=$(awk -v c="$c" -v p="$p" 'BEGIN {printf "%.0fx", c / p}')
      "$pullcheck" check "$dir" --format json --jobs "$jobs" --quiet > "$work/pullcheck-${n}x.json" || true
      found=$(checkov_findings "$json" 2> /dev/null || echo "an unreadable report")
      notes+=("checkov ${n}x: $found; pullcheck: $(pullcheck_findings "$work/pullcheck-${n}x.json")")
      case $found in
        "0 failed"* | "an unreadable"*) notes+=("WARNING: checkov found nothing at ${n}x: see $json") ;;
      esac
    fi
  fi
  printf '%-6s %9s %9s %11s %7s %9s %7s %10s %10s %8s\n' \
    "${n}x" "$mb" "$f" "$p" "$ratio" "$fm" "$pm" "$c" "$cm" "$s"
done
if [ ${#notes[@]} -gt 0 ]; then
  printf '%s\n' "${notes[@]}"
fi
if $with_checkov; then
  printf '%s\n' "checkov $("$checkov" --version) (CKV_K8S_14, CKV_K8S_15, CKV_K8S_43; limits ${checkov_timeout} s, ${checkov_mem_mb} MB)"
fi
