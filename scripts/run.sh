#!/usr/bin/env bash
# Runs archsim on a bundled example design: validates it and describes it.
# Usage: scripts/run.sh [DESIGN]   (default: examples/queue-worker.archsim.json)
set -euo pipefail
cd "$(dirname "$0")/.."
design="${1:-examples/queue-worker.archsim.json}"
cargo run --quiet --release --locked -p archsim-cli -- validate "$design"
cargo run --quiet --release --locked -p archsim-cli -- describe "$design"
