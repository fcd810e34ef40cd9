// The palette: every component kind from the core, grouped, searchable.
// Drag an entry onto the canvas, or click it to add it at the centre.
import { useMemo, useState } from "react";
import type { ComponentKind } from "./generated/ComponentKind";
import type { PaletteGroup } from "./generated/PaletteGroup";
import { KindIcon } from "./icons";

export const DRAG_TYPE = "application/x-archsim-kind";

export function Palette({ groups, onAdd }: { groups: PaletteGroup[]; onAdd: (kind: ComponentKind) => void }) {
  const [query, setQuery] = useState("");
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    if (!q) return groups;
    return groups
      .map((g) => ({
        ...g,
        kinds: g.kinds.filter(
          (k) => k.label.toLowerCase().includes(q) || k.kind.includes(q) || g.label.toLowerCase().includes(q),
        ),
      }))
      .filter((g) => g.kinds.length > 0);
  }, [groups, query]);

  return (
    <aside className="palette" aria-label="Palette">
      <input
        className="palette-search"
        type="search"
        placeholder="Search components…"
        aria-label="Search components"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <div className="palette-groups">
        {shown.map((g) => (
          <section key={g.category} className="palette-group">
            <h3>{g.label}</h3>
            {g.kinds.map((k) => (
              <div
                key={k.kind}
                className="palette-item"
                data-testid={`palette-${k.kind}`}
                draggable
                role="button"
                tabIndex={0}
                title={`${k.label}: drag onto the canvas, or click to add`}
                onDragStart={(e) => {
                  e.dataTransfer.setData(DRAG_TYPE, k.kind);
                  e.dataTransfer.effectAllowed = "copy";
                }}
                onClick={() => onAdd(k.kind)}
                onKeyDown={(e) => {
                  if (e.key === "Enter") onAdd(k.kind);
                }}
              >
                <KindIcon kind={k.kind} size={24} />
                <span>{k.label}</span>
                {k.serverless && <span className="badge" title="Serverless">SL</span>}
              </div>
            ))}
          </section>
        ))}
        {shown.length === 0 && <p className="muted">No component matches “{query}”.</p>}
      </div>
    </aside>
  );
}
