// The cost panel: the open design's monthly bill as archsim-cost computes
// it (the same figures as `archsim cost`), the cost curve and the
// break-even chart, with the toggles that change them; and the run report
// (HTML page and CSV files) of the chosen scenario. Every figure comes from
// the core; the panel only asks again, a moment after the design or a
// toggle changes.
import { useEffect, useRef, useState } from "react";
import "./CostPanel.css";
import { api, ApiError, native, saveReportNatively } from "./api";
import type { CostPanel as CostPanelView } from "./generated/CostPanel";
import type { CostSource } from "./generated/CostSource";
import type { DocumentView } from "./generated/DocumentView";
import type { LambdaBillingMode } from "./generated/LambdaBillingMode";
import type { ReportOptions } from "./generated/ReportOptions";
import { errorText } from "./Inspector";
import { download } from "./Templates";

/** How long the panel waits after a change before asking the core again. */
export const COST_DEBOUNCE_MS = 400;

/** "1234567.5" -> "1,234,567.50"; money stays a decimal string end to end. */
export function usd(amount: string): string {
  const negative = amount.startsWith("-");
  const [int, frac = ""] = (negative ? amount.slice(1) : amount).split(".");
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}$${grouped}.${(frac + "00").slice(0, 2)}`;
}

/** A billed quantity for reading: thousands grouped, at most 2 decimals. */
export function quantity(q: string): string {
  const n = Number(q);
  return Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: 2 }) : q;
}

const svgUrl = (svg: string) => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;

type Notify = (kind: "error" | "info", text: string) => void;

interface Choices {
  /** The design the choices were made on: another design starts afresh. */
  design: string;
  scenario: string | null;
  fn: string | null;
}

/** The width to draw the panel's charts at for `inner` CSS pixels of room:
 * a multiple of 40, at least 320 (the core's narrowest chart). */
export function chartWidthFor(inner: number): number {
  return Math.max(320, Math.floor(inner / 40) * 40);
}

export function CostPanel({ doc, onClose, notify }: { doc: DocumentView; onClose: () => void; notify: Notify }) {
  const [source, setSource] = useState<CostSource>("estimate");
  const [freeTier, setFreeTier] = useState(false);
  const [billing, setBilling] = useState<LambdaBillingMode>("1ms");
  const designKey = `${doc.path ?? ""}|${doc.name}`;
  const [choices, setChoices] = useState<Choices>({ design: designKey, scenario: null, fn: null });
  const scenario = choices.design === designKey ? choices.scenario : null;
  const fn = choices.design === designKey ? choices.fn : null;
  // The last answer, and the design it was for.
  const [answer, setAnswer] = useState<{ design: string; panel: CostPanelView } | null>(null);
  const panel = answer?.design === designKey ? answer.panel : null;
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const [reporting, setReporting] = useState(false);
  const asked = useRef(0);
  // The charts are drawn at the width the panel shows them (in steps of
  // 40 px, so a drag of the resizer does not redraw at every pixel): the
  // core sizes their text for that width, and nothing is scaled down.
  const root = useRef<HTMLElement>(null);
  const [chartWidth, setChartWidth] = useState<number | null>(null);
  useEffect(() => {
    const el = root.current;
    if (!el) return;
    const measure = () => {
      const style = getComputedStyle(el);
      const inner = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 2;
      setChartWidth(chartWidthFor(inner));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  // What is shown: the last answer, unless the last question failed.
  const shown = error ? null : panel;

  // Ask again a moment after the design or a toggle changes; only the
  // latest answer is shown.
  useEffect(() => {
    const ask = ++asked.current;
    const key = designKey;
    const timer = setTimeout(() => {
      setLoading(true);
      api.costPanel({ source, scenario, free_tier: freeTier, billing, function: fn, chart_width: chartWidth }).then(
        (p) => {
          if (ask !== asked.current) return;
          setAnswer({ design: key, panel: p });
          setError(null);
          setLoading(false);
        },
        (e) => {
          if (ask !== asked.current) return;
          setError(e instanceof ApiError ? e : new ApiError({ code: "cost", message: errorText(e), suggestion: null }));
          setLoading(false);
        },
      );
    }, COST_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [doc, designKey, source, scenario, freeTier, billing, fn, chartWidth]);

  const choose = (change: Partial<Omit<Choices, "design">>) => setChoices({ design: designKey, scenario, fn, ...change });

  const report = async () => {
    const options: ReportOptions = { scenario, free_tier: freeTier, billing };
    setReporting(true);
    try {
      if (native) {
        notify("info", `Wrote ${(await saveReportNatively(options)).join(", ")}`);
      } else {
        const r = await api.runReport(options);
        download(r.html_file_name, r.html, "text/html");
        download(r.components_csv_file_name, r.components_csv, "text/csv");
        download(r.series_csv_file_name, r.series_csv, "text/csv");
        notify("info", `Report of "${r.scenario}" (seed ${r.seed}, ${r.duration_s} s): ${r.html_file_name} and two CSV files`);
      }
    } catch (e) {
      if (!(e instanceof ApiError && e.code === "cancelled")) notify("error", `Report failed: ${errorText(e)}`);
    } finally {
      setReporting(false);
    }
  };

  return (
    <aside className="cost-panel" aria-label="Cost" data-testid="cost-panel" ref={root}>
      <div className="cost-head">
        <h3>Monthly cost</h3>
        {loading && <span className="muted" data-testid="cost-loading">updating…</span>}
        <button type="button" onClick={onClose} aria-label="Close the cost panel">×</button>
      </div>
      <div className="cost-options">
        <fieldset>
          <legend>Usage</legend>
          <label>
            <input type="radio" name="cost-source" checked={source === "estimate"} onChange={() => setSource("estimate")} /> Scenario estimate
          </label>
          <label>
            <input type="radio" name="cost-source" checked={source === "simulation"} onChange={() => setSource("simulation")} /> Simulated run
          </label>
        </fieldset>
        <label className="cost-row">
          Scenario
          <select
            value={scenario ?? panel?.scenario ?? ""}
            onChange={(e) => choose({ scenario: e.target.value || null })}
            data-testid="cost-scenario"
            disabled={!panel?.scenarios.length}
          >
            {/* The last answer's scenarios: after an error the user can still pick another. */}
            {scenario !== null && !panel?.scenarios.includes(scenario) && <option value={scenario}>{scenario} (missing)</option>}
            {(panel?.scenarios ?? []).map((s) => (
              <option key={s} value={s}>{s}</option>
            ))}
          </select>
        </label>
        <label className="cost-check">
          <input type="checkbox" checked={freeTier} onChange={(e) => setFreeTier(e.target.checked)} data-testid="cost-free-tier" /> Free tier
        </label>
        <label className="cost-row">
          Lambda billing
          <select value={billing} onChange={(e) => setBilling(e.target.value as LambdaBillingMode)} data-testid="cost-billing">
            <option value="1ms">1 ms</option>
            <option value="100ms">100 ms (legacy)</option>
          </select>
        </label>
      </div>

      {error && (
        <div className="cost-error" role="alert" data-testid="cost-error">
          {error.message}
          {error.suggestion && <div className="muted">{error.suggestion}</div>}
        </div>
      )}

      {shown && (
        <>
          <div className="cost-total">
            <span className="muted">
              {shown.source === "simulation" && shown.run
                ? `simulated ${shown.run.duration_s} s (seed ${shown.run.seed}), scaled to a month`
                : `scenario "${shown.scenario}", ${shown.entry_requests_per_s.toLocaleString("en-US", { maximumFractionDigits: 2 })} requests/s`}
            </span>
            <b data-testid="cost-total" data-usd={shown.total_usd}>{usd(shown.total_usd)}</b>
            <span className="muted">per month, {shown.assumptions.currency}, {shown.assumptions.region}</span>
            {!shown.total_complete && (
              <span className="cost-incomplete" data-testid="cost-incomplete">
                incomplete: {shown.not_priced.length === 1 ? "1 component" : `${shown.not_priced.length} components`} not priced
              </span>
            )}
            {shown.unconfirmed_rates.length > 0 && (
              <span
                className="cost-incomplete"
                data-testid="cost-unconfirmed"
                title={`Not confirmed for ${shown.assumptions.region} (the price book's notes say where each came from): ${shown.unconfirmed_rates.join(", ")}`}
              >
                {shown.unconfirmed_rates.length === 1 ? "1 rate" : `${shown.unconfirmed_rates.length} rates`} not confirmed for{" "}
                {shown.assumptions.region}
              </span>
            )}
          </div>
          <table className="cost-components" data-testid="cost-components">
            <tbody>
              {shown.components.map((c) => (
                <tr key={c.component_id}>
                  <td title={c.component_id}>{c.component_name}</td>
                  <td className="num">{usd(c.total_usd)}</td>
                </tr>
              ))}
              {shown.not_priced.map((n) => (
                <tr key={`np-${n.component_id}`} className="not-priced" data-testid="cost-not-priced">
                  <td title={`${n.component_id} (${n.service})`}>
                    {n.component_name}
                    <div className="muted">not priced: {n.reason}</div>
                  </td>
                  <td className="num">–</td>
                </tr>
              ))}
            </tbody>
          </table>
          <details className="cost-lines">
            <summary>Line items ({shown.line_items.length})</summary>
            <table data-testid="cost-lines">
              <thead>
                <tr>
                  <th>item</th>
                  <th className="num">quantity</th>
                  <th className="num">USD</th>
                </tr>
              </thead>
              <tbody>
                {shown.line_items.map((l, i) => (
                  <tr key={i}>
                    <td title={`${l.service}: ${l.rate_usd} USD ${l.rate_unit}`}>
                      <b>{l.component_name}</b> <code className="muted">{l.component_id}</code>
                      <div className="muted">{l.description}</div>
                    </td>
                    <td className="num">
                      {quantity(l.quantity)}
                      <div className="muted">{l.unit}</div>
                    </td>
                    <td className="num">{l.amount_usd}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                {shown.discount_usd !== "0.00" && shown.discount_usd !== "0" && (
                  <>
                    <tr><td colSpan={2}>subtotal</td><td className="num">{shown.subtotal_usd}</td></tr>
                    <tr><td colSpan={2}>discount</td><td className="num">-{shown.discount_usd}</td></tr>
                  </>
                )}
                <tr><td colSpan={2}>total</td><td className="num">{shown.total_usd}</td></tr>
              </tfoot>
            </table>
          </details>
          <p className="muted cost-assumptions" data-testid="cost-assumptions">
            {shown.assumptions.month_hours} h month · free tier {shown.assumptions.free_tier ? "on" : "off"} · Lambda billing{" "}
            {shown.assumptions.billing === "1ms" ? "1 ms" : "100 ms (legacy)"}
            {shown.assumptions.discount_percent > 0 && ` · discount ${shown.assumptions.discount_percent}%`}
          </p>
          {shown.notes.length > 0 && (
            <ul className="cost-notes">
              {shown.notes.map((n, i) => (
                <li key={i}>{n}</li>
              ))}
            </ul>
          )}
          {shown.cost_curve_svg && (
            <figure>
              <figcaption>Cost against traffic, by component</figcaption>
              <img src={svgUrl(shown.cost_curve_svg)} alt="Monthly cost from 1/100 to 100 times the scenario's traffic, stacked by component" data-testid="cost-curve" />
            </figure>
          )}
          {shown.break_even && (
            <figure>
              <figcaption>
                Break-even of{" "}
                {shown.functions.length > 1 ? (
                  <select value={shown.break_even.function_id} onChange={(e) => choose({ fn: e.target.value })} aria-label="Function to compare">
                    {shown.functions.map((f) => (
                      <option key={f.id} value={f.id}>{f.name}</option>
                    ))}
                  </select>
                ) : (
                  shown.break_even.function_name
                )}{" "}
                on Lambda, Fargate and ECS on EC2
                <div className="muted small">{shown.break_even.title.replace(/^Break-even: /, "")}</div>
              </figcaption>
              <img src={svgUrl(shown.break_even.svg)} alt="Monthly cost of the function's workload on Lambda, Fargate and ECS on EC2 against request rate" data-testid="cost-breakeven" />
              <ul className="cost-crossings" data-testid="cost-crossings">
                {shown.break_even.crossings.map((c, i) => (
                  <li key={i}>
                    {c.cheaper_below} and {c.cheaper_above} cost the same at {c.requests_per_s.toFixed(2)} requests/s (${c.monthly_usd.toFixed(2)}/month)
                  </li>
                ))}
                {shown.break_even.crossings.length === 0 && <li>No crossing between 0.01 and 1,000 requests/s.</li>}
              </ul>
            </figure>
          )}
          {shown.chart_notes.map((n, i) => (
            <p key={i} className="muted">{n}</p>
          ))}
        </>
      )}

      <div className="cost-report">
        <button type="button" onClick={report} disabled={reporting} data-testid="run-report" title="Simulate the scenario (its seed and duration) and save an HTML report and CSV files">
          {reporting ? "Simulating…" : "Run report…"}
        </button>
        <span className="muted">HTML page and CSV files of a simulated run</span>
      </div>
    </aside>
  );
}
