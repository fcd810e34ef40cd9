// The live simulation on the canvas: a small store the component cards
// subscribe to by id (so a frame re-renders only the cards whose numbers
// changed), and the pure helpers the simulation panels draw with.
import { useSyncExternalStore } from "react";
import type { DeploymentNow } from "./generated/DeploymentNow";
import type { LiveComponent } from "./generated/LiveComponent";
import type { LiveView } from "./generated/LiveView";
import type { RequestTrace } from "./generated/RequestTrace";
import type { TrafficPattern } from "./generated/TrafficPattern";

type Listener = () => void;

/** A component's live numbers as its card shows them: with its latest
 * deployment in the run, if it had one. */
export type LiveCard = LiveComponent & { deployment?: DeploymentNow };

/** The latest live view, per component. Unchanged components keep their object. */
class LiveStore {
  private byId = new Map<string, LiveCard>();
  private listeners = new Map<string, Set<Listener>>();
  private all = new Set<Listener>();
  view: LiveView | null = null;

  set(view: LiveView | null) {
    this.view = view;
    const next = new Map<string, LiveCard>();
    // Each component's latest deployment (they come in starting order).
    const deployments = new Map<string, DeploymentNow>();
    for (const d of view?.deployments ?? []) deployments.set(d.component, d);
    for (const c of view?.components ?? []) {
      const old = this.byId.get(c.now.id);
      const deployment = deployments.get(c.now.id);
      const card: LiveCard = deployment ? { ...c, deployment } : c;
      next.set(c.now.id, old && sameComponent(old, card) ? old : card);
    }
    const changed: string[] = [];
    for (const [id, c] of next) if (this.byId.get(id) !== c) changed.push(id);
    for (const id of this.byId.keys()) if (!next.has(id)) changed.push(id);
    this.byId = next;
    for (const id of changed) this.listeners.get(id)?.forEach((l) => l());
    this.all.forEach((l) => l());
  }

  get(id: string): LiveCard | undefined {
    return this.byId.get(id);
  }

  subscribe(id: string, l: Listener): () => void {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(l);
    return () => set.delete(l);
  }

  subscribeAll(l: Listener): () => void {
    this.all.add(l);
    return () => this.all.delete(l);
  }
}

function sameDeployment(a: DeploymentNow | undefined, b: DeploymentNow | undefined): boolean {
  if (!a || !b) return a === b;
  return (
    a.version === b.version &&
    a.percent === b.percent &&
    a.outcome === b.outcome &&
    a.versions.every((v, i) => v.requests === b.versions[i].requests && v.errors === b.versions[i].errors)
  );
}

function sameComponent(a: LiveCard, b: LiveCard): boolean {
  const x = a.now;
  const y = b.now;
  return (
    sameDeployment(a.deployment, b.deployment) &&
    a.health === b.health &&
    a.arrivals_per_s === b.arrivals_per_s &&
    a.completions_per_s === b.completions_per_s &&
    x.requests === y.requests &&
    x.errors === y.errors &&
    x.throttled === y.throttled &&
    x.cold_starts === y.cold_starts &&
    x.concurrency === y.concurrency &&
    x.environments === y.environments &&
    x.queue_depth === y.queue_depth &&
    x.tasks === y.tasks &&
    x.instances === y.instances &&
    x.p99_ms === y.p99_ms
  );
}

export const liveStore = new LiveStore();

/** One component's live numbers, re-rendering only when they change. */
export function useLiveComponent(id: string): LiveCard | undefined {
  return useSyncExternalStore(
    (l) => liveStore.subscribe(id, l),
    () => liveStore.get(id),
  );
}

/** The whole live view (panels that show everything). */
export function useLiveView(): LiveView | null {
  return useSyncExternalStore(
    (l) => liveStore.subscribeAll(l),
    () => liveStore.view,
  );
}

