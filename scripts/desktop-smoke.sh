#!/usr/bin/env bash
# Builds the desktop shell (src-tauri) and checks, under Xvfb, that its
# window opens on a bundled example design and renders it: the toolbar and
# the example's components must be on screen. Screenshot:
# artifacts/desktop/window.png. Not part of scripts/test.sh (WebKitGTK and a
# cold Tauri build take minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

need=()
for p in libwebkit2gtk-4.1-dev build-essential libxdo-dev libssl-dev librsvg2-dev pkg-config xvfb xauth imagemagick x11-utils; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  as_root apt-get update -qq
  as_root apt-get install -y -qq "${need[@]}"
fi

if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  (cd ui && npm ci --no-audit --no-fund)
fi
(cd ui && npx vite build --logLevel warn)
(cd src-tauri && cargo build --features custom-protocol)

target="${CARGO_TARGET_DIR:-$PWD/src-tauri/target}"
bin="$target/debug/archsim-desktop"
out=artifacts/desktop
mkdir -p "$out"
state=$(mktemp -d)
export XDG_STATE_HOME="$state" WEBKIT_DISABLE_COMPOSITING_MODE=1 WEBKIT_DISABLE_DMABUF_RENDERER=1
xvfb-run -a -s "-screen 0 1440x900x24" bash -c '
  "$0" examples/queue-worker.archsim.json > "$1/desktop.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 60); do
    xwininfo -root -tree | grep -q "\"archsim\"" && break
    sleep 0.5
  done
  xwininfo -root -tree | grep "\"archsim\"" > "$1/window.txt" || true
  sleep 6
  import -window root "$1/window.png"
  kill "$pid"
' "$bin" "$out"
rm -rf "$state"

if [ ! -s "$out/window.txt" ]; then
  echo "desktop smoke: no window titled archsim appeared; see $out/desktop.log" >&2
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
