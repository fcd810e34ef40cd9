// The problems panel: the core's validation results, live. Clicking one
// selects the components involved.
import { plural } from "./live";
import type { Problem } from "./generated/Problem";

const ICON = { error: "E", warning: "W", info: "i" } as const;

export function Problems({ problems, onSelect }: { problems: Problem[]; onSelect: (ids: string[]) => void }) {
  const count = (s: Problem["severity"]) => problems.filter((p) => p.severity === s).length;
  return (
    <section className="problems" aria-label="Problems">
      <h3>
        Problems <span className="muted">{plural(count("error"), "error")} · {plural(count("warning"), "warning")} · {plural(count("info"), "info")}</span>
      </h3>
      {problems.length === 0 && <p className="muted">No problems: the design passes every rule.</p>}
      <ul>
        {problems.map((p, i) => (
          <li key={`${p.code}-${i}`} className={`problem ${p.severity}`} data-code={p.code}>
            <button type="button" onClick={() => onSelect(p.components)} title="Select the components involved">
              <span className={`sev ${p.severity}`} aria-label={p.severity}>
                {ICON[p.severity]}
              </span>
              <code>{p.code}</code>
              <span className="msg">{p.message}</span>
              <span className="hint">{p.hint}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
