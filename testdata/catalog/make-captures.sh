#!/usr/bin/env bash
# Makes the captures of this folder from a real registry, on loopback: Debian's `docker-registry`
# (the CNCF distribution registry) and `skopeo`. A one-layer OCI image is written by hand, pushed
# under several tags, and the registry's own answers are saved:
#   registry-api-tags.json   GET /v2/team/app/tags/list       (the distribution API)
#   skopeo-list-tags.json    skopeo list-tags docker://…/team/web
#   references.txt           the same repositories, one reference per line, as `crane ls
#                            --full-ref` or `docker images --format '{{.Repository}}:{{.Tag}}'`
#                            print them (written from the API's answers, with the registry's name)
# The tests read these files; they never start a server. Needs: apt-get install docker-registry
# skopeo curl python3.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
port=${PORT:-5055}
cleanup() { [ -n "${registry_pid:-}" ] && kill "$registry_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

cat >"$work/config.yml" <<YAML
version: 0.1
storage:
  filesystem:
    rootdirectory: $work/storage
http:
  addr: 127.0.0.1:$port
YAML
docker-registry serve "$work/config.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done

# An OCI image layout with one empty layer.
python3 - "$work/image" <<'PY'
import gzip, hashlib, io, json, os, sys, tarfile
root = sys.argv[1]
os.makedirs(root + "/blobs/sha256")
def blob(data):
    digest = hashlib.sha256(data).hexdigest()
    open(f"{root}/blobs/sha256/{digest}", "wb").write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}
raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode="w"):
    pass
layer = gzip.compress(raw.getvalue(), mtime=0)
diff_id = "sha256:" + hashlib.sha256(raw.getvalue()).hexdigest()
config = json.dumps({"architecture": "amd64", "os": "linux",
                     "rootfs": {"type": "layers", "diff_ids": [diff_id]}}).encode()
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": dict(blob(config), mediaType="application/vnd.oci.image.config.v1+json"),
    "layers": [dict(blob(layer), mediaType="application/vnd.oci.image.layer.v1.tar+gzip")]}).encode()
index = {"schemaVersion": 2, "manifests": [dict(blob(manifest),
    mediaType="application/vnd.oci.image.manifest.v1+json", annotations={"org.opencontainers.image.ref.name": "latest"})]}
json.dump(index, open(root + "/index.json", "w"))
json.dump({"imageLayoutVersion": "1.0.0"}, open(root + "/oci-layout", "w"))
PY

push() { skopeo copy --quiet --dest-tls-verify=false "oci:$work/image:latest" "docker://127.0.0.1:$port/$1"; }
for tag in 1.2.3 1.3.0 1.10.0 latest; do push "team/app:$tag"; done
for tag in 2.0.0 2.1.0; do push "team/web:$tag"; done

curl -fs "http://127.0.0.1:$port/v2/team/app/tags/list" >registry-api-tags.json
echo >>registry-api-tags.json
skopeo list-tags --tls-verify=false "docker://127.0.0.1:$port/team/web" >skopeo-list-tags.json
{
  echo "# crane ls --full-ref, for each repository of registry.example.com/team"
  for repository in team/app team/web; do
    curl -fs "http://127.0.0.1:$port/v2/$repository/tags/list" |
      python3 -c 'import json, sys; r = json.load(sys.stdin); [print("registry.example.com/%s:%s" % (r["name"], t)) for t in sorted(r["tags"])]'
  done
} >references.txt
echo "captured from docker-registry $(docker-registry --version 2>/dev/null | head -1) and $(skopeo --version)"
