// Sampled request traces of the live run, and an X-Ray-like waterfall of
// the one picked: per component, time queued, cold start (init) and the
// handler with its downstream calls.
import { useEffect, useState } from "react";
import { api } from "./api";
import type { DocumentView } from "./generated/DocumentView";
import type { RequestTrace } from "./generated/RequestTrace";
import { errorText } from "./Inspector";
import { clock, useLiveView, waterfall } from "./live";

function ms(v: number): string {
  return v >= 100 ? `${v.toFixed(0)} ms` : `${v.toFixed(1)} ms`;
}

export function Waterfall({ trace, name }: { trace: RequestTrace; name: (id: string) => string }) {
  const w = waterfall(trace);
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  return (
    <div className="waterfall" data-testid="waterfall">
      <div className="waterfall-head">
        Request into <strong>{name(trace.entry)}</strong> at {clock(trace.start_s)} · {ms(w.totalMs)} end to end
        <span className="legend-inline">
          <span className="seg queued" /> queued <span className="seg init" /> cold start <span className="seg work" /> handler and calls
        </span>
      </div>
      {w.rows.map((r, i) => (
        <div key={i} className={`waterfall-row${r.outcome === "ok" ? "" : " failed"}`} data-testid="waterfall-row">
          <div className="waterfall-name" title={r.component}>
            {name(r.component)}
          </div>
          <div className="waterfall-track">
            <div className="waterfall-bar" style={{ left: pct(r.left), width: pct(r.queued + r.init + r.work) }}>
              {r.queued > 0 && <span className="seg queued" style={{ flexGrow: r.queued }} title={`queued ${ms(r.queuedMs)}`} />}
              {r.init > 0 && <span className="seg init" style={{ flexGrow: r.init }} title={`cold start ${ms(r.initMs)}`} />}
              {r.work > 0 && <span className="seg work" style={{ flexGrow: r.work }} title={`handler ${ms(r.endMs - r.startMs - r.queuedMs - r.initMs)}`} />}
            </div>
          </div>
          <div className="waterfall-time">
            {ms(r.endMs - r.startMs)}
            {r.outcome !== "ok" && <span className="outcome"> {r.outcome}</span>}
          </div>
        </div>
      ))}
    </div>
  );
}

export function TracesView({ doc }: { doc: DocumentView }) {
  const live = useLiveView();
  const count = live?.traces ?? 0;
  const [traces, setTraces] = useState<RequestTrace[]>([]);
  const [picked, setPicked] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const running = live !== null;
  // Re-read the list when more traces were sampled (at most once a second).
  useEffect(() => {
    if (!running) return;
    let stopped = false;
    const t = setTimeout(
      () =>
        api.liveTraces().then(
          (ts) => !stopped && (setTraces(ts), setError(null)),
          (e) => !stopped && setError(errorText(e)),
        ),
      traces.length === 0 ? 0 : 1000,
    );
    return () => {
      stopped = true;
      clearTimeout(t);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [count, running]);
  if (!live) return <p className="muted">Start a simulation to sample request traces.</p>;
  const name = (id: string) => doc.components.find((c) => c.id === id)?.name ?? id;
  const trace = traces[Math.min(picked, traces.length - 1)];
  return (
    <div className="traces" data-testid="traces">
      <ul className="trace-list" aria-label="Sampled requests">
        {traces.length === 0 && <li className="muted">No request sampled yet (one in a thousand is).</li>}
        {traces.map((t, i) => {
          const end = Math.max(...t.segments.map((s) => s.end_ms)) - Math.min(...t.segments.map((s) => s.start_ms));
          const failed = t.segments.some((s) => s.outcome !== "ok");
          const cold = t.segments.some((s) => s.init_ms > 0);
          return (
            <li key={i}>
              <button type="button" className={i === picked ? "picked" : ""} onClick={() => setPicked(i)} data-testid="trace-item">
                {clock(t.start_s)} {name(t.entry)} · {t.segments.length ? ms(end) : "in flight"}
                {cold && <span className="pill">cold</span>}
                {failed && <span className="pill bad">error</span>}
              </button>
            </li>
          );
        })}
      </ul>
      {error && <p className="error-text">{error}</p>}
      {trace && trace.segments.length > 0 && <Waterfall trace={trace} name={name} />}
    </div>
  );
}
