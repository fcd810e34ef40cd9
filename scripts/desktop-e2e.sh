#!/usr/bin/env bash
# End to end on the real desktop window: drives archsim-desktop (built by
# scripts/desktop-smoke.sh, UI embedded) through tauri-driver and Debian's
# WebKitWebDriver with webdriverio, under Xvfb (ui/e2e/desktop.test.mjs).
# Screenshots: artifacts/desktop/e2e-*.png.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
install_packages "${DESKTOP_PACKAGES[@]}" webkit2gtk-driver
build_ui
# tauri-driver, pinned, beside the build output (kept between CI runs).
tools="${CARGO_TARGET_DIR:-$PWD/target}/tools"
if [ ! -x "$tools/bin/tauri-driver" ]; then
  cargo install tauri-driver --locked --version 2.1.0 --root "$tools"
fi
(cd src-tauri && cargo build --locked --features custom-protocol)
target="${CARGO_TARGET_DIR:-$PWD/src-tauri/target}"
cargo build --locked -p archsim-cli
TAURI_DRIVER="$tools/bin/tauri-driver" \
ARCHSIM_DESKTOP="$target/debug/archsim-desktop" \
ARCHSIM_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/archsim" \
  with_xvfb 1440x900 node --test --test-concurrency=1 ui/e2e/desktop.test.mjs
