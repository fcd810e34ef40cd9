// The live simulation controls over the canvas (scenario, run, pause,
// speed, restart, step, spike, zone loss, deploy, clock), the polling loop that
// feeds the live store, and a selected component's live charts.
import { useInternalNode, useStore } from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api } from "./api";
import type { DocumentView } from "./generated/DocumentView";
import type { LiveControl } from "./generated/LiveControl";
import type { LiveView } from "./generated/LiveView";
import type { SeriesView } from "./generated/SeriesView";
import { besideCard, NODE_H, NODE_W } from "./geometry";
import { errorText } from "./Inspector";
import { clock, compact, liveStore, polyline, useLiveView } from "./live";

/** Wall time between polls: 25 views a second. */
export const POLL_MS = 40;

const SPEEDS: { label: string; value: number | null }[] = [
  { label: "1x", value: 1 },
  { label: "10x", value: 10 },
  { label: "60x", value: 60 },
  { label: "600x", value: 600 },
  { label: "max", value: null },
];

declare global {
  interface Window {
    /** Live views received, for the UI perf script. */
    __archsimLiveViews?: number;
    /** The last 250 poll round trips, ms (for the UI perf script). */
    __archsimLivePollMs?: number[];
  }
}

/** Polls the core while a run exists, feeding the live store. */
export function useLivePolling(active: boolean, onEnd: (message: string | null) => void) {
  const end = useRef(onEnd);
  end.current = onEnd;
  useEffect(() => {
    if (!active) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      const started = performance.now();
      try {
        const v = await api.livePoll();
        if (stopped) return;
        liveStore.set(v);
        window.__archsimLiveViews = (window.__archsimLiveViews ?? 0) + 1;
        const took = (window.__archsimLivePollMs ??= []);
        took.push(performance.now() - started);
        if (took.length > 250) took.shift();
        if (!v) {
          end.current(null);
          return;
        }
        // Paused or finished: nothing changes quickly; poll gently.
        const wait = v.paused || v.finished ? 250 : POLL_MS - (performance.now() - started);
        timer = setTimeout(tick, Math.max(0, wait));
      } catch (e) {
        if (!stopped) end.current(errorText(e));
      }
    };
    tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [active]);
}

/** The parts of a document a simulation depends on (not positions). */
export function simulationKey(doc: DocumentView): string {
  return JSON.stringify([
    doc.components.map((c) => [c.id, c.kind, c.props]),
    doc.connections.map((c) => [c.id, c.from, c.to, c.meaning, c.params]),
    doc.groups.map((g) => [g.id, g.kind, g.members]),
    doc.scenarios,
  ]);
}

/** Zones the run's capacity spans, for the zone-loss control. */
function zonesOf(v: LiveView): string[] {
  const zones = new Set<string>();
  for (const c of v.placement.capacities) for (const i of c.instances) zones.add(i.zone);
  for (const s of v.placement.services) for (const t of s.tasks) if (t.zone) zones.add(t.zone);
  return [...zones].sort();
}

