// Fitting the view to a design as it opens. The fit happens as React Flow
// takes the nodes (they come with their sizes), so the first frame is the
// fitted one; and until the user pans or zooms, the view fits again when
// the canvas changes size (e.g. the recovery banner appears just after).
import { useReactFlow, useStoreApi, type FitViewOptions } from "@xyflow/react";
import { useCallback, useEffect, useRef } from "react";

/** The smallest zoom a fit goes to: card names (13 px) stay at least 10 px
 * on screen. A design larger than that at this zoom shows its middle; the
 * minimap shows the rest, and Shift+F fits the whole design. */
export const READABLE_ZOOM = 0.8;

/** Fitting a design as it opens and on F: never below a readable size. */
export const OPEN_FIT: FitViewOptions = { padding: 0.2, maxZoom: 1.1, minZoom: READABLE_ZOOM };

/** Shift+F: the whole design, however small (large designs then draw on the overview canvas). */
export const WHOLE_FIT: FitViewOptions = { padding: 0.1, maxZoom: 1.1 };

export function useAutoFit(): { fit: () => Promise<boolean>; onMoveStart: (event: MouseEvent | TouchEvent | null) => void } {
  // React Flow's helpers change identity once the canvas mounts; `fit`
  // must not (whatever depends on it would run again).
  const flow = useReactFlow();
  const rf = useRef(flow);
  rf.current = flow;
  const store = useStoreApi();
  const auto = useRef(false);
  useEffect(
    () =>
      store.subscribe((s, prev) => {
        if (auto.current && (s.width !== prev.width || s.height !== prev.height)) rf.current.fitView(OPEN_FIT);
      }),
    [store],
  );
  /** Resolves once fitted: it waits for the nodes if there are none yet. */
  const fit = useCallback(() => {
    auto.current = true;
    return rf.current.fitView(OPEN_FIT);
  }, []);
  // React Flow passes the event for the user's gestures, null for fitView.
  const onMoveStart = useCallback((event: MouseEvent | TouchEvent | null) => {
    if (event) auto.current = false;
  }, []);
  return { fit, onMoveStart };
}
