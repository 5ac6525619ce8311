#!/usr/bin/env bash
# Builds this machine's part of a release with cargo-dist, as .github/workflows/release.yml does
# on each runner, and tests what a user gets: the archive, `sha256.sum`, and the shell installer,
# run against the built files (no network), which must install a working pullcheck and refuse an
# archive whose checksum does not match.
#
#   scripts/test-release.sh        # needs `dist` on the PATH: cargo install cargo-dist --locked
#
# The release's Linux targets are musl ones, whose Rust standard library a machine without
# rustup's downloads may lack: the build runs in a copy of the checkout whose dist-workspace.toml
# also lists this machine's own target. `dist plan` first checks that release.yml is what
# `dist generate` makes of dist-workspace.toml.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
command -v dist >/dev/null || { echo "dist is not installed: cargo install cargo-dist --locked" >&2; exit 2; }
dist plan >/dev/null
host="$(rustc -vV | sed -n 's/^host: //p')"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
# The committed files plus the working tree's changes, without target/ (a tracked file deleted in
# the working tree is left out).
# shellcheck disable=SC2016 # the inner script expands its own arguments
git ls-files -z --cached --others --exclude-standard \
  | xargs -0 sh -c 'for f; do [ -e "$f" ] && cp --parents -- "$f" "$0"; done; true' "$scratch"
cd "$scratch"
git init --quiet . && git add -A && git -c user.name=t -c user.email=t@t commit --quiet -m release
sed -i "s/^targets = \[/targets = [\"$host\", /" dist-workspace.toml
# The checkout's target directory, for its compiled dependencies; dist writes the release's files
# to target/distrib of the copy.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
distrib="$scratch/target/distrib"
# As the release's jobs: each runner's archive and its manifest, then the global artifacts
# (installers, sha256.sum) from those manifests, so the installers hold the archives' checksums.
dist build --allow-dirty --artifacts=local --target="$host" --output-format=json > "$scratch/local.json"
mv "$scratch/local.json" "$distrib/$host-dist-manifest.json"
dist build --allow-dirty --artifacts=global --output-format=json > /dev/null
ls -l "$distrib"
(cd "$distrib" && sha256sum --ignore-missing -c sha256.sum)

# The installer, from the built files: unmanaged (no receipt, no change to shell profiles).
PULLCHECK_DOWNLOAD_URL="file://$distrib" PULLCHECK_UNMANAGED_INSTALL="$scratch/bin" \
  sh "$distrib/pullcheck-installer.sh"
"$scratch/bin/pullcheck" --version
set +e
NO_COLOR=1 "$scratch/bin/pullcheck" check --config examples/shop/.pullcheck.yaml examples/shop > "$scratch/report" 2>&1
code=$?
set -e
if [ "$code" -ne 1 ] || ! grep -q 'error\[unknown-pull-secret\]' "$scratch/report"; then
  cat "$scratch/report"
  echo "the installed pullcheck exited $code" >&2
  exit 1
fi

# A damaged archive is refused.
printf x >> "$distrib/pullcheck-$host.tar.xz"
if PULLCHECK_DOWNLOAD_URL="file://$distrib" PULLCHECK_UNMANAGED_INSTALL="$scratch/bin2" \
  sh "$distrib/pullcheck-installer.sh" > "$scratch/damaged" 2>&1; then
  echo "the installer accepted a damaged archive" >&2
  exit 1
fi
grep -q 'checksum mismatch' "$scratch/damaged"
echo "release: ok"
