#!/usr/bin/env bash
# Peak memory of `pullcheck check` on large and hostile inputs, against the budget the README's
# Performance section commits to: peak RSS at most FACTOR times the input's size plus BASE_MB.
# Every input is generated into a temporary directory (nothing large is committed); for each, one
# line: input size, peak RSS (/usr/bin/time's %M), the ratio of the two, wall time, and whether it
# is within the budget. Exits non-zero when any input is over it.
#
#   bench/memory.sh
#   PULLCHECK=/path/to/pullcheck bench/memory.sh   # another build (e.g. main's, for a before figure)
#   FACTOR=20 BASE_MB=30 bench/memory.sh
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
factor=${FACTOR:-20}
base_mb=${BASE_MB:-30}

# 80,000 `images.local` patterns (half literal names, half globs) and one pod.
mkdir -p "$work/local"
awk 'BEGIN { print "images:\n  local:"; for (i = 0; i < 80000; i++) {
  if (i % 2) printf "    - \"registry.example.com/team-%d/app-*\"\n", i; else printf "    - local-image-%d\n", i } }' \
  >"$work/local/.pullcheck.yaml"
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: local-image-4}]}\n' \
  >"$work/local/pod.yaml"

# An inventory in pullcheck's format: 500,000 namespaces, each with a secret and a service account.
mkdir -p "$work/inventory"
awk 'BEGIN { print "namespaces:"; for (i = 0; i < 500000; i++) {
  printf "  ns-%d:\n    secrets: [{name: pull, registries: [r.io]}]\n", i } }' >"$work/inventory/inventory.yaml"
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns-7}\nspec: {imagePullSecrets: [{name: pull}], containers: [{name: c, image: r.io/a:1}]}\n' \
  >"$work/inventory/pod.yaml"

# An inventory of Kubernetes objects: 200,000 Secrets (`kubectl get secrets -A -o yaml`, without data).
mkdir -p "$work/k8s-inventory"
awk 'BEGIN { for (i = 0; i < 200000; i++) {
  printf "---\napiVersion: v1\nkind: Secret\nmetadata: {name: s-%d, namespace: ns-%d}\ntype: Opaque\n", i, i % 1000 } }' \
  >"$work/k8s-inventory/secrets.yaml"
cp "$work/inventory/pod.yaml" "$work/k8s-inventory/pod.yaml"

# 200,000 Pods in one file.
mkdir -p "$work/pods"
awk 'BEGIN { for (i = 0; i < 200000; i++) {
  printf "---\napiVersion: v1\nkind: Pod\nmetadata: {name: pod-%d}\nspec: {containers: [{name: c, image: \"nginx:1.25\"}]}\n", i } }' \
  >"$work/pods/pods.yaml"

printf '%-14s %10s %10s %7s %8s %10s\n' input "size MB" "peak MB" ratio "wall s" "budget MB"
failed=0
measure() {
  local name=$1 size_file=$2
  shift 2
  local bytes
  bytes=$(stat -c %s "$size_file")
  # Exit 1 (findings) is expected; anything else is a failed run.
  local status=0
  /usr/bin/time -f '%M %e' -o "$work/time" "$PULLCHECK" check --quiet "$@" >/dev/null 2>"$work/stderr" || status=$?
  if [ "$status" -gt 1 ]; then
    echo "$name: pullcheck exited $status" >&2
    cat "$work/stderr" >&2
    failed=1
    return
  fi
  local rss_kb wall
  # GNU time writes "Command exited with non-zero status 1" first when findings make it exit 1.
  read -r rss_kb wall < <(tail -n 1 "$work/time")
  awk -v name="$name" -v bytes="$bytes" -v rss="$rss_kb" -v wall="$wall" -v f="$factor" -v b="$base_mb" 'BEGIN {
    mb = bytes / 1048576; peak = rss / 1024; budget = f * mb + b
    printf "%-14s %10.1f %10.1f %7.1f %8.2f %10.1f %s\n", name, mb, peak, peak / mb, wall, budget, (peak > budget ? "OVER" : "ok")
    exit (peak > budget) }' || failed=1
}
(cd "$work/local" && measure images.local .pullcheck.yaml pod.yaml)
measure inventory "$work/inventory/inventory.yaml" --config /dev/null --inventory "$work/inventory/inventory.yaml" "$work/inventory/pod.yaml"
measure k8s-inventory "$work/k8s-inventory/secrets.yaml" --config /dev/null --inventory "$work/k8s-inventory/secrets.yaml" "$work/k8s-inventory/pod.yaml"
measure pods "$work/pods/pods.yaml" --config /dev/null "$work/pods/pods.yaml"
echo "budget: peak RSS <= ${factor} x input + ${base_mb} MB"
exit "$failed"
