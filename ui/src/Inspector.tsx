// The inspector: typed forms for the selection, built from the core's
// schema (types, units, ranges). Every change is a SetProperty (or Rename /
// SetGroup) edit, so undo covers it; the core's refusal shows inline.
import { useEffect, useState } from "react";
import { api, ApiError } from "./api";
import type { ComponentView } from "./generated/ComponentView";
import type { ConnectionView } from "./generated/ConnectionView";
import type { DocumentView } from "./generated/DocumentView";
import type { Edit } from "./generated/Edit";
import type { FilterPolicyScope } from "./generated/FilterPolicyScope";
import type { FormField } from "./generated/FormField";
import type { MeaningInfo } from "./generated/MeaningInfo";
import { KindIcon } from "./icons";
import { plural } from "./live";
import { SchemaFieldContext, SchemaValue, type Schema } from "./SchemaEditor";
import { withTrafficInto } from "./ScenarioEditor";

type Send = (edit: Edit) => Promise<string | null>;

const formCache = new Map<string, Promise<FormField[]>>();
function loadForm(key: string, load: () => Promise<FormField[]>): Promise<FormField[]> {
  let f = formCache.get(key);
  if (!f) {
    f = load();
    formCache.set(key, f);
  }
  return f;
}

function useForm(key: string, load: () => Promise<FormField[]>): FormField[] | null {
  const [form, setForm] = useState<{ key: string; fields: FormField[] } | null>(null);
  useEffect(() => {
    let live = true;
    loadForm(key, load).then((fields) => live && setForm({ key, fields }));
    return () => {
      live = false;
    };
    // The key names the form; the loader is the same for a key.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return form?.key === key ? form.fields : null;
}

function show(value: unknown, field: FormField): string {
  if (value === null || value === undefined) return "";
  if (field.field_type === "json") return JSON.stringify(value, null, 2);
  return String(value);
}

function Field({ field, value, onSet }: { field: FormField; value: unknown; onSet: (v: unknown) => Promise<string | null> }) {
  const [draft, setDraft] = useState(show(value, field));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setDraft(show(value, field));
    setError(null);
  }, [value, field]);

  const commit = async () => {
    if (draft === show(value, field)) {
      // Back to the value the model holds: an earlier refusal no longer applies.
      setError(null);
      return;
    }
    let v: unknown = draft;
    if (field.field_type === "integer" || field.field_type === "number") {
      if (draft.trim() === "" && field.optional) v = null;
      else {
        const n = Number(draft);
        if (draft.trim() === "" || Number.isNaN(n)) {
          setError(`${field.path}: “${draft}” is not a number`);
          return;
        }
        v = n;
      }
    } else if (field.field_type === "json" && draft.trim() === "") {
      v = null;
    } else if (field.field_type === "json") {
      try {
        v = JSON.parse(draft);
      } catch (e) {
        setError(`${field.path}: not valid JSON (${(e as Error).message})`);
        return;
      }
    }
    setError(await onSet(v));
  };

  const [advanced, setAdvanced] = useState(false);
  const structured = field.field_type === "json" && field.schema !== null && !advanced;
  const id = `field-${field.path}`;
  const range =
    field.min !== null && field.max !== null ? `${field.min.toLocaleString()}–${field.max.toLocaleString()}` : null;
  return (
    <div className={`field${error ? " invalid" : ""}`} data-testid={id}>
      <label htmlFor={id} title={field.description ?? undefined}>
        {field.path.replaceAll("_", " ")}
        {field.unit && <span className="unit"> ({field.unit})</span>}
        {field.field_type === "json" && field.schema !== null && (
          <button
            type="button"
            className="advanced-toggle"
            aria-pressed={advanced}
            title={advanced ? "Back to the form" : "Edit as JSON (advanced)"}
            onClick={(e) => {
              e.preventDefault();
              setAdvanced(!advanced);
            }}
          >
            {advanced ? "form" : "{ }"}
          </button>
        )}
      </label>
      {field.field_type === "boolean" ? (
        <input
          id={id}
          type="checkbox"
          role="switch"
          className="toggle"
          checked={value === true}
          onChange={async (e) => setError(await onSet(e.target.checked))}
        />
      ) : field.field_type === "choice" ? (
        <select
          id={id}
          value={value === null || value === undefined ? "" : String(value)}
          onChange={async (e) => setError(await onSet(e.target.value === "" && field.optional ? null : e.target.value))}
        >
          {field.optional && <option value="">{field.path === "runtime_id" ? "the runtime's default" : "not set"}</option>}
          {value !== null && value !== undefined && !field.choices.includes(String(value)) && <option value={String(value)}>{String(value)}</option>}
          {field.choices.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      ) : structured ? (
        <div className="schema-editor" id={`${id}-editor`}>
          <SchemaFieldContext.Provider value={{ backToModel: () => setError(null) }}>
            <SchemaValue id={id} schema={field.schema as Schema} value={value} onChange={async (v) => setError(await onSet(v))} />
          </SchemaFieldContext.Provider>
        </div>
      ) : field.field_type === "json" ? (
        <textarea id={id} rows={Math.min(8, draft.split("\n").length + 1)} value={draft} onChange={(e) => setDraft(e.target.value)} onBlur={commit} />
      ) : (
        <input
          id={id}
          type={field.field_type === "text" ? "text" : "number"}
          min={field.min ?? undefined}
          max={field.max ?? undefined}
          step={field.field_type === "integer" ? 1 : "any"}
          placeholder={field.optional ? "not set" : undefined}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={commit}
          onKeyDown={(e) => {
            if (e.key === "Enter") (e.target as HTMLInputElement).blur();
          }}
        />
      )}
      {range && (
        <div className="hint" title={field.source ?? undefined}>
          {range} {field.unit}
        </div>
      )}
      {field.nested_ranges.length > 0 && <div className="hint">{field.nested_ranges.join("; ")}</div>}
      {error && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

function ComponentInspector({ c, doc, send }: { c: ComponentView; doc: DocumentView; send: Send }) {
  const form = useForm(`component:${c.kind}`, () => api.componentForm(c.kind));
  const [name, setName] = useState(c.name);
  useEffect(() => setName(c.name), [c.name]);
  const clusters = doc.groups.filter((g) => (g.kind === "ecs_cluster" || g.kind === "eks_cluster") && g.owner !== c.id);
  const current = clusters.find((g) => g.members.includes(c.id));
  const problems = doc.problems.filter((p) => p.components.includes(c.id));
  return (
    <div>
      <header className="inspector-head">
        <KindIcon kind={c.kind} />
        <div>
          <div className="muted">{c.label}</div>
          <div className="mono small">{c.id}</div>
        </div>
      </header>
      {c.limits.length > 0 && (
        <ul className="layer-limits" data-testid="layer-limits">
          {c.limits.map((l) => (
            <li key={l.layer} title={l.reason}>
              <b>{l.label}</b>: {l.reason}
            </li>
          ))}
        </ul>
      )}
      <div className="field">
        <label htmlFor="component-name">name</label>
        <input
          id="component-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          onBlur={() => name !== c.name && send({ op: "rename", id: c.id, name })}
          onKeyDown={(e) => e.key === "Enter" && (e.target as HTMLInputElement).blur()}
        />
      </div>
      {c.kind !== "ecs_cluster" && c.kind !== "eks_cluster" && clusters.length > 0 && (
        <div className="field">
          <label htmlFor="component-cluster">cluster</label>
          <select
            id="component-cluster"
            value={current?.id ?? ""}
            onChange={(e) => send({ op: "set_group", member: c.id, group: e.target.value || null })}
          >
            <option value="">(none)</option>
            {clusters.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        </div>
      )}
      {c.takes_traffic && c.kind !== "client" && !doc.scenarios.some((s) => s.traffic.some((t) => t.entry === c.id)) && (
        <button
          type="button"
          className="send-traffic"
          data-testid="send-traffic"
          title={doc.scenarios.length ? `Adds a steady 10 requests/s into ${c.name} to the scenario "${doc.scenarios[0].name}"` : `Adds a scenario with a steady 10 requests/s into ${c.name}`}
          onClick={() => send({ op: "set_scenarios", scenarios: withTrafficInto(doc, c.id) })}
        >
          Send traffic here
        </button>
      )}
      {problems.length > 0 && (
        <ul className="inspector-problems">
          {problems.map((p, i) => (
            <li key={i} className={p.severity}>
              <b>{p.code}</b> {p.message}
            </li>
          ))}
        </ul>
      )}
      <h4>Properties</h4>
      {c.parameters.length > 0 && (
        <p className="note small" data-testid="from-parameters">
          Read from the template&apos;s parameters, as their defaults: {c.parameters.join(", ")}. The exported template keeps the
          parameters.
        </p>
      )}
      {!form && <p className="muted">Loading…</p>}
      {form?.map((f) => (
        <Field
          key={f.path}
          field={f}
          value={c.props[f.path]}
          onSet={(value) => send({ op: "set_property", id: c.id, path: f.path, value })}
        />
      ))}
    </div>
  );
}

function ConnectionInspector({ conn, doc, send }: { conn: ConnectionView; doc: DocumentView; send: Send }) {
  const form = useForm(`connection:${conn.meaning}`, () => api.connectionForm(conn.meaning));
  const name = (id: string) => doc.components.find((c) => c.id === id)?.name ?? id;
  // The meanings this pair allows, as the core says.
  const [allowed, setAllowed] = useState<MeaningInfo[]>([]);
  useEffect(() => {
    let live = true;
    api.canConnect(conn.from, conn.to).then(
      (check) => live && setAllowed(check.result === "allowed" ? check.meanings : []),
      () => live && setAllowed([]),
    );
    return () => {
      live = false;
    };
  }, [conn.from, conn.to]);
  return (
    <div>
      <header className="inspector-head">
        <div>
          <div className="muted">Connection</div>
          <div>
            <b>{name(conn.from)}</b> {conn.label} <b>{name(conn.to)}</b>
          </div>
          <div className="mono small">{conn.id}</div>
        </div>
      </header>
      {allowed.length > 1 && (
        <div className="field">
          <label htmlFor="connection-meaning">meaning</label>
          <select
            id="connection-meaning"
            value={conn.meaning}
            onChange={(e) => send({ op: "set_meaning", id: conn.id, meaning: e.target.value as MeaningInfo["meaning"] })}
          >
            {allowed.map((m) => (
              <option key={m.meaning} value={m.meaning}>
                {m.label}
              </option>
            ))}
          </select>
        </div>
      )}
      {conn.evidence && (
        <section className={conn.weak ? "evidence weak" : "evidence"} aria-label="evidence">
          <div className="evidence-title">{conn.weak ? "Inferred from weak evidence" : "Drawn by import"}</div>
          <p className="small">{conn.evidence}</p>
          {conn.weak && (
            <>
              <p className="small">Confirm it if the design does this; delete it if not.</p>
              <div className="row">
                <button
                  type="button"
                  onClick={() => void send({ op: "set_property", id: conn.id, path: "inferred", value: { evidence: conn.evidence, weak: false } })}
                >
                  Confirm
                </button>
                <button type="button" onClick={() => void send({ op: "delete", ids: [conn.id] })}>
                  Delete
                </button>
              </div>
            </>
          )}
        </section>
      )}
      {conn.note && <p className="note">{conn.note}</p>}
      {form && form.length > 0 && <h4>Parameters</h4>}
      {form?.map((f) => (
        <Field key={f.path} field={f} value={conn.params[f.path]} onSet={(value) => send({ op: "set_property", id: conn.id, path: f.path, value })} />
      ))}
      {(conn.filterable || conn.filter_policy) && <FilterPolicyEditor conn={conn} send={send} />}
    </div>
  );
}

/** The policy field: JSON, empty for none (every message is delivered). */
const POLICY_FIELD: FormField = {
  path: "filter_policy",
  field_type: "json",
  default: null,
  min: null,
  max: null,
  unit: null,
  source: null,
  nested_ranges: [],
  optional: true,
  choices: [],
  description:
    "AWS's filter policy JSON ({\"event\": [\"order_placed\"]}): only messages that pass it are delivered; empty: every message is. Validation checks its syntax and limits.",
  schema: null,
};

/** An SNS subscription's filter policy and its scope. */
function FilterPolicyEditor({ conn, send }: { conn: ConnectionView; send: Send }) {
  const scope: FilterPolicyScope = conn.filter_policy?.scope ?? "MessageAttributes";
  const set = (policy: unknown, scope: FilterPolicyScope) =>
    send({ op: "set_property", id: conn.id, path: "filter_policy", value: policy === null ? null : { policy, scope } });
  return (
    <section aria-label="filter policy">
      <h4>Subscription filter</h4>
      <Field field={POLICY_FIELD} value={conn.filter_policy?.policy ?? null} onSet={(policy) => set(policy, scope)} />
      <div className="field">
        <label htmlFor="filter-policy-scope">filter policy scope</label>
        <select
          id="filter-policy-scope"
          value={scope}
          disabled={!conn.filter_policy}
          onChange={(e) => void set(conn.filter_policy?.policy ?? null, e.target.value as FilterPolicyScope)}
        >
          <option value="MessageAttributes">message attributes</option>
          <option value="MessageBody">message body</option>
        </select>
      </div>
    </section>
  );
}

/** A number field applied on Enter or when it loses focus. */
function NumberSetting({ id, label, value, unit, min, max, title, onSet }: { id: string; label: string; value: number; unit: string; min: number; max: number; title: string; onSet: (n: number) => Promise<string | null> }) {
  const [draft, setDraft] = useState(String(value));
  useEffect(() => setDraft(String(value)), [value]);
  const apply = async () => {
    const n = Number(draft);
    // A refused value (the toast says why) gives way to the design's.
    if (draft.trim() === "" || !Number.isFinite(n) || n === value || (await onSet(n)) !== null) setDraft(String(value));
  };
  return (
    <div className="field" title={title}>
      <label htmlFor={id}>
        {label} <span className="muted">({unit})</span>
      </label>
      <input
        id={id}
        type="number"
        min={min}
        max={max}
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={() => void apply()}
        onKeyDown={(e) => e.key === "Enter" && (e.target as HTMLInputElement).blur()}
      />
    </div>
  );
}

/** AWS's hidden assumptions, as the design's settings: what if they differ? */
function WhatIf({ doc, send }: { doc: DocumentView; send: Send }) {
  const a = doc.account;
  const set = (field: string, value: unknown) => send({ op: "set_account", field, value });
  return (
    <details className="what-if" data-testid="what-if">
      <summary>AWS assumptions (what if)</summary>
      <p className="small muted">What AWS does not publish or has changed; the simulation and the bill use these.</p>
      <NumberSetting
        id="account-idle-expiry"
        label="idle environment reclaimed after"
        unit="s"
        value={a.lambda_idle_expiry_s}
        min={60}
        max={86400}
        title="AWS does not publish when it reclaims an idle Lambda environment: about 600 s has been observed since 2019 (and is SimFaaS's default). Lower it to ask what if environments go sooner: more cold starts."
        onSet={(n) => set("lambda_idle_expiry_s", n)}
      />
      <div className="field" title="Since November 2023 each function scales by up to 1,000 environments every 10 s; before, an account-wide burst (3,000 in the largest regions) and then 500 more a minute.">
        <label htmlFor="account-scaling">Lambda scaling rule</label>
        <select id="account-scaling" value={a.lambda_scaling} onChange={(e) => void set("lambda_scaling", e.target.value)}>
          <option value="per_function">per function (since Nov 2023)</option>
          <option value="legacy_burst">account burst (before Nov 2023)</option>
        </select>
      </div>
      <NumberSetting
        id="account-concurrency"
        label="account concurrency limit"
        unit="environments"
        value={a.lambda_concurrency_limit}
        min={100}
        max={1000000}
        title="Concurrent executions across the region's functions: 1,000 by default, raised on request."
        onSet={(n) => set("lambda_concurrency_limit", n)}
      />
    </details>
  );
}

export function Inspector({ doc, selected, send }: { doc: DocumentView; selected: string[]; send: Send }) {
  let body;
  if (selected.length === 1) {
    const c = doc.components.find((x) => x.id === selected[0]);
    const conn = doc.connections.find((x) => x.id === selected[0]);
    if (c) body = <ComponentInspector key={c.id} c={c} doc={doc} send={send} />;
    else if (conn) body = <ConnectionInspector key={conn.id} conn={conn} doc={doc} send={send} />;
  }
  if (!body && selected.length > 1) body = <p>{selected.length} selected. Delete, duplicate (Ctrl+D) or drag them together.</p>;
  if (!body)
    body = (
      <div>
        <h4>{doc.name}</h4>
        <p className="muted">
          {plural(doc.components.length, "component")}, {plural(doc.connections.length, "connection")}, {plural(doc.groups.length, "group")}
        </p>
        <div className="field">
          <label htmlFor="design-region">region</label>
          <select
            id="design-region"
            value={doc.region}
            onChange={(e) => send({ op: "set_region", region: e.target.value })}
            title="The AWS region: it chooses the prices of the bill"
          >
            {!doc.regions.includes(doc.region) && <option value={doc.region}>{doc.region} (no price book)</option>}
            {doc.regions.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
        <WhatIf doc={doc} send={send} />
        <p className="muted">Select a component or connection to edit it.</p>
      </div>
    );
  return (
    <aside className="inspector" aria-label="Inspector">
      <h3>Inspector</h3>
      {body}
    </aside>
  );
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.suggestion ? `${e.message} ${e.suggestion}` : e.message;
  return String(e);
}
