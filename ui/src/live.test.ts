import { describe, expect, it } from "vitest";
import type { DeploymentNow } from "./generated/DeploymentNow";
import type { LiveComponent } from "./generated/LiveComponent";
import type { LiveView } from "./generated/LiveView";
import { badgeParts, clock, compact, duration, flowLevel, liveStore, plural, polyline, preview, rateAt, waterfall } from "./live";

function comp(id: string, over: Partial<LiveComponent["now"]> = {}, health: LiveComponent["health"] = "ok"): LiveComponent {
  return {
    now: { id, requests: 0, completed: 0, errors: 0, throttled: 0, cold_starts: 0, concurrency: 0, environments: 0, queue_depth: 0, tasks: 0, instances: 0, p99_ms: 0, ...over },
    arrivals_per_s: 0,
    completions_per_s: 0,
    health,
  };
}

function view(components: LiveComponent[]): LiveView {
  return {
    scenario: "s",
    seed: 1,
    duration_s: 60,
    at_s: 1,
    finished: false,
    paused: false,
    speed: 1,
    components,
    placement: { at_s: 1, capacities: [], services: [] },
    traces: 0,
    events: [],
    deployments: [],
    notes: [],
  };
}

describe("durations and counts read as people write them", () => {
  it("switches units instead of writing kms", () => {
    expect(duration(41.6)).toBe("42ms");
    expect(duration(1250)).toBe("1.3s");
    expect(duration(26_000)).toBe("26s");
    expect(duration(265_000)).toBe("4.4min");
    expect(duration(7_560_000)).toBe("2.1h");
  });
  it("agrees the noun with its number", () => {
    expect(plural(1, "error")).toBe("1 error");
    expect(plural(0, "error")).toBe("0 errors");
    expect(plural(2, "info")).toBe("2 infos");
  });
});

describe("live store", () => {
  it("notifies only the cards whose numbers changed", () => {
    const calls: string[] = [];
    const off = ["a", "b"].map((id) => liveStore.subscribe(id, () => calls.push(id)));
    liveStore.set(view([comp("a"), comp("b")]));
    expect(calls.sort()).toEqual(["a", "b"]);
    const a = liveStore.get("a");
    calls.length = 0;
    liveStore.set(view([comp("a"), comp("b", { requests: 5 })]));
    expect(calls).toEqual(["b"]);
    expect(liveStore.get("a")).toBe(a);
    calls.length = 0;
    liveStore.set(null);
    expect(calls.sort()).toEqual(["a", "b"]);
    expect(liveStore.get("a")).toBeUndefined();
    off.forEach((f) => f());
  });
});

describe("formatting", () => {
  it("formats the clock and compact numbers", () => {
    expect(clock(0)).toBe("0:00");
    expect(clock(65.9)).toBe("1:05");
    expect(clock(3 * 3600 + 62)).toBe("3:01:02");
    expect(compact(12)).toBe("12");
    expect(compact(1234)).toBe("1.2k");
    expect(compact(56_789)).toBe("57k");
    expect(compact(2_500_000)).toBe("2.5M");
    expect(compact(0.25)).toBe("0.3");
  });

  it("badges say what matters for the component", () => {
    const lambda = { ...comp("f", { concurrency: 7, cold_starts: 3, p99_ms: 41.6 }), arrivals_per_s: 120 };
    expect(badgeParts(lambda).map((p) => p.text)).toEqual(["120/s", "7 busy", "3 cold", "p99 42ms"]);
    expect(badgeParts(lambda).find((p) => p.key === "busy")?.title).toBe("concurrency now");
    const warm = { ...comp("f", { concurrency: 7, environments: 10 }), arrivals_per_s: 1 };
    expect(badgeParts(warm).find((p) => p.key === "busy")?.title).toBe("concurrency now; 10 environments alive, 3 idle and kept warm");
    const service = comp("svc", { tasks: 4, concurrency: 9, errors: 2, throttled: 1 }, "failing");
    const parts = badgeParts(service);
    // What goes wrong first: the card has room for two rows.
    expect(parts.map((p) => p.key)).toEqual(["rps", "err", "thr", "tasks"]);
    expect(parts.find((p) => p.key === "err")?.tone).toBe("bad");
  });

  it("badges show a deployment's share and mark the new version's errors", () => {
    const deployment = (outcome: DeploymentNow["outcome"], percent: number, errors: number): DeploymentNow => ({
      component: "f",
      version: 2,
      strategy: "Canary10Percent5Minutes",
      outcome,
      percent,
      versions: [
        { requests: 900, errors: 0 },
        { requests: 100, errors },
      ],
    });
    const v = view([{ ...comp("f", { concurrency: 4 }), arrivals_per_s: 100 }, comp("g")]);
    liveStore.set({ ...v, deployments: [deployment("rolled_back", 0, 20), deployment("in_progress", 10, 0)] });
    const healthy = liveStore.get("f")!;
    expect(liveStore.get("g")?.deployment).toBeUndefined();
    expect(badgeParts(healthy).map((p) => p.text)).toEqual(["100/s", "v2 10%", "4 busy"]);
    const part = badgeParts(healthy).find((p) => p.key === "deploy")!;
    expect(part.tone).toBeUndefined();
    expect(part.title).toBe("Canary10Percent5Minutes: 10% of traffic to v2 now; v2: 100 requests, 0 errors; v1: 900 requests, 0 errors");
    // The card re-renders when only the deployment moved.
    const calls: string[] = [];
    const off = liveStore.subscribe("f", () => calls.push("f"));
    liveStore.set({ ...v, deployments: [deployment("in_progress", 10, 12)] });
    expect(calls).toEqual(["f"]);
    const failing = badgeParts(liveStore.get("f")!).find((p) => p.key === "deploy")!;
    expect([failing.text, failing.tone]).toEqual(["v2 10% (12 err)", "bad"]);
    liveStore.set({ ...v, deployments: [deployment("succeeded", 100, 0)] });
    expect(badgeParts(liveStore.get("f")!)[1].text).toBe("v2 100%");
    liveStore.set({ ...v, deployments: [deployment("rolled_back", 0, 20)] });
    expect(badgeParts(liveStore.get("f")!)[1]).toMatchObject({ text: "v2 rolled back", tone: "bad" });
    // Once it ended, the errors now come before how it ended.
    liveStore.set({ ...view([{ ...comp("f", { errors: 20 }), arrivals_per_s: 100 }]), deployments: [deployment("rolled_back", 0, 20)] });
    expect(badgeParts(liveStore.get("f")!).map((p) => p.key)).toEqual(["rps", "err", "deploy"]);
    liveStore.set({ ...view([{ ...comp("f", { errors: 20 }), arrivals_per_s: 100 }]), deployments: [deployment("in_progress", 10, 20)] });
    expect(badgeParts(liveStore.get("f")!).map((p) => p.key)).toEqual(["rps", "deploy", "err"]);
    off();
    liveStore.set(null);
  });

  it("edge animation levels grow with throughput", () => {
    expect([0, 0.5, 10, 99, 100, 5000].map(flowLevel)).toEqual([0, 1, 2, 2, 3, 4]);
    expect(flowLevel(Number.NaN)).toBe(0);
  });
});

