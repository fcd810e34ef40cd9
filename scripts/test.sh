#!/usr/bin/env bash
# Runs every check and test of the project, from a clean checkout on a
# fresh Debian/Ubuntu machine with Rust installed. Installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "toolchain components"
if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
  rustup component add rustfmt clippy
fi

step "template validators (cfn-lint, aws-sam-translator) in .venv"
if ! .venv/bin/cfn-lint --version >/dev/null 2>&1 \
  || ! .venv/bin/python -c "import samtranslator" >/dev/null 2>&1; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet cfn-lint aws-sam-translator
fi

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test"
cargo test --workspace --locked
