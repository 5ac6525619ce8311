#!/usr/bin/env bash
# Reports with many findings in one file: the time and size of each format on three generated
# inputs, to show that a report grows linearly with its findings.
#   bench/findings.sh            # 10,000 Pods in one YAML file; a minified List of 10,000
#                                # Deployments on one line; one 340 KB line with 10,000 findings;
#                                # helm template's output of a List of 10,000 Pods
#   N=20000 bench/findings.sh
set -euo pipefail
n=${N:-10000}
dir=${BENCH_DIR:-/tmp/pullcheck-bench}/findings-$n
root="$(cd "$(dirname "$0")/.." && pwd)"
cargo build --release --locked --quiet --manifest-path "$root/Cargo.toml"
bin="${CARGO_TARGET_DIR:-$root/target}/release/pullcheck"
mkdir -p "$dir"
python3 - "$dir" "$n" <<'PY'
import json, sys
d, n = sys.argv[1], int(sys.argv[2])
with open(f"{d}/pods.yaml", "w") as f:
    f.write("".join(f"---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}}}\nspec:\n  containers:\n  - name: c\n    image: nginx\n" for i in range(n)))
items = [{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": f"d{i}"},
          "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx"}]}}}} for i in range(n)]
with open(f"{d}/list.json", "w") as f:
    json.dump({"apiVersion": "v1", "kind": "List", "items": items}, f, separators=(",", ":"))
# One Pod whose containers sit on one flow line: one finding per container.
containers = ",".join(f"{{name: c{i}, image: nginx}}" for i in range(n))
with open(f"{d}/line.yaml", "w") as f:
    f.write(f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec: {{containers: [{containers}]}}\n")
# helm template's output: one document, after a `# Source:` comment, a List of n Pods.
with open(f"{d}/helm.yaml", "w") as f:
    f.write("---\n# Source: chart/templates/list.yaml\napiVersion: v1\nkind: List\nitems:\n")
    f.write("".join(f"- apiVersion: v1\n  kind: Pod\n  metadata: {{name: p{i}}}\n  spec:\n    containers:\n    - name: c\n      image: nginx\n" for i in range(n)))
PY
printf '%-10s %-8s %8s %10s %8s\n' input format seconds output_MB peak_MB
for input in pods.yaml list.json line.yaml helm.yaml; do
  for format in human json sarif github; do
    start=$EPOCHREALTIME
    rm -f "$dir/out"
    /usr/bin/time -f %M -o "$dir/rss" "$bin" check "$dir/$input" --format "$format" --color never >"$dir/out" 2>/dev/null || true
    end=$EPOCHREALTIME
    printf '%-10s %-8s %8.2f %10.1f %8.1f\n' "$input" "$format" "$(echo "$end - $start" | bc)" \
      "$(echo "$(stat -c %s "$dir/out") / 1048576" | bc -l)" "$(echo "$(cat "$dir/rss") / 1024" | bc -l)"
  done
done
