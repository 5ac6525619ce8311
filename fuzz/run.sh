#!/usr/bin/env bash
# Builds every fuzz target, then runs each for a bounded time, seeded from testdata/ and examples/.
# Fails when a target does not build, or when a run finds a crash (left in artifacts/<target>/) or
# stops for any other reason than its time being up. Prints, per target, the executions, the
# coverage (libFuzzer's `cov`: edges reached; `ft`: features) and the corpus size at the end; each
# run's whole output is in logs/<target>.log.
#
# Not part of .ci/run, which only builds the targets as plain binaries (no instrumentation). It
# needs cargo-fuzz (installed when missing) and a compiler that accepts nightly flags: a nightly
# toolchain, or the stable one with RUSTC_BOOTSTRAP=1, which is what this script uses when no
# nightly is installed.
#
#   fuzz/run.sh                           # 60 s per target
#   SECONDS_PER_TARGET=600 fuzz/run.sh
#   fuzz/run.sh lsp_frame check_text      # only these targets
set -euo pipefail
cd "$(dirname "$0")"
seconds=${SECONDS_PER_TARGET:-60}
all_targets=(image_ref check_text docker_config lsp_frame)
targets=("${all_targets[@]}")
if [ "$#" -gt 0 ]; then
  targets=("$@")
fi
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
toolchain=()
if rustup toolchain list 2>/dev/null | grep -q nightly; then
  toolchain=(+nightly)
else
  export RUSTC_BOOTSTRAP=1
fi

# Every target first: one that does not compile stops the script here, before any run.
cargo "${toolchain[@]}" fuzz build

# Seeds: every manifest for the whole-path target, image strings for the parser, both layouts of a
# docker config, and a few framed LSP messages (well formed and not).
mkdir -p corpus/check_text corpus/image_ref corpus/docker_config corpus/lsp_frame logs
find ../testdata ../examples \( -name '*.yaml' -o -name '*.json' \) -print0 | while IFS= read -r -d '' f; do
  cp "$f" "corpus/check_text/$(printf '%s' "$f" | tr '/' '_')"
done
grep -rhoE 'image: *"?[^" #]+' ../testdata ../examples | sed -E 's/image: *"?//' | sort -u | while read -r image; do
  printf '%s' "$image" > "corpus/image_ref/$(printf '%s' "$image" | sha1sum | cut -c1-16)"
done
printf '{"auths":{"us.icr.io":{"auth":"eDp5"}}}' > corpus/docker_config/auths
printf '{"quay.io":{"auth":"eDp5"}}' > corpus/docker_config/dockercfg
frame() { printf 'Content-Length: %d\r\n\r\n%s' "${#1}" "$1"; }
frame '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}' > corpus/lsp_frame/initialize
{ frame '{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///a.yaml","languageId":"yaml","version":1,"text":"kind: Pod\n"}}}'
  frame '{"jsonrpc":"2.0","id":"s","method":"shutdown"}'; } > corpus/lsp_frame/open-shutdown
printf 'content-length:2\n\n{}Content-Type: x\r\n\r\n[]' > corpus/lsp_frame/lf-and-no-length
printf 'Content-Length: 300\r\n\r\n%0300d' 0 > corpus/lsp_frame/too-large
printf 'Content-Length: 4\r\n\r\n"\xff\xfe"' > corpus/lsp_frame/not-utf8

failed=()
for target in "${targets[@]}"; do
  log="logs/$target.log"
  echo "== $target: $seconds s (log: fuzz/$log)"
  status=0
  cargo "${toolchain[@]}" fuzz run "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -max_len=65536 -print_final_stats=1 > "$log" 2>&1 || status=$?
  # The last status line (`#N DONE cov: … ft: … corp: …`, or the last before a crash).
  stats=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  runs=$(grep -oE '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -n 1 || true)
  echo "   ${runs:-no final count}; last: ${stats:-no status line}"
  if [ "$status" -ne 0 ]; then
    failed+=("$target")
    echo "   FAILED (exit $status):"
    grep -E 'panicked at|^SUMMARY|^==[0-9]+==ERROR|Test unit written to|^artifact_prefix' "$log" | sed 's/^/   /' | head -n 20 || true
  fi
done

if [ "${#failed[@]}" -ne 0 ]; then
  echo "fuzzing failed for: ${failed[*]} (crash inputs under fuzz/artifacts/<target>/)" >&2
  exit 1
fi
