#!/usr/bin/env bash
# Tests the Python wheel (pyproject.toml: maturin's `bin` bindings) as a user gets it: installed
# into a fresh virtual environment without a Rust toolchain on the PATH, `pullcheck --version`
# and a `check` of the example must work. Prints the wheel's size and the install time.
#
#   scripts/test-wheel.sh                 # builds the wheel (maturin build --release), then tests it
#   scripts/test-wheel.sh --profile dev   # a quicker wheel of a debug build (what .ci/run does)
#   scripts/test-wheel.sh WHEEL           # tests a wheel built before (a release asset)
#
# maturin is $MATURIN, else installed from PyPI into target/pre-commit-venv (.ci/run's tools).
# The path of the wheel tested is written to target/wheel-tested, for the pre-commit test of the
# wheel (tests/pre_commit.rs, PULLCHECK_TEST_WHEEL).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
maturin="${MATURIN:-$root/target/pre-commit-venv/bin/maturin}"

if [ $# -eq 1 ] && [ -f "$1" ]; then
  wheel="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
else
  profile=release
  if [ "${1:-}" = "--profile" ]; then
    profile="$2"
  fi
  if [ ! -x "$maturin" ]; then
    python3 -m venv "$root/target/pre-commit-venv"
    "$root/target/pre-commit-venv/bin/python" -m pip install --quiet --disable-pip-version-check maturin
    maturin="$root/target/pre-commit-venv/bin/maturin"
  fi
  out="$target/wheels-$profile"
  rm -rf "$out"
  "$maturin" build --quiet --profile "$profile" --out "$out" >&2
  wheel="$(ls "$out"/pullcheck-*.whl)"
fi
echo "wheel: $(basename "$wheel"), $(du -k "$wheel" | cut -f1) KiB"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
python3 -m venv "$scratch/venv"
start=$(date +%s.%N)
# --no-index: the wheel alone, nothing from a registry and nothing compiled.
"$scratch/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index "$wheel"
end=$(date +%s.%N)
echo "pip install: $(python3 -c "print(f'{$end - $start:.1f}')") s"

# Only the virtual environment's scripts and the system's tools on the PATH: no cargo, no rustc.
export PATH="$scratch/venv/bin:/usr/bin:/bin"
installed="$(command -v pullcheck)"
[ "$installed" = "$scratch/venv/bin/pullcheck" ] || { echo "pullcheck is not the wheel's: $installed" >&2; exit 1; }
version="$(pullcheck --version)"
expected="pullcheck $(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)"
[ "$version" = "$expected" ] || { echo "pullcheck --version: \"$version\", expected \"$expected\"" >&2; exit 1; }
echo "$version"

# The example of the README's first lines: findings, so exit 1, and the one it is known for.
set +e
report="$(NO_COLOR=1 pullcheck check --config examples/shop/.pullcheck.yaml examples/shop 2>&1)"
code=$?
set -e
if [ "$code" -ne 1 ] || ! grep -q 'error\[unknown-pull-secret\]: secret "ghcr-pull" does not exist in namespace "payments"' <<<"$report"; then
  printf 'pullcheck check exited %s:\n%s\n' "$code" "$report" >&2
  exit 1
fi
tail -1 <<<"$report"
echo "$wheel" > "$root/target/wheel-tested"
echo "wheel: ok"
