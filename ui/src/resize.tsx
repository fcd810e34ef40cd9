// Panels the user can resize by dragging an edge (the cost panel's left
// edge, the dock's top edge); the size is remembered.
import { useCallback, useEffect, useState } from "react";

export function useStoredSize(key: string, initial: number, min: number, max: number): [number, (n: number) => void] {
  const [size, setSize] = useState(() => {
    const stored = Number(localStorage.getItem(key));
    return Number.isFinite(stored) && stored >= min && stored <= max ? stored : initial;
  });
  useEffect(() => localStorage.setItem(key, String(size)), [key, size]);
  const set = useCallback((n: number) => setSize(Math.round(Math.min(max, Math.max(min, n)))), [min, max]);
  return [size, set];
}

/** A drag handle on an edge. `axis` "x" resizes a panel to its right
 * (dragging left widens it), "y" one below (dragging up heightens it). */
export function Resizer({ axis, size, onResize, label }: { axis: "x" | "y"; size: number; onResize: (n: number) => void; label: string }) {
  const start = (e: React.PointerEvent<HTMLDivElement>) => {
    e.preventDefault();
    const from = axis === "x" ? e.clientX : e.clientY;
    const initial = size;
    const move = (m: PointerEvent) => onResize(initial + from - (axis === "x" ? m.clientX : m.clientY));
    const up = () => {
      window.removeEventListener("pointermove", move);
      window.removeEventListener("pointerup", up);
    };
    window.addEventListener("pointermove", move);
    window.addEventListener("pointerup", up);
  };
  return (
    <div
      className={`resizer resizer-${axis}`}
      role="separator"
      aria-orientation={axis === "x" ? "vertical" : "horizontal"}
      aria-label={label}
      aria-valuenow={size}
      tabIndex={0}
      onPointerDown={start}
      onKeyDown={(e) => {
        const step = e.shiftKey ? 48 : 16;
        if (e.key === (axis === "x" ? "ArrowLeft" : "ArrowUp")) onResize(size + step);
        if (e.key === (axis === "x" ? "ArrowRight" : "ArrowDown")) onResize(size - step);
      }}
    />
  );
}
