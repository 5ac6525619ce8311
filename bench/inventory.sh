#!/usr/bin/env bash
# Peak memory and time of `pullcheck inventory` on what `kubectl get secrets -A -o json` prints
# for a large cluster: a List of docker-registry Secrets of about SIZE_MB megabytes (default 50),
# each with a payload of a few kilobytes, in 2,000 namespaces. JSON is read as a stream and each
# payload dropped once its registry keys are read, so the peak should stay flat as the input grows:
# the script runs the same at a tenth of the size to show it. Generated into a temporary directory.
#
#   bench/inventory.sh
#   SIZE_MB=200 bench/inventory.sh
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
size_mb=${SIZE_MB:-50}

generate() { # MB FILE
  python3 - "$1" "$2" <<'PY'
import base64, json, sys
target, path = int(sys.argv[1]) << 20, sys.argv[2]
# A payload of about 3 KB: an auths map with a long identity token, as cloud registries give.
config = {"auths": {"us.icr.io": {"auth": base64.b64encode(b"iamapikey:" + b"x" * 2000).decode(),
                                   "identitytoken": "t" * 600}}}
payload = base64.b64encode(json.dumps(config).encode()).decode()
with open(path, "w") as out:
    out.write('{\n    "apiVersion": "v1",\n    "items": [\n')
    written, i = 0, 0
    while written < target:
        item = {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
                "metadata": {"name": "pull-%d" % i, "namespace": "ns-%d" % (i % 2000)},
                "data": {".dockerconfigjson": payload}}
        text = ("" if i == 0 else ",\n") + json.dumps(item, indent=4)
        out.write(text)
        written += len(text)
        i += 1
    out.write('\n    ],\n    "kind": "List",\n    "metadata": {"resourceVersion": ""}\n}\n')
PY
}

printf '%-10s %10s %14s %10s %8s\n' input size "peak RSS" secrets time
for mb in $((size_mb / 10)) "$size_mb"; do
  generate "$mb" "$work/secrets.json"
  size=$(wc -c <"$work/secrets.json")
  /usr/bin/time -f '%M %e' -o "$work/time" "$PULLCHECK" inventory "$work/secrets.json" -o "$work/cluster.yaml"
  read -r rss seconds <"$work/time"
  secrets=$(grep -c '^      - name:' "$work/cluster.yaml" || true)
  printf '%-10s %8s MB %11s MB %10s %7ss\n' "${mb}MB" $((size >> 20)) $((rss / 1024)) "$secrets" "$seconds"
done
