// What sits on the canvas besides the diagram: the connection legend (it
// folds away, and remembers) and, on an empty canvas, the first minute:
// three steps and the starters to begin from.
import { useEffect, useState } from "react";
import { api } from "./api";
import { legend } from "./edgeStyle";
import type { StarterInfo } from "./generated/StarterInfo";

const LEGEND_KEY = "archsim.legend.open";

export function Legend() {
  const [open, setOpen] = useState(() => localStorage.getItem(LEGEND_KEY) !== "false");
  useEffect(() => localStorage.setItem(LEGEND_KEY, String(open)), [open]);
  return (
    <div className={`legend${open ? "" : " folded"}`} aria-label="Connection legend">
      <button type="button" className="legend-toggle" aria-expanded={open} onClick={() => setOpen(!open)} title={open ? "Fold the legend away" : "Show what the lines mean"}>
        {open ? "Legend ▾" : "Legend ▸"}
      </button>
      {open &&
        legend().map(([m, look]) => (
          <div key={m} className="legend-row">
            <svg width="34" height="8" aria-hidden="true">
              <line x1="0" y1="4" x2="34" y2="4" stroke={look.stroke} strokeWidth={look.width} strokeDasharray={look.dash} />
            </svg>
            {m.replaceAll("_", " ")}
          </div>
        ))}
    </div>
  );
}

export function EmptyCanvas({ onPick }: { onPick: (starter: string) => void }) {
  const [starters, setStarters] = useState<StarterInfo[]>([]);
  useEffect(() => {
    let live = true;
    api.starters().then((s) => live && setStarters(s.filter((x) => x.name !== "blank")));
    return () => {
      live = false;
    };
  }, []);
  return (
    <div className="empty-canvas" data-testid="empty-canvas">
      <h2>Design an AWS architecture</h2>
      <ol className="first-steps">
        <li>
          <b>Drag</b> a component from the palette onto the canvas.
        </li>
        <li>
          <b>Connect</b> two: drag from a card's right handle to another's left handle. archsim says what the connection means, or why AWS does not allow it.
        </li>
        <li>
          <b>Simulate</b> traffic: add a scenario, press Simulate, and watch scaling, cold starts and queues live; then price it and export a template.
        </li>
      </ol>
      {starters.length > 0 && (
        <>
          <p className="muted">Or start from an example:</p>
          <div className="empty-starters">
            {starters.map((s) => (
              <button type="button" key={s.name} onClick={() => onPick(s.name)} title={s.summary} data-testid={`empty-starter-${s.name}`}>
                <b>{s.name}</b>
                <span className="muted">{s.summary}</span>
              </button>
            ))}
          </div>
        </>
      )}
    </div>
  );
}