export function SimBar({
  doc,
  running,
  onStart,
  onStop,
  notify,
}: {
  doc: DocumentView;
  running: boolean;
  onStart: (scenario: string, speed?: number | null) => Promise<void>;
  onStop: () => void;
  notify: (kind: "error" | "info", text: string) => void;
}) {
  const live = useLiveView();
  const [scenario, setScenario] = useState<string>("");
  // What the running simulation was started on: edits to the design or its
  // scenarios (not card positions) do not reach a running simulation.
  const simKey = useMemo(() => simulationKey(doc), [doc]);
  const [startedOn, setStartedOn] = useState<string | null>(null);
  const changed = running && startedOn !== null && startedOn !== simKey;
  const start = async (name: string, speed?: number | null) => {
    setStartedOn(simKey);
    await onStart(name, speed);
  };
  const names = doc.scenarios.map((s) => s.name);
  const chosen = names.includes(scenario) ? scenario : (names[0] ?? "");
  const control = useCallback(
    (c: LiveControl) =>
      api.liveControl(c).then(
        (v) => liveStore.set(v),
        (e) => notify("error", errorText(e)),
      ),
    [notify],
  );
  const zones = live ? zonesOf(live) : [];
  // Functions and ECS services a new version can be deployed to now
  // (CodeDeploy shifts a function's traffic as its deployment preference
  // says; ECS replaces a service's tasks as its deployment configuration
  // says).
  const functions = doc.components.filter((c) => c.kind === "lambda_function" || c.kind === "ecs_service");
  const progress = live && live.duration_s > 0 ? live.at_s / live.duration_s : 0;

  return (
    <div className="simbar" role="toolbar" aria-label="Simulation">
      <select
        aria-label="Scenario"
        value={chosen}
        disabled={names.length === 0}
        onChange={(e) => setScenario(e.target.value)}
        title="The scenario to simulate (edit scenarios in the Scenario tab)"
      >
        {names.length === 0 && <option value="">no scenario</option>}
        {names.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
      {!running ? (
        <button type="button" className="primary" disabled={!chosen} onClick={() => start(chosen)} data-testid="sim-start">
          ▶ Simulate
        </button>
      ) : (
        <>
          {live && !live.finished && (
            <button
              type="button"
              onClick={() => control({ type: live.paused ? "resume" : "pause" })}
              data-testid="sim-pause"
              title="Pause or resume (Space on the canvas)"
            >
              {live.paused ? "▶ Resume" : "❚❚ Pause"}
            </button>
          )}
          <select
            aria-label="Speed"
            value={String(live?.speed ?? "max")}
            onChange={(e) => control({ type: "speed", speed: e.target.value === "max" ? null : Number(e.target.value) })}
            title="Simulated seconds per second"
          >
            {SPEEDS.map((s) => (
              <option key={s.label} value={String(s.value ?? "max")}>
                {s.label}
              </option>
            ))}
          </select>
          {changed && live ? (
            <button
              type="button"
              className="primary"
              onClick={() => start(live.scenario, live.speed)}
              title="The design changed since this run started: run it again from the start on the design as it is now"
              data-testid="sim-restart-changed"
            >
              ⟲ Restart with changes
            </button>
          ) : (
            <button type="button" onClick={() => control({ type: "restart" })} title="Back to the start, same seed" data-testid="sim-restart">
              ⟲
            </button>
          )}
          <button type="button" onClick={() => control({ type: "step", seconds: 10 })} title="Run 10 simulated seconds now">
            +10 s
          </button>
          <button type="button" onClick={() => control({ type: "spike", factor: 2 })} title="Double the traffic at every entry point" data-testid="sim-spike">
            Spike ×2
          </button>
          {zones.length > 1 && (
            <select
              aria-label="Zone loss"
              value=""
              onChange={(e) => e.target.value && control({ type: "inject", event: { type: "zone_loss", zone: e.target.value } })}
              title="Lose an availability zone now"
            >
              <option value="">Zone loss…</option>
              {zones.map((z) => (
                <option key={z} value={z}>
                  {z}
                </option>
              ))}
            </select>
          )}
          {functions.length > 0 && (
            <select
              aria-label="Deploy"
              value=""
              data-testid="sim-deploy"
              onChange={(e) => {
                const [component, rate, unhealthy] = e.target.value.split("|");
                if (component)
                  void control({
                    type: "inject",
                    event: { type: "deploy", component, error_rate: Number(rate), fails_health_checks: unhealthy === "1" },
                  });
              }}
              title="Deploy a new version now: a function's traffic shifts as its deployment preference says, its environments start cold, and its alarms can roll it back; a service's tasks are replaced as its deployment configuration says, and the circuit breaker can roll it back"
            >
              <option value="">Deploy…</option>
              {functions.flatMap((f) => [
                <option key={`${f.id}|0`} value={`${f.id}|0|0`}>
                  {f.name}: healthy version
                </option>,
                <option key={`${f.id}|0.2`} value={`${f.id}|0.2|0`}>
                  {f.name}: version failing 20%
                </option>,
                ...(f.kind === "ecs_service"
                  ? [
                      <option key={`${f.id}|hc`} value={`${f.id}|0|1`}>
                        {f.name}: version failing its health checks
                      </option>,
                    ]
                  : []),
              ])}
            </select>
          )}
          <button type="button" onClick={onStop} title="Stop the simulation and clear the live view" data-testid="sim-stop">
            ■ Stop
          </button>
        </>
      )}
      <button
        type="button"
        disabled={!chosen}
        onClick={() =>
          api.present(chosen).then(
            () => notify("info", "Opened the presenter window (space pauses, s spikes, z loses a zone, d deploys a new version, f full screen)"),
            (e) => notify("error", errorText(e)),
          )
        }
        title="Open this scenario in the full-screen presenter window, for demos"
      >
        Present
      </button>
      {running && live && (
        <div className="sim-clock" data-testid="sim-clock" title={`scenario ${live.scenario}, seed ${live.seed}`}>
          <span className="clock-now">{clock(live.at_s)}</span>
          <span className="muted"> / {clock(live.duration_s)}</span>
          <div className="sim-progress" aria-hidden="true">
            <div style={{ width: `${Math.min(100, progress * 100)}%` }} />
          </div>
          {live.finished && <span className="sim-done">done</span>}
          {live.paused && !live.finished && <span className="sim-paused">paused</span>}
          {live.notes.length > 0 && (
            <details className="sim-notes" data-testid="sim-notes">
              <summary title="What this run simulates otherwise than AWS would">
                {live.notes.length} {live.notes.length === 1 ? "note" : "notes"}
              </summary>
              <ul>
                {live.notes.map((n) => (
                  <li key={n}>{n}</li>
                ))}
              </ul>
            </details>
          )}
        </div>
      )}
    </div>
  );
}

type Chart = { key: string; label: string; lines: { name: string; values: number[]; colour: string }[] };

function chartsOf(s: SeriesView): Chart[] {
  const d = s.series;
  const perS = (v: number[]) => v.map((x) => x / s.step_s);
  const charts: Chart[] = [
    {
      key: "rate",
      label: "requests/s",
      lines: [
        { name: "arrivals", values: perS(d.arrivals), colour: "#2563eb" },
        { name: "completed", values: perS(d.completions), colour: "#16a34a" },
      ],
    },
    {
      key: "busy",
      label: "concurrency · environments · tasks · instances",
      lines: [
        { name: "concurrency", values: d.concurrency, colour: "#7c3aed" },
        // A function's execution environments alive: busy ones and the idle
        // ones Lambda keeps until they expire.
        { name: "environments", values: d.environments, colour: "#65a30d" },
        { name: "tasks", values: d.tasks, colour: "#ea580c" },
        { name: "instances", values: d.instances, colour: "#0891b2" },
      ],
    },
    {
      key: "bad",
      label: "errors · throttles · cold starts per s",
      lines: [
        { name: "errors", values: perS(d.errors), colour: "#dc2626" },
        { name: "throttles", values: perS(d.throttles), colour: "#d97706" },
        { name: "cold starts", values: perS(d.cold_starts), colour: "#0ea5e9" },
      ],
    },
    { key: "queue", label: "queue depth", lines: [{ name: "queue", values: d.queue_depth, colour: "#be185d" }] },
  ];
  return charts
    .map((c) => ({ ...c, lines: c.lines.filter((l) => l.values.some((v) => v > 0)) }))
    .filter((c) => c.lines.length > 0);
}

/** Width of the live charts panel (styles.css `.node-charts`). */
const CHARTS_W = 320;

/** Where the charts panel goes: beside the component's card, following
 * the canvas as it pans and zooms; `null` until the card is known. */
function useBesideCard(id: string, height: number): { left: number; top: number } | null {
  const node = useInternalNode(id);
  const [x, y, zoom] = useStore((s) => s.transform);
  const pane = useStore((s) => s.domNode)?.getBoundingClientRect();
  if (!node || !pane) return null;
  const at = node.internals.positionAbsolute;
  const left = pane.left + at.x * zoom + x;
  const top = pane.top + at.y * zoom + y;
  const card = { left, top, right: left + NODE_W * zoom, bottom: top + NODE_H * zoom };
  // Below the simulation bar (up to two rows).
  return besideCard(card, pane, CHARTS_W, height, 96);
}

/** A selected component's live time series, refreshed every second,
 * beside its card. */
export function NodeCharts({ id, name, onClose }: { id: string; name: string; onClose: () => void }) {
  // The panel's own height, measured, so it stays above the canvas's foot.
  const [height, setHeight] = useState(240);
  const place = useBesideCard(id, height);
  const [series, setSeries] = useState<SeriesView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stopped = false;
    const load = () =>
      api.liveSeries(id).then(
        (s) => {
          if (stopped) return;
          setSeries(s);
          setError(null);
        },
        (e) => !stopped && setError(errorText(e)),
      );
    load();
    const t = setInterval(load, 1000);
    return () => {
      stopped = true;
      clearInterval(t);
    };
  }, [id]);
  const W = 300;
  const H = 56;
  const charts = series ? chartsOf(series) : [];
  return (
    <section
      ref={(el) => {
        if (el && Math.abs(el.offsetHeight - height) > 4) setHeight(el.offsetHeight);
      }}
      className="node-charts"
      style={place ? { position: "fixed", left: place.left, top: place.top } : undefined}
      aria-label={`Live charts of ${name}`}
      data-testid="node-charts"
    >
      <header>
        <strong>{name}</strong> <span className="muted">live, per {series?.step_s ?? 1} s</span>
        <button type="button" className="close" onClick={onClose} aria-label="Close charts">
          ×
        </button>
      </header>
      {error && <p className="error-text">{error}</p>}
      {series && charts.length === 0 && <p className="muted">No traffic has reached this component yet.</p>}
      {charts.map((c) => {
        const top = Math.max(1, ...c.lines.flatMap((l) => l.values));
        return (
          <figure key={c.key} data-chart={c.key}>
            <figcaption>
              {c.label} <span className="muted">max {compact(top)}</span>
            </figcaption>
            <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={c.label}>
              {c.lines.map((l) => (
                <polyline
                  key={l.name}
                  points={polyline(l.values.map((v, i) => [i, v] as [number, number]), W, H - 2, top)}
                  fill="none"
                  stroke={l.colour}
                  strokeWidth={1.5}
                >
                  <title>{l.name}</title>
                </polyline>
              ))}
            </svg>
            <div className="chart-keys">
              {c.lines.map((l) => (
                <span key={l.name} style={{ color: l.colour }}>
                  ● {l.name} {compact(l.values[l.values.length - 1] ?? 0)}
                </span>
              ))}
            </div>
          </figure>
        );
      })}
    </section>
  );
}
