// The scenario editor: traffic per entry point with a preview of its rate,
// start time (cron schedules fire from it), duration, seed and scheduled
// events. It edits a draft; Apply saves the
// whole list as one undoable edit, and the core's SCENARIO_* problems say
// what is wrong with it.
import { useEffect, useMemo, useState } from "react";
import type { DocumentView } from "./generated/DocumentView";
import type { Edit } from "./generated/Edit";
import type { Scenario } from "./generated/Scenario";
import type { ScenarioEvent } from "./generated/ScenarioEvent";
import type { TrafficPattern } from "./generated/TrafficPattern";
import { DEFAULT_START } from "./generated/scenarioDefaults";
import { compact, polyline, preview } from "./live";

type PatternType = TrafficPattern["type"];
type EventType = ScenarioEvent["type"];

const PATTERNS: { type: PatternType; label: string }[] = [
  { type: "constant", label: "Constant" },
  { type: "poisson", label: "Poisson" },
  { type: "diurnal", label: "Diurnal" },
  { type: "ramp", label: "Ramp" },
  { type: "step", label: "Step" },
  { type: "spike", label: "Spike" },
  { type: "trace", label: "Trace file" },
];

const EVENTS: { type: EventType; label: string }[] = [
  { type: "traffic_change", label: "Traffic change" },
  { type: "zone_loss", label: "Zone loss" },
  { type: "spot_interruption", label: "Spot interruption" },
  { type: "dependency_slowdown", label: "Slow dependency" },
  { type: "deploy", label: "Deploy new version" },
];

/** A pattern of `type` carrying over the current rate where it can. */
export function defaultPattern(type: PatternType, duration: number, rps = 10): TrafficPattern {
  switch (type) {
    case "constant":
      return { type, rps };
    case "poisson":
      return { type, rps };
    case "diurnal":
      return { type, mean_rps: rps, amplitude: 0.5, period_s: 86400, peak_at_s: 50400 };
    case "ramp":
      return { type, from_rps: rps, to_rps: rps * 10 };
    case "step":
      return { type, from_rps: rps, to_rps: rps * 10, at_s: Math.round(duration / 4) };
    case "spike":
      return { type, base_rps: rps, peak_rps: rps * 10, at_s: Math.round(duration / 3), duration_s: Math.max(1, Math.round(duration / 10)) };
    case "trace":
      return { type, file: "traffic.csv", format: "per_second_counts" };
  }
}

function baseRate(p: TrafficPattern): number {
  switch (p.type) {
    case "constant":
    case "poisson":
      return p.rps;
    case "diurnal":
      return p.mean_rps;
    case "ramp":
    case "step":
      return p.from_rps;
    case "spike":
      return p.base_rps;
    case "trace":
      return 10;
  }
}

function defaultEvent(type: EventType, doc: DocumentView, entry: string): ScenarioEvent {
  const first = doc.components[0]?.id ?? "";
  switch (type) {
    case "traffic_change":
      return { type, entry, factor: 2 };
    case "zone_loss":
      return { type, zone: "us-east-1a" };
    case "spot_interruption":
      return { type, service: doc.components.find((c) => c.kind === "ecs_service")?.id ?? first, share: 0.5 };
    case "dependency_slowdown":
      return { type, component: doc.components.find((c) => c.kind === "dynamodb_table")?.id ?? first, factor: 5, duration_s: 60 };
    case "deploy":
      return { type, component: doc.components.find((c) => c.kind === "lambda_function")?.id ?? first, error_rate: 0 };
  }
}

/** A steady Poisson stream into `entry`, as a new scenario's first traffic. */
export function trafficInto(entry: string): Scenario["traffic"][number] {
  return { entry, pattern: { type: "poisson", rps: 10 }, request: { path: "/", payload_bytes: 1024, response_bytes: 4096, work: null } };
}

/** The scenarios with traffic into `entry` added: to the first scenario, or
 * in a new one when the design has none. */
