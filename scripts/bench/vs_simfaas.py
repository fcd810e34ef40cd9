"""archsim and SimFaaS on SimFaaS's default workload, alternating; see
scripts/bench-simfaas.sh. Prints one line per run and the ratios of the
medians of events and requests per CPU second."""

import json
import os
import resource
import statistics
import subprocess
import time

from simfaas.ServerlessSimulator import ServerlessSimulator

DESIGN = "scripts/bench/simfaas-default.archsim.json"
SEEDS = 10


def simfaas():
    sim = ServerlessSimulator(
        arrival_rate=0.9,
        warm_service_rate=1 / 2.016,
        cold_service_rate=1 / 2.163,
        expiration_threshold=600,
        max_time=1e5,
    )
    t = time.process_time()
    sim.generate_trace(debug_print=False, progress=False)
    cpu = time.process_time() - t
    # One loop iteration per event: an arrival or an instance's transition.
    return len(sim.hist_times) - 1, sim.total_req_count, cpu


def archsim():
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        [os.environ["ARCHSIM_BIN"], "simulate", DESIGN, "--seeds", str(SEEDS), "--json"],
        check=True,
        capture_output=True,
        env=dict(os.environ, RAYON_NUM_THREADS="1"),
    ).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    v = json.loads(out)
    f = v["components"][0]
    return v["events"], round(f["requests"]["mean"] * SEEDS), cpu


rows = {"simfaas": [], "archsim": []}
for _ in range(int(os.environ.get("ROUNDS", "3"))):
    for name, run in (("simfaas", simfaas), ("archsim", archsim)):
        events, requests, cpu = run()
        rows[name].append((events / cpu, requests / cpu))
        print(
            f"{name:8} {events:>9} events {requests:>8} requests {cpu:7.3f} CPU s "
            f"{events / cpu / 1e6:8.3f} M events/s {requests / cpu / 1e6:8.3f} M requests/s",
            flush=True,
        )
med = {k: [statistics.median(x[i] for x in v) for i in (0, 1)] for k, v in rows.items()}
print(
    f"archsim / SimFaaS, medians: {med['archsim'][0] / med['simfaas'][0]:.0f}x events per CPU second, "
    f"{med['archsim'][1] / med['simfaas'][1]:.0f}x requests per CPU second"
)
