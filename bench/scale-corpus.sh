#!/usr/bin/env bash
# Copies ../shared/corpus N times into DEST (copy-1, copy-2, ...), for benchmarks at scale.
#   bench/scale-corpus.sh 10 /tmp/corpus-10x
set -euo pipefail
n=${1:?usage: scale-corpus.sh N DEST}
dest=${2:?usage: scale-corpus.sh N DEST}
source_dir="$(cd "$(dirname "$0")/../../shared/corpus" && pwd)"
if [ -f "$dest/.scaled-$n" ]; then exit 0; fi
rm -rf "$dest"
mkdir -p "$dest"
for i in $(seq 1 "$n"); do
  cp -r "$source_dir" "$dest/copy-$i"
done
touch "$dest/.scaled-$n"
