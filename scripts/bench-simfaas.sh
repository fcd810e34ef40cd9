#!/usr/bin/env bash
# archsim against SimFaaS 0.2.2 (PyPI) on SimFaaS's default workload, in
# the same run: Poisson arrivals at 0.9/s into one function, exponential
# service 2.016 s warm and 2.163 s cold, idle expiry 600 s, 10^5 s.
# Both are measured in CPU seconds (archsim: the whole `archsim simulate`
# process, file loading, validation and JSON output included, over 10
# seeds on one thread; SimFaaS: generate_trace() of one replication),
# alternating ROUNDS times (default 3). Results: docs/performance.md.
#
#   scripts/bench-simfaas.sh            # builds the release archsim
#   ARCHSIM_BIN=path/to/archsim ROUNDS=5 scripts/bench-simfaas.sh
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${SIMFAAS_VENV:-/var/tmp/simfaas-venv}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import simfaas' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q simfaas==0.2.2
fi
if [ -z "${ARCHSIM_BIN:-}" ]; then
  cargo build --release -p archsim-cli
  ARCHSIM_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/archsim"
fi
uptime
ARCHSIM_BIN="$ARCHSIM_BIN" ROUNDS="${ROUNDS:-3}" "$venv/bin/python" scripts/bench/vs_simfaas.py
uptime
