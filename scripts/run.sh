#!/usr/bin/env bash
# Runs archsim on a bundled example design: validates it, describes it, then
# opens the designer on it: the desktop app (Tauri) when a display is
# available, otherwise `archsim serve` in the browser (it prints the URL).
# Installs what it needs on a fresh Debian/Ubuntu machine with Rust and Node.
# Usage: scripts/run.sh [DESIGN]   (default: examples/queue-worker.archsim.json)
#        ARCHSIM_BROWSER=1 scripts/run.sh   the browser designer even with a display
#        ARCHSIM_NO_UI=1 scripts/run.sh     validates and describes only
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
design="${1:-examples/queue-worker.archsim.json}"
cargo run --quiet --release --locked -p archsim-cli -- validate "$design" || true
cargo run --quiet --release --locked -p archsim-cli -- describe "$design"
if [ -n "${ARCHSIM_NO_UI:-}" ]; then exit 0; fi
build_ui
if [ -z "${ARCHSIM_BROWSER:-}" ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
  install_packages "${DESKTOP_PACKAGES[@]}"
  # "Present" in the app starts the presenter window.
  cargo build --quiet --release --locked -p archsim-presenter
  export ARCHSIM_PRESENTER="${CARGO_TARGET_DIR:-$PWD/target}/release/archsim-presenter"
  echo
  echo "Starting the desktop app (the first build takes a few minutes)."
  exec cargo run --quiet --release --locked --manifest-path src-tauri/Cargo.toml \
    --features custom-protocol -- "$design"
fi
echo
echo "Starting the designer; open the URL below in a browser (Ctrl-C to stop)."
exec cargo run --quiet --release --locked -p archsim-cli -- serve "$design" --port "${ARCHSIM_PORT:-7878}"
