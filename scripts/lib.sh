# Shared by the scripts in this folder: installing what a fresh Debian/Ubuntu
# machine lacks, and building the web UI. Source it; it defines functions only.

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Installs the Debian packages that are not installed yet.
install_packages() {
  local need=() p
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
  done
  if [ ${#need[@]} -gt 0 ]; then
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need[@]}"
  fi
}

# What the Tauri desktop shell needs to build and show a window, and the
# X server, screenshots and GL the window checks use.
DESKTOP_PACKAGES=(libwebkit2gtk-4.1-dev build-essential libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev pkg-config xvfb xauth imagemagick
  x11-utils libgl1-mesa-dri libegl1)

# npm ci when ui/package-lock.json changed since the last install.
ui_dependencies() {
  if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    (cd ui && npm ci --no-audit --no-fund)
  fi
}

build_ui() {
  ui_dependencies
  (cd ui && npx vite build --logLevel warn)
}

# Runs a command with DISPLAY set to a fresh Xvfb server of the given size
# (e.g. 1600x900), started here and waited for until it answers (xdpyinfo),
# so a window never races the server's start-up. Stops the server after.
with_xvfb() {
  local size="$1" n=90 xvfb_pid status=0
  shift
  while [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ]; do n=$((n + 1)); done
  Xvfb ":$n" -screen 0 "${size}x24" -nolisten tcp >/dev/null 2>&1 &
  xvfb_pid=$!
  for _ in $(seq 1 100); do
    DISPLAY=":$n" xdpyinfo >/dev/null 2>&1 && break
    sleep 0.1
  done
  DISPLAY=":$n" "$@" || status=$?
  kill "$xvfb_pid" 2>/dev/null || true
  wait "$xvfb_pid" 2>/dev/null || true
  return "$status"
}

# Starts a program (in the background), waits for its window titled TITLE,
# lets it draw for SETTLE seconds, screenshots the screen to OUT/window.png
# and records the window in OUT/window.txt (empty if it never appeared).
# The window may lose a race with the X server under load: tries twice.
# Usage (under with_xvfb): capture_window TITLE SETTLE OUT PROGRAM ARGS...
capture_window() {
  local title="$1" settle="$2" out="$3" attempt pid
  shift 3
  for attempt in 1 2; do
    "$@" > "$out/app.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 60); do
      xwininfo -root -tree | grep -q "\"$title\"" && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    if xwininfo -root -tree | grep "\"$title\"" > "$out/window.txt"; then
      sleep "$settle"
      import -window root "$out/window.png"
      kill "$pid" 2>/dev/null || true
      return 0
    fi
    kill "$pid" 2>/dev/null || true
    echo "attempt $attempt: no window titled \"$title\" yet ($(tail -1 "$out/app.log"))" >&2
  done
}
