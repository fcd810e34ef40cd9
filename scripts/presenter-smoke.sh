#!/usr/bin/env bash
# Runs the presenter (archsim-presenter) under Xvfb on a bundled example
# with archsim-app's live run, and checks from a screenshot that the
# window shows the design: the dark canvas, component tiles and the live
# flows. Screenshot: artifacts/presenter/window.png.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
install_packages xvfb xauth imagemagick x11-utils libgl1-mesa-dri libegl1

cargo build --locked -p archsim-presenter
bin="${CARGO_TARGET_DIR:-$PWD/target}/debug/archsim-presenter"
out=artifacts/presenter
mkdir -p "$out"
with_xvfb 1600x900 capture_window "archsim presenter" 8 "$out" "$bin" examples/alb-fargate.archsim.json --speed 30

if [ ! -s "$out/window.txt" ]; then
  echo "presenter smoke: no window titled \"archsim presenter\" appeared; see $out/app.log" >&2
  exit 1
fi
# Pixels of one colour (ImageMagick may print large counts as 1.2e+06).
count() { printf "%.0f" "$(convert "$out/window.png" -fill black +opaque "$1" -fill white -opaque "$1" -format "%[fx:mean*w*h]" info:)"; }
# The diagram's background, compute/container tiles (orange) and data tiles (blue).
canvas=$(count "#121212")
orange=$(count "#c85a28")
blue=$(count "#286eb4")
echo "presenter smoke: canvas $canvas, container tiles $orange, data tiles $blue pixels"
if [ "$canvas" -lt 100000 ] || [ "$orange" -lt 2000 ] || [ "$blue" -lt 1000 ]; then
  echo "presenter smoke: the window did not show the design; see $out/window.png" >&2
  exit 1
fi
