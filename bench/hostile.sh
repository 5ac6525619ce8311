#!/usr/bin/env bash
# Wall time, user time and peak RSS of `pullcheck check FILE --format json` on hostile YAML inputs generated
# into a temporary directory: the cases where the loader's work or memory once grew faster than
# the input. One run each, timed by /usr/bin/time; a run is stopped after TIMEOUT seconds (default
# 300) and printed as `>TIMEOUT`.
#
#   bench/hostile.sh                          # builds target/release/pullcheck first
#   PULLCHECK=/path/to/pullcheck bench/hostile.sh   # another build, e.g. for a before/after pair
#   TIMEOUT=60 bench/hostile.sh
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
timeout_s=${TIMEOUT:-300}

# Merge keys whose work doubles at every level: `mN: &mN {<<: [*mN-1, *mN-1]}`, 30 levels, merged
# into a Pod's spec.
python3 - "$work/merge-chain.yaml" <<'EOF'
import sys
n = 30
with open(sys.argv[1], "w") as f:
    f.write("apiVersion: v1\nkind: Pod\nmetadata: {name: s}\nx:\n  m0: &m0 {a: b}\n")
    for i in range(1, n + 1):
        f.write(f"  m{i}: &m{i} {{<<: [*m{i-1}, *m{i-1}]}}\n")
    f.write(f"spec: {{<<: *m{n}, containers: [{{name: a, image: nginx:1}}]}}\n")
EOF
# A million tiny broken documents (6 MB).
python3 -c 'import sys; sys.stdout.write("---\n[\n" * 1_000_000)' > "$work/broken-docs.yaml"
# A 2 MB block list of nested sequences: `- - - … x`.
python3 -c 'import sys; sys.stdout.write("- " * (1 << 20) + "x\n")' > "$work/block-list.yaml"
# 500,000 duplicate keys in one mapping (5.9 MB).
python3 -c 'import sys; sys.stdout.write("kind: ConfigMap\n" + "key: value\n" * 500_000)' > "$work/duplicate-keys.yaml"
# A 5 MB `kubectl get -o json` List on one line: one flow collection from the first byte.
python3 - "$work/json-list.json" <<'EOF'
import json, sys
pod = lambda i: {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"p{i}", "labels": {"app": "web"}},
                 "spec": {"containers": [{"name": "app", "image": f"nginx:1.{i % 30}", "ports": [{"containerPort": 80}]}]}}
json.dump({"apiVersion": "v1", "kind": "List", "items": [pod(i) for i in range(25000)]}, open(sys.argv[1], "w"))
EOF
# Old Mac line endings: a lone CR ends each line; the finding is on line 7.
printf 'apiVersion: v1\rkind: Pod\rmetadata: {name: cr}\rspec:\r  containers:\r  - name: app\r    image: nginx:latest\r' \
  > "$work/cr-only.yaml"

printf '%-20s %8s %10s %8s %8s  %s\n' case MB wall_s user_s peak_MB first_finding
for file in "$work"/{merge-chain,broken-docs,block-list,duplicate-keys,cr-only}.yaml "$work/json-list.json"; do
  case=$(basename "${file%.*}")
  mb=$(awk -v b="$(stat -c %s "$file")" 'BEGIN { printf "%.1f", b / 1048576 }')
  set +e
  /usr/bin/time -f '%e %U %M' -o "$work/time" timeout "$timeout_s" \
    "$PULLCHECK" check "$file" --format json > "$work/out.json" 2> /dev/null
  code=$?
  set -e
  if [ "$code" -eq 124 ]; then
    printf '%-20s %8s %10s %8s %8s  %s\n' "$case" "$mb" ">$timeout_s" "-" "-" "(stopped)"
    continue
  fi
  read -r wall user kb < <(tail -n 1 "$work/time")
  first=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))["diagnostics"]
at = ["%s at %s:%s" % (x["rule"], x["range"]["start"]["line"], x["range"]["start"]["column"]) for x in d[:1]]
print("; ".join(["%d diagnostics" % len(d)] + at))' \
    "$work/out.json" 2> /dev/null || echo "exit $code, no JSON report")
  printf '%-20s %8s %10s %8s %8d  %s\n' "$case" "$mb" "$wall" "$user" $((kb / 1024)) "$first"
done
