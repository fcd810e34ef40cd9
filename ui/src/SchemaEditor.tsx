// Structured editors made from the JSON Schema the core sends with a form
// field (generated from the model's Rust types): objects become fieldsets,
// lists gain Add and Remove, enums become dropdowns, tagged variants a
// choice of kind, maps key/value rows. Every change hands the whole new
// value of the top-level property up, as one SetProperty edit; the model
// checks it and its refusal shows under the field.
import { createContext, useContext, useEffect, useState } from "react";

/** What an editor's leaves tell the field around them: the user typed back
 * the value the model holds, so an earlier refusal no longer applies. */
export const SchemaFieldContext = createContext<{ backToModel: () => void }>({ backToModel: () => {} });

export type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  const?: unknown;
  default?: unknown;
  description?: string;
  additionalProperties?: Schema | boolean;
  minimum?: number;
  maximum?: number;
  /** The model's unit and the source of its range (crates/app/src/forms.rs). */
  "x-unit"?: string;
  "x-source"?: string;
};

/** A nested value's label: its name, its unit, and its range as a tooltip. */
function PropLabel({ htmlFor, name, schema }: { htmlFor: string; name: string; schema: Schema }) {
  const { schema: s } = nonNull(schema);
  const range = s["x-unit"] && s.minimum !== undefined && s.maximum !== undefined ? `${s.minimum.toLocaleString()}–${s.maximum.toLocaleString()} ${s["x-unit"]} (${s["x-source"]})` : null;
  const title = [schema.description ?? s.description, range].filter(Boolean).join("\n") || undefined;
  return (
    <label htmlFor={htmlFor} title={title}>
      {label(name)}
      {s["x-unit"] && <span className="unit"> ({s["x-unit"]})</span>}
    </label>
  );
}

type Json = unknown;

function types(s: Schema): string[] {
  if (Array.isArray(s.type)) return s.type;
  return s.type ? [s.type] : [];
}

const variantsOf = (s: Schema): Schema[] | undefined => s.oneOf ?? s.anyOf;

function isNull(s: Schema): boolean {
  const t = types(s);
  return t.length === 1 && t[0] === "null";
}

/** The schema without its `null` alternative, and whether it had one. */
export function nonNull(s: Schema): { schema: Schema; nullable: boolean } {
  const t = types(s);
  if (t.includes("null") && t.length > 1) {
    const rest = t.filter((x) => x !== "null");
    return { schema: { ...s, type: rest.length === 1 ? rest[0] : rest }, nullable: true };
  }
  const variants = variantsOf(s);
  if (variants?.some(isNull)) {
    const rest = variants.filter((v) => !isNull(v));
    const inner = rest.length === 1 ? { ...rest[0], description: rest[0].description ?? s.description } : { ...s, oneOf: rest, anyOf: undefined };
    return { schema: inner, nullable: true };
  }
  if (s.enum?.includes(null)) return { schema: { ...s, enum: s.enum.filter((v) => v !== null) }, nullable: true };
  return { schema: s, nullable: false };
}

/** The values of a plain choice: a string enum or a oneOf of constants. */
export function choicesOf(s: Schema): string[] | null {
  if (s.enum) return s.enum.filter((v) => v !== null).map(String);
  const variants = variantsOf(s);
  if (variants && variants.length > 0) {
    const consts = variants.map((v) => (v.const !== undefined ? v.const : v.enum?.length === 1 ? v.enum[0] : undefined));
    if (consts.every((c) => c !== undefined)) return consts.map(String);
  }
  return null;
}

/** The property that tells a tagged variant apart (serde's `tag`), if any. */
function tagOf(variants: Schema[]): string | null {
  const first = variants[0]?.properties;
  if (!first) return null;
  for (const [key, p] of Object.entries(first)) {
    if (p.const === undefined) continue;
    if (variants.every((v) => v.properties?.[key]?.const !== undefined)) return key;
  }
  return null;
}

/** A new value for a schema: its default, else the first choice, else an empty one. */
export function defaultFor(s: Schema): Json {
  if (s.default !== undefined) return structuredClone(s.default);
  if (s.const !== undefined) return s.const;
  const choices = choicesOf(s);
  if (choices && !variantsOf(s)?.some((v) => v.properties)) return choices[0];
  const variants = variantsOf(s);
  if (variants) {
    const first = variants.find((v) => !isNull(v));
    return first ? defaultFor(first) : null;
  }
  const t = types(s);
  if (t.includes("null")) return null;
  if (t.includes("object")) {
    const out: Record<string, Json> = {};
    for (const [key, p] of Object.entries(s.properties ?? {})) out[key] = defaultFor(p);
    return out;
  }
  if (t.includes("array")) return [];
  if (t.includes("boolean")) return false;
  if (t.includes("integer") || t.includes("number")) return s.minimum ?? 0;
  return "";
}