/** `1:05:09` or `4:02` from seconds. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

/** 1234 -> "1.2k", 12 -> "12", 0.5 -> "0.5". */
export function compact(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e6) return `${(n / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e3) return `${(n / 1e3).toFixed(a >= 1e4 ? 0 : 1)}k`;
  if (Number.isInteger(n)) return String(n);
  return n.toFixed(a >= 10 ? 0 : 1);
}

/** A duration for people: 42ms, 1.3s, 26s, 4.4min, 2.1h (never "26kms"). */
export function duration(msValue: number): string {
  const a = Math.abs(msValue);
  if (a < 1000) return `${Math.round(msValue)}ms`;
  if (a < 60_000) return `${(msValue / 1000).toFixed(a < 10_000 ? 1 : 0)}s`;
  if (a < 3_600_000) return `${(msValue / 60_000).toFixed(a < 600_000 ? 1 : 0)}min`;
  return `${(msValue / 3_600_000).toFixed(1)}h`;
}

/** "1 error", "2 errors". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A component's latest deployment on its badge: the new version and its
 * share while it runs, with its errors so far ("v2 10% (12 err)"), then how
 * it ended ("v2 100%", "v2 rolled back"); as the presenter's card says it. */
function deploymentPart(d: DeploymentNow): { key: string; text: string; title: string; tone?: "warn" | "bad" } {
  const [old, neu] = d.versions;
  const v = `v${d.version}`;
  const text =
    d.outcome === "rolled_back"
      ? `${v} rolled back`
      : d.outcome === "failed"
        ? `${v} failed`
        : d.outcome === "in_progress" && neu.errors > 0
          ? `${v} ${d.percent}% (${compact(neu.errors)} err)`
          : `${v} ${d.percent}%`;
  const state = d.outcome === "in_progress" ? `${d.strategy}: ${d.percent}% of traffic to ${v} now` : `${d.strategy}: ${d.outcome.replace("_", " ")}`;
  const version = (name: string, x: { requests: number; errors: number }) => `${name}: ${plural(x.requests, "request")}, ${plural(x.errors, "error")}`;
  return {
    key: "deploy",
    text,
    title: `${state}; ${version(v, neu)}; ${version(`v${d.version - 1}`, old)}`,
    tone: neu.errors > 0 || d.outcome === "rolled_back" || d.outcome === "failed" ? "bad" : undefined,
  };
}

/** What a card's badge says: the numbers that matter for its kind. */
export function badgeParts(c: LiveCard): { key: string; text: string; title: string; tone?: "warn" | "bad" }[] {
  const n = c.now;
  const parts: { key: string; text: string; title: string; tone?: "warn" | "bad" }[] = [];
  parts.push({ key: "rps", text: `${compact(c.arrivals_per_s)}/s`, title: "requests in the last simulated second" });
  // A deployment under way is what the audience watches; once it ended,
  // what goes wrong now comes before how it ended.
  const deploy = c.deployment && deploymentPart(c.deployment);
  if (deploy && c.deployment?.outcome === "in_progress") parts.push(deploy);
  // What is going wrong comes first: the card shows two rows at most.
  if (n.errors > 0) parts.push({ key: "err", text: `${compact(n.errors)} err`, title: "errors so far", tone: "bad" });
  if (n.throttled > 0) parts.push({ key: "thr", text: `${compact(n.throttled)} thr`, title: "throttled so far", tone: "warn" });
  if (deploy && c.deployment?.outcome !== "in_progress") parts.push(deploy);
  if (n.tasks > 0) parts.push({ key: "tasks", text: `${n.tasks} tasks`, title: "tasks (or pods) not stopped" });
  else if (n.instances > 0) parts.push({ key: "inst", text: `${n.instances} inst`, title: "EC2 instances in service" });
  else if (n.concurrency > 0)
    parts.push({
      key: "busy",
      text: `${n.concurrency} busy`,
      title:
        n.environments > n.concurrency
          ? `concurrency now; ${n.environments} environments alive, ${n.environments - n.concurrency} idle and kept warm`
          : "concurrency now",
    });
  if (n.cold_starts > 0) parts.push({ key: "cold", text: `${compact(n.cold_starts)} cold`, title: "cold starts so far" });
  if (n.queue_depth > 0) parts.push({ key: "queue", text: `q ${compact(n.queue_depth)}`, title: "messages or requests waiting", tone: c.health === "strained" ? "warn" : undefined });
  if (n.p99_ms > 0) parts.push({ key: "p99", text: `p99 ${duration(n.p99_ms)}`, title: "99th percentile latency so far" });
  return parts;
}

/** Edge animation level from requests per second: 0 (still) to 4 (fast). */
export function flowLevel(rps: number): 0 | 1 | 2 | 3 | 4 {
  if (!(rps > 0)) return 0;
  if (rps < 10) return 1;
  if (rps < 100) return 2;
  if (rps < 1000) return 3;
  return 4;
}

/** A scenario traffic pattern's rate at `t` seconds (trace files are not read here: `null`). */
export function rateAt(p: TrafficPattern, t: number, duration: number): number | null {
  switch (p.type) {
    case "constant":
    case "poisson":
      return p.rps;
    case "diurnal":
      return p.mean_rps * (1 + p.amplitude * Math.cos((2 * Math.PI * (t - p.peak_at_s)) / p.period_s));
    case "ramp":
      return duration > 0 ? p.from_rps + ((p.to_rps - p.from_rps) * Math.min(t, duration)) / duration : p.from_rps;
    case "step":
      return t < p.at_s ? p.from_rps : p.to_rps;
    case "spike":
      return t >= p.at_s && t < p.at_s + p.duration_s ? p.peak_rps : p.base_rps;
    case "trace":
      return null;
  }
}

/** Points of a pattern's rate over the scenario, for its preview chart. */
export function preview(p: TrafficPattern, duration: number, points = 120): [number, number][] {
  if (!(duration > 0)) return [];
  const out: [number, number][] = [];
  for (let i = 0; i <= points; i++) {
    const t = (duration * i) / points;
    const r = rateAt(p, t, duration);
    if (r === null) return [];
    out.push([t, r]);
  }
  // Steps and spikes: make the edges vertical.
  if (p.type === "step" || p.type === "spike") {
    const edges = p.type === "step" ? [p.at_s] : [p.at_s, p.at_s + p.duration_s];
    for (const e of edges) {
      if (e > 0 && e < duration) {
        out.push([e, rateAt(p, e - 1e-9, duration) ?? 0], [e, rateAt(p, e, duration) ?? 0]);
      }
    }
    out.sort((a, b) => a[0] - b[0]);
  }
  return out;
}

/** An SVG polyline `points` attribute for values scaled into w x h (y up). */
export function polyline(values: [number, number][], w: number, h: number, yMax?: number): string {
  if (values.length === 0) return "";
  const xMax = Math.max(...values.map((v) => v[0])) || 1;
  const top = yMax ?? (Math.max(...values.map((v) => v[1])) || 1);
  return values
    .map(([x, y]) => `${((x / xMax) * w).toFixed(1)},${(h - (Math.max(0, y) / top) * h).toFixed(1)}`)
    .join(" ");
}

export type WaterfallRow = {
  component: string;
  /** Offsets and widths as fractions of the whole trace. */
  left: number;
  queued: number;
  init: number;
  work: number;
  outcome: string;
  startMs: number;
  endMs: number;
  queuedMs: number;
  initMs: number;
};

/** A trace's segments laid out as waterfall rows: queueing, cold start, then handler and calls. */
export function waterfall(t: RequestTrace): { totalMs: number; rows: WaterfallRow[] } {
  // Segment times are from the start of the simulation: show them from the
  // request's first segment.
  const base = t.segments.length ? Math.min(...t.segments.map((s) => s.start_ms)) : 0;
  const totalMs = Math.max(1e-9, ...t.segments.map((s) => s.end_ms - base));
  // Outer segments first: by start, then the longer, then the caller (the
  // engine records a segment when it ends, so callees come first).
  const order = t.segments
    .map((s, i) => ({ s, i }))
    .sort((a, b) => a.s.start_ms - b.s.start_ms || b.s.end_ms - a.s.end_ms || b.i - a.i)
    .map((x) => x.s);
  const rows = order.map((s) => {
    const span = Math.max(0, s.end_ms - s.start_ms);
    const queuedMs = Math.min(Math.max(0, s.queued_ms), span);
    const initMs = Math.min(Math.max(0, s.init_ms), span - queuedMs);
    return {
      component: s.component,
      left: (s.start_ms - base) / totalMs,
      queued: queuedMs / totalMs,
      init: initMs / totalMs,
      work: (span - queuedMs - initMs) / totalMs,
      outcome: s.outcome,
      startMs: s.start_ms - base,
      endMs: s.end_ms - base,
      queuedMs,
      initMs,
    };
  });
  return { totalMs, rows };
}