export function withTrafficInto(doc: DocumentView, entry: string): Scenario[] {
  if (doc.scenarios.length === 0) return [{ ...blankScenario(doc, []), traffic: [trafficInto(entry)] }];
  return doc.scenarios.map((s, i) => (i === 0 ? { ...s, traffic: [...s.traffic, trafficInto(entry)] } : s));
}

function blankScenario(doc: DocumentView, taken: string[]): Scenario {
  let n = 1;
  while (taken.includes(`scenario-${n}`)) n++;
  const entry = doc.components.find((c) => c.kind === "client")?.id ?? doc.components.find((c) => c.takes_traffic)?.id ?? "";
  return {
    name: `scenario-${n}`,
    description: "",
    duration_s: 600,
    seed: 1,
    traffic: entry ? [trafficInto(entry)] : [],
    events: [],
  };
}

/** A JSON value typed as text, applied on blur when it parses (empty: none). */
function JsonText({ label, value, onChange, title, testid }: { label: string; value: unknown; onChange: (v: unknown) => void; title: string; testid?: string }) {
  const shown = value === null || value === undefined ? "" : JSON.stringify(value);
  const [text, setText] = useState(shown);
  const [bad, setBad] = useState(false);
  useEffect(() => {
    setText(shown);
    setBad(false);
  }, [shown]);
  return (
    <label className={`field${bad ? " invalid" : ""}`} title={title}>
      <span>{label}</span>
      <input
        value={text}
        data-testid={testid}
        placeholder="none"
        onChange={(e) => setText(e.target.value)}
        onBlur={() => {
          if (text === shown) return;
          try {
            onChange(text.trim() === "" ? null : JSON.parse(text));
            setBad(false);
          } catch {
            setBad(true);
          }
        }}
      />
    </label>
  );
}

function Num({ label, value, onChange, unit, step = "any", testid }: { label: string; value: number; onChange: (v: number) => void; unit?: string; step?: string; testid?: string }) {
  const [text, setText] = useState(String(value));
  useEffect(() => setText(String(value)), [value]);
  return (
    <label className="field">
      <span>{label}</span>
      <input
        type="number"
        step={step}
        value={text}
        data-testid={testid}
        onChange={(e) => {
          setText(e.target.value);
          const v = Number(e.target.value);
          if (e.target.value.trim() !== "" && Number.isFinite(v)) onChange(v);
        }}
      />
      {unit && <span className="unit">{unit}</span>}
    </label>
  );
}

function PatternFields({ p, set }: { p: TrafficPattern; set: (p: TrafficPattern) => void }) {
  const num = (key: string, label: string, unit: string) => (
    <Num
      key={key}
      label={label}
      unit={unit}
      value={(p as unknown as Record<string, number>)[key]}
      onChange={(v) => set({ ...p, [key]: v } as TrafficPattern)}
      testid={`pattern-${key}`}
    />
  );
  switch (p.type) {
    case "constant":
    case "poisson":
      return <>{num("rps", "rate", "req/s")}</>;
    case "diurnal":
      return (
        <>
          {num("mean_rps", "mean", "req/s")}
          {num("amplitude", "amplitude", "0-1")}
          {num("period_s", "period", "s")}
          {num("peak_at_s", "peak at", "s")}
        </>
      );
    case "ramp":
      return (
        <>
          {num("from_rps", "from", "req/s")}
          {num("to_rps", "to", "req/s")}
        </>
      );
    case "step":
      return (
        <>
          {num("from_rps", "from", "req/s")}
          {num("to_rps", "to", "req/s")}
          {num("at_s", "at", "s")}
        </>
      );
    case "spike":
      return (
        <>
          {num("base_rps", "base", "req/s")}
          {num("peak_rps", "peak", "req/s")}
          {num("at_s", "at", "s")}
          {num("duration_s", "for", "s")}
        </>
      );
    case "trace":
      return (
        <>
          <label className="field">
            <span>file</span>
            <input value={p.file} onChange={(e) => set({ ...p, file: e.target.value })} title="Beside the design file" />
          </label>
          <label className="field">
            <span>format</span>
            <select value={p.format} onChange={(e) => set({ ...p, format: e.target.value as typeof p.format })}>
              <option value="timestamps">timestamps</option>
              <option value="per_second_counts">second,count</option>
              <option value="per_minute_counts">minute,count</option>
              <option value="alb_access_log">ALB access log</option>
            </select>
          </label>
        </>
      );
  }
}

