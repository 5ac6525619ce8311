# Sourced by bench/hostile.sh, memory.sh and inventory.sh: strict mode, the checkout as the working
# directory, `$PULLCHECK` (the release build, built first, unless one is given), and `$work`, a
# temporary directory removed on exit.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ -z "${PULLCHECK:-}" ]; then
  cargo build --release --quiet
  PULLCHECK="$PWD/target/release/pullcheck"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