const label = (key: string) => key.replaceAll("_", " ");

/** A text or number input that commits on blur or Enter. */
function Leaf({ id, value, numeric, integer, nullable, onChange, title }: { id: string; value: Json; numeric: boolean; integer: boolean; nullable: boolean; onChange: (v: Json) => void; title?: string }) {
  const shown = value === null || value === undefined ? "" : String(value);
  const [draft, setDraft] = useState(shown);
  const field = useContext(SchemaFieldContext);
  useEffect(() => setDraft(shown), [shown]);
  const commit = () => {
    if (draft === shown) return field.backToModel();
    if (!numeric) return onChange(draft === "" && nullable ? null : draft);
    if (draft.trim() === "" && nullable) return onChange(null);
    const n = Number(draft);
    // A wrong number is still sent: the model refuses it in its own words.
    onChange(draft.trim() === "" || Number.isNaN(n) ? draft : n);
  };
  return (
    <input
      id={id}
      type={numeric ? "number" : "text"}
      step={integer ? 1 : "any"}
      value={draft}
      title={title}
      placeholder={nullable ? "not set" : undefined}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => e.key === "Enter" && (e.target as HTMLInputElement).blur()}
    />
  );
}

/** One value of `schema`, edited in place; `onChange` gets its new value. */
export function SchemaValue({ id, schema: full, value, onChange }: { id: string; schema: Schema; value: Json; onChange: (v: Json) => void }) {
  const { schema, nullable } = nonNull(full);
  const title = schema.description ?? full.description;
  if (nullable && (value === null || value === undefined)) {
    return (
      <span className="schema-unset">
        <span className="muted">not set</span>{" "}
        <button type="button" id={id} className="small-button" onClick={() => onChange(defaultFor(schema))}>
          Set
        </button>
      </span>
    );
  }
  const clear = nullable ? (
    <button type="button" className="small-button" title="Leave it unset" onClick={() => onChange(null)}>
      Unset
    </button>
  ) : null;

  const choices = choicesOf(schema);
  const variants = variantsOf(schema);
  if (choices && !variants?.some((v) => v.properties)) {
    return (
      <span className="schema-row">
        <select id={id} value={String(value)} title={title} onChange={(e) => onChange(e.target.value)}>
          {!choices.includes(String(value)) && <option value={String(value)}>{String(value)}</option>}
          {choices.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
        {clear}
      </span>
    );
  }
  if (variants) {
    const tag = tagOf(variants);
    if (tag) {
      const current = (value as Record<string, Json>)?.[tag];
      const chosen = variants.find((v) => v.properties?.[tag]?.const === current) ?? variants[0];
      const rest = { ...chosen, properties: Object.fromEntries(Object.entries(chosen.properties ?? {}).filter(([k]) => k !== tag)) };
      return (
        <div className="schema-object">
          <div className="schema-prop">
            <label htmlFor={`${id}-${tag}`}>{label(tag)}</label>
            <span className="schema-row">
              <select
                id={`${id}-${tag}`}
                value={String(current)}
                title={chosen.description}
                onChange={(e) => {
                  const next = variants.find((v) => String(v.properties?.[tag]?.const) === e.target.value);
                  if (next) onChange(defaultFor(next));
                }}
              >
                {variants.map((v) => {
                  const c = String(v.properties?.[tag]?.const);
                  return (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  );
                })}
              </select>
              {clear}
            </span>
          </div>
          <ObjectFields id={id} schema={rest} value={value as Record<string, Json>} onChange={onChange} />
        </div>
      );
    }
    // Untagged alternatives: edit the first that fits, as JSON otherwise.
    return <RawJson id={id} value={value} onChange={onChange} />;
  }
  const t = types(schema);
  if (t.includes("boolean")) {
    return (
      <span className="schema-row">
        <input id={id} type="checkbox" role="switch" className="toggle" checked={value === true} title={title} onChange={(e) => onChange(e.target.checked)} />
        {clear}
      </span>
    );
  }
  if (t.includes("integer") || t.includes("number") || t.includes("string")) {
    const numeric = !t.includes("string");
    return (
      <span className="schema-row">
        <Leaf id={id} value={value} numeric={numeric} integer={t.includes("integer")} nullable={nullable} onChange={onChange} title={title} />
        {clear}
      </span>
    );
  }
  if (t.includes("array") && schema.items) {
    const list = Array.isArray(value) ? value : [];
    const items = schema.items;
    const simple = !types(nonNull(items).schema).some((x) => x === "object" || x === "array") && !variantsOf(items)?.some((v) => v.properties);
    return (
      <div className="schema-list">
        {list.map((item, i) => (
          <div key={i} className={simple ? "schema-item simple" : "schema-item"} data-testid={`${id}-${i}`}>
            <div className="schema-item-head">
              {!simple && <span className="muted">{itemName(item, i)}</span>}
              {simple && <SchemaValue id={`${id}-${i}`} schema={items} value={item} onChange={(v) => onChange(list.map((x, j) => (j === i ? v : x)))} />}
              <button type="button" className="small-button" aria-label={`Remove ${itemName(item, i)}`} onClick={() => onChange(list.filter((_, j) => j !== i))}>
                Remove
              </button>
            </div>
            {!simple && <SchemaValue id={`${id}-${i}`} schema={items} value={item} onChange={(v) => onChange(list.map((x, j) => (j === i ? v : x)))} />}
          </div>
        ))}
        <span className="schema-row">
          <button type="button" className="small-button" id={id} onClick={() => onChange([...list, defaultFor(items)])}>
            Add
          </button>
          {clear}
        </span>
      </div>
    );
  }
  if (t.includes("object") && schema.properties) {
    return (
      <div className="schema-object">
        <ObjectFields id={id} schema={schema} value={(value ?? {}) as Record<string, Json>} onChange={onChange} />
        {clear}
      </div>
    );
  }
  if (t.includes("object") && typeof schema.additionalProperties === "object") {
    return <MapFields id={id} schema={schema.additionalProperties} value={(value ?? {}) as Record<string, Json>} onChange={onChange} />;
  }
  return <RawJson id={id} value={value} onChange={onChange} />;
}

/** A list item's name for its header: its `name`, else its position. */
function itemName(item: Json, i: number): string {
  const name = (item as Record<string, Json> | null)?.name;
  return typeof name === "string" && name ? name : `#${i + 1}`;
}

function ObjectFields({ id, schema, value, onChange }: { id: string; schema: Schema; value: Record<string, Json>; onChange: (v: Json) => void }) {
  return (
    <>
      {Object.entries(schema.properties ?? {}).map(([key, p]) => (
        <div className="schema-prop" key={key}>
          <PropLabel htmlFor={`${id}-${key}`} name={key} schema={p} />
          <SchemaValue id={`${id}-${key}`} schema={p} value={value?.[key]} onChange={(v) => onChange({ ...value, [key]: v })} />
        </div>
      ))}
    </>
  );
}

function MapFields({ id, schema, value, onChange }: { id: string; schema: Schema; value: Record<string, Json>; onChange: (v: Json) => void }) {
  const [newKey, setNewKey] = useState("");
  const entries = Object.entries(value);
  return (
    <div className="schema-map">
      {entries.map(([key, v]) => (
        <div className="schema-map-row" key={key}>
          <span className="mono small">{key}</span>
          <SchemaValue id={`${id}-${key}`} schema={schema} value={v} onChange={(nv) => onChange({ ...value, [key]: nv })} />
          <button
            type="button"
            className="small-button"
            aria-label={`Remove ${key}`}
            onClick={() => onChange(Object.fromEntries(entries.filter(([k]) => k !== key)))}
          >
            ×
          </button>
        </div>
      ))}
      <div className="schema-map-row">
        <input id={id} placeholder="new key" value={newKey} onChange={(e) => setNewKey(e.target.value)} aria-label="New key" />
        <button
          type="button"
          className="small-button"
          disabled={!newKey.trim() || newKey in value}
          onClick={() => {
            onChange({ ...value, [newKey.trim()]: defaultFor(schema) });
            setNewKey("");
          }}
        >
          Add
        </button>
      </div>
    </div>
  );
}

/** JSON text for what no editor above fits; it commits on blur. */
export function RawJson({ id, value, onChange, onError }: { id: string; value: Json; onChange: (v: Json) => void; onError?: (message: string) => void }) {
  const shown = value === null || value === undefined ? "" : JSON.stringify(value, null, 2);
  const [draft, setDraft] = useState(shown);
  useEffect(() => setDraft(shown), [shown]);
  return (
    <textarea
      id={id}
      rows={Math.min(10, draft.split("\n").length + 1)}
      value={draft}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={() => {
        if (draft === shown) return;
        if (draft.trim() === "") return onChange(null);
        try {
          onChange(JSON.parse(draft));
        } catch (e) {
          onError?.(`not valid JSON (${(e as Error).message})`);
        }
      }}
    />
  );
}
