#!/usr/bin/env bash
# Makes the kubectl captures of this folder, offline: kubectl's client-side dry run prints each
# object as the API would hold it, and the script assembles them as `kubectl get
# namespaces,secrets,serviceaccounts -A` prints them (a List in JSON, a stream of objects in YAML).
# The tests read the captured files; they never run kubectl.
#
# IBM Cloud's case: the registry secret `all-icr-io` exists only in `default`, whose default
# service account was patched to use it; the namespace `apps` has neither, so a pod there that
# pulls from us.icr.io fails. Every credential is a marker (PASSWORD-MARKER-…, and the same in
# base64 inside the payloads) that tests/cluster.rs looks for in every output.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
k() { kubectl "$@" --dry-run=client -o json; }
n=0
add() { n=$((n + 1)); "$@" > "$work/$(printf %02d $n).json"; }
add k create namespace default
add k create namespace apps
add k create namespace kube-system
add k create secret docker-registry all-icr-io -n default --docker-server=us.icr.io \
  --docker-username=iamapikey --docker-password=PASSWORD-MARKER-1 --docker-email=a@example.com
add k create secret docker-registry ghcr-pull -n apps --docker-server=https://ghcr.io \
  --docker-username=bot --docker-password=PASSWORD-MARKER-2
add k create secret generic db-creds -n apps --from-literal=password=PASSWORD-MARKER-3
add k create serviceaccount default -n default
add k create serviceaccount default -n apps
add k create serviceaccount builder -n apps
python3 - "$work" <<'PY'
import base64, json, glob, sys
work = sys.argv[1]
items = [json.load(open(f)) for f in sorted(glob.glob(work + "/*.json"))]
for i, o in enumerate(items):
    o["metadata"].pop("creationTimestamp", None)
    o["metadata"]["uid"] = "00000000-0000-4000-8000-%012d" % i
    o["metadata"]["resourceVersion"] = str(1000 + i)
    if o["kind"] == "ServiceAccount" and o["metadata"]["namespace"] == "default":
        o["imagePullSecrets"] = [{"name": "all-icr-io"}]  # patched, as IBM's docs say to
    if o["kind"] == "ServiceAccount" and o["metadata"]["name"] == "builder":
        o["imagePullSecrets"] = [{"name": "ghcr-pull"}]
        o["secrets"] = [{"name": "builder-token"}]
def secret(name, type_, **fields):
    return dict({"apiVersion": "v1", "kind": "Secret", "type": type_,
                 "metadata": {"name": name, "namespace": "apps"}}, **fields)
b64 = lambda text: base64.b64encode(text.encode()).decode()
# The legacy .dockercfg layout, stringData, and payloads that do not decode: no keys, no leak.
items.append(secret("legacy-pull", "kubernetes.io/dockercfg",
    data={".dockercfg": b64('{"quay.io":{"auth":"%s","email":"PASSWORD-MARKER-4"}}' % b64("u:PASSWORD-MARKER-4"))}))
items.append(secret("string-pull", "kubernetes.io/dockerconfigjson",
    stringData={".dockerconfigjson": '{"auths":{"registry.example.com:5000":{"password":"PASSWORD-MARKER-5"}}}'}))
items.append(secret("not-base64", "kubernetes.io/dockerconfigjson", data={".dockerconfigjson": "PASSWORD-MARKER-6!!"}))
items.append(secret("not-json", "kubernetes.io/dockerconfigjson", data={".dockerconfigjson": b64("PASSWORD-MARKER-7 {")}))
items.append(secret("no-auths", "kubernetes.io/dockerconfigjson", data={".dockerconfigjson": b64('{"PASSWORD-MARKER-8":{}}')}))
items.append(secret("wrong-shape", "kubernetes.io/dockerconfigjson", data={".dockerconfigjson": ["PASSWORD-MARKER-9"]}))
items.append(secret("token", "kubernetes.io/service-account-token",
    data={"token": b64("PASSWORD-MARKER-10"), "ca.crt": b64("PASSWORD-MARKER-11")}))
# Nodes as `kubectl get nodes -o json` gives them (status.images: names and sizes, as NodeStatus
# has them; the kubelet lists a digest name and a tag name for each image): written by hand, as a
# dry run cannot make a Node's status.
def node(name, *images):
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
            "status": {"images": [{"names": names, "sizeBytes": 1000000 + 1000 * i} for i, names in enumerate(images)],
                       "nodeInfo": {"containerRuntimeVersion": "containerd://1.7.22", "kubeletVersion": "v1.31.2"}}}
debug = ["registry.example.com/tools/debug@sha256:" + "1" * 64, "registry.example.com/tools/debug:2.0"]
pause = ["registry.k8s.io/pause@sha256:" + "2" * 64, "registry.k8s.io/pause:3.10"]
items.append(node("worker-1", debug, pause, ["sha256:" + "3" * 64]))
items.append(node("worker-2", pause))
json.dump({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}},
          open("kubectl-get.json", "w"), indent=4)
open("kubectl-get.json", "a").write("\n")
import yaml
with open("kubectl-get.yaml", "w") as out:
    out.write(yaml.safe_dump_all(items, sort_keys=True))
PY