function Preview({ p, duration }: { p: TrafficPattern; duration: number }) {
  const pts = useMemo(() => preview(p, duration), [p, duration]);
  if (pts.length === 0) return <div className="preview muted">{p.type === "trace" ? "replayed from the file" : "no preview"}</div>;
  const top = Math.max(1, ...pts.map((x) => x[1]));
  return (
    <svg className="preview" width={180} height={44} viewBox="0 0 180 44" role="img" aria-label="Traffic preview" data-testid="traffic-preview">
      <polyline points={polyline(pts, 180, 40, top)} fill="none" stroke="#2563eb" strokeWidth={1.5} transform="translate(0,2)" />
      <text x={2} y={10} fontSize={9} fill="#64748b">
        {compact(top)}/s
      </text>
    </svg>
  );
}

export function ScenarioEditor({ doc, send }: { doc: DocumentView; send: (edit: Edit) => Promise<string | null> }) {
  const [draft, setDraft] = useState<Scenario[]>(doc.scenarios);
  const saved = JSON.stringify(doc.scenarios);
  // The scenarios the draft started from.
  const [base, setBase] = useState(saved);
  const [index, setIndex] = useState(0);
  const dirty = JSON.stringify(draft) !== saved;
  // The document changed underneath (undo, redo, open, apply): follow it
  // unless the draft has edits of its own.
  useEffect(() => {
    const mine = JSON.stringify(draft);
    if (mine === base || mine === saved) {
      setDraft(JSON.parse(saved) as Scenario[]);
      setBase(saved);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [saved]);
  const at = Math.min(index, Math.max(0, draft.length - 1));
  const s = draft[at];
  const update = (next: Scenario) => setDraft(draft.map((x, i) => (i === at ? next : x)));
  const problems = doc.problems.filter((p) => p.code.startsWith("SCENARIO_"));
  // Only what traffic can go into: not a role, a cluster, capacity, a registry or a task definition.
  const ids = doc.components.filter((c) => c.takes_traffic).map((c) => ({ id: c.id, label: `${c.name} (${c.id})` }));
  const entry = s?.traffic[0]?.entry ?? doc.components[0]?.id ?? "";

  return (
    <section className="scenario-editor" aria-label="Scenario editor">
      <div className="scenario-head">
        <select aria-label="Scenario to edit" value={at} onChange={(e) => setIndex(Number(e.target.value))} disabled={draft.length === 0}>
          {draft.map((x, i) => (
            <option key={i} value={i}>
              {x.name || "(unnamed)"}
            </option>
          ))}
        </select>
        <button
          type="button"
          onClick={() => {
            setDraft([...draft, blankScenario(doc, draft.map((x) => x.name))]);
            setIndex(draft.length);
          }}
        >
          New
        </button>
        {s && (
          <button
            type="button"
            onClick={() => {
              setDraft([...draft, { ...structuredClone(s), name: `${s.name}-copy` }]);
              setIndex(draft.length);
            }}
          >
            Duplicate
          </button>
        )}
        {s && (
          <button type="button" onClick={() => setDraft(draft.filter((_, i) => i !== at))}>
            Delete
          </button>
        )}
        <span className="spacer" />
        {dirty && <span className="muted">unapplied changes</span>}
        <button
          type="button"
          disabled={!dirty}
          onClick={() => {
            setDraft(JSON.parse(saved) as Scenario[]);
            setBase(saved);
          }}
        >
          Revert
        </button>
        <button type="button" className="primary" disabled={!dirty} onClick={() => send({ op: "set_scenarios", scenarios: draft })} data-testid="scenario-apply">
          Apply
        </button>
      </div>
      {problems.length > 0 && (
        <ul className="scenario-problems">
          {problems.map((p, i) => (
            <li key={i} className={p.severity}>
              {p.message}
            </li>
          ))}
        </ul>
      )}
      {!s && <p className="muted">This design has no scenario. New adds one with Poisson traffic into its client.</p>}
      {s && (
        <div className="scenario-body">
          <div className="scenario-fields">
            <label className="field">
              <span>name</span>
              <input value={s.name} onChange={(e) => update({ ...s, name: e.target.value })} data-testid="scenario-name" />
            </label>
            <label className="field" title="When the run starts, RFC 3339 in UTC: cron schedules fire at their times from here. Empty: the model's default.">
              <span>start (UTC)</span>
              <input
                value={s.start ?? ""}
                placeholder={DEFAULT_START}
                onChange={(e) => update({ ...s, start: e.target.value.trim() === "" ? undefined : e.target.value })}
                data-testid="scenario-start"
              />
            </label>
            <Num label="duration" unit="s" value={s.duration_s} onChange={(v) => update({ ...s, duration_s: v })} testid="scenario-duration" />
            <Num label="seed" step="1" value={s.seed} onChange={(v) => update({ ...s, seed: Math.max(0, Math.round(v)) })} />
            <label className="field wide">
              <span>description</span>
              <input value={s.description} onChange={(e) => update({ ...s, description: e.target.value })} />
            </label>
          </div>
          <h4>Traffic</h4>
          {s.traffic.map((t, i) => {
            const setT = (next: typeof t) => update({ ...s, traffic: s.traffic.map((x, j) => (j === i ? next : x)) });
            return (
              <div className="traffic-row" key={i} data-testid={`traffic-${i}`}>
                <label className="field">
                  <span>into</span>
                  <select value={t.entry} onChange={(e) => setT({ ...t, entry: e.target.value })}>
                    {!ids.some((x) => x.id === t.entry) && <option value={t.entry}>{t.entry} (missing)</option>}
                    {ids.map((x) => (
                      <option key={x.id} value={x.id}>
                        {x.label}
                      </option>
                    ))}
                  </select>
                </label>
                <label className="field">
                  <span>pattern</span>
                  <select
                    value={t.pattern.type}
                    data-testid="pattern-type"
                    onChange={(e) => setT({ ...t, pattern: defaultPattern(e.target.value as PatternType, s.duration_s, baseRate(t.pattern)) })}
                  >
                    {PATTERNS.map((p) => (
                      <option key={p.type} value={p.type}>
                        {p.label}
                      </option>
                    ))}
                  </select>
                </label>
                <PatternFields p={t.pattern} set={(pattern) => setT({ ...t, pattern })} />
                <label className="field">
                  <span>path</span>
                  <input value={t.request.path} title="The URL path (load balancer rules) or, for uploads into an S3 bucket, the object key that its notification filter must pass" onChange={(e) => setT({ ...t, request: { ...t.request, path: e.target.value } })} />
                </label>
                <JsonText
                  label="message attributes"
                  testid="message-attributes"
                  title='The SNS message attributes its messages carry, as JSON: a name to a string, a number or a list of strings ({"event": "order_placed", "price_usd": 210.75}). A subscription filter policy on message attributes reads them.'
                  value={t.request.message_attributes && Object.keys(t.request.message_attributes).length > 0 ? t.request.message_attributes : null}
                  onChange={(v) => setT({ ...t, request: { ...t.request, message_attributes: (v ?? undefined) as typeof t.request.message_attributes } })}
                />
                <JsonText
                  label="message body"
                  testid="message-body"
                  title='The JSON body of its messages ({"order": {"total": 60}}), which a subscription filter policy with the MessageBody scope reads.'
                  value={t.request.message_body ?? null}
                  onChange={(v) => setT({ ...t, request: { ...t.request, message_body: v ?? undefined } })}
                />
                <Preview p={t.pattern} duration={s.duration_s} />
                <button type="button" className="close" title="Remove this traffic" onClick={() => update({ ...s, traffic: s.traffic.filter((_, j) => j !== i) })}>
                  ×
                </button>
              </div>
            );
          })}
          <button
            type="button"
            onClick={() =>
              update({
                ...s,
                traffic: [...s.traffic, { entry, pattern: { type: "poisson", rps: 10 }, request: { path: "/", payload_bytes: 1024, response_bytes: 4096, work: null } }],
              })
            }
          >
            Add traffic
          </button>
          <h4>Scheduled events</h4>
          {s.events.length === 0 && <p className="muted">None. Add a spike, a zone loss, a Spot interruption or a slow dependency.</p>}
          {s.events.map((ev, i) => {
            const setE = (next: typeof ev) => update({ ...s, events: s.events.map((x, j) => (j === i ? next : x)) });
            const e = ev.event;
            const pick = (key: string, label: string, value: string, kinds?: string[]) => (
              <label className="field">
                <span>{label}</span>
                <select value={value} onChange={(x) => setE({ ...ev, event: { ...e, [key]: x.target.value } as ScenarioEvent })}>
                  {!ids.some((x) => x.id === value) && <option value={value}>{value} (missing)</option>}
                  {doc.components
                    .filter((c) => !kinds || kinds.includes(c.kind))
                    .map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.name} ({c.id})
                      </option>
                    ))}
                </select>
              </label>
            );
            const num = (key: string, label: string, unit: string) => (
              <Num label={label} unit={unit} value={(e as unknown as Record<string, number>)[key]} onChange={(v) => setE({ ...ev, event: { ...e, [key]: v } as ScenarioEvent })} />
            );
            return (
              <div className="traffic-row" key={i}>
                <Num label="at" unit="s" value={ev.at_s} onChange={(v) => setE({ ...ev, at_s: v })} />
                <label className="field">
                  <span>event</span>
                  <select value={e.type} onChange={(x) => setE({ ...ev, event: defaultEvent(x.target.value as EventType, doc, entry) })}>
                    {EVENTS.map((x) => (
                      <option key={x.type} value={x.type}>
                        {x.label}
                      </option>
                    ))}
                  </select>
                </label>
                {e.type === "traffic_change" && (
                  <>
                    {pick("entry", "at", e.entry)}
                    {num("factor", "factor", "×")}
                  </>
                )}
                {e.type === "zone_loss" && (
                  <label className="field">
                    <span>zone</span>
                    <input value={e.zone} onChange={(x) => setE({ ...ev, event: { ...e, zone: x.target.value } })} />
                  </label>
                )}
                {e.type === "spot_interruption" && (
                  <>
                    {pick("service", "service", e.service, ["ecs_service", "eks_workload"])}
                    {num("share", "share", "0-1")}
                  </>
                )}
                {e.type === "dependency_slowdown" && (
                  <>
                    {pick("component", "component", e.component)}
                    {num("factor", "slower", "×")}
                    {num("duration_s", "for", "s")}
                  </>
                )}
                {e.type === "deploy" && (
                  <>
                    {pick("component", "function", e.component, ["lambda_function"])}
                    {num("error_rate", "errors", "0-1")}
                  </>
                )}
                <button type="button" className="close" title="Remove this event" onClick={() => update({ ...s, events: s.events.filter((_, j) => j !== i) })}>
                  ×
                </button>
              </div>
            );
          })}
          <button
            type="button"
            onClick={() => update({ ...s, events: [...s.events, { at_s: Math.round(s.duration_s / 2), event: defaultEvent("traffic_change", doc, entry) }] })}
          >
            Add event
          </button>
        </div>
      )}
    </section>
  );
}
