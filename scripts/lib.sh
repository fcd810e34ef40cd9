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
