#!/usr/bin/env bash
# Builds the desktop shell (src-tauri) and checks, under Xvfb, that its
# window opens on a bundled example design and renders it: the toolbar and
# the example's components must be on screen. Screenshot:
# artifacts/desktop/window.png. scripts/test.sh runs it last (WebKitGTK and a
# cold Tauri build take a few minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
install_packages "${DESKTOP_PACKAGES[@]}"
build_ui
(cd src-tauri && cargo build --locked --features custom-protocol)

target="${CARGO_TARGET_DIR:-$PWD/src-tauri/target}"
bin="$target/debug/archsim-desktop"
out=artifacts/desktop
mkdir -p "$out"
state=$(mktemp -d)
export XDG_STATE_HOME="$state" WEBKIT_DISABLE_COMPOSITING_MODE=1 WEBKIT_DISABLE_DMABUF_RENDERER=1
with_xvfb 1440x900 capture_window "archsim" 6 "$out" "$bin" examples/queue-worker.archsim.json
rm -rf "$state"

if [ ! -s "$out/window.txt" ]; then
  echo "desktop smoke: no window titled archsim appeared; see $out/app.log" >&2
  exit 1
fi
count() { convert "$out/window.png" $2 -fill black +opaque "$1" -fill white -opaque "$1" -format "%[fx:round(mean*w*h)]" info:; }
toolbar=$(count "#232f3e" "")
# The canvas area only (right of the palette, left of the inspector): the
# example's event sources (pink) and compute (orange) tiles.
pink=$(count "#e7157b" "-crop 880x640+240+40 +repage")
orange=$(count "#ed7100" "-crop 880x640+240+40 +repage")
echo "desktop smoke: window $(cat "$out/window.txt" | tr -s ' '); toolbar pixels $toolbar; canvas pink $pink, orange $orange"
if [ "$toolbar" -lt 10000 ] || [ "$pink" -lt 100 ] || [ "$orange" -lt 100 ]; then
  echo "desktop smoke: the window did not render the designer on the example; see $out/window.png" >&2
  exit 1
fi
echo "desktop smoke: ok ($out/window.png)"
