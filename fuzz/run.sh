#!/usr/bin/env bash
# Runs every fuzz target for a bounded time, seeded from testdata/. Not part of .ci/run: it needs
# cargo-fuzz and a compiler that accepts nightly flags (a nightly toolchain, or the stable one with
# RUSTC_BOOTSTRAP=1, which is what this script uses when no nightly is installed).
#
#   fuzz/run.sh            # 60 s per target
#   SECONDS_PER_TARGET=600 fuzz/run.sh
set -euo pipefail
cd "$(dirname "$0")"
seconds=${SECONDS_PER_TARGET:-60}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
toolchain=()
if rustup toolchain list 2>/dev/null | grep -q nightly; then
  toolchain=(+nightly)
else
  export RUSTC_BOOTSTRAP=1
fi

# Seeds: every manifest under testdata/ for the whole-path target, image strings for the parser.
mkdir -p corpus/check_text corpus/image_ref corpus/docker_config
find ../testdata ../examples -name '*.yaml' -o -name '*.json' | while read -r f; do
  cp "$f" "corpus/check_text/$(echo "$f" | tr '/' '_')"
done
grep -rhoE 'image: *"?[^" #]+' ../testdata ../examples | sed -E 's/image: *"?//' | sort -u | while read -r image; do
  printf '%s' "$image" > "corpus/image_ref/$(printf '%s' "$image" | sha1sum | cut -c1-16)"
done
printf '{"auths":{"us.icr.io":{"auth":"eDp5"}}}' > corpus/docker_config/auths
printf '{"quay.io":{"auth":"eDp5"}}' > corpus/docker_config/dockercfg

for target in image_ref check_text docker_config; do
  echo "== $target: $seconds s"
  cargo "${toolchain[@]}" fuzz run "$target" "corpus/$target" -- -max_total_time="$seconds" -max_len=65536 2>&1 \
    | grep -E '^(#[0-9]+.*DONE|Done|==|SUMMARY|.*panicked)' || true
done
