#!/usr/bin/env bash
# Runs every check and test of the project, from a clean checkout on a
# fresh Debian/Ubuntu machine with Rust and Node installed. Installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/lib.sh
step() { printf '\n==> %s\n' "$*"; }

step "toolchain components"
if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
  rustup component add rustfmt clippy
fi

step "template validators (cfn-lint, aws-sam-translator) and scanner (checkov) in .venv"
if ! .venv/bin/cfn-lint --version >/dev/null 2>&1 \
  || ! .venv/bin/python -c "import samtranslator" >/dev/null 2>&1; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet cfn-lint aws-sam-translator
fi
if ! .venv/bin/checkov --version >/dev/null 2>&1; then
  .venv/bin/pip install --quiet checkov
fi
# Installed above, so the security scan test must run, not skip.
export ARCHSIM_REQUIRE_CHECKOV=1

step "aws-sam-cli in .venv and Go: sam validate and sam build of the exported SAM projects"
# crates/iac/tests/project.rs builds each example's project without Docker:
# Python and Node.js need only sam (and npm), the queue-worker example's Go
# functions need go. aws-sam-cli brings boto3, which runs the Python handlers.
if ! .venv/bin/sam --version >/dev/null 2>&1; then
  .venv/bin/pip install --quiet aws-sam-cli
fi
install_packages golang-go
export SAM_CLI_TELEMETRY=0

step "system packages: Chromium for the UI tests, WebKitGTK, Xvfb and GL for the windows"
install_packages chromium "${DESKTOP_PACKAGES[@]}"

step "ui: npm ci (when package-lock.json changed)"
ui_dependencies

step "ui: tsc --noEmit, eslint, vitest, build"
(cd ui && npx tsc --noEmit && npx eslint . && npx vitest run && npx vite build --logLevel warn)

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test"
cargo test --workspace --locked

step "ui: end to end in Chromium against archsim serve"
cargo build --locked -p archsim-cli
ARCHSIM_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/archsim" \
  node --test --test-concurrency=1 ui/e2e/designer.test.mjs ui/e2e/forms.test.mjs ui/e2e/a11y.test.mjs ui/e2e/overview.test.mjs ui/e2e/simulation.test.mjs ui/e2e/cost.test.mjs ui/e2e/import.test.mjs ui/e2e/visual.test.mjs

step "presenter: a real window under Xvfb, live simulation on an example"
bash scripts/presenter-smoke.sh

step "desktop app: the Tauri window under Xvfb on an example"
bash scripts/desktop-smoke.sh

step "desktop app: end to end through tauri-driver (WebKitWebDriver)"
bash scripts/desktop-e2e.sh
