#!/usr/bin/env bash
# Runs archsim on a bundled example design: validates it, describes it, then
# starts the designer (`archsim serve`) on it and prints the URL to open.
# Installs what it needs on a fresh Debian/Ubuntu machine with Rust and Node.
# Usage: scripts/run.sh [DESIGN]   (default: examples/queue-worker.archsim.json)
#        ARCHSIM_NO_UI=1 scripts/run.sh   validates and describes only
set -euo pipefail
cd "$(dirname "$0")/.."
design="${1:-examples/queue-worker.archsim.json}"
cargo run --quiet --release --locked -p archsim-cli -- validate "$design" || true
cargo run --quiet --release --locked -p archsim-cli -- describe "$design"
if [ -n "${ARCHSIM_NO_UI:-}" ]; then exit 0; fi
if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  (cd ui && npm ci --no-audit --no-fund)
fi
(cd ui && npx vite build --logLevel warn)
echo
echo "Starting the designer; open the URL below in a browser (Ctrl-C to stop)."
exec cargo run --quiet --release --locked -p archsim-cli -- serve "$design" --port "${ARCHSIM_PORT:-7878}"