describe("traffic previews", () => {
  it("match the simulator's rate curves", () => {
    const diurnal = { type: "diurnal", mean_rps: 50, amplitude: 0.8, period_s: 86400, peak_at_s: 50400 } as const;
    expect(rateAt(diurnal, 50400, 86400)).toBeCloseTo(90);
    expect(rateAt(diurnal, 50400 - 43200, 86400)).toBeCloseTo(10);
    expect(rateAt({ type: "ramp", from_rps: 10, to_rps: 110 }, 30, 60)).toBeCloseTo(60);
    const step = { type: "step", from_rps: 10, to_rps: 500, at_s: 120 } as const;
    expect(rateAt(step, 119.9, 600)).toBe(10);
    expect(rateAt(step, 120, 600)).toBe(500);
    const spike = { type: "spike", base_rps: 5, peak_rps: 50, at_s: 10, duration_s: 5 } as const;
    expect([9, 10, 14.9, 15].map((t) => rateAt(spike, t, 60))).toEqual([5, 50, 50, 5]);
    expect(rateAt({ type: "trace", file: "t.csv", format: "timestamps" }, 1, 10)).toBeNull();
  });

  it("previews draw vertical edges at steps and nothing for traces", () => {
    const pts = preview({ type: "step", from_rps: 10, to_rps: 500, at_s: 150 }, 600, 4);
    expect(pts).toContainEqual([150, 10]);
    expect(pts).toContainEqual([150, 500]);
    for (let i = 1; i < pts.length; i++) expect(pts[i][0]).toBeGreaterThanOrEqual(pts[i - 1][0]);
    expect(preview({ type: "trace", file: "t", format: "timestamps" }, 600)).toEqual([]);
    expect(preview({ type: "constant", rps: 1 }, 0)).toEqual([]);
  });

  it("scales polylines into the box with y up", () => {
    expect(polyline([[0, 0], [10, 5], [20, 10]], 100, 50)).toBe("0.0,50.0 50.0,25.0 100.0,0.0");
    expect(polyline([], 10, 10)).toBe("");
  });
});

describe("trace waterfall", () => {
  it("lays segments out from the request's start, split into queue, init and work", () => {
    const t = {
      entry: "clients",
      start_s: 10,
      segments: [
        { component: "api", start_ms: 10_000, end_ms: 10_120, queued_ms: 0, init_ms: 0, outcome: "ok" },
        { component: "fn", start_ms: 10_010, end_ms: 10_110, queued_ms: 20, init_ms: 60, outcome: "ok" },
      ],
    };
    const w = waterfall(t);
    expect(w.totalMs).toBe(120);
    expect(w.rows[0]).toMatchObject({ left: 0, queued: 0, init: 0, work: 1, startMs: 0, endMs: 120 });
    const fn = w.rows[1];
    expect(fn.left).toBeCloseTo(10 / 120);
    expect(fn.queued).toBeCloseTo(20 / 120);
    expect(fn.init).toBeCloseTo(60 / 120);
    expect(fn.work).toBeCloseTo(20 / 120);
    expect(fn.left + fn.queued + fn.init + fn.work).toBeLessThanOrEqual(1 + 1e-9);
  });
});

describe("waterfall order", () => {
  it("puts callers above callees however the engine recorded them", () => {
    const seg = (component: string, start_ms: number, end_ms: number) => ({ component, start_ms, end_ms, queued_ms: 0, init_ms: 0, outcome: "ok" });
    const t = { entry: "c", start_s: 0, segments: [seg("db", 20, 30), seg("fn", 10, 40), seg("api", 0, 50), seg("client", 0, 50)] };
    expect(waterfall(t).rows.map((r) => r.component)).toEqual(["client", "api", "fn", "db"]);
  });
});
